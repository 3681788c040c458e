// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IScenarioExecution} from "./IScenarioExecution.sol";
import {ISettlementEngine} from "./ISettlementEngine.sol";
import {INotaryRegistry} from "./INotaryRegistry.sol";

/// @title IExecutionHub
/// @notice The one entry point for node batches. It checks that the submitter is the registered signing key of an
/// active node serving the scenario and that the batch was built under the scenario's current mode, then routes it:
/// standard batches are verified and applied here, financial ones go to the settlement engine, enterprise ones to the
/// notary registry, lightweight ones to the batch commitments. It keeps each node's batch outcomes, which set the
/// node's service score, hence its staking APR.
/// @dev A mode switch takes effect for the next batch: a batch for a mode that is no longer current reverts with
/// `ExecutionModeMismatch(scenarioId, submitted, current)`. Batch ids are unique per mode's store (standard and
/// settlement batches here, lightweight batches in the commitments); a second submission of an id reverts and applies
/// nothing. Notarizations carry no id of the node's choosing: the notary derives it (see INotaryRegistry).
interface IExecutionHub {
    /// @notice A user's signed action in standard mode (EIP-712 type `Action`, domain of this hub).
    struct Action {
        address user;
        uint32 nonce;
        uint64 payload;
        bytes signature;
    }

    /// @notice Per-node outcome counters.
    struct NodeStats {
        uint64 appliedBatches;
        uint64 frauds;
    }

    /// @notice Emitted for every batch accepted, whatever its mode.
    /// @dev For notarizations `batchId` is the notarization id the notary derived (see INotaryRegistry). `seq` is the
    /// batch's place in the sequence of standard and lightweight batches (`batchSeq`); it is 0 for settlement and
    /// notarized batches, which take no place in it.
    event BatchApplied(
        bytes32 indexed batchId,
        uint256 indexed scenarioId,
        IScenarioExecution.ExecutionMode mode,
        uint256 indexed nodeId,
        uint256 seq,
        uint256 size
    );
    /// @notice Emitted when a node's score is pushed to the staking contract.
    event ScoreSynced(uint256 indexed nodeId, uint256 scoreBps, uint256 appliedBatches, uint256 frauds);
    /// @notice Emitted when governance sets the batch-commitments contract.
    event CommitmentsChanged(address commitments);

    /// @notice The batch was built for another mode than the scenario's current one.
    error ExecutionModeMismatch(
        uint256 scenarioId,
        IScenarioExecution.ExecutionMode submitted,
        IScenarioExecution.ExecutionMode current
    );
    /// @notice The caller is not the key of an active node serving the scenario.
    error ExecutionNotServingNode(uint256 scenarioId, address submitter, uint256 nodeId);
    /// @notice The batch id was used already.
    error ExecutionBatchUsed(bytes32 batchId);
    /// @notice The batch is empty or larger than `MAX_BATCH_SIZE`, or (settlements) does not carry exactly one list of
    /// payer signatures per settlement.
    error ExecutionBadBatchSize(uint256 size, uint256 max);
    /// @notice An action's signature does not recover to its user (or is malleable).
    error ExecutionBadActionSignature(uint256 index, address user);
    /// @notice An action's nonce was already used.
    error ExecutionNonceUsed(uint256 index, address user, uint32 nonce);
    /// @notice A settlement names another scenario than the batch.
    error ExecutionScenarioMismatch(uint256 scenarioId, uint256 itemScenarioId);
    /// @notice Only the batch-commitments contract may report fraud and finality.
    error ExecutionOnlyCommitments(address caller);

    /// @notice Verifies and applies a standard batch: every signature and nonce is checked on-chain.
    /// @dev Callable by a serving node's key; the scenario must be in standard mode; all or nothing.
    function submitStandard(uint256 scenarioId, bytes32 batchId, Action[] calldata actions) external;

    /// @notice Applies atomic settlements (each all-or-nothing; the batch too).
    /// @dev Callable by a serving node's key; the scenario must be in atomic-settlement mode.
    function submitSettlements(
        uint256 scenarioId,
        bytes32 batchId,
        ISettlementEngine.Settlement[] calldata settlements,
        bytes[][] calldata payerSignatures
    ) external;

    /// @notice Locks a multi-transaction settlement until commit or refund.
    /// @dev Callable by a serving node's key; the scenario must be in atomic-settlement mode.
    function submitLock(
        uint256 scenarioId,
        bytes32 batchId,
        ISettlementEngine.Settlement calldata settlement,
        bytes[] calldata payerSignatures
    ) external;

    /// @notice Notarizes one result with the scenario's quorum, as the next record of its subject's trail, and counts
    /// it as an applied batch of the calling node.
    /// @dev Callable by a serving node's key; the scenario must be in notarized mode. The attestation must be signed
    /// against the subject's current head (see `INotaryRegistry.notarize`); `BatchApplied` carries the derived
    /// notarization id.
    function submitNotarization(INotaryRegistry.Attestation calldata attestation, bytes[] calldata signatures) external;

    /// @notice Notarizes a batch of results under one Merkle root and counts it as an applied batch of the calling
    /// node.
    /// @dev Callable by a serving node's key; the scenario must be in notarized mode. `BatchApplied` carries the
    /// batch's notarization id, derived from its salt.
    function submitNotarizationBatch(
        INotaryRegistry.BatchAttestation calldata attestation,
        bytes[] calldata signatures
    ) external;

    /// @notice Commits a lightweight batch of packed actions (see IBatchCommitments).
    /// @dev Callable by a serving node's key; the scenario must be in lightweight mode.
    function submitLightweight(uint256 scenarioId, bytes32 batchId, bytes calldata packedActions) external;

    /// @notice Pushes the node's current service score to the staking contract (APR = 8% + 4% × score).
    /// @dev Callable by anyone. Score = 10,000 × applied / (applied + 20 × frauds + 10), rounded down.
    function syncScore(uint256 nodeId) external returns (uint256 scoreBps);

    /// @notice Records a proven fraud of `nodeId` and syncs its score. Callable only by the batch commitments.
    function onFraud(uint256 nodeId) external;

    /// @notice Counts a final lightweight batch's actions for its scenario. Callable only by the batch commitments.
    function onLightweightFinal(uint256 scenarioId, uint256 count) external;

    /// @notice When and by which node a (scenario, user, nonce) was applied in standard mode; (0, 0) if never.
    function actionRecord(
        uint256 scenarioId,
        address user,
        uint32 nonce
    ) external view returns (uint64 seq, uint64 nodeId);

    /// @notice The EIP-712 digest a user signs for an action.
    function actionDigest(
        uint256 scenarioId,
        address user,
        uint32 nonce,
        uint64 payload
    ) external view returns (bytes32);

    /// @notice Actions applied per scenario (standard at once, lightweight when finalized).
    function actionCount(uint256 scenarioId) external view returns (uint256);

    /// @notice A node's outcome counters.
    function nodeStats(uint256 nodeId) external view returns (NodeStats memory);

    /// @notice The score `syncScore` would push now.
    function scoreOf(uint256 nodeId) external view returns (uint256);
}
