// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// forge finds tests and invariants by their `test_` / `invariant_` prefixes.
/* solhint-disable func-name-mixedcase */

import {IDelegatedStaking} from "../contracts/interfaces/IDelegatedStaking.sol";
import {IEpochDistributor} from "../contracts/interfaces/IEpochDistributor.sol";
import {INodeRegistry} from "../contracts/interfaces/INodeRegistry.sol";
import {EconomyDeployment} from "./utils/EconomyDeployment.sol";
import {EconomyHandler} from "./handlers/EconomyHandler.sol";

/// @title EconomyInvariants
/// @notice Stateful invariant campaign over the ERA economy (token, node registry, delegated staking, scenario
/// registry, revenue router, epoch distributor), checking DESIGN.md §5 invariants 1, 2, 3, 4 and 7 after every call of
/// a random sequence of `EconomyHandler` actions, and, at the end of every sequence, that everyone can still exit.
contract EconomyInvariants is EconomyDeployment {
    EconomyHandler internal handler;
    bytes4[] private _weighted;

    function setUp() public {
        _deployEconomy();
        handler = new EconomyHandler(
            token,
            registry,
            staking,
            scenarios,
            distributor,
            router,
            EconomyHandler.Roles({
                admin: address(this),
                treasury: TREASURY,
                minter: MINTER,
                slasher: SLASHER,
                slashRecipient: SLASH_RECIPIENT,
                scoreKeeper: SCORE_KEEPER,
                publisher: PUBLISHER,
                guardian: GUARDIAN
            })
        );
        VM.label(address(handler), "EconomyHandler");

        _targetHandler();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 1. ERA is conserved
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Supply equals genesis plus mints and the sum of all balances (the actor set is closed); every contract
    /// holds at least what it owes, and exactly that plus what was sent to it by mistake.
    function invariant_1_eraIsConserved() public {
        _now();
        _assertEq(token.totalSupply(), handler.ghostMinted(), "totalSupply == genesis + minted");
        address[] memory holders = handler.holders();
        uint256 sum;
        for (uint256 i; i < holders.length; ++i) sum += token.balanceOf(holders[i]);
        _assertEq(sum, token.totalSupply(), "sum of all balances == totalSupply");

        uint256 routerOwed = router.totalClaimable() + router.userPool() + router.protocolPool();
        _owes(address(router), routerOwed, handler.ghostDonated(address(router)) - handler.ghostRouterRecovered());
        _owes(address(distributor), _distributorOwed(), handler.ghostDonated(address(distributor)));
        _owes(address(staking), _stakingOwed(), handler.ghostDonated(address(staking)));
        _owes(address(registry), _registryOwed(), handler.ghostDonated(address(registry)));
        _distributorPoolsAddUp(IEpochDistributor.EpochKind.DeveloperSubsidy);
        _distributorPoolsAddUp(IEpochDistributor.EpochKind.UserReward);
        _noViolation(1);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 2. Staking solvency
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Yield accrued never exceeds what was funded; the owed-yield bucket covers every delegator's claimable
    /// yield; pool shares and stake are fully attributed; the contract holds every delegator's exit value on top of
    /// its reserve; and every exit and claim the handler tried went through (see also `afterInvariant`).
    function invariant_2_stakingIsSolvent() public {
        _now();
        (uint256 reserve, uint256 yieldOwed, , , ) = staking.reserveStatus();
        _assertEq(
            reserve + yieldOwed + handler.ghostYieldPaid(),
            handler.ghostReserveFunded(),
            "reserve + owed + paid yield == funded (accrual is bounded by funding)"
        );

        uint256 claimable;
        uint256 exitValues;
        uint256 nodeCount = registry.nodeCount();
        for (uint256 u; u < handler.USER_COUNT(); ++u) {
            address user = handler.users(u);
            uint256 settled = staking.settledYield(user);
            claimable += settled;
            for (uint256 n = 1; n <= nodeCount; ++n) {
                claimable += staking.claimableYield(user, n) - settled;
                exitValues += handler.exitValue(user, n);
            }
        }
        _assertLe(claimable, yieldOwed, "sum of claimable yield <= yield owed");
        _assertLe(
            exitValues + claimable + reserve,
            token.balanceOf(address(staking)),
            "staking holds every exit value, claimable yield and the reserve"
        );

        for (uint256 n = 1; n <= nodeCount; ++n) _poolIsAttributed(n);
        _noViolation(2);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 3. No double claim
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Every leaf is paid at most once and is marked claimed exactly when it was paid; no epoch pays more
    /// than its budget; the distributor's epoch records match the handler's model; refused claims carried the right
    /// error.
    function invariant_3_noLeafIsPaidTwice() public {
        _now();
        uint256 epochs = handler.epochCount();
        _assertEq(distributor.epochCount(), epochs, "every epoch was proposed by the handler");
        for (uint256 e; e < epochs; ++e) {
            IEpochDistributor.Epoch memory epoch = distributor.getEpoch(e);
            EconomyHandler.EpochModel memory model = handler.epochModel(e);
            _assertLe(epoch.claimed, epoch.budget, "epoch.claimed <= epoch.budget");
            _assertEq(epoch.claimed, model.claimed, "epoch.claimed == sum of paid leaves");
            _assertEq(epoch.budget, model.budget, "epoch.budget as proposed");
            _assertTrue(epoch.vetoed == model.vetoed && epoch.swept == model.swept, "epoch flags match the model");
            uint256 leaves = handler.leafCount(e);
            for (uint256 i; i < leaves; ++i) {
                uint256 count = handler.ghostClaimCount(e, i);
                _assertLe(count, 1, "a leaf is paid at most once");
                _assertTrue(distributor.isClaimed(e, i) == (count == 1), "isClaimed == leaf was paid");
            }
        }
        _noViolation(3);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 4. A split pays out exactly what came in
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Everything paid into the router is either claimed, claimable, in a pool, or flushed to the reserve or
    /// the reward pool, to the wei; claimable balances add up to `totalClaimable`; each payment's parts matched
    /// `previewSplit` and added up to the amount.
    function invariant_4_splitsPayExactlyWhatCameIn() public {
        _now();
        _assertEq(
            handler.ghostRouterPaidIn(),
            handler.ghostRouterClaimed() +
                router.totalClaimable() +
                router.userPool() +
                router.protocolPool() +
                handler.ghostFlushedToReserve() +
                handler.ghostFlushedToRewards(),
            "paid in == claimed + claimable + pools + flushed"
        );
        uint256 sum;
        for (uint256 i; i < 9; ++i) sum += router.claimable(handler.anyone(i));
        _assertEq(sum, router.totalClaimable(), "sum of claimable balances == totalClaimable");
        _noViolation(4);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 7. APR band
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Every node's APR (and one node id past the last) is in [800, 1200] bps and equals 8% + 4% × its score.
    function invariant_7_aprStaysInBand() public {
        _now();
        uint256 nodeCount = registry.nodeCount();
        for (uint256 n = 1; n <= nodeCount + 1; ++n) {
            uint256 apr = staking.aprOf(n);
            _assertGe(apr, 800, "aprOf >= 800 bps");
            _assertLe(apr, 1_200, "aprOf <= 1200 bps");
            _assertEq(apr, 800 + (400 * handler.ghostScore(n)) / 10_000, "aprOf == 8% + 4% x score");
            _assertEq(staking.nodePool(n).aprBps, apr, "nodePool.aprBps == aprOf");
        }
        _noViolation(7);
    }

    /// @notice At the end of every sequence, everyone leaves, and every exit must work (invariant 2).
    function afterInvariant() external {
        handler.exitEveryone();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev The fuzzer picks uniformly from the selector list, so an action listed k times runs k times as often.
    /// The actions that move value (and time, so that unbonding periods, dispute windows and claim deadlines pass
    /// within a sequence) are listed more often than the rare or administrative ones.
    function _targetHandler() private {
        EconomyHandler h = handler;
        _weigh(h.warp.selector, 10);
        _weigh(h.delegate.selector, 4);
        _weigh(h.undelegate.selector, 3);
        _weigh(h.withdrawStake.selector, 3);
        _weigh(h.claimYield.selector, 2);
        _weigh(h.payRevenue.selector, 4);
        _weigh(h.proposeEpoch.selector, 3);
        _weigh(h.claimLeaf.selector, 5);
        _weigh(h.fundReserve.selector, 2);
        _weigh(h.delegateFor.selector, 2);
        _weigh(h.claimAndRedelegate.selector, 2);
        _weigh(h.claimRevenue.selector, 2);
        _weigh(h.flushPools.selector, 2);
        _weigh(h.claimLeafTwice.selector, 2);
        _weigh(h.claimRewardAndDelegate.selector, 2);
        _weigh(h.claimForged.selector, 1);
        _weigh(h.sweep.selector, 2);
        _weigh(h.veto.selector, 1);
        _weigh(h.fundDistributor.selector, 1);
        _weigh(h.setScore.selector, 2);
        _weigh(h.slash.selector, 1);
        _weigh(h.registerNode.selector, 1);
        _weigh(h.topUpBond.selector, 1);
        _weigh(h.unbondBond.selector, 1);
        _weigh(h.withdrawBond.selector, 1);
        _weigh(h.rotateSigningKey.selector, 1);
        _weigh(h.poke.selector, 1);
        _weigh(h.registerScenario.selector, 1);
        _weigh(h.moveScenario.selector, 1);
        _weigh(h.transferScenario.selector, 1);
        _weigh(h.setClassShares.selector, 1);
        _weigh(h.recoverRouterExcess.selector, 1);
        _weigh(h.mint.selector, 1);
        _weigh(h.donate.selector, 1);
        _weigh(h.setPaused.selector, 1);
        _targetContract(address(handler));
        _targetSelectors(address(handler), _weighted);
    }

    function _weigh(bytes4 selector, uint256 weight) private {
        for (uint256 i; i < weight; ++i) _weighted.push(selector);
    }

    /// @dev Views below depend on block.timestamp: read them at the campaign's clock.
    function _now() private {
        VM.warp(handler.currentTime());
    }

    function _owes(address holder, uint256 owed, uint256 donated) private view {
        uint256 balance = token.balanceOf(holder);
        _assertGe(balance, owed, string.concat(_nameOf(holder), ": balance >= owed"));
        _assertEq(balance, owed + donated, string.concat(_nameOf(holder), ": balance == owed + donations"));
    }

    function _distributorOwed() private view returns (uint256 owed) {
        owed =
            distributor.available(IEpochDistributor.EpochKind.DeveloperSubsidy) +
            distributor.available(IEpochDistributor.EpochKind.UserReward);
        uint256 epochs = distributor.epochCount();
        for (uint256 e; e < epochs; ++e) {
            IEpochDistributor.Epoch memory epoch = distributor.getEpoch(e);
            if (!epoch.vetoed && !epoch.swept) owed += epoch.budget - epoch.claimed;
        }
    }

    /// @dev What was funded for a kind is either still available, paid out by claims, or reserved by a live epoch.
    function _distributorPoolsAddUp(IEpochDistributor.EpochKind kind) private view {
        uint256 accounted = distributor.available(kind);
        uint256 epochs = distributor.epochCount();
        for (uint256 e; e < epochs; ++e) {
            IEpochDistributor.Epoch memory epoch = distributor.getEpoch(e);
            if (epoch.kind != kind) continue;
            accounted += epoch.claimed;
            if (!epoch.vetoed && !epoch.swept) accounted += epoch.budget - epoch.claimed;
        }
        _assertEq(
            handler.ghostDistributorFunded(uint256(kind)),
            accounted,
            "distributor: funded == available + claimed + reserved by live epochs"
        );
    }

    function _stakingOwed() private view returns (uint256 owed) {
        (uint256 reserve, uint256 yieldOwed, , , ) = staking.reserveStatus();
        owed = reserve + yieldOwed;
        uint256 nodeCount = registry.nodeCount();
        for (uint256 n = 1; n <= nodeCount; ++n) {
            IDelegatedStaking.NodePoolView memory pool = staking.nodePool(n);
            owed += pool.stake + pool.unbondingStake;
        }
    }

    function _registryOwed() private view returns (uint256 owed) {
        uint256 nodeCount = registry.nodeCount();
        for (uint256 n = 1; n <= nodeCount; ++n) {
            INodeRegistry.NodeView memory node = registry.getNode(n);
            owed += node.bond + node.unbondingBond;
        }
    }

    /// @dev A node's active shares all belong to known delegators and their stake covers their positions; the same
    /// for the unbonding pool and its entries.
    function _poolIsAttributed(uint256 nodeId) private view {
        IDelegatedStaking.NodePoolView memory pool = staking.nodePool(nodeId);
        uint256 shares;
        uint256 stake;
        uint256 unbondingShares;
        uint256 unbondingValue;
        for (uint256 u; u < handler.USER_COUNT(); ++u) {
            address user = handler.users(u);
            shares += staking.sharesOf(user, nodeId);
            stake += staking.stakeOf(user, nodeId);
            IDelegatedStaking.UnbondingEntry[] memory entries = staking.unbondingsOf(user, nodeId);
            for (uint256 i; i < entries.length; ++i) {
                unbondingShares += entries[i].shares;
                unbondingValue += staking.unbondingValue(user, nodeId, i);
            }
        }
        _assertEq(shares, pool.shares, "sum of positions == pool shares");
        _assertLe(stake, pool.stake, "sum of stakeOf <= pool stake");
        // Entries from before a 100% slash keep their (now worthless) shares; the pool's count only covers later ones.
        _assertGe(unbondingShares, pool.unbondingShares, "sum of entries >= unbonding shares");
        _assertLe(unbondingValue, pool.unbondingStake, "sum of entry values <= unbonding stake");
    }

    function _noViolation(uint256 invariantNo) private view {
        uint256 count = handler.violations(invariantNo);
        if (count != 0) revert AssertionFailed(handler.firstViolation(invariantNo), count, 0);
    }

    function _nameOf(address holder) private view returns (string memory) {
        if (holder == address(router)) return "RevenueRouter";
        if (holder == address(distributor)) return "EpochDistributor";
        if (holder == address(staking)) return "DelegatedStaking";
        return "NodeRegistry";
    }
}
