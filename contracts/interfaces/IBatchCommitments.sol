// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IBatchCommitments
/// @notice Lightweight mode: a node posts a batch of actions as compact calldata (32 bytes per action: user, nonce,
/// payload) from which this contract computes a Merkle root, with no per-action check. During a challenge window
/// anyone can prove a bad action with its inclusion proof; a proven fraud rejects the batch, slashes the node and
/// pays the challenger a bounty. After the window the batch is final without a transaction.
/// @dev Packed action `i` is bytes [32·i, 32·i + 32) of the batch data: `user` (20 bytes) ‖ `nonce` (uint32, 4 bytes)
/// ‖ `payload` (uint64, 8 bytes). Leaf `i` = `keccak256(bytes.concat(keccak256(abi.encode(scenarioId, batchId, i,
/// user, nonce, payload))))` (OpenZeppelin standard leaf). The tree pairs nodes level by level with commutative
/// keccak (OpenZeppelin `MerkleProof`), an odd last node moving up unchanged.
///
/// Users' signatures are not posted on-chain (they would cost more gas than everything else together); the node keeps
/// and serves them. A signature challenge therefore makes the node answer on-chain with a valid signature for the
/// action within the response window, or the batch is fraudulent. This also covers an action for the wrong scenario,
/// whose signature cannot verify under this scenario. A false challenge costs the challenger its bond, paid to the
/// node operator for its answer. One-round proofs (duplicate nonce) cost the challenger only gas when they fail.
interface IBatchCommitments {
    /// @notice Lifecycle of a batch. `Pending` batches become final by time alone (see `isFinal`).
    enum BatchStatus {
        None,
        Pending,
        Rejected,
        Finalized
    }

    /// @notice The kinds of fraud a batch can be rejected for.
    enum FraudKind {
        DuplicateNonceInBatch,
        DuplicateNonceAcrossBatches,
        NonceUsedInStandardMode,
        SignatureNotProduced
    }

    /// @notice A stored batch.
    struct Batch {
        bytes32 root;
        uint64 scenarioId;
        uint64 nodeId;
        uint64 seq;
        uint64 submittedAt;
        uint32 count;
        uint32 openChallenges;
        BatchStatus status;
    }

    /// @notice One action of a batch, with its position.
    struct ActionRef {
        uint256 index;
        address user;
        uint32 nonce;
        uint64 payload;
    }

    /// @notice An open signature challenge.
    struct SignatureChallenge {
        address challenger;
        uint64 answerDeadline;
        uint128 bond;
        address user;
        uint32 nonce;
        uint64 payload;
    }

    /// @notice Emitted when a batch is committed.
    event BatchCommitted(
        bytes32 indexed batchId,
        uint256 indexed scenarioId,
        uint256 indexed nodeId,
        bytes32 root,
        uint256 count,
        uint256 seq
    );
    /// @notice Emitted when a fraud is proven: the batch is rejected and the node slashed.
    event FraudProven(
        bytes32 indexed batchId,
        FraudKind kind,
        uint256 indexed nodeId,
        address indexed challenger,
        uint256 slashed,
        uint256 bounty
    );
    /// @notice Emitted when a standard-mode replay of an action already in a lightweight batch is proven.
    event StandardReplayProven(
        bytes32 indexed batchId,
        uint256 indexed index,
        uint256 indexed standardNodeId,
        address challenger,
        uint256 slashed,
        uint256 bounty
    );
    /// @notice Emitted when an action's signature is challenged.
    event SignatureChallenged(
        bytes32 indexed batchId,
        uint256 indexed index,
        address indexed challenger,
        uint64 answerDeadline
    );
    /// @notice Emitted when the node answers a signature challenge with a valid signature.
    event SignatureAnswered(bytes32 indexed batchId, uint256 indexed index, address bondTo);
    /// @notice Emitted when a challenge's bond is returned because the batch was rejected for another fraud.
    event ChallengeBondReturned(bytes32 indexed batchId, uint256 indexed index, address challenger, uint256 bond);
    /// @notice Emitted when a batch's effects are applied after its window.
    event BatchFinalized(bytes32 indexed batchId, uint256 indexed scenarioId, uint256 count);
    /// @notice Emitted when governance changes a parameter.
    event ParametersChanged(
        uint64 challengeWindow,
        uint64 answerWindow,
        uint256 challengeBond,
        uint256 fraudSlash,
        uint256 bountyBps
    );
    /// @notice Emitted when governance sets the hub.
    event HubChanged(address indexed hub);

