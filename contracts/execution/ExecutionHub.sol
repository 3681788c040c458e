// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IExecutionHub} from "../interfaces/IExecutionHub.sol";
import {IScenarioExecution} from "../interfaces/IScenarioExecution.sol";
import {ISettlementEngine} from "../interfaces/ISettlementEngine.sol";
import {INotaryRegistry} from "../interfaces/INotaryRegistry.sol";
import {IBatchCommitments} from "../interfaces/IBatchCommitments.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IDelegatedStaking} from "../interfaces/IDelegatedStaking.sol";
import {AdminGuarded} from "../governance/AdminGuarded.sol";

/// @title ExecutionHub
/// @notice The entry point for node batches: authenticates the node, checks the live mode, routes the batch.
contract ExecutionHub is IExecutionHub, AdminGuarded, ReentrancyGuardTransient, EIP712 {
    /// @notice Most actions (or settlements) in one standard or settlement batch.
    uint256 public constant MAX_BATCH_SIZE = 2_000;
    /// @notice A proven fraud weighs this many applied batches in the score.
    uint256 public constant FRAUD_WEIGHT = 20;
    /// @notice Prior added to the score's denominator, so a score is earned over many batches.
    uint256 public constant SCORE_PRIOR = 10;

    bytes32 private constant ACTION_TYPEHASH = keccak256(
        "Action(uint256 scenarioId,address user,uint32 nonce,uint64 payload)"
    );

    /// @notice Node keys and status.
    INodeRegistry public immutable nodes;
    /// @notice Scenario modes, serving nodes and quorums.
    IScenarioExecution public immutable scenarios;
    /// @notice The staking contract whose scores this hub keeps (it holds `SCORE_KEEPER_ROLE` there).
    IDelegatedStaking public immutable staking;
    /// @notice The settlement engine (financial scenarios).
    ISettlementEngine public immutable settlement;
    /// @notice The notary registry (enterprise scenarios).
    INotaryRegistry public immutable notary;
    /// @notice The lightweight batch commitments (set once, it is deployed after the hub).
    IBatchCommitments public commitments;

    /// @notice Sequence number of the last accepted batch (standard and lightweight), ordering them across modes.
    uint64 public batchSeq;

    /// @dev Standard and settlement batch ids: packed (seq, scenarioId, nodeId, mode) — non-zero once used.
    mapping(bytes32 batchId => uint256) private _batches;
    /// @dev keccak(scenarioId, user, nonce) → seq << 64 | nodeId of the standard batch that applied it.
    mapping(bytes32 key => uint256) private _actions;
    mapping(uint256 scenarioId => uint256) private _actionCount;
    mapping(uint256 nodeId => NodeStats) private _stats;

    /// @param nodes_ The node registry.
    /// @param scenarios_ The scenario registry.
    /// @param staking_ The staking contract.
    /// @param settlement_ The settlement engine.
    /// @param notary_ The notary registry.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    constructor(
        INodeRegistry nodes_,
        IScenarioExecution scenarios_,
        IDelegatedStaking staking_,
        ISettlementEngine settlement_,
        INotaryRegistry notary_,
        address admin
    ) AdminGuarded(admin) EIP712("ERA ExecutionHub", "1") {
        if (
            address(nodes_) == address(0) ||
            address(scenarios_) == address(0) ||
            address(staking_) == address(0) ||
            address(settlement_) == address(0) ||
            address(notary_) == address(0)
        ) revert AdminGuardedZeroAddress();
        nodes = nodes_;
        scenarios = scenarios_;
        staking = staking_;
        settlement = settlement_;
        notary = notary_;
    }

    /// @notice Sets the batch-commitments contract. Callable by `DEFAULT_ADMIN_ROLE`.
    function setCommitments(IBatchCommitments commitments_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(commitments_) == address(0)) revert AdminGuardedZeroAddress();
        commitments = commitments_;
        emit CommitmentsChanged(address(commitments_));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Batches
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IExecutionHub
    function submitStandard(uint256 scenarioId, bytes32 batchId, Action[] calldata actions) external nonReentrant {
        uint256 nodeId = _authorize(scenarioId, IScenarioExecution.ExecutionMode.Standard);
        uint256 n = actions.length;
        if (n == 0 || n > MAX_BATCH_SIZE) revert ExecutionBadBatchSize(n, MAX_BATCH_SIZE);
        uint64 seq = ++batchSeq;
        _useBatchId(batchId, seq, scenarioId, nodeId, IScenarioExecution.ExecutionMode.Standard);
        uint256 record = (uint256(seq) << 64) | nodeId;
        bytes32 domain = _domainSeparatorV4();
        for (uint256 i; i < n; ++i) {
            Action calldata a = actions[i];
            bytes32 digest = keccak256(
                abi.encodePacked(
                    hex"1901",
                    domain,
                    keccak256(abi.encode(ACTION_TYPEHASH, scenarioId, a.user, a.nonce, a.payload))
                )
            );
            (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, a.signature);
            if (err != ECDSA.RecoverError.NoError || signer != a.user) revert ExecutionBadActionSignature(i, a.user);
            bytes32 key = _actionKey(scenarioId, a.user, a.nonce);
            if (_actions[key] != 0) revert ExecutionNonceUsed(i, a.user, a.nonce);
            _actions[key] = record;
        }
        _actionCount[scenarioId] += n;
        _stats[nodeId].appliedBatches += 1;
        emit BatchApplied(batchId, scenarioId, IScenarioExecution.ExecutionMode.Standard, nodeId, seq, n);
    }

    /// @inheritdoc IExecutionHub
    function submitSettlements(
        uint256 scenarioId,
        bytes32 batchId,
        ISettlementEngine.Settlement[] calldata items,
        bytes[][] calldata payerSignatures
    ) external nonReentrant {
        uint256 nodeId = _authorize(scenarioId, IScenarioExecution.ExecutionMode.AtomicSettlement);
        uint256 n = items.length;
        if (n == 0 || n > MAX_BATCH_SIZE || payerSignatures.length != n)
            revert ExecutionBadBatchSize(n, MAX_BATCH_SIZE);
        _useBatchId(batchId, 0, scenarioId, nodeId, IScenarioExecution.ExecutionMode.AtomicSettlement);
        for (uint256 i; i < n; ++i) {
            if (items[i].scenarioId != scenarioId) revert ExecutionScenarioMismatch(scenarioId, items[i].scenarioId);
            settlement.settle(items[i], payerSignatures[i]);
        }
        _stats[nodeId].appliedBatches += 1;
        emit BatchApplied(batchId, scenarioId, IScenarioExecution.ExecutionMode.AtomicSettlement, nodeId, 0, n);
    }

    /// @inheritdoc IExecutionHub
    function submitLock(
        uint256 scenarioId,
        bytes32 batchId,
        ISettlementEngine.Settlement calldata item,
        bytes[] calldata payerSignatures
    ) external nonReentrant {
        uint256 nodeId = _authorize(scenarioId, IScenarioExecution.ExecutionMode.AtomicSettlement);
        if (item.scenarioId != scenarioId) revert ExecutionScenarioMismatch(scenarioId, item.scenarioId);
        _useBatchId(batchId, 0, scenarioId, nodeId, IScenarioExecution.ExecutionMode.AtomicSettlement);
        settlement.lock(item, payerSignatures);
        _stats[nodeId].appliedBatches += 1;
        emit BatchApplied(batchId, scenarioId, IScenarioExecution.ExecutionMode.AtomicSettlement, nodeId, 0, 1);
    }

    /// @inheritdoc IExecutionHub
    /// @dev No reentrancy guard: the notary is fixed at deployment and makes only read-only calls, and nothing here
    /// depends on state another call could change half-way.
    function submitNotarization(
        INotaryRegistry.Attestation calldata attestation,
        bytes[] calldata signatures
    ) external {
        uint256 nodeId = _authorize(attestation.scenarioId, IScenarioExecution.ExecutionMode.Notarized);
        _stats[nodeId].appliedBatches += 1;
        (bytes32 notarizationId, ) = notary.notarize(attestation, nodeId, signatures);
        emit BatchApplied(
            notarizationId,
            attestation.scenarioId,
            IScenarioExecution.ExecutionMode.Notarized,
            nodeId,
            0,
            1
        );
    }

    /// @inheritdoc IExecutionHub
    /// @dev As `submitNotarization`: no reentrancy guard needed.
    function submitNotarizationBatch(
        INotaryRegistry.BatchAttestation calldata attestation,
        bytes[] calldata signatures
    ) external {
        uint256 nodeId = _authorize(attestation.scenarioId, IScenarioExecution.ExecutionMode.Notarized);
        _stats[nodeId].appliedBatches += 1;
        (bytes32 notarizationId, ) = notary.notarizeBatch(attestation, nodeId, signatures);
        emit BatchApplied(
            notarizationId,
            attestation.scenarioId,
            IScenarioExecution.ExecutionMode.Notarized,
            nodeId,
            0,
            attestation.count
        );
    }

    /// @inheritdoc IExecutionHub
    function submitLightweight(
        uint256 scenarioId,
        bytes32 batchId,
        bytes calldata packedActions
    ) external nonReentrant {
        uint256 nodeId = _authorize(scenarioId, IScenarioExecution.ExecutionMode.Lightweight);
        uint64 seq = ++batchSeq;
        commitments.commit(scenarioId, batchId, nodeId, seq, packedActions);
        _stats[nodeId].appliedBatches += 1;
        emit BatchApplied(
            batchId,
            scenarioId,
            IScenarioExecution.ExecutionMode.Lightweight,
            nodeId,
            seq,
            packedActions.length / 32
        );
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Scores and lightweight feedback
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IExecutionHub
    function syncScore(uint256 nodeId) public returns (uint256 scoreBps) {
        scoreBps = scoreOf(nodeId);
        NodeStats memory s = _stats[nodeId];
        staking.setScore(nodeId, scoreBps);
        emit ScoreSynced(nodeId, scoreBps, s.appliedBatches, s.frauds);
    }

    /// @inheritdoc IExecutionHub
    function onFraud(uint256 nodeId) external {
        if (msg.sender != address(commitments)) revert ExecutionOnlyCommitments(msg.sender);
        _stats[nodeId].frauds += 1;
        syncScore(nodeId);
    }

    /// @inheritdoc IExecutionHub
    function onLightweightFinal(uint256 scenarioId, uint256 count) external {
        if (msg.sender != address(commitments)) revert ExecutionOnlyCommitments(msg.sender);
        _actionCount[scenarioId] += count;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IExecutionHub
    function actionRecord(
        uint256 scenarioId,
        address user,
        uint32 nonce
    ) external view returns (uint64 seq, uint64 nodeId) {
        uint256 record = _actions[_actionKey(scenarioId, user, nonce)];
        return (uint64(record >> 64), uint64(record));
    }

    /// @inheritdoc IExecutionHub
    function actionDigest(
        uint256 scenarioId,
        address user,
        uint32 nonce,
        uint64 payload
    ) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(ACTION_TYPEHASH, scenarioId, user, nonce, payload)));
    }

    /// @inheritdoc IExecutionHub
    function actionCount(uint256 scenarioId) external view returns (uint256) {
        return _actionCount[scenarioId];
    }

    /// @inheritdoc IExecutionHub
    function nodeStats(uint256 nodeId) external view returns (NodeStats memory) {
        return _stats[nodeId];
    }

    /// @inheritdoc IExecutionHub
    function scoreOf(uint256 nodeId) public view returns (uint256) {
        NodeStats memory s = _stats[nodeId];
        return (10_000 * uint256(s.appliedBatches)) / (s.appliedBatches + FRAUD_WEIGHT * s.frauds + SCORE_PRIOR);
    }

    /// @notice The mode and node a standard or settlement batch id was applied under (mode is meaningful only when
    /// `used`).
    function batchOf(
        bytes32 batchId
    )
        external
        view
        returns (bool used, uint64 seq, uint64 scenarioId, uint64 nodeId, IScenarioExecution.ExecutionMode mode)
    {
        uint256 packed = _batches[batchId];
        return (
            packed != 0,
            uint64(packed >> 192),
            uint64(packed >> 128),
            uint64(packed >> 64),
            IScenarioExecution.ExecutionMode(uint8(packed))
        );
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Returns the caller's node id after checking it is active and serves `scenarioId`, and that the scenario
    /// runs in `mode` now.
    function _authorize(
        uint256 scenarioId,
        IScenarioExecution.ExecutionMode mode
    ) private view returns (uint256 nodeId) {
        nodeId = nodes.nodeOfSigningKey(msg.sender);
        (IScenarioExecution.ExecutionMode current, bool serving, ) = scenarios.executionOf(scenarioId, nodeId);
        if (nodeId == 0 || !serving || !nodes.isActive(nodeId)) {
            revert ExecutionNotServingNode(scenarioId, msg.sender, nodeId);
        }
        if (current != mode) revert ExecutionModeMismatch(scenarioId, mode, current);
    }

    function _useBatchId(
        bytes32 batchId,
        uint64 seq,
        uint256 scenarioId,
        uint256 nodeId,
        IScenarioExecution.ExecutionMode mode
    ) private {
        if (_batches[batchId] != 0) revert ExecutionBatchUsed(batchId);
        _batches[batchId] =
            (uint256(seq) << 192) |
            (uint256(uint64(scenarioId)) << 128) |
            (uint256(uint64(nodeId)) << 64) |
            (1 << 8) |
            uint256(mode);
    }

    function _actionKey(uint256 scenarioId, address user, uint32 nonce) private pure returns (bytes32) {
        return keccak256(abi.encode(scenarioId, user, nonce));
    }
}
