// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title PermitLib
/// @notice Applies an EIP-2612 permit without letting a front-runner grief the call.
/// @dev A permit that was already used (e.g. submitted by someone watching the mempool) makes `permit` revert; the
/// allowance it granted is still in place, so the failure is ignored and the following `transferFrom` decides.
library PermitLib {
    /// @notice Calls `permit` and swallows its revert; the caller's `safeTransferFrom` is the real check.
    function tryPermit(
        IERC20Permit token,
        address owner,
        address spender,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) internal {
        // A failed permit (e.g. front-run) must not fail the payment: the transfer that follows checks the allowance.
        // solhint-disable-next-line no-empty-blocks
        try token.permit(owner, spender, amount, deadline, v, r, s) {} catch {}
    }
}
