// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {EraTimelock} from "../../contracts/governance/EraTimelock.sol";
import {AdminGuarded} from "../../contracts/governance/AdminGuarded.sol";
import {Governed} from "../../contracts/governance/Governed.sol";
import {NodeRegistry} from "../../contracts/staking/NodeRegistry.sol";
import {DelegatedStaking} from "../../contracts/staking/DelegatedStaking.sol";
import {EpochDistributor} from "../../contracts/distribution/EpochDistributor.sol";
import {RevenueRouter} from "../../contracts/revenue/RevenueRouter.sol";
import {BatchCommitments} from "../../contracts/execution/BatchCommitments.sol";
import {ExecutionHub} from "../../contracts/execution/ExecutionHub.sol";
import {INodeRegistry} from "../../contracts/interfaces/INodeRegistry.sol";
import {IDelegatedStaking} from "../../contracts/interfaces/IDelegatedStaking.sol";
import {IEpochDistributor} from "../../contracts/interfaces/IEpochDistributor.sol";
import {IRevenueRouter} from "../../contracts/interfaces/IRevenueRouter.sol";
import {IBatchCommitments} from "../../contracts/interfaces/IBatchCommitments.sol";
import {IScenarioRegistry} from "../../contracts/interfaces/IScenarioRegistry.sol";
import {NotaryRegistry} from "../../contracts/execution/NotaryRegistry.sol";
import {SettlementEngine} from "../../contracts/execution/SettlementEngine.sol";
import {TimelockCaller} from "../utils/TimelockCaller.sol";
import {Vm} from "../utils/Vm.sol";
import {EconomyHandler} from "./EconomyHandler.sol";

