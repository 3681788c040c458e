// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IDelegatedStaking} from "../interfaces/IDelegatedStaking.sol";

/// @title StakingFlashStaker
/// @notice Test-only attacker: delegates and undelegates in one transaction, trying to capture yield that accrued to
/// the pool before it joined.
contract StakingFlashStaker {
    using SafeERC20 for IERC20;

    /// @notice The staking contract attacked.
    IDelegatedStaking public immutable staking;
    /// @notice The token staked.
    IERC20 public immutable era;

    /// @param staking_ The staking contract attacked.
    /// @param era_ The token staked.
    constructor(IDelegatedStaking staking_, IERC20 era_) {
        staking = staking_;
        era = era_;
    }

    /// @notice Delegates `amount` (held by this contract) to `nodeId` and undelegates all of it at once.
    /// @return unbonding The ERA that entered unbonding.
    function flashStake(uint256 nodeId, uint256 amount) public returns (uint256 unbonding) {
        era.forceApprove(address(staking), amount);
        staking.delegate(nodeId, amount);
        unbonding = staking.undelegate(nodeId, type(uint256).max);
    }

    /// @notice `flashStake`, then tries to claim yield in the same transaction.
    function flashStakeAndClaim(uint256 nodeId, uint256 amount) external returns (uint256) {
        flashStake(nodeId, amount);
        return staking.claim(nodeId);
    }

    /// @notice Withdraws this contract's matured unbonding entries.
    function withdraw(uint256 nodeId) external returns (uint256) {
        return staking.withdraw(nodeId);
    }
}
