// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IStakingSlashing
/// @notice The part of the staking contract the node registry calls: when a slash exceeds the node's bond, and when a
/// node's activity changes.
interface IStakingSlashing {
    /// @notice Emitted whenever the node registry pushes a node's activity (also when it does not change).
    event NodeActivitySet(uint256 indexed nodeId, bool active);

    /// @notice Records whether `nodeId` takes new delegations: the node registry's `isActive(nodeId)` as the registry
    /// last pushed it. Delegations to a node recorded inactive revert with `StakingNodeNotActive`; existing
    /// delegations, undelegations, withdrawals and claims are not affected.
    /// @dev Callable only by the node registry (anyone else: `StakingOnlyRegistry(caller)`). The registry pushes it
    /// when a node action changes the node's activity (registration, a top-up reviving it, an unbond or slash that
    /// makes it exit), and on `NodeRegistry.syncActivity`, which anyone may call for what no node action sees (a
    /// minimum-bond change, nodes registered before staking was wired in).
    function setNodeActive(uint256 nodeId, bool active) external;

    /// @notice Takes up to `amount` ERA from the delegations of `nodeId` (active and unbonding, pro rata) and sends
    /// it to `recipient`.
    /// @dev Callable only by the node registry.
    /// @return slashed The ERA actually taken.
    function slashDelegations(uint256 nodeId, uint256 amount, address recipient) external returns (uint256 slashed);
}
