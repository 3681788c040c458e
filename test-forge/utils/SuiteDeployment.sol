// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EraTimelock} from "../../contracts/governance/EraTimelock.sol";
import {AdminGuarded} from "../../contracts/governance/AdminGuarded.sol";
import {SettlementEngine} from "../../contracts/execution/SettlementEngine.sol";
import {NotaryRegistry} from "../../contracts/execution/NotaryRegistry.sol";
import {ExecutionHub} from "../../contracts/execution/ExecutionHub.sol";
import {BatchCommitments} from "../../contracts/execution/BatchCommitments.sol";
import {IStakingReserve} from "../../contracts/interfaces/IStakingReserve.sol";
import {EconomyDeployment} from "./EconomyDeployment.sol";

/// @title SuiteDeployment
/// @notice Deploys the whole suite the way deploy/modules/Suite.ts does: the economy, the execution layer on top of
/// it, the guardian's pause rights, `MINTER_ROLE` and `SLASHER_ROLE` with the timelock (and `SLASHER_ROLE` with the
/// batch commitments), the hub as score keeper, and finally `DEFAULT_ADMIN_ROLE` of every contract handed to the
/// `EraTimelock` (governor proposes, anyone executes) and renounced by the deployer (this contract).
abstract contract SuiteDeployment is EconomyDeployment {
    address internal constant GOVERNOR = address(uint160(uint256(keccak256("era.governor"))));

    // TIMELOCK delay of deploy/modules/EconomyCore.ts and EXECUTION_DEFAULTS of deploy/modules/ExecutionLayer.ts.
    uint256 internal constant TIMELOCK_DELAY = 2 days;
    uint64 internal constant CHALLENGE_WINDOW = 24 hours;
    uint64 internal constant ANSWER_WINDOW = 12 hours;
    uint256 internal constant CHALLENGE_BOND = 100 ether;
    uint256 internal constant FRAUD_SLASH = 5_000 ether;
    uint256 internal constant BOUNTY_BPS = 2_000;

    EraTimelock internal timelock;
    SettlementEngine internal engine;
    NotaryRegistry internal notary;
    ExecutionHub internal hub;
    BatchCommitments internal commitments;

    function _deploySuite() internal {
        _deployEconomyContracts();
        address deployer = address(this);
        address[] memory proposers = new address[](1);
        proposers[0] = GOVERNOR;
        address[] memory executors = new address[](1); // address(0): anyone executes a ready operation
        timelock = new EraTimelock(TIMELOCK_DELAY, proposers, executors, address(0));
        token.grantRole(token.MINTER_ROLE(), address(timelock));
        registry.grantRole(registry.SLASHER_ROLE(), address(timelock));

        address[] memory tokens = new address[](1);
        tokens[0] = address(token);
        engine = new SettlementEngine(deployer, tokens);
        notary = new NotaryRegistry(registry, scenarios, deployer);
        hub = new ExecutionHub(registry, scenarios, staking, engine, notary, deployer);
        commitments = new BatchCommitments(
            token,
            hub,
            registry,
            IStakingReserve(address(staking)),
            deployer,
            CHALLENGE_WINDOW,
            ANSWER_WINDOW,
            CHALLENGE_BOND,
            FRAUD_SLASH,
            BOUNTY_BPS
        );
        engine.setHub(address(hub));
        notary.setHub(address(hub));
        hub.setCommitments(commitments);
        registry.grantRole(registry.SLASHER_ROLE(), address(commitments));
        staking.grantRole(staking.SCORE_KEEPER_ROLE(), address(hub));
        engine.grantRole(engine.PAUSER_ROLE(), GUARDIAN);

        address[] memory all = _administered();
        for (uint256 i; i < all.length; ++i) {
            AdminGuarded(all[i]).grantRole(bytes32(0), address(timelock));
            AdminGuarded(all[i]).renounceRole(bytes32(0), deployer);
        }
        VM.label(address(timelock), "EraTimelock");
        VM.label(address(engine), "SettlementEngine");
        VM.label(address(notary), "NotaryRegistry");
        VM.label(address(hub), "ExecutionHub");
        VM.label(address(commitments), "BatchCommitments");
        VM.label(GOVERNOR, "governor");
    }

    /// @dev Every contract whose admin is the timelock.
    function _administered() internal view returns (address[] memory list) {
        list = new address[](10);
        address[6] memory pausable = _pausable();
        for (uint256 i; i < 6; ++i) list[i] = pausable[i];
        list[6] = address(token);
        list[7] = address(notary);
        list[8] = address(hub);
        list[9] = address(commitments);
    }

    /// @dev The contracts the guardian may pause.
    function _pausable() internal view returns (address[6] memory) {
        return
            [
                address(registry),
                address(staking),
                address(scenarios),
                address(distributor),
                address(router),
                address(engine)
            ];
    }
}
