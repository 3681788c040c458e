// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EraToken} from "../../contracts/token/EraToken.sol";
import {NodeRegistry} from "../../contracts/staking/NodeRegistry.sol";
import {DelegatedStaking} from "../../contracts/staking/DelegatedStaking.sol";
import {ScenarioRegistry} from "../../contracts/scenario/ScenarioRegistry.sol";
import {EpochDistributor} from "../../contracts/distribution/EpochDistributor.sol";
import {RevenueRouter} from "../../contracts/revenue/RevenueRouter.sol";
import {IRevenueRouter} from "../../contracts/interfaces/IRevenueRouter.sol";
import {IStakingReserve} from "../../contracts/interfaces/IStakingReserve.sol";
import {ForgeTest} from "./ForgeTest.sol";

/// @title EconomyDeployment
/// @notice Deploys and wires the ERA economy the way deploy/modules/Economy.ts does (same constructor arguments and
/// defaults), except that the test contract stays `DEFAULT_ADMIN_ROLE` everywhere instead of handing it to a timelock,
/// and every operational role goes to a plain address the tests prank as.
abstract contract EconomyDeployment is ForgeTest {
    address internal constant TREASURY = address(uint160(uint256(keccak256("era.treasury"))));
    address internal constant MINTER = address(uint160(uint256(keccak256("era.minter"))));
    address internal constant SLASHER = address(uint160(uint256(keccak256("era.slasher"))));
    address internal constant SLASH_RECIPIENT = address(uint160(uint256(keccak256("era.slashRecipient"))));
    address internal constant SCORE_KEEPER = address(uint160(uint256(keccak256("era.scoreKeeper"))));
    address internal constant PUBLISHER = address(uint160(uint256(keccak256("era.publisher"))));
    address internal constant GUARDIAN = address(uint160(uint256(keccak256("era.guardian"))));

    // ECONOMY_DEFAULTS of deploy/modules/Economy.ts.
    uint256 internal constant SUPPLY_CAP = 1_000_000_000 ether;
    uint256 internal constant GENESIS_SUPPLY = 400_000_000 ether;
    uint256 internal constant MIN_BOND = 10_000 ether;
    uint64 internal constant NODE_UNBONDING_PERIOD = 14 days;
    uint64 internal constant STAKING_UNBONDING_PERIOD = 7 days;
    uint64 internal constant DISPUTE_WINDOW = 2 days;
    uint64 internal constant CLAIM_PERIOD = 90 days;
    /// @notice A realistic start time (forge starts at timestamp 1).
    uint256 internal constant START_TIME = 1_700_000_000;

    EraToken internal token;
    NodeRegistry internal registry;
    DelegatedStaking internal staking;
    ScenarioRegistry internal scenarios;
    EpochDistributor internal distributor;
    RevenueRouter internal router;

    function _deployEconomy() internal {
        _deployEconomyContracts();
        token.grantRole(token.MINTER_ROLE(), MINTER);
        registry.grantRole(registry.SLASHER_ROLE(), SLASHER);
    }

    /// @dev Everything but `MINTER_ROLE` and `SLASHER_ROLE` (`SuiteDeployment` gives those to its timelock).
    function _deployEconomyContracts() internal {
        VM.warp(START_TIME);
        address admin = address(this);
        token = new EraToken(SUPPLY_CAP, admin, TREASURY, GENESIS_SUPPLY);
        registry = new NodeRegistry(token, admin, MIN_BOND, NODE_UNBONDING_PERIOD);
        staking = new DelegatedStaking(token, registry, admin, STAKING_UNBONDING_PERIOD);
        registry.setStaking(staking);
        scenarios = new ScenarioRegistry(registry, admin);
        distributor = new EpochDistributor(token, staking, admin, DISPUTE_WINDOW, CLAIM_PERIOD);
        router = new RevenueRouter(
            token,
            scenarios,
            registry,
            IStakingReserve(address(staking)),
            distributor,
            admin,
            IRevenueRouter.ClassShares(3_000, 1_000, 500),
            IRevenueRouter.ClassShares(2_800, 1_000, 500),
            IRevenueRouter.ClassShares(2_609, 1_000, 500)
        );

        staking.grantRole(staking.SCORE_KEEPER_ROLE(), SCORE_KEEPER);
        distributor.grantRole(distributor.PUBLISHER_ROLE(), PUBLISHER);
        distributor.grantRole(distributor.GUARDIAN_ROLE(), GUARDIAN);
        bytes32 pauser = registry.PAUSER_ROLE();
        registry.grantRole(pauser, GUARDIAN);
        staking.grantRole(pauser, GUARDIAN);
        scenarios.grantRole(pauser, GUARDIAN);
        distributor.grantRole(pauser, GUARDIAN);
        router.grantRole(pauser, GUARDIAN);

        VM.label(address(token), "EraToken");
        VM.label(address(registry), "NodeRegistry");
        VM.label(address(staking), "DelegatedStaking");
        VM.label(address(scenarios), "ScenarioRegistry");
        VM.label(address(distributor), "EpochDistributor");
        VM.label(address(router), "RevenueRouter");
        VM.label(TREASURY, "treasury");
        VM.label(SLASH_RECIPIENT, "slashRecipient");
    }
}
