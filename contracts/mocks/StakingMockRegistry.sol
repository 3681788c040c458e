// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStakingSlashing} from "../interfaces/IStakingSlashing.sol";

/// @title StakingMockRegistry
/// @notice Test-only node registry: node activity is set freely, and slashes are forwarded to the staking contract
/// as they are given (including amounts the real registry never forwards, such as zero).
contract StakingMockRegistry {
    /// @notice Whether a node takes delegations.
    mapping(uint256 nodeId => bool) public isActive;

    /// @notice Sets whether `nodeId` is active.
    function setActive(uint256 nodeId, bool active) external {
        isActive[nodeId] = active;
    }

    /// @notice Forwards a slash of `amount` from `nodeId`'s delegations to `staking`.
    function slash(
        IStakingSlashing staking,
        uint256 nodeId,
        uint256 amount,
        address recipient
    ) external returns (uint256) {
        return staking.slashDelegations(nodeId, amount, recipient);
    }
}
