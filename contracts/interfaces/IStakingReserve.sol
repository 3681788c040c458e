// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IStakingReserve
/// @notice What the revenue router needs of the staking contract: a way to fund the yield reserve.
interface IStakingReserve {
    /// @notice Pulls `amount` ERA from the caller into the yield reserve.
    function fundReserve(uint256 amount) external;
}
