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
        uint8 fraud; // 0 honest, 1 duplicate inside, 2 duplicate of an earlier batch
        bool rejected;
        bool finalized;
        uint256 earlier; // index of the earlier batch (fraud 2)
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

    Batch[] private _batches;
    uint32 private _nextNonce = 1;
    uint256 private _salt;

    /// @notice Actions of finalized batches (the hub's action count of the scenario must equal it).
    uint256 public ghostFinalizedActions;
    /// @notice Frauds proven, and ERA that the slashes paid to the challenger.
    uint256 public ghostFraudsProven;
    uint256 public ghostBounties;

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
        bool allowed = open && (b.fraud == 1 || !_batches[b.earlier].rejected);
        uint256 atStakeBefore = _atStake();
        uint256 before = token.balanceOf(challenger);
        try this.submitProof(k) {
            _check(allowed, "fraud proof accepted against the model");
            b.rejected = true;
            ++ghostFraudsProven;
            uint256 slashed = atStakeBefore - _atStake();
            uint256 bounty = token.balanceOf(challenger) - before;
            ghostBounties += bounty;
            _check(slashed <= commitments.fraudSlash(), "a fraud slashes at most fraudSlash");
            _check(bounty == (slashed * commitments.bountyBps()) / 10_000, "bounty is bountyBps of the slash");
            economy.noteReserveFunded(slashed - bounty);
            economy.noteScore(nodeId, hub.scoreOf(nodeId));
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
        bool allowed = !b.rejected && !b.finalized && block.timestamp >= b.committedAt + commitments.challengeWindow();
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
        if (b.fraud == 1) {
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
