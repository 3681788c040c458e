// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A bare `require` is how the SMTChecker takes a precondition; this contract is never deployed (docs/solhint.md).
/* solhint-disable gas-custom-errors */

import {BasisPoints} from "../libraries/BasisPoints.sol";

/// @title RevenueSplitCopy
/// @notice SMTChecker harness base (`npm run check:smt`) of `RevenueRouter.previewSplit` at one class's shares, which
/// each harness fixes by overriding `_shares` (constant shares keep the arithmetic linear, which the solver decides;
/// for any shares, `BasisPointsCheck.checkThreeParts` proves the remainder never underflows). `_split` is the body of
/// `previewSplit` (the router itself is too large for the checker); the check script fails if the router's lines
/// copied here change. Never deployed.
abstract contract RevenueSplitCopy {
    uint256 private constant MAX_AMOUNT = type(uint128).max;

    /// @notice For any payment up to 2^128 − 1 wei, the four parts add up to the payment exactly, none underflows,
    /// and the protocol share (which takes the rounding remainder) is its own rate plus less than 3 wei of dust.
    function checkSplit(uint256 amount) external pure {
        require(amount <= MAX_AMOUNT);
        (uint256 node, uint256 pool, uint256 protocol, uint256 developer) = _split(amount);
        assert(node + pool + protocol + developer == amount);
        (, , uint16 protocolBps) = _shares();
        assert(protocol * BasisPoints.BPS < amount * protocolBps + 3 * BasisPoints.BPS);
        assert(protocol * BasisPoints.BPS >= amount * protocolBps);
    }

    /// @dev The class's node, user-pool and protocol shares, in basis points.
    function _shares() internal pure virtual returns (uint16 nodeBps, uint16 userPoolBps, uint16 protocolBps);

    /// @dev `previewSplit`, `s` replaced by `_shares()`.
    function _split(
        uint256 amount
    ) internal pure returns (uint256 node, uint256 pool, uint256 protocol, uint256 developer) {
        (uint16 nodeBps, uint16 userPoolBps, uint16 protocolBps) = _shares();
        node = BasisPoints.mulBpsDown(amount, nodeBps);
        pool = BasisPoints.mulBpsDown(amount, userPoolBps);
        developer = BasisPoints.mulBpsDown(amount, BasisPoints.BPS - nodeBps - userPoolBps - protocolBps);
        protocol = amount - node - pool - developer;
    }
}
