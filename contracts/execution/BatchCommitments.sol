// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IBatchCommitments} from "../interfaces/IBatchCommitments.sol";
import {IExecutionHub} from "../interfaces/IExecutionHub.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStakingReserve} from "../interfaces/IStakingReserve.sol";
import {AdminGuarded} from "../governance/AdminGuarded.sol";
import {LightweightMerkle} from "../libraries/LightweightMerkle.sol";

/// @title BatchCommitments
/// @notice Lightweight batches: commitment, challenge window, fraud proofs, slashing, finality.
contract BatchCommitments is IBatchCommitments, AdminGuarded, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Most actions in one batch (32 bytes each).
    uint256 public constant MAX_ACTIONS = 4_096;
    /// @notice Bounds of the governed parameters.
    uint64 public constant MIN_CHALLENGE_WINDOW = 10 minutes;
    uint64 public constant MAX_CHALLENGE_WINDOW = 7 days;
    uint64 public constant MIN_ANSWER_WINDOW = 10 minutes;
    uint64 public constant MAX_ANSWER_WINDOW = 3 days;
    uint256 public constant MAX_BOUNTY_BPS = 5_000;

    /// @notice The ERA token (bonds, slashed funds).
    IERC20 public immutable era;
    /// @notice The hub, which commits batches and keeps node outcomes.
    IExecutionHub public immutable hub;
    /// @notice The node registry, which slashes (this contract holds its `SLASHER_ROLE`).
    INodeRegistry public immutable nodes;
    /// @notice The staking reserve, which receives what is slashed beyond the bounty.
    IStakingReserve public immutable reserve;

    /// @notice Seconds after commitment during which a batch can be challenged.
    uint64 public challengeWindow;
    /// @notice Seconds the node has to answer a signature challenge.
    uint64 public answerWindow;
    /// @notice ERA a signature challenger bonds (paid to the node operator if the node answers).
    uint256 public challengeBond;
    /// @notice ERA slashed from a node per proven fraud.
    uint256 public fraudSlash;
    /// @notice Share of the slashed ERA paid to the challenger, in basis points.
    uint256 public bountyBps;

    mapping(bytes32 batchId => Batch) private _batches;
    mapping(bytes32 batchId => mapping(uint256 index => SignatureChallenge)) private _challenges;
    /// @dev keccak(scenarioId, user, nonce) → its standard replay was proven. A (scenario, user, nonce) is applied in
    /// standard mode at most once, so this slashes each replay once, however many lightweight batches hold the action.
    mapping(bytes32 replayKey => bool) private _replaySlashed;

    /// @param era_ The ERA token.
    /// @param hub_ The execution hub.
    /// @param nodes_ The node registry.
    /// @param reserve_ The staking contract (reserve).
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    /// @param challengeWindow_ Initial challenge window.
    /// @param answerWindow_ Initial answer window.
    /// @param challengeBond_ Initial challenge bond.
    /// @param fraudSlash_ Initial slash per fraud.
    /// @param bountyBps_ Initial bounty share.
    constructor(
        IERC20 era_,
        IExecutionHub hub_,
        INodeRegistry nodes_,
        IStakingReserve reserve_,
        address admin,
        uint64 challengeWindow_,
        uint64 answerWindow_,
        uint256 challengeBond_,
        uint256 fraudSlash_,
        uint256 bountyBps_
    ) AdminGuarded(admin) {
        if (
            address(era_) == address(0) ||
            address(hub_) == address(0) ||
            address(nodes_) == address(0) ||
            address(reserve_) == address(0)
        ) revert AdminGuardedZeroAddress();
        era = era_;
        hub = hub_;
        nodes = nodes_;
        reserve = reserve_;
        _setParameters(challengeWindow_, answerWindow_, challengeBond_, fraudSlash_, bountyBps_);
    }

    /// @notice Sets the challenge window, answer window, challenge bond, slash per fraud and bounty share (new values
    /// apply to batches and challenges that start afterwards, except the windows, which apply to every open batch).
    /// @dev Callable by `DEFAULT_ADMIN_ROLE` (the timelock). Bounds: windows within their MIN/MAX, bounty ≤ 50%.
    function setParameters(
        uint64 challengeWindow_,
        uint64 answerWindow_,
        uint256 challengeBond_,
        uint256 fraudSlash_,
        uint256 bountyBps_
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParameters(challengeWindow_, answerWindow_, challengeBond_, fraudSlash_, bountyBps_);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Commitment
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IBatchCommitments
    function commit(
        uint256 scenarioId,
        bytes32 batchId,
        uint256 nodeId,
        uint256 seq,
        bytes calldata packedActions
    ) external returns (bytes32 root) {
        if (msg.sender != address(hub)) revert CommitmentsOnlyHub(msg.sender);
        uint256 length = packedActions.length;
        if (length == 0 || length % 32 != 0 || length > MAX_ACTIONS * 32) revert CommitmentsBadData(length);
        if (_batches[batchId].status != BatchStatus.None) revert CommitmentsBatchExists(batchId);
        uint256 count = length / 32;
        root = LightweightMerkle.root(scenarioId, batchId, packedActions);
        _batches[batchId] = Batch({
            root: root,
            scenarioId: uint64(scenarioId),
            nodeId: uint64(nodeId),
            seq: uint64(seq),
            submittedAt: uint64(block.timestamp),
            count: uint32(count),
            openChallenges: 0,
            status: BatchStatus.Pending
        });
        emit BatchCommitted(batchId, scenarioId, nodeId, root, count, seq);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // One-round fraud proofs
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IBatchCommitments
    function proveDuplicateInBatch(
        bytes32 batchId,
        ActionRef calldata a,
        bytes32[] calldata proofA,
        ActionRef calldata b,
        bytes32[] calldata proofB
    ) external nonReentrant {
        Batch storage batch = _challengeable(batchId);
        _checkIncluded(batch, batchId, a, proofA);
        _checkIncluded(batch, batchId, b, proofB);
        if (a.index == b.index || a.user != b.user || a.nonce != b.nonce) revert CommitmentsNotDuplicate();
        _reject(batchId, batch, FraudKind.DuplicateNonceInBatch, msg.sender);
    }

    /// @inheritdoc IBatchCommitments
    function proveDuplicateAcrossBatches(
        bytes32 batchId,
        ActionRef calldata a,
        bytes32[] calldata proofA,
        bytes32 earlierBatchId,
        ActionRef calldata b,
        bytes32[] calldata proofB
    ) external nonReentrant {
        Batch storage batch = _challengeable(batchId);
        Batch storage earlier = _batches[earlierBatchId];
        if (
            earlier.status == BatchStatus.None ||
            earlier.status == BatchStatus.Rejected ||
            earlier.scenarioId != batch.scenarioId ||
            earlier.seq >= batch.seq
        ) revert CommitmentsNotEarlierBatch(earlierBatchId);
        _checkIncluded(batch, batchId, a, proofA);
        _checkIncluded(earlier, earlierBatchId, b, proofB);
        if (a.user != b.user || a.nonce != b.nonce) revert CommitmentsNotDuplicate();
        _reject(batchId, batch, FraudKind.DuplicateNonceAcrossBatches, msg.sender);
    }

    /// @inheritdoc IBatchCommitments
    function proveNonceUsedInStandard(
        bytes32 batchId,
        ActionRef calldata a,
        bytes32[] calldata proof
    ) external nonReentrant {
        Batch storage batch = _challengeable(batchId);
        _checkIncluded(batch, batchId, a, proof);
        (uint64 usedSeq, ) = hub.actionRecord(batch.scenarioId, a.user, a.nonce);
        if (usedSeq == 0 || usedSeq >= batch.seq) revert CommitmentsNonceNotUsedBefore(a.user, a.nonce);
        _reject(batchId, batch, FraudKind.NonceUsedInStandardMode, msg.sender);
    }

    /// @inheritdoc IBatchCommitments
    function proveStandardReplay(
        bytes32 batchId,
        ActionRef calldata a,
        bytes32[] calldata proof
    ) external nonReentrant {
        Batch storage batch = _batches[batchId];
        if (batch.status == BatchStatus.None) revert CommitmentsUnknownBatch(batchId);
        if (batch.status == BatchStatus.Rejected) revert CommitmentsBatchRejected(batchId);
        _checkIncluded(batch, batchId, a, proof);
        (uint64 usedSeq, uint64 standardNode) = hub.actionRecord(batch.scenarioId, a.user, a.nonce);
        bytes32 key = keccak256(abi.encode(batch.scenarioId, a.user, a.nonce));
        if (usedSeq <= batch.seq || _replaySlashed[key]) revert CommitmentsNotReplayed(a.user, a.nonce);
        // Only a final batch's actions count: if the lightweight batch could still be rejected, the standard
        // application might turn out to be the only one.
        if (!isFinal(batchId)) revert CommitmentsNotFinal(batchId);
        _replaySlashed[key] = true;
        (uint256 slashed, uint256 bounty) = _slashAndPay(standardNode, msg.sender, "standard replay");
        emit StandardReplayProven(batchId, a.index, standardNode, msg.sender, slashed, bounty);
        hub.onFraud(standardNode);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Signature challenges
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IBatchCommitments
    function challengeSignature(bytes32 batchId, ActionRef calldata a, bytes32[] calldata proof) external nonReentrant {
        Batch storage batch = _challengeable(batchId);
        _checkIncluded(batch, batchId, a, proof);
        SignatureChallenge storage c = _challenges[batchId][a.index];
        if (c.challenger != address(0)) revert CommitmentsAlreadyChallenged(batchId, a.index);
        uint64 deadline = uint64(block.timestamp) + answerWindow;
        uint256 bond = challengeBond;
        _challenges[batchId][a.index] = SignatureChallenge({
            challenger: msg.sender,
            answerDeadline: deadline,
            bond: uint128(bond),
            user: a.user,
            nonce: a.nonce,
            payload: a.payload
        });
        batch.openChallenges += 1;
        emit SignatureChallenged(batchId, a.index, msg.sender, deadline);
        if (bond != 0) era.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc IBatchCommitments
    function answerChallenge(bytes32 batchId, uint256 index, bytes calldata signature) external nonReentrant {
        Batch storage batch = _batches[batchId];
        SignatureChallenge memory c = _openChallenge(batchId, index);
        if (block.timestamp >= c.answerDeadline) revert CommitmentsAnswerWindow(batchId, index, c.answerDeadline);
        bytes32 digest = hub.actionDigest(batch.scenarioId, c.user, c.nonce, c.payload);
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, signature);
        if (err != ECDSA.RecoverError.NoError || signer != c.user) revert CommitmentsBadAnswer(batchId, index);
        delete _challenges[batchId][index];
        batch.openChallenges -= 1;
        address operator = nodes.operatorOf(batch.nodeId);
        emit SignatureAnswered(batchId, index, operator);
        if (c.bond != 0) era.safeTransfer(operator, c.bond);
    }

    /// @inheritdoc IBatchCommitments
    function resolveChallenge(bytes32 batchId, uint256 index) external nonReentrant {
        Batch storage batch = _batches[batchId];
        SignatureChallenge memory c = _openChallenge(batchId, index);
        delete _challenges[batchId][index];
        batch.openChallenges -= 1;
        if (batch.status == BatchStatus.Rejected) {
            // Another fraud already rejected the batch: the challenger gets its bond back, nothing more.
            emit ChallengeBondReturned(batchId, index, c.challenger, c.bond);
            if (c.bond != 0) era.safeTransfer(c.challenger, c.bond);
            return;
        }
        if (block.timestamp < c.answerDeadline) revert CommitmentsAnswerWindow(batchId, index, c.answerDeadline);
        // The bounty belongs to the challenger who bonded, not to whoever calls this first.
        _reject(batchId, batch, FraudKind.SignatureNotProduced, c.challenger);
        if (c.bond != 0) era.safeTransfer(c.challenger, c.bond);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Finality
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IBatchCommitments
    function finalize(bytes32 batchId) external nonReentrant {
        Batch storage batch = _batches[batchId];
        if (batch.status == BatchStatus.None) revert CommitmentsUnknownBatch(batchId);
        if (batch.status == BatchStatus.Finalized) revert CommitmentsAlreadyFinalized(batchId);
        if (!isFinal(batchId)) revert CommitmentsNotFinalizable(batchId);
        batch.status = BatchStatus.Finalized;
        emit BatchFinalized(batchId, batch.scenarioId, batch.count);
        hub.onLightweightFinal(batch.scenarioId, batch.count);
    }

    /// @inheritdoc IBatchCommitments
    function isFinal(bytes32 batchId) public view returns (bool) {
        Batch storage batch = _batches[batchId];
        BatchStatus status = batch.status;
        if (status == BatchStatus.Finalized) return true;
        return
            status == BatchStatus.Pending &&
            block.timestamp >= uint256(batch.submittedAt) + challengeWindow &&
            batch.openChallenges == 0;
    }

    /// @inheritdoc IBatchCommitments
    function getBatch(bytes32 batchId) external view returns (Batch memory) {
        return _batches[batchId];
    }

    /// @notice An open signature challenge (challenger zero if none).
    function getChallenge(bytes32 batchId, uint256 index) external view returns (SignatureChallenge memory) {
        return _challenges[batchId][index];
    }

    /// @inheritdoc IBatchCommitments
    function leafOf(uint256 scenarioId, bytes32 batchId, ActionRef calldata a) public pure returns (bytes32) {
        return _leaf(scenarioId, batchId, a.index, a.user, a.nonce, a.payload);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    function _leaf(
        uint256 scenarioId,
        bytes32 batchId,
        uint256 index,
        address user,
        uint32 nonce,
        uint64 payload
    ) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(scenarioId, batchId, index, user, nonce, payload))));
    }

    function _challengeable(bytes32 batchId) private view returns (Batch storage batch) {
        batch = _batches[batchId];
        if (batch.status == BatchStatus.None) revert CommitmentsUnknownBatch(batchId);
        if (batch.status == BatchStatus.Rejected) revert CommitmentsBatchRejected(batchId);
        uint256 windowEnd = uint256(batch.submittedAt) + challengeWindow;
        if (block.timestamp >= windowEnd || batch.status == BatchStatus.Finalized) {
            revert CommitmentsWindowClosed(batchId, windowEnd);
        }
    }

    function _checkIncluded(
        Batch storage batch,
        bytes32 batchId,
        ActionRef calldata a,
        bytes32[] calldata proof
    ) private view {
        bytes32 leaf = _leaf(batch.scenarioId, batchId, a.index, a.user, a.nonce, a.payload);
        if (a.index >= batch.count || !MerkleProof.verifyCalldata(proof, batch.root, leaf)) {
            revert CommitmentsBadProof(batchId, a.index);
        }
    }

    function _openChallenge(bytes32 batchId, uint256 index) private view returns (SignatureChallenge memory c) {
        c = _challenges[batchId][index];
        if (c.challenger == address(0)) revert CommitmentsNoChallenge(batchId, index);
    }

    /// @dev Rejects the batch, slashes its node and pays the bounty to `challenger` (the prover, or for a signature
    /// challenge the account that bonded it).
    function _reject(bytes32 batchId, Batch storage batch, FraudKind kind, address challenger) private {
        batch.status = BatchStatus.Rejected;
        uint256 nodeId = batch.nodeId;
        (uint256 slashed, uint256 bounty) = _slashAndPay(nodeId, challenger, bytes32(uint256(kind) + 1));
        emit FraudProven(batchId, kind, nodeId, challenger, slashed, bounty);
        hub.onFraud(nodeId);
    }

    /// @dev Slashes `fraudSlash` from the node (bond first, then delegators), pays the bounty to the challenger and
    /// sends the rest to the staking reserve.
    function _slashAndPay(
        uint256 nodeId,
        address challenger,
        bytes32 reason
    ) private returns (uint256 slashed, uint256 bounty) {
        slashed = nodes.slash(nodeId, fraudSlash, address(this), reason);
        bounty = (slashed * bountyBps) / 10_000;
        if (bounty != 0) era.safeTransfer(challenger, bounty);
        uint256 rest = slashed - bounty;
        if (rest != 0) {
            era.forceApprove(address(reserve), rest);
            reserve.fundReserve(rest);
        }
    }

    function _setParameters(
        uint64 challengeWindow_,
        uint64 answerWindow_,
        uint256 challengeBond_,
        uint256 fraudSlash_,
        uint256 bountyBps_
    ) private {
        if (challengeWindow_ < MIN_CHALLENGE_WINDOW || challengeWindow_ > MAX_CHALLENGE_WINDOW) {
            revert CommitmentsParameterOutOfBounds(challengeWindow_, MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW);
        }
        if (answerWindow_ < MIN_ANSWER_WINDOW || answerWindow_ > MAX_ANSWER_WINDOW) {
            revert CommitmentsParameterOutOfBounds(answerWindow_, MIN_ANSWER_WINDOW, MAX_ANSWER_WINDOW);
        }
        if (bountyBps_ > MAX_BOUNTY_BPS) revert CommitmentsParameterOutOfBounds(bountyBps_, 0, MAX_BOUNTY_BPS);
        if (fraudSlash_ == 0) revert CommitmentsParameterOutOfBounds(0, 1, type(uint256).max);
        challengeWindow = challengeWindow_;
        answerWindow = answerWindow_;
        challengeBond = challengeBond_;
        fraudSlash = fraudSlash_;
        bountyBps = bountyBps_;
        emit ParametersChanged(challengeWindow_, answerWindow_, challengeBond_, fraudSlash_, bountyBps_);
    }
}
