// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlEnumerable} from "@openzeppelin/contracts/access/extensions/AccessControlEnumerable.sol";

/// @title AdminGuarded
/// @notice Role-based access control in which the last holder of `DEFAULT_ADMIN_ROLE` can neither renounce nor be
/// revoked, so a contract can never be left without governance by accident. Admin changes go grant-then-revoke.
abstract contract AdminGuarded is AccessControlEnumerable {
    /// @notice Raised when the last admin would be removed, which would freeze every parameter forever.
    error AdminGuardedLastAdmin(address account);

    /// @notice Raised when a required address argument is zero.
    error AdminGuardedZeroAddress();

    /// @param admin The account that holds `DEFAULT_ADMIN_ROLE` (the timelock in production; a deployer hands it
    /// over at the end of the deployment).
    constructor(address admin) {
        if (admin == address(0)) revert AdminGuardedZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @dev Refuses to remove the last admin, by revoke or renounce alike.
    function _revokeRole(bytes32 role, address account) internal virtual override returns (bool) {
        if (role == DEFAULT_ADMIN_ROLE && hasRole(role, account) && getRoleMemberCount(role) == 1) {
            revert AdminGuardedLastAdmin(account);
        }
        return super._revokeRole(role, account);
    }
}