    /// @notice Only the execution hub may commit batches.
    error CommitmentsOnlyHub(address caller);
    /// @notice The batch id was used already.
    error CommitmentsBatchExists(bytes32 batchId);
    /// @notice The batch data is empty, not a multiple of 32 bytes, or too long.
    error CommitmentsBadData(uint256 length);
    /// @notice No such batch.
    error CommitmentsUnknownBatch(bytes32 batchId);
    /// @notice The batch was already rejected.
    error CommitmentsBatchRejected(bytes32 batchId);
    /// @notice The challenge window of the batch is over.
    error CommitmentsWindowClosed(bytes32 batchId, uint256 windowEnd);
    /// @notice The batch is not final yet (window open or challenges unanswered).
    error CommitmentsNotFinal(bytes32 batchId);
    /// @notice The batch cannot be finalized yet (window open or challenges unanswered).
    error CommitmentsNotFinalizable(bytes32 batchId);
    /// @notice The batch was finalized already.
    error CommitmentsAlreadyFinalized(bytes32 batchId);
    /// @notice The inclusion proof does not lead to the batch root.
    error CommitmentsBadProof(bytes32 batchId, uint256 index);
    /// @notice The two actions are not a duplicate (same user and nonce at different places).
    error CommitmentsNotDuplicate();
    /// @notice The earlier batch is not an earlier, unrejected batch of the same scenario.
    error CommitmentsNotEarlierBatch(bytes32 earlierBatchId);
    /// @notice The nonce was not used in standard mode before the batch.
    error CommitmentsNonceNotUsedBefore(address user, uint32 nonce);
    /// @notice The nonce was not replayed in standard mode after the batch.
    error CommitmentsNotReplayed(address user, uint32 nonce);
    /// @notice The action's signature is already challenged.
    error CommitmentsAlreadyChallenged(bytes32 batchId, uint256 index);
    /// @notice No open challenge for this action.
    error CommitmentsNoChallenge(bytes32 batchId, uint256 index);
    /// @notice The answer window of the challenge is over (or not yet over, for `resolveChallenge`).
    error CommitmentsAnswerWindow(bytes32 batchId, uint256 index, uint64 answerDeadline);
    /// @notice The answered signature does not verify for the action.
    error CommitmentsBadAnswer(bytes32 batchId, uint256 index);
    /// @notice A governed parameter is outside its bounds.
    error CommitmentsParameterOutOfBounds(uint256 value, uint256 min, uint256 max);

    /// @notice Stores a batch of packed actions and computes its Merkle root.
    /// @dev Callable only by the execution hub, which checked the node and the scenario's mode.
    function commit(
        uint256 scenarioId,
        bytes32 batchId,
        uint256 nodeId,
        uint256 seq,
        bytes calldata packedActions
    ) external returns (bytes32 root);

    /// @notice Proves two actions of one batch use the same (user, nonce). Callable by anyone in the window.
    function proveDuplicateInBatch(
        bytes32 batchId,
        ActionRef calldata a,
        bytes32[] calldata proofA,
        ActionRef calldata b,
        bytes32[] calldata proofB
    ) external;

    /// @notice Proves an action of `batchId` reuses the (user, nonce) of an action in an earlier, unrejected batch
    /// of the same scenario. Callable by anyone in `batchId`'s window.
    function proveDuplicateAcrossBatches(
        bytes32 batchId,
        ActionRef calldata a,
        bytes32[] calldata proofA,
        bytes32 earlierBatchId,
        ActionRef calldata b,
        bytes32[] calldata proofB
    ) external;

    /// @notice Proves an action's nonce had been used in standard mode before the batch was committed.
    function proveNonceUsedInStandard(bytes32 batchId, ActionRef calldata a, bytes32[] calldata proof) external;

    /// @notice Proves a node replayed, in standard mode, an action already in an earlier lightweight batch that is
    /// now final; slashes that standard node. Callable by anyone once the lightweight batch is final (a batch that
    /// could still be rejected proves nothing); each replay is slashed once, however many batches hold the action.
    function proveStandardReplay(bytes32 batchId, ActionRef calldata a, bytes32[] calldata proof) external;

    /// @notice Challenges an action's signature: the node must answer with a valid one within the answer window.
    /// @dev Pulls `challengeBond()` ERA from the challenger. Callable by anyone in the window.
    function challengeSignature(bytes32 batchId, ActionRef calldata a, bytes32[] calldata proof) external;

    /// @notice Answers a signature challenge; the bond goes to the batch's node operator.
    /// @dev Callable by anyone (the node) before the answer deadline.
    function answerChallenge(bytes32 batchId, uint256 index, bytes calldata signature) external;

    /// @notice After an unanswered challenge's deadline: the batch is fraudulent (or, if it was already rejected,
    /// the challenger's bond is returned). Callable by anyone; the bond and the bounty go to the challenger.
    function resolveChallenge(bytes32 batchId, uint256 index) external;

    /// @notice Applies a final batch's effects on-chain (its actions count for the scenario). Callable by anyone.
    function finalize(bytes32 batchId) external;

    /// @notice Whether the batch is final: not rejected, window over, no open challenge.
    function isFinal(bytes32 batchId) external view returns (bool);

    /// @notice A batch.
    function getBatch(bytes32 batchId) external view returns (Batch memory);

    /// @notice The leaf of an action (for off-chain proof builders and tests).
    function leafOf(uint256 scenarioId, bytes32 batchId, ActionRef calldata a) external pure returns (bytes32);
}