/// @title GovernanceHandler
/// @notice The admin's actions in the suite campaign, all through the `EraTimelock` that holds `DEFAULT_ADMIN_ROLE`
/// of every contract: parameter changes within and outside their on-chain bounds (executed at once after the delay,
/// or left pending and executed, early or late, or cancelled by a later action), pause and unpause by a timelock batch,
/// role grants and revocations (including the last admin's, which must be refused), the hub's score sync, and calls
/// that try to bypass the timelock. Each outcome is checked against the handler's model; a disagreement is recorded
/// as a violation that the suite invariant reports.
contract GovernanceHandler is TimelockCaller {
    using Strings for uint256;

    /// @notice Contracts and addresses the handler acts on.
    struct Suite {
        EraTimelock timelock;
        address governor;
        address guardian;
        NodeRegistry registry;
        DelegatedStaking staking;
        EpochDistributor distributor;
        RevenueRouter router;
        BatchCommitments commitments;
        ExecutionHub hub;
    }

    /// @notice A proposal scheduled and not executed at once.
    struct Pending {
        address target;
        bytes data;
        bytes32 salt;
        uint256 readyAt;
        bytes expected; // the target's refusal the model predicts; empty when the call must succeed
        bool closed; // executed or cancelled
    }

    EconomyHandler public immutable economy;
    address public immutable guardian;
    /// @notice A second score keeper that governance appoints and dismisses.
    address public immutable spareKeeper = address(uint160(uint256(keccak256("era.spareKeeper"))));
    NodeRegistry public immutable registry;
    DelegatedStaking public immutable staking;
    EpochDistributor public immutable distributor;
    RevenueRouter public immutable router;
    BatchCommitments public immutable commitments;
    ExecutionHub public immutable hub;

    /// @notice Every contract the timelock administers (token, economy, execution layer).
    address[] public administered;
    /// @notice The pausable ones (the guardian holds `PAUSER_ROLE` there).
    address[] public pausable;

    Pending[] private _pending;
    uint256 private _nonce;

    /// @dev Topics of the wiring setters' events (`IExecutionHub.CommitmentsChanged`, `HubChanged` of the notary
    /// registry and the engine, `ISettlementEngine.TokenAllowed`).
    bytes32 private constant COMMITMENTS_CHANGED = keccak256("CommitmentsChanged(address)");
    bytes32 private constant HUB_CHANGED = keccak256("HubChanged(address)");
    bytes32 private constant TOKEN_ALLOWED = keccak256("TokenAllowed(address,bool)");

    /// @notice Proposals executed, and refusals that carried exactly the predicted error (for the README's figures).
    uint256 public ghostExecuted;
    uint256 public ghostRefusedAsPredicted;
    /// @notice Whether the governor is a second admin of `administered[i]` (granted and revoked by proposals).
    mapping(address target => bool) public governorIsAdmin;
    /// @notice Whether the guardian holds `PAUSER_ROLE` there, as the model has it.
    mapping(address target => bool) public guardianPauses;
    bool public spareKeeperAppointed;

    /// @notice Model disagreements; the first one described.
    uint256 public violations;
    string public firstViolation;

    constructor(
        EconomyHandler economy_,
        Suite memory s,
        address[] memory administered_,
        address[] memory pausable_
    ) TimelockCaller(s.timelock, s.governor) {
        economy = economy_;
        guardian = s.guardian;
        registry = s.registry;
        staking = s.staking;
        distributor = s.distributor;
        router = s.router;
        commitments = s.commitments;
        hub = s.hub;
        administered = administered_;
        pausable = pausable_;
        for (uint256 i; i < pausable_.length; ++i) guardianPauses[pausable_[i]] = true;
    }

    /// @dev Every action runs at the campaign's clock.
    modifier atClock() {
        VM.warp(economy.currentTime());
        _;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Parameters
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice The governor proposes a parameter change, within or outside its bounds; executed after the delay now,
    /// or left pending. Within bounds it must take effect; outside, execution must fail with the target's own error.
    function proposeParameter(uint8 which, uint256 seed, bool outOfBounds, bool executeNow) external atClock {
        (address target, bytes memory data, bytes memory expected) = _parameterChange(which % 6, seed, outOfBounds);
        bytes32 salt = keccak256(abi.encode("parameter", ++_nonce));
        uint256 delay = _schedule(target, data, salt);
        if (!executeNow) {
            _pending.push(Pending(target, data, salt, economy.currentTime() + delay, expected, false));
            return;
        }
        economy.advance(delay);
        _execute(target, data, salt, expected, "parameter change");
    }

    /// @notice Anyone executes a pending proposal: refused before it is ready, applied (or refused by the target as
    /// predicted) once ready.
    function executePending(uint256 seed) external atClock {
        if (_pending.length == 0) return;
        Pending storage p = _pending[seed % _pending.length];
        if (p.closed) return;
        if (economy.currentTime() < p.readyAt) {
            bytes32 id = timelock.hashOperation(p.target, 0, p.data, bytes32(0), p.salt);
            bytes memory early = abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                id,
                bytes32(1 << uint8(TimelockController.OperationState.Ready))
            );
            _execute(p.target, p.data, p.salt, early, "early execution");
            return;
        }
        p.closed = true;
        _execute(p.target, p.data, p.salt, p.expected, "pending parameter change");
    }

    /// @notice The governor (also the canceller) cancels a pending proposal; executing it afterwards must fail.
    function cancelPending(uint256 seed) external atClock {
        if (_pending.length == 0) return;
        Pending storage p = _pending[seed % _pending.length];
        if (p.closed) return;
        p.closed = true;
        bytes32 id = timelock.hashOperation(p.target, 0, p.data, bytes32(0), p.salt);
        VM.prank(governor);
        timelock.cancel(id);
        bytes memory refused = abi.encodeWithSelector(
            TimelockController.TimelockUnexpectedOperationState.selector,
            id,
            bytes32(1 << uint8(TimelockController.OperationState.Ready))
        );
        economy.advance(timelock.getMinDelay());
        _execute(p.target, p.data, p.salt, refused, "cancelled proposal");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Pause, roles, score
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Governance pauses or unpauses a contract in one timelock batch: grant itself `PAUSER_ROLE`, pause or
    /// unpause, renounce the role. Pausing a paused contract (or unpausing a running one) must fail whole.
    function pauseThroughTimelock(uint8 contractSeed, bool pause) external atClock {
        address target = pausable[contractSeed % pausable.length];
        bytes32 pauser = Governed(target).PAUSER_ROLE();
        address[] memory targets = new address[](3);
        bytes[] memory payloads = new bytes[](3);
        targets[0] = target;
        targets[1] = target;
        targets[2] = target;
        payloads[0] = abi.encodeCall(IAccessControl.grantRole, (pauser, address(timelock)));
        payloads[1] = pause ? abi.encodeCall(Governed.pause, ()) : abi.encodeCall(Governed.unpause, ());
        payloads[2] = abi.encodeCall(IAccessControl.renounceRole, (pauser, address(timelock)));
        bool paused = Pausable(target).paused();
        bytes memory expected;
        if (pause && paused) expected = abi.encodeWithSelector(Pausable.EnforcedPause.selector);
        if (!pause && !paused) expected = abi.encodeWithSelector(Pausable.ExpectedPause.selector);
        bytes32 salt = keccak256(abi.encode("pause", ++_nonce));
        uint256 delay = timelock.getMinDelay();
        VM.prank(governor);
        timelock.scheduleBatch(targets, new uint256[](3), payloads, bytes32(0), salt, delay);
        economy.advance(delay);
        try timelock.executeBatch(targets, new uint256[](3), payloads, bytes32(0), salt) {
            _check(expected.length == 0, "pause batch accepted against the model");
            _check(Pausable(target).paused() == pause, "pause batch took effect");
            _check(!IAccessControl(target).hasRole(pauser, address(timelock)), "timelock renounced PAUSER_ROLE");
            ++ghostExecuted;
        } catch (bytes memory reason) {
            _checkRevert(reason, expected, "pause batch");
        }
    }

    /// @notice Governance changes a role: the guardian's `PAUSER_ROLE` (0), the governor as a second admin (1), a
    /// spare score keeper (2), or tries to revoke the timelock's own admin role where it is the last admin (3), which
    /// must be refused with `AdminGuardedLastAdmin`.
    function changeRole(uint8 kind, uint8 contractSeed, bool grant) external atClock {
        kind %= 4;
        address target;
        bytes32 role;
        address account;
        bytes memory expected;
        if (kind == 0) {
            target = pausable[contractSeed % pausable.length];
            (role, account) = (Governed(target).PAUSER_ROLE(), guardian);
        } else if (kind == 1) {
            target = administered[contractSeed % administered.length];
            (role, account) = (bytes32(0), governor);
        } else if (kind == 2) {
            (target, role, account) = (address(staking), staking.SCORE_KEEPER_ROLE(), spareKeeper);
        } else {
            target = administered[contractSeed % administered.length];
            if (governorIsAdmin[target]) return;
            (role, account, grant) = (bytes32(0), address(timelock), false);
            expected = abi.encodeWithSelector(AdminGuarded.AdminGuardedLastAdmin.selector, address(timelock));
        }
        bytes memory data =
            grant
                ? abi.encodeCall(IAccessControl.grantRole, (role, account))
                : abi.encodeCall(IAccessControl.revokeRole, (role, account));
        bytes32 salt = keccak256(abi.encode("role", ++_nonce));
        economy.advance(_schedule(target, data, salt));
        if (!_execute(target, data, salt, expected, "role change")) return;
        _check(IAccessControl(target).hasRole(role, account) == grant, "role change took effect");
        if (kind == 0) guardianPauses[target] = grant;
        else if (kind == 1) governorIsAdmin[target] = grant;
        else spareKeeperAppointed = grant;
    }

    /// @notice Anyone pushes a node's measured service score from the hub to staking (APR follows it).
    function syncScore(uint256 nodeSeed) external atClock {
        uint256 nodeId = 1 + (nodeSeed % registry.nodeCount());
        uint256 score = hub.syncScore(nodeId);
        _check(score == hub.scoreOf(nodeId), "syncScore pushes the hub's score");
        economy.noteScore(nodeId, score);
    }

    /// @notice Someone other than the timelock calls an admin function directly, or schedules without being the
    /// proposer: always refused with the missing role.
    function bypassTimelock(uint8 which, uint8 actorSeed, uint256 seed) external atClock {
        address[3] memory actors = [governor, guardian, address(this)];
        address actor = actors[actorSeed % 3];
        (address target, bytes memory data, ) = _parameterChange(which % 6, seed, false);
        if (target == address(timelock)) {
            // updateDelay answers TimelockUnauthorizedCaller to anyone but the timelock itself.
            VM.prank(actor);
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory reason) = target.call(data);
            _check(!ok, "updateDelay accepted from outside the timelock");
            _checkRevert(
                reason,
                abi.encodeWithSelector(TimelockController.TimelockUnauthorizedCaller.selector, actor),
                "updateDelay"
            );
            return;
        }
        if (!_directAdminCall(actor, target, data, "direct admin call") || actor == governor) return;
        bytes32 proposer = timelock.PROPOSER_ROLE();
        VM.prank(actor);
        try timelock.schedule(target, 0, data, bytes32(0), keccak256(abi.encode(++_nonce)), 1 days) {
            _violate("schedule accepted from a non-proposer");
        } catch (bytes memory reason) {
            _checkRevert(
                reason,
                abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, actor, proposer),
                "schedule by a non-proposer"
            );
        }
    }

    /// @notice The wiring setters (`ExecutionHub.setCommitments`, `NotaryRegistry.setHub`, `SettlementEngine.setHub`,
    /// `SettlementEngine.setTokenAllowed` of ERA, `NodeRegistry.setStaking`). Called directly by anyone but an admin:
    /// refused with the missing admin role. Through the timelock: re-pointed to what they already hold, which must
    /// succeed, emit the setter's event and change nothing; `setStaking` is one-time and must be refused with
    /// `NodeRegistryStakingAlreadySet`.
    function rewire(uint8 which, uint8 actorSeed, bool direct) external atClock {
        which %= 5;
        (address target, bytes memory data, address wired, bytes32 topic) = _wiring(which);
        if (direct) {
            address[3] memory actors = [governor, guardian, address(this)];
            _directAdminCall(actors[actorSeed % 3], target, data, "direct wiring call");
            return;
        }
        bytes memory expected;
        if (which == 4) expected = abi.encodeWithSelector(NodeRegistry.NodeRegistryStakingAlreadySet.selector, wired);
        bytes32 salt = keccak256(abi.encode("wiring", ++_nonce));
        economy.advance(_schedule(target, data, salt));
        VM.recordLogs();
        bool ok = _execute(target, data, salt, expected, "wiring re-point");
        Vm.Log[] memory logs = VM.getRecordedLogs();
        if (ok) _check(_emitted(logs, target, topic, wired), "wiring re-point emitted its event");
        (, , address now_, ) = _wiring(which);
        _check(now_ == wired, "wiring re-point changed nothing");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev `actor` calls an admin function of `target` directly: refused with the missing admin role. Skipped (false)
    /// when the actor is an admin there (the governor may have been made a second admin by a proposal).
    function _directAdminCall(
        address actor,
        address target,
        bytes memory data,
        string memory what
    ) private returns (bool called) {
        if (IAccessControl(target).hasRole(bytes32(0), actor)) return false;
        VM.prank(actor);
        // Raw call: the refusal's bytes (custom error and arguments) are compared with the prediction.
        // solhint-disable-next-line avoid-low-level-calls
        (bool accepted, bytes memory refusal) = target.call(data);
        _check(!accepted, string.concat(what, " accepted from outside the timelock"));
        _checkRevert(
            refusal,
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, actor, bytes32(0)),
            what
        );
        return true;
    }

    /// @dev Executes a ready (or not) operation; the refusal must be exactly `expected` (empty: must succeed).
    function _execute(
        address target,
        bytes memory data,
        bytes32 salt,
        bytes memory expected,
        string memory what
    ) private returns (bool ok) {
        try timelock.execute(target, 0, data, bytes32(0), salt) {
            _check(expected.length == 0, string.concat(what, " accepted against the model"));
            ++ghostExecuted;
            return true;
        } catch (bytes memory reason) {
            _checkRevert(reason, expected, what);
            return false;
        }
    }

    /// @dev A parameter change of kind `which` (0 min bond, 1 bond unbonding, 2 staking unbonding, 3 distributor
    /// windows, 4 commitments parameters, 5 class shares, and updateDelay of the timelock itself for in-bounds 5):
    /// its target, calldata and the refusal predicted.
    // solhint-disable-next-line function-max-lines
    function _parameterChange(
        uint8 which,
        uint256 seed,
        bool outOfBounds
    ) private view returns (address target, bytes memory data, bytes memory expected) {
        if (which == 0) {
            uint256 value =
                outOfBounds
                    ? (seed % 2 == 0 ? 0 : registry.MAX_MIN_BOND() + 1 + (seed % 1e24))
                    : _bound(seed, 1 ether, 10_000 ether);
            data = abi.encodeCall(registry.setMinBond, (value));
            if (outOfBounds) {
                expected = _err(
                    INodeRegistry.NodeRegistryParameterOutOfBounds.selector,
                    value,
                    1,
                    registry.MAX_MIN_BOND()
                );
            }
            return (address(registry), data, expected);
        }
        if (which == 1 || which == 2) {
            (uint64 lo, uint64 hi) = which == 1
                ? (registry.MIN_UNBONDING_PERIOD(), registry.MAX_UNBONDING_PERIOD())
                : (staking.MIN_UNBONDING_PERIOD(), staking.MAX_UNBONDING_PERIOD());
            uint64 value = uint64(outOfBounds ? _outside(seed, lo, hi) : _bound(seed, lo, 30 days));
            target = which == 1 ? address(registry) : address(staking);
            data =
                which == 1
                    ? abi.encodeCall(registry.setUnbondingPeriod, (value))
                    : abi.encodeCall(staking.setUnbondingPeriod, (value));
            if (outOfBounds) {
                bytes4 selector =
                    which == 1
                        ? INodeRegistry.NodeRegistryParameterOutOfBounds.selector
                        : IDelegatedStaking.StakingParameterOutOfBounds.selector;
                expected = _err(selector, value, lo, hi);
            }
            return (target, data, expected);
        }
        if (which == 3) return _windows(seed, outOfBounds);
        if (which == 4) return _commitmentParameters(seed, outOfBounds);
        if (!outOfBounds) {
            // The timelock's own delay (no on-chain bounds; kept between an hour and three days here).
            data = abi.encodeCall(TimelockController.updateDelay, (_bound(seed, 1 hours, 3 days)));
            return (address(timelock), data, "");
        }
        // In-bounds shares are the economy handler's `setClassShares`; here a node share above 50%.
        IRevenueRouter.ClassShares memory shares = IRevenueRouter.ClassShares(
            uint16(_bound(seed, router.MAX_NODE_BPS() + 1, 10_000)),
            1_000,
            500
        );
        data = abi.encodeCall(router.setClassShares, (IScenarioRegistry.ScenarioClass(seed % 3), shares));
        expected = abi.encodeWithSelector(
            IRevenueRouter.RevenueSharesOutOfBounds.selector,
            shares.nodeBps,
            shares.userPoolBps,
            shares.protocolBps
        );
        return (address(router), data, expected);
    }

    function _windows(uint256 seed, bool outOfBounds) private view returns (address, bytes memory, bytes memory) {
        (uint64 dLo, uint64 dHi) = (distributor.MIN_DISPUTE_WINDOW(), distributor.MAX_DISPUTE_WINDOW());
        (uint64 cLo, uint64 cHi) = (distributor.MIN_CLAIM_PERIOD(), distributor.MAX_CLAIM_PERIOD());
        uint64 dispute = uint64(_bound(seed, dLo, 3 days));
        uint64 claim = uint64(_bound(seed >> 64, cLo, 120 days));
        bytes memory expected;
        if (outOfBounds && seed % 2 == 0) {
            dispute = uint64(_outside(seed >> 128, dLo, dHi));
            expected = _err(IEpochDistributor.DistributorParameterOutOfBounds.selector, dispute, dLo, dHi);
        } else if (outOfBounds) {
            claim = uint64(_outside(seed >> 128, cLo, cHi));
            expected = _err(IEpochDistributor.DistributorParameterOutOfBounds.selector, claim, cLo, cHi);
        }
        return (address(distributor), abi.encodeCall(distributor.setWindows, (dispute, claim)), expected);
    }

    /// @dev [challenge window, answer window, challenge bond, fraud slash, bounty bps], one of them out of bounds
    /// when asked.
    function _commitmentParameters(
        uint256 seed,
        bool outOfBounds
    ) private view returns (address, bytes memory, bytes memory) {
        BatchCommitments c = commitments;
        uint256[5] memory v = [
            _bound(seed, c.MIN_CHALLENGE_WINDOW(), c.MAX_CHALLENGE_WINDOW()),
            _bound(seed >> 64, c.MIN_ANSWER_WINDOW(), c.MAX_ANSWER_WINDOW()),
            _bound(seed >> 96, 0, 1_000 ether),
            _bound(seed >> 160, 1, 10_000 ether),
            _bound(seed >> 128, 0, c.MAX_BOUNTY_BPS())
        ];
        bytes memory expected;
        if (outOfBounds) {
            uint256 mode = seed % 4;
            uint256[2] memory bounds =
                mode == 0
                    ? [uint256(c.MIN_CHALLENGE_WINDOW()), c.MAX_CHALLENGE_WINDOW()]
                    : mode == 1
                        ? [uint256(c.MIN_ANSWER_WINDOW()), c.MAX_ANSWER_WINDOW()]
                        : mode == 2
                            ? [uint256(0), c.MAX_BOUNTY_BPS()]
                            : [uint256(1), type(uint256).max];
            uint256 slot =
                mode == 0
                    ? 0
                    : mode == 1
                        ? 1
                        : mode == 2
                            ? 4
                            : 3;
            v[slot] = mode == 3 ? 0 : _outside(seed >> 192, uint64(bounds[0]), uint64(bounds[1]));
            expected = _err(IBatchCommitments.CommitmentsParameterOutOfBounds.selector, v[slot], bounds[0], bounds[1]);
        }
        bytes memory data = abi.encodeCall(c.setParameters, (uint64(v[0]), uint64(v[1]), v[2], v[3], v[4]));
        return (address(c), data, expected);
    }

    /// @dev A value just below `lo` or just above `hi`, or far above.
    function _outside(uint256 seed, uint64 lo, uint64 hi) private pure returns (uint256) {
        uint256 mode = seed % 3;
        if (mode == 0 && lo > 0) return _bound(seed >> 8, 0, lo - 1);
        if (mode == 1) return uint256(hi) + 1;
        return uint256(hi) + 1 + _bound(seed >> 8, 0, type(uint32).max);
    }

    function _err(bytes4 selector, uint256 value, uint256 lo, uint256 hi) private pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, value, lo, hi);
    }

    /// @dev Wiring setter `which`: its target, the calldata re-pointing it to what it holds, that address (for
    /// `setTokenAllowed`, the token; `allowed` reads back as the token while it stays allowed) and the event's topic.
    function _wiring(
        uint8 which
    ) private view returns (address target, bytes memory data, address wired, bytes32 topic) {
        SettlementEngine engine = SettlementEngine(address(hub.settlement()));
        NotaryRegistry notary = NotaryRegistry(address(hub.notary()));
        address era = address(economy.token());
        if (which == 0) (target, wired, topic) = (address(hub), address(hub.commitments()), COMMITMENTS_CHANGED);
        else if (which == 1) (target, wired, topic) = (address(notary), notary.hub(), HUB_CHANGED);
        else if (which == 2) (target, wired, topic) = (address(engine), engine.hub(), HUB_CHANGED);
        else if (which == 3)
            (target, wired, topic) = (address(engine), engine.tokenAllowed(era) ? era : address(0), TOKEN_ALLOWED);
        else (target, wired) = (address(registry), address(registry.staking()));
        if (which == 0) data = abi.encodeCall(hub.setCommitments, (IBatchCommitments(wired)));
        else if (which == 1 || which == 2) data = abi.encodeWithSignature("setHub(address)", wired);
        else if (which == 3) data = abi.encodeCall(engine.setTokenAllowed, (era, true));
        else data = abi.encodeCall(registry.setStaking, (registry.staking()));
    }

    /// @dev Whether `logs` hold `topic` from `emitter` naming `account` (first indexed argument, or the data's first
    /// word when it is not indexed).
    function _emitted(
        Vm.Log[] memory logs,
        address emitter,
        bytes32 topic,
        address account
    ) private pure returns (bool) {
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.emitter != emitter || log.topics.length == 0 || log.topics[0] != topic) continue;
            address named =
                log.topics.length > 1 ? address(uint160(uint256(log.topics[1]))) : abi.decode(log.data, (address));
            if (named == account) return true;
        }
        return false;
    }

    function _check(bool ok, string memory what) private {
        if (!ok) _violate(what);
    }

    function _checkRevert(bytes memory got, bytes memory want, string memory what) private {
        if (want.length == 0) _violate(string.concat(what, " refused unexpectedly"));
        else if (keccak256(got) != keccak256(want)) _violate(string.concat(what, " refused with the wrong error"));
        else ++ghostRefusedAsPredicted;
    }

    function _violate(string memory what) private {
        if (violations++ == 0) firstViolation = what;
    }

    /// @notice Number of pending proposals ever made (closed or not).
    function pendingCount() external view returns (uint256) {
        return _pending.length;
    }

    /// @notice Number of contracts the timelock administers.
    function administeredCount() external view returns (uint256) {
        return administered.length;
    }
}
