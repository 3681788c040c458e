// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// forge finds tests and invariants by their `test_` / `invariant_` prefixes.
/* solhint-disable func-name-mixedcase */

import {SettlementEngine} from "../contracts/execution/SettlementEngine.sol";
import {NotaryRegistry} from "../contracts/execution/NotaryRegistry.sol";
import {ExecutionHub} from "../contracts/execution/ExecutionHub.sol";
import {BatchCommitments} from "../contracts/execution/BatchCommitments.sol";
import {IScenarioRegistry} from "../contracts/interfaces/IScenarioRegistry.sol";
import {IScenarioExecution} from "../contracts/interfaces/IScenarioExecution.sol";
import {ISettlementEngine} from "../contracts/interfaces/ISettlementEngine.sol";
import {INotaryRegistry} from "../contracts/interfaces/INotaryRegistry.sol";
import {IStakingReserve} from "../contracts/interfaces/IStakingReserve.sol";
import {EconomyDeployment} from "./utils/EconomyDeployment.sol";
import {ExecutionHandler} from "./handlers/ExecutionHandler.sol";

/// @title ExecutionInvariants
/// @notice Stateful invariant campaign over the execution layer on top of the economy, checking DESIGN.md §5
/// invariants 3 (nothing used twice: settlement ids, notarizations, user nonces), 5 (settlement terminality and
/// escrow conservation), 6 (notarizations immutable, trails gap-free and ordered) and 8 (signatures bound to chain and
/// contract) after every call of a random sequence of `ExecutionHandler` actions.
contract ExecutionInvariants is EconomyDeployment {
    ExecutionHandler internal handler;
    SettlementEngine internal engine;
    NotaryRegistry internal notary;
    ExecutionHub internal hub;

    // One linear deployment and wiring of the suite, in the order it documents.
    // solhint-disable-next-line function-max-lines
    function setUp() public {
        _deployEconomy();
        address admin = address(this);
        address[] memory tokens = new address[](1);
        tokens[0] = address(token);
        engine = new SettlementEngine(admin, tokens);
        notary = new NotaryRegistry(registry, scenarios, admin);
        hub = new ExecutionHub(registry, scenarios, staking, engine, notary, admin);
        BatchCommitments commitments = new BatchCommitments(
            token,
            hub,
            registry,
            IStakingReserve(address(staking)),
            admin,
            1 days,
            12 hours,
            100 ether,
            5_000 ether,
            2_000
        );
        engine.setHub(address(hub));
        notary.setHub(address(hub));
        hub.setCommitments(commitments);
        registry.grantRole(registry.SLASHER_ROLE(), address(commitments));
        staking.grantRole(staking.SCORE_KEEPER_ROLE(), address(hub));

        // Three nodes whose signing keys the handler holds; one developer with a scenario of each class.
        uint256[] memory nodeKeys = new uint256[](3);
        for (uint256 i; i < 3; ++i) {
            nodeKeys[i] = uint256(keccak256(abi.encode("node key", i)));
            address operator = address(uint160(uint256(keccak256(abi.encode("operator", i)))));
            VM.prank(TREASURY);
            token.transfer(operator, MIN_BOND);
            VM.startPrank(operator);
            token.approve(address(registry), MIN_BOND);
            registry.register(VM.addr(nodeKeys[i]), "", MIN_BOND);
            VM.stopPrank();
        }
        address developer = address(uint160(uint256(keccak256("developer"))));
        VM.startPrank(developer);
        uint256 financial = scenarios.registerScenario(IScenarioRegistry.ScenarioClass.Financial, 1, "");
        uint256 enterprise = scenarios.registerScenario(IScenarioRegistry.ScenarioClass.Enterprise, 1, "");
        scenarios.addServingNode(enterprise, 2);
        scenarios.addServingNode(enterprise, 3);
        scenarios.setQuorum(enterprise, 2);
        uint256 likes = scenarios.registerScenario(IScenarioRegistry.ScenarioClass.Lightweight, 1, "");
        scenarios.setMode(likes, IScenarioExecution.ExecutionMode.Standard);
        VM.stopPrank();

        uint256[] memory userKeys = new uint256[](4);
        for (uint256 i; i < userKeys.length; ++i) {
            userKeys[i] = uint256(keccak256(abi.encode("user key", i)));
            VM.prank(TREASURY);
            token.transfer(VM.addr(userKeys[i]), 5_000 ether);
        }
        handler = new ExecutionHandler(token, engine, notary, hub, userKeys, nodeKeys, [financial, enterprise, likes]);
        VM.label(address(handler), "ExecutionHandler");
        _targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = ExecutionHandler.deposit.selector;
        selectors[1] = ExecutionHandler.withdraw.selector;
        selectors[2] = ExecutionHandler.settleAtomic.selector;
        selectors[3] = ExecutionHandler.lock.selector;
        selectors[4] = ExecutionHandler.commit.selector;
        selectors[5] = ExecutionHandler.refund.selector;
        selectors[6] = ExecutionHandler.refundExpired.selector;
        selectors[7] = ExecutionHandler.notarize.selector;
        selectors[8] = ExecutionHandler.standardAction.selector;
        selectors[9] = ExecutionHandler.warp.selector;
        _targetSelectors(address(handler), selectors);
    }

    /// @notice 3. Nothing is used twice: no settlement id, notarization or user nonce was accepted a second time, no
    /// notarization took a place of a trail already taken or landed under an id used before, and no commit or refund
    /// succeeded outside its interval.
    function invariant_3_nothingUsedTwice() public view {
        _assertEq(handler.ghostReplaysAccepted(), 0, "replays accepted");
        _assertEq(handler.ghostStaleAccepted(), 0, "notarizations for a taken place accepted");
        _assertEq(hub.actionCount(handler.standardScenario()), handler.ghostStandardApplied(), "actions applied once");
        _assertTrue(_notarizationIdsDistinct(), "notarization ids distinct");
    }

    /// @dev Whether the derived ids of every notarization that landed are pairwise distinct.
    function _notarizationIdsDistinct() internal view returns (bool) {
        bytes32[] memory ids = new bytes32[](handler.notarizationCount());
        uint256 n;
        bytes32[] memory subjects = handler.subjects();
        for (uint256 i; i < subjects.length; ++i) {
            INotaryRegistry.Record[] memory trail = handler.trail(subjects[i]);
            for (uint256 j; j < trail.length; ++j) {
                bytes32 id = notary.notarizationIdOf(trail[j].scenarioId, trail[j].subjectId, trail[j].previous);
                for (uint256 k; k < n; ++k) if (ids[k] == id) return false;
                ids[n++] = id;
            }
        }
        return true;
    }

    /// @notice 5. The escrow holds exactly Σ free + Σ frozen; Σ frozen is exactly the legs of live locks; a failed
    /// settlement changed nothing; every lock is Locked only before its deadline or until the refund call.
    function invariant_5_settlementTerminalityAndConservation() public view {
        address[] memory users = handler.users();
        uint256 free;
        uint256 frozen;
        for (uint256 i; i < users.length; ++i) {
            free += engine.freeBalance(users[i], address(token));
            frozen += engine.frozenBalance(users[i], address(token));
        }
        _assertEq(token.balanceOf(address(engine)), free + frozen, "escrow balance == free + frozen");
        _assertEq(free + frozen, handler.ghostDeposited() - handler.ghostWithdrawn(), "escrow conserved");
        uint256 live;
        for (uint256 i; i < handler.lockCount(); ++i) {
            (bytes32 id, , uint256 total) = handler.lockAt(i);
            ISettlementEngine.Status status = engine.statusOf(id);
            _assertTrue(
                status == ISettlementEngine.Status.Locked ||
                    status == ISettlementEngine.Status.Committed ||
                    status == ISettlementEngine.Status.Refunded,
                "a lock is locked, committed or refunded"
            );
            if (status == ISettlementEngine.Status.Locked) live += total;
        }
        _assertEq(frozen, live, "frozen == legs of live locks");
        _assertEq(handler.ghostPartialUpdates(), 0, "no partial update");
    }

    /// @notice 6. Every notarization is still provable as written (hashed forward through its subject's later
    /// records, it reaches the stored head), and every subject's trail, replayed from the first record, is complete
    /// and ordered.
    function invariant_6_notarizationsImmutableAndTrailsComplete() public view {
        bytes32[] memory subjects = handler.subjects();
        uint256 scenarioId = handler.enterpriseScenario();
        uint256 records;
        for (uint256 i; i < subjects.length; ++i) {
            INotaryRegistry.Record[] memory trail = handler.trail(subjects[i]);
            _assertTrue(notary.verifyTrail(scenarioId, subjects[i], trail), "trail complete");
            for (uint256 j; j < trail.length; ++j) {
                INotaryRegistry.Record[] memory later = new INotaryRegistry.Record[](trail.length - j - 1);
                for (uint256 k; k < later.length; ++k) later[k] = trail[j + 1 + k];
                _assertTrue(notary.verifyRecord(trail[j], later), "record unchanged");
            }
            records += trail.length;
        }
        _assertEq(records, handler.notarizationCount(), "every notarization in a trail");
    }

    /// @notice 8. A signature made for another chain id or another hub address was never accepted.
    function invariant_8_signaturesBoundToDomain() public view {
        _assertEq(handler.ghostForeignAccepted(), 0, "foreign-domain signatures accepted");
    }

    /// @notice 5 (terminality): after everyone's deadline has passed, one refund sweep leaves no lock half-done.
    function afterInvariant() public {
        VM.warp(block.timestamp + 4 days);
        handler.refundExpired();
        for (uint256 i; i < handler.lockCount(); ++i) {
            (bytes32 id, , ) = handler.lockAt(i);
            _assertTrue(engine.statusOf(id) != ISettlementEngine.Status.Locked, "every lock terminal");
        }
    }
}
