// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStakingSlashing} from "../interfaces/IStakingSlashing.sol";

/// @title StakingMockRegistry
/// @notice Test-only node registry: node activity is set freely, and slashes are forwarded to the staking contract
/// as they are given (including amounts the real registry never forwards, such as zero).
contract StakingMockRegistry {
    /// @notice Whether a node takes delegations.
    mapping(uint256 nodeId => bool) public isActive;
    /// @notice The staking contract activity is pushed to (none until set).
    IStakingSlashing public staking;

    /// @notice Sets the staking contract `setActive` pushes to.
    function setStaking(IStakingSlashing staking_) external {
        staking = staking_;
    }

    /// @notice Sets whether `nodeId` is active, and pushes it to the staking contract once that is set.
    function setActive(uint256 nodeId, bool active) external {
        isActive[nodeId] = active;
        if (address(staking) != address(0)) staking.setNodeActive(nodeId, active);
    }

    /// @notice Forwards a slash of `amount` from `nodeId`'s delegations to `target`.
    function slash(
        IStakingSlashing target,
        uint256 nodeId,
        uint256 amount,
        address recipient
    ) external returns (uint256) {
        return target.slashDelegations(nodeId, amount, recipient);
    }
}
