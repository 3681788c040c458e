// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EraToken} from "../../contracts/token/EraToken.sol";
import {NodeRegistry} from "../../contracts/staking/NodeRegistry.sol";
import {DelegatedStaking} from "../../contracts/staking/DelegatedStaking.sol";
import {ExecutionHub} from "../../contracts/execution/ExecutionHub.sol";
import {BatchCommitments} from "../../contracts/execution/BatchCommitments.sol";
import {IBatchCommitments} from "../../contracts/interfaces/IBatchCommitments.sol";
import {INodeRegistry} from "../../contracts/interfaces/INodeRegistry.sol";
import {IDelegatedStaking} from "../../contracts/interfaces/IDelegatedStaking.sol";
import {IExecutionHub} from "../../contracts/interfaces/IExecutionHub.sol";
import {IScenarioExecution} from "../../contracts/interfaces/IScenarioExecution.sol";
import {ScenarioRegistry} from "../../contracts/scenario/ScenarioRegistry.sol";
import {Cheats} from "../utils/Cheats.sol";
import {MerkleBuilder} from "../utils/MerkleBuilder.sol";
import {EconomyHandler} from "./EconomyHandler.sol";

/// @title LightweightHandler
/// @notice Lightweight batches in the suite campaign: a node commits batches of packed actions, honest ones or with a
/// planted duplicate nonce (inside the batch, or of an earlier batch); a challenger proves the planted frauds (and
/// tries false proofs) while the challenge window is open; anyone finalizes batches once it is over; the operator tops
/// its bond back up after slashes. Every outcome is checked against the handler's model, and the slash of a proven
/// fraud is followed into the economy's books (bounty to the challenger, the rest to the staking reserve, the node's
/// score pushed to staking).
contract LightweightHandler is Cheats {
    /// @notice A committed batch as the handler built it.
    struct Batch {
        bytes32 id;
        uint64 committedAt;
        uint8 fraud; // 0 honest, 1 duplicate inside, 2 duplicate of an earlier batch, 3 nonce used in standard mode
        bool rejected;
        bool finalized;
        uint256 earlier; // index of the earlier batch (fraud 2)
        uint256 openChallenges; // signature challenges opened and not yet answered or resolved
        IBatchCommitments.ActionRef[] actions;
        bytes32[] leaves;
    }

    EconomyHandler public immutable economy;
    EraToken public immutable token;
    NodeRegistry public immutable registry;
    DelegatedStaking public immutable staking;
    ExecutionHub public immutable hub;
    BatchCommitments public immutable commitments;
    uint256 public immutable scenarioId;
    uint256 public immutable nodeId;
    address public immutable nodeKeyAddress;
    address public immutable operator;
    address public immutable challenger = address(uint160(uint256(keccak256("era.challenger"))));

    /// @notice A signature challenge as the handler opened it (bond zero: none open).
    struct Challenge {
        uint256 bond;
        uint64 deadline;
    }

    /// @notice An action applied in standard mode on the lightweight scenario (a replay: of batch `k`'s action 0).
    struct StandardAction {
        address user;
        uint32 nonce;
        bool replay;
        uint256 k;
    }

    /// @notice How often the side paths landed: signature challenges opened, answered, resolved after an unanswered
    /// deadline; standard replays proven; mode switches.
    struct Tally {
        uint256 challenges;
        uint256 answered;
        uint256 expired;
        uint256 replaysProven;
        uint256 modeSwitches;
    }

    Batch[] private _batches;
    StandardAction[] private _standard;
    /// @dev (user, nonce) → USED_IN_STANDARD | REPLAY_SLASHED.
    mapping(bytes32 key => uint256 flags) private _standardFlags;
    uint256 private constant USED_IN_STANDARD = 1;
    uint256 private constant REPLAY_SLASHED = 2;
    /// @notice Whether the scenario is in standard mode, as the model has it (only this handler switches it).
    bool public standardMode;
    mapping(uint256 k => mapping(uint256 index => Challenge)) private _challenges;
    uint32 private _nextNonce = 1;
    uint256 private _salt;
    ScenarioRegistry public immutable scenarios;

    /// @notice Actions of finalized batches (the hub's action count of the scenario must equal it).
    uint256 public ghostFinalizedActions;
    /// @notice Frauds proven, and ERA that the slashes paid to the challenger.
    uint256 public ghostFraudsProven;
    uint256 public ghostBounties;
    /// @notice ERA bonded in signature challenges still open (BatchCommitments must hold exactly this between calls).
    uint256 public ghostOpenBonds;
    /// @notice Actions applied in standard mode on the lightweight scenario.
    uint256 public ghostStandardActions;
    Tally private _tally;

    /// @notice Model disagreements; the first one described.
    uint256 public violations;
    string public firstViolation;

    constructor(
        EconomyHandler economy_,
        ExecutionHub hub_,
        BatchCommitments commitments_,
        uint256 scenarioId_,
        uint256 nodeId_,
        address nodeKeyAddress_,
        address operator_
    ) {
        economy = economy_;
        token = economy_.token();
        registry = economy_.registry();
        staking = economy_.staking();
        hub = hub_;
        commitments = commitments_;
        scenarioId = scenarioId_;
        nodeId = nodeId_;
        nodeKeyAddress = nodeKeyAddress_;
        operator = operator_;
        scenarios = economy_.scenarios();
    }

    /// @dev Every action runs at the campaign's clock.
    modifier atClock() {
        VM.warp(economy.currentTime());
        _;
    }

    /// @notice The node commits a batch of 1–6 actions of the economy's users with fresh nonces; `fraudSeed` plants a
    /// duplicate nonce inside the batch or reuses the first action of an earlier batch.
    function commitBatch(uint256 seed, uint8 countSeed, uint8 fraudSeed) external atClock {
        uint256 count = 1 + (countSeed % 6);
        uint8 fraud =
            fraudSeed % 4 == 2 && count > 1
                ? 1
                : fraudSeed % 4 == 3 && _batches.length != 0
                    ? 2
                    : 0;
        if (fraudSeed % 8 == 1 && _standard.length != 0) fraud = 3;
        bytes32 batchId = keccak256(abi.encode("lightweight batch", ++_salt));
        Batch storage b = _batches.push();
        b.id = batchId;
        b.committedAt = uint64(block.timestamp);
        b.fraud = fraud;
        bytes memory packed;
        for (uint256 i; i < count; ++i) {
            address user = economy.users(uint256(keccak256(abi.encode(seed, i))) % economy.USER_COUNT());
            uint64 payload = uint64(uint256(keccak256(abi.encode(seed, i, "payload"))));
            IBatchCommitments.ActionRef memory a = IBatchCommitments.ActionRef(i, user, _nextNonce++, payload);
            if (fraud == 1 && i == count - 1) (a.user, a.nonce) = (b.actions[0].user, b.actions[0].nonce);
            if (fraud == 2 && i == 0) {
                b.earlier = seed % (_batches.length - 1);
                IBatchCommitments.ActionRef storage old = _batches[b.earlier].actions[0];
                (a.user, a.nonce) = (old.user, old.nonce);
            }
            if (fraud == 3 && i == 0) {
                StandardAction storage used = _standard[seed % _standard.length];
                (a.user, a.nonce) = (used.user, used.nonce);
            }
            b.actions.push(a);
            b.leaves.push(commitments.leafOf(scenarioId, batchId, a));
            packed = bytes.concat(packed, abi.encodePacked(a.user, a.nonce, a.payload));
        }
        VM.prank(nodeKeyAddress);
        try hub.submitLightweight(scenarioId, batchId, packed) {
            _check(commitments.getBatch(batchId).root == MerkleBuilder.root(b.leaves), "batch root as built");
        } catch {
            // Node inactive or slashed out, scenario moved or switched: nothing committed.
            _batches.pop();
        }
    }

    /// @notice The challenger proves a planted fraud: accepted exactly while the batch is challengeable (and, across
    /// batches, while the earlier one is not rejected); the slash is paid out as the design says.
    function proveFraud(uint256 seed) external atClock {
        if (_batches.length == 0) return;
        uint256 k = _fraudulent(seed);
        Batch storage b = _batches[k];
        if (b.fraud == 0) return;
        bool open = !b.rejected && !b.finalized && block.timestamp < b.committedAt + commitments.challengeWindow();
        bool allowed = open && (b.fraud != 2 || !_batches[b.earlier].rejected);
        uint256 atStakeBefore = _atStake();
        uint256 before = token.balanceOf(challenger);
        try this.submitProof(k) {
            _check(allowed, "fraud proof accepted against the model");
            b.rejected = true;
            _followSlash(atStakeBefore, token.balanceOf(challenger) - before);
        } catch {
            // A node with nothing left at stake cannot be slashed; everything else refused must be forbidden.
            _check(!allowed || _atStake() == 0, "fraud proof refused against the model");
        }
    }

    /// @notice The challenger claims two distinct actions of an honest batch are a duplicate: always refused.
    function proveFalse(uint256 seed) external atClock {
        if (_batches.length == 0) return;
        Batch storage b = _batches[seed % _batches.length];
        if (b.fraud != 0 || b.actions.length < 2) return;
        uint256 i = (seed >> 8) % b.actions.length;
        uint256 j = (i + 1) % b.actions.length;
        VM.prank(challenger);
        try
            commitments.proveDuplicateInBatch(
                b.id,
                b.actions[i],
                MerkleBuilder.proof(b.leaves, i),
                b.actions[j],
                MerkleBuilder.proof(b.leaves, j)
            )
        {
            _violate("false duplicate proof accepted");
        } catch {} // solhint-disable-line no-empty-blocks
    }

    /// @notice Anyone finalizes a batch: accepted exactly once its window is over and it was not rejected; its actions
    /// are counted once.
    function finalize(uint256 seed) external atClock {
        if (_batches.length == 0) return;
        Batch storage b = _batches[seed % _batches.length];
        bool allowed =
            !b.rejected &&
                !b.finalized &&
                b.openChallenges == 0 &&
                block.timestamp >= b.committedAt + commitments.challengeWindow();
        uint256 countBefore = hub.actionCount(scenarioId);
        try commitments.finalize(b.id) {
            _check(allowed, "finalize accepted against the model");
            b.finalized = true;
            ghostFinalizedActions += b.actions.length;
            _check(hub.actionCount(scenarioId) == countBefore + b.actions.length, "finalize counts the actions once");
        } catch {
            _check(!allowed, "finalize refused against the model");
        }
    }

    /// @notice The challenger (bonding `challengeBond`) challenges the signature of one action of a batch: accepted
    /// exactly while the batch is challengeable and that action is not already challenged (else the exact error); the
    /// bond moves from the challenger to BatchCommitments.
    function challengeSignature(uint256 seed) external atClock {
        if (_batches.length == 0) return;
        uint256 k = seed % _batches.length;
        Batch storage b = _batches[k];
        uint256 index = (seed >> 8) % b.actions.length;
        uint256 bond = commitments.challengeBond();
        if (token.balanceOf(challenger) < bond) return;
        VM.prank(challenger);
        token.approve(address(commitments), bond);
        uint256 windowEnd = b.committedAt + commitments.challengeWindow();
        bytes memory expected;
        if (b.rejected) expected = abi.encodeWithSelector(IBatchCommitments.CommitmentsBatchRejected.selector, b.id);
        else if (b.finalized || block.timestamp >= windowEnd) {
            expected = abi.encodeWithSelector(IBatchCommitments.CommitmentsWindowClosed.selector, b.id, windowEnd);
        } else if (_challenges[k][index].deadline != 0) {
            expected = abi.encodeWithSelector(IBatchCommitments.CommitmentsAlreadyChallenged.selector, b.id, index);
        }
        uint256 before = token.balanceOf(challenger);
        bytes32[] memory proof = MerkleBuilder.proof(b.leaves, index);
        VM.prank(challenger);
        try commitments.challengeSignature(b.id, b.actions[index], proof) {
            _check(expected.length == 0, "signature challenge accepted against the model");
            uint64 deadline = uint64(block.timestamp) + commitments.answerWindow();
            _check(commitments.getChallenge(b.id, index).answerDeadline == deadline, "challenge deadline");
            _check(before - token.balanceOf(challenger) == bond, "challenge bond taken from the challenger");
            _challenges[k][index] = Challenge(bond, deadline);
            ++b.openChallenges;
            ++_tally.challenges;
            ghostOpenBonds += bond;
        } catch (bytes memory reason) {
            _check(expected.length != 0 && keccak256(reason) == keccak256(expected), "challenge refused: error");
        }
    }

    /// @notice Someone answers a signature challenge with the user's signature (`forged`: another user's): accepted
    /// exactly for an open challenge before its deadline with the right signer (else the exact error); the bond goes
    /// to the node's operator.
    function answerChallenge(uint256 seed, bool forged) external atClock {
        if (_batches.length == 0) return;
        (uint256 k, uint256 index) = _challenged(seed);
        Batch storage b = _batches[k];
        IBatchCommitments.ActionRef storage a = b.actions[index];
        Challenge memory c = _challenges[k][index];
        uint256 key = forged ? uint256(keccak256("not the user's key")) : economy.keyOf(a.user);
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, hub.actionDigest(scenarioId, a.user, a.nonce, a.payload));
        bytes memory expected;
        if (c.deadline == 0) {
            expected = abi.encodeWithSelector(IBatchCommitments.CommitmentsNoChallenge.selector, b.id, index);
        } else if (block.timestamp >= c.deadline) {
            expected = abi.encodeWithSelector(
                IBatchCommitments.CommitmentsAnswerWindow.selector,
                b.id,
                index,
                c.deadline
            );
        } else if (forged) {
            expected = abi.encodeWithSelector(IBatchCommitments.CommitmentsBadAnswer.selector, b.id, index);
        }
        uint256 before = token.balanceOf(operator);
        try commitments.answerChallenge(b.id, index, abi.encodePacked(r, s, v)) {
            _check(expected.length == 0, "challenge answer accepted against the model");
            _check(token.balanceOf(operator) - before == c.bond, "answered challenge pays the bond to the operator");
            delete _challenges[k][index];
            --b.openChallenges;
            ++_tally.answered;
            ghostOpenBonds -= c.bond;
        } catch (bytes memory reason) {
            _check(expected.length != 0 && keccak256(reason) == keccak256(expected), "challenge answer refused: error");
        }
    }

    /// @notice Anyone resolves a signature challenge: on a batch already rejected the bond goes back to the
    /// challenger; else accepted exactly once the deadline passed unanswered, rejecting the batch, slashing the node
    /// and paying the challenger its bond plus `bountyBps` of the slash, the rest to the staking reserve.
    function resolveChallenge(uint256 seed) external atClock {
        if (_batches.length == 0) return;
        (uint256 k, uint256 index) = _challenged(seed);
        Batch storage b = _batches[k];
        Challenge memory c = _challenges[k][index];
        bytes memory expected;
        if (c.deadline == 0) {
            expected = abi.encodeWithSelector(IBatchCommitments.CommitmentsNoChallenge.selector, b.id, index);
        } else if (!b.rejected && block.timestamp < c.deadline) {
            expected = abi.encodeWithSelector(
                IBatchCommitments.CommitmentsAnswerWindow.selector,
                b.id,
                index,
                c.deadline
            );
        }
        bool wasRejected = b.rejected;
        uint256 atStakeBefore = _atStake();
        uint256 before = token.balanceOf(challenger);
        try commitments.resolveChallenge(b.id, index) {
            _check(expected.length == 0, "challenge resolution accepted against the model");
            delete _challenges[k][index];
            --b.openChallenges;
            ghostOpenBonds -= c.bond;
            uint256 received = token.balanceOf(challenger) - before;
            if (wasRejected) {
                _check(received == c.bond, "bond returned on a batch already rejected");
                _check(_atStake() == atStakeBefore, "no slash on a batch already rejected");
                return;
            }
            b.rejected = true;
            ++_tally.expired;
            _check(received >= c.bond, "unanswered challenge returns the bond");
            _followSlash(atStakeBefore, received >= c.bond ? received - c.bond : 0);
        } catch (bytes memory reason) {
            // A node with nothing left at stake cannot be slashed; everything else refused must be the predicted error.
            bool predicted = expected.length != 0 && keccak256(reason) == keccak256(expected);
            _check(predicted || (expected.length == 0 && _atStake() == 0), "challenge resolution refused: error");
        }
    }

    /// @notice The lightweight scenario's owner switches it between lightweight and standard mode while batches are in
    /// flight (pending batches stay challengeable and finalizable); always accepted.
    function switchMode() external atClock {
        IScenarioExecution.ExecutionMode to =
            standardMode ? IScenarioExecution.ExecutionMode.Lightweight : IScenarioExecution.ExecutionMode.Standard;
        // The economy handler may have handed the scenario to another owner (which drops mode operators): the owner
        // switches.
        VM.prank(scenarios.getScenario(scenarioId).owner);
        try scenarios.setMode(scenarioId, to) {
            standardMode = !standardMode;
            ++_tally.modeSwitches;
        } catch {
            _violate("mode switch refused");
        }
    }

    /// @notice The node applies a standard batch on the lightweight scenario: 1–3 actions with fresh nonces (which a
    /// later lightweight batch may plant again), or (`replay`) a replay of the first action of a committed lightweight
    /// batch. Accepted exactly in standard mode with an active node and no nonce already applied in standard mode
    /// (else the exact error); the hub counts the actions at once.
    function standardBatch(uint256 seed, uint8 countSeed, bool replay) external atClock {
        uint256 count = replay ? 1 : 1 + (countSeed % 3);
        if (replay && _batches.length == 0) return;
        uint256 k = replay ? seed % _batches.length : 0;
        IExecutionHub.Action[] memory actions = new IExecutionHub.Action[](count);
        bytes memory expected;
        for (uint256 i; i < count; ++i) {
            IExecutionHub.Action memory a = actions[i];
            if (replay) {
                (a.user, a.nonce) = (_batches[k].actions[0].user, _batches[k].actions[0].nonce);
            } else {
                a.user = economy.users(uint256(keccak256(abi.encode(seed, i))) % economy.USER_COUNT());
                a.nonce = _nextNonce++;
            }
            a.payload = uint64(seed >> 64);
            (uint8 v, bytes32 r, bytes32 s) = VM.sign(
                economy.keyOf(a.user),
                hub.actionDigest(scenarioId, a.user, a.nonce, a.payload)
            );
            a.signature = abi.encodePacked(r, s, v);
            if (expected.length == 0 && (_standardFlags[_key(a.user, a.nonce)] & USED_IN_STANDARD != 0)) {
                expected = abi.encodeWithSelector(IExecutionHub.ExecutionNonceUsed.selector, i, a.user, a.nonce);
            }
        }
        if (!standardMode) {
            expected = abi.encodeWithSelector(
                IExecutionHub.ExecutionModeMismatch.selector,
                scenarioId,
                IScenarioExecution.ExecutionMode.Standard,
                IScenarioExecution.ExecutionMode.Lightweight
            );
        }
        bool active = registry.isActive(nodeId);
        uint256 countBefore = hub.actionCount(scenarioId);
        VM.prank(nodeKeyAddress);
        try hub.submitStandard(scenarioId, keccak256(abi.encode("standard batch", ++_salt)), actions) {
            _check(expected.length == 0 && active, "standard batch accepted against the model");
            _check(hub.actionCount(scenarioId) == countBefore + count, "standard actions counted at once");
            ghostStandardActions += count;
            for (uint256 i; i < count; ++i) {
                _standardFlags[_key(actions[i].user, actions[i].nonce)] |= USED_IN_STANDARD;
                _standard.push(StandardAction(actions[i].user, actions[i].nonce, replay, k));
            }
        } catch (bytes memory reason) {
            // An inactive node (slashed below the minimum bond) is refused before anything else.
            _check(!active || keccak256(reason) == keccak256(expected), "standard batch refused: error");
        }
    }

    /// @notice The challenger proves a standard replay of a lightweight action: accepted exactly once per (user,
    /// nonce), when the lightweight batch is final and not rejected (else the exact error); the standard node is
    /// slashed as for a fraud, the batch stays as it was.
    function proveReplay(uint256 seed) external atClock {
        uint256 n = _standard.length;
        if (n == 0) return;
        StandardAction memory r;
        for (uint256 j; j < n; ++j) {
            r = _standard[((seed % n) + j) % n];
            if (r.replay && (_standardFlags[_key(r.user, r.nonce)] & REPLAY_SLASHED == 0)) break;
        }
        if (!r.replay) return;
        Batch storage b = _batches[r.k];
        bytes memory expected;
        if (b.rejected) expected = abi.encodeWithSelector(IBatchCommitments.CommitmentsBatchRejected.selector, b.id);
        else if ((_standardFlags[_key(r.user, r.nonce)] & REPLAY_SLASHED != 0)) {
            expected = abi.encodeWithSelector(IBatchCommitments.CommitmentsNotReplayed.selector, r.user, r.nonce);
        } else if (
            !b.finalized && (b.openChallenges != 0 || block.timestamp < b.committedAt + commitments.challengeWindow())
        ) expected = abi.encodeWithSelector(IBatchCommitments.CommitmentsNotFinal.selector, b.id);
        uint256 atStakeBefore = _atStake();
        uint256 before = token.balanceOf(challenger);
        bytes32[] memory proof = MerkleBuilder.proof(b.leaves, 0);
        VM.prank(challenger);
        try commitments.proveStandardReplay(b.id, b.actions[0], proof) {
            _check(expected.length == 0, "standard replay proof accepted against the model");
            _standardFlags[_key(r.user, r.nonce)] |= REPLAY_SLASHED;
            ++_tally.replaysProven;
            _followSlash(atStakeBefore, token.balanceOf(challenger) - before);
        } catch (bytes memory reason) {
            bool predicted = expected.length != 0 && keccak256(reason) == keccak256(expected);
            _check(predicted || (expected.length == 0 && _atStake() == 0), "standard replay proof refused: error");
        }
    }

    /// @notice A stranger (the challenger) calls the hub's and BatchCommitments' callbacks directly: `onFraud`,
    /// `onLightweightFinal` (only BatchCommitments) and `commit` (only the hub); always refused with the exact error.
    function strangerCallback(uint8 which) external atClock {
        bytes memory expected;
        bytes memory data;
        address target = address(hub);
        which %= 3;
        if (which == 0) data = abi.encodeCall(hub.onFraud, (nodeId));
        else if (which == 1) data = abi.encodeCall(hub.onLightweightFinal, (scenarioId, 1));
        else {
            target = address(commitments);
            data = abi.encodeCall(commitments.commit, (scenarioId, bytes32(0), nodeId, 1, new bytes(32)));
        }
        expected =
            which == 2
                ? abi.encodeWithSelector(IBatchCommitments.CommitmentsOnlyHub.selector, challenger)
                : abi.encodeWithSelector(IExecutionHub.ExecutionOnlyCommitments.selector, challenger);
        VM.prank(challenger);
        // Raw call: the refusal's bytes (custom error and argument) are compared with the prediction.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = target.call(data);
        _check(!ok && keccak256(reason) == keccak256(expected), "stranger callback refused: error");
    }

    /// @notice The lightweight node's operator tops its bond back up to the minimum after slashes.
    function topUpBond() external atClock {
        INodeRegistry.NodeView memory node = registry.getNode(nodeId);
        uint256 minBond = registry.minBond();
        if (node.bond >= minBond || registry.paused()) return;
        uint256 amount = minBond - node.bond;
        if (token.balanceOf(operator) < amount) return;
        VM.prank(operator);
        token.approve(address(registry), amount);
        VM.prank(operator);
        registry.topUp(nodeId, amount);
    }

    /// @notice The proof of batch `k`'s planted fraud, sent by this handler as the challenger (external so that a
    /// refusal can be caught).
    function submitProof(uint256 k) external {
        Batch storage b = _batches[k];
        uint256 last = b.actions.length - 1;
        VM.prank(challenger);
        if (b.fraud == 3) {
            commitments.proveNonceUsedInStandard(b.id, b.actions[0], MerkleBuilder.proof(b.leaves, 0));
        } else if (b.fraud == 1) {
            commitments.proveDuplicateInBatch(
                b.id,
                b.actions[0],
                MerkleBuilder.proof(b.leaves, 0),
                b.actions[last],
                MerkleBuilder.proof(b.leaves, last)
            );
        } else {
            Batch storage e = _batches[b.earlier];
            commitments.proveDuplicateAcrossBatches(
                b.id,
                b.actions[0],
                MerkleBuilder.proof(b.leaves, 0),
                e.id,
                e.actions[0],
                MerkleBuilder.proof(e.leaves, 0)
            );
        }
    }

    /// @notice Number of batches committed.
    function batchCount() external view returns (uint256) {
        return _batches.length;
    }

    /// @notice Whether batch `k` was rejected / finalized, as the model has it, and its id.
    function batchAt(uint256 k) external view returns (bytes32 id, bool rejected, bool finalized) {
        Batch storage b = _batches[k];
        return (b.id, b.rejected, b.finalized);
    }

    /// @notice How often the side paths landed.
    function tally() external view returns (Tally memory) {
        return _tally;
    }

    /// @notice Signature challenges of batch `k` still open, as the model has it.
    function openChallengesAt(uint256 k) external view returns (uint256) {
        return _batches[k].openChallenges;
    }

    /// @dev An open signature challenge (batch, action index), searched from a random start; a random action of a
    /// random batch when there is none.
    function _challenged(uint256 seed) private view returns (uint256, uint256) {
        uint256 n = _batches.length;
        uint256 start = seed % n;
        for (uint256 j; j < n; ++j) {
            uint256 k = (start + j) % n;
            Batch storage b = _batches[k];
            if (b.openChallenges == 0) continue;
            for (uint256 i; i < b.actions.length; ++i) if (_challenges[k][i].deadline != 0) return (k, i);
        }
        return (start, (seed >> 8) % _batches[start].actions.length);
    }

    /// @dev A batch with a planted fraud, searched from a random start; a random batch when there is none.
    function _fraudulent(uint256 seed) private view returns (uint256) {
        uint256 n = _batches.length;
        for (uint256 j; j < n; ++j) {
            uint256 k = ((seed % n) + j) % n;
            Batch storage b = _batches[k];
            if (b.fraud != 0 && !b.rejected && !b.finalized) return k;
        }
        return seed % n;
    }

    /// @dev A proven fraud (or replay) slashed the node: at most `fraudSlash`, `bountyBps` of it to the challenger,
    /// the rest to the staking reserve, the node's new score pushed to staking; followed into the economy's books.
    function _followSlash(uint256 atStakeBefore, uint256 bounty) private {
        ++ghostFraudsProven;
        uint256 slashed = atStakeBefore - _atStake();
        ghostBounties += bounty;
        _check(slashed <= commitments.fraudSlash(), "a fraud slashes at most fraudSlash");
        _check(bounty == (slashed * commitments.bountyBps()) / 10_000, "bounty is bountyBps of the slash");
        economy.noteReserveFunded(slashed - bounty);
        economy.noteScore(nodeId, hub.scoreOf(nodeId));
    }

    function _key(address user, uint32 nonce) private pure returns (bytes32) {
        return keccak256(abi.encode(user, nonce));
    }

    /// @dev Everything the node has at stake: bond, unbonding bond, delegated and unbonding stake.
    function _atStake() private view returns (uint256) {
        INodeRegistry.NodeView memory node = registry.getNode(nodeId);
        IDelegatedStaking.NodePoolView memory pool = staking.nodePool(nodeId);
        return node.bond + node.unbondingBond + pool.stake + pool.unbondingStake;
    }

    function _check(bool ok, string memory what) private {
        if (!ok) _violate(what);
    }

    function _violate(string memory what) private {
        if (violations++ == 0) firstViolation = what;
    }
}
