// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {AdminGuarded} from "./AdminGuarded.sol";

/// @title Governed
/// @notice Access control of every ERA contract that takes funds in: roles (held by the timelock and by operational
/// keys) plus an emergency pause that only ever stops *inflows* (new deposits, payments, registrations).
/// @dev Inheritors apply `whenNotPaused` to inflows only. Withdrawals, unbonding exits and claims of what is already
/// owed are never paused, so a pause can delay new business but never lock funds in.
abstract contract Governed is AdminGuarded, Pausable {
    /// @notice Role that may pause and unpause inflows (an emergency guardian, typically a multisig).
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    constructor(address admin) AdminGuarded(admin) {}

    /// @notice Stops inflows (deposits, payments, registrations). Outflows keep working.
    /// @dev Callable by `PAUSER_ROLE`.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes inflows.
    /// @dev Callable by `PAUSER_ROLE`.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }
}
