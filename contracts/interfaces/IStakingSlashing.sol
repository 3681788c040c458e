// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IStakingSlashing
/// @notice The part of the staking contract the node registry calls when a slash exceeds the node's bond.
interface IStakingSlashing {
    /// @notice Takes up to `amount` ERA from the delegations of `nodeId` (active and unbonding, pro rata) and sends
    /// it to `recipient`.
    /// @dev Callable only by the node registry.
    /// @return slashed The ERA actually taken.
    function slashDelegations(uint256 nodeId, uint256 amount, address recipient) external returns (uint256 slashed);
}
