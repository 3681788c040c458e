// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title EraTimelock
/// @notice The protocol's governance executor: holds `DEFAULT_ADMIN_ROLE` of every ERA contract, so every parameter
/// change is public for `minDelay` before it can be executed.
/// @dev OpenZeppelin's TimelockController, unchanged; this file only gives it a name and an artifact to deploy.
contract EraTimelock is TimelockController {
    /// @param minDelay Seconds between scheduling and executing an operation.
    /// @param proposers Accounts that may schedule (and cancel) operations.
    /// @param executors Accounts that may execute ready operations; `address(0)` lets anyone execute.
    /// @param admin Optional bootstrap admin of the timelock's own roles; `address(0)` makes it self-governed.
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
