// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title BasisPoints
/// @notice Basis-point arithmetic with the rounding stated at each call site.
library BasisPoints {
    /// @notice 100% in basis points.
    uint256 internal constant BPS = 10_000;

    /// @notice `amount × bps / 10,000`, rounded down.
    function mulBpsDown(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return (amount * bps) / BPS;
    }
}
