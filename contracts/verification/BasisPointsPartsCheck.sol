// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A bare `require` is how the SMTChecker takes a precondition; this contract is never deployed (docs/solhint.md).
/* solhint-disable gas-custom-errors */

import {BasisPoints} from "../libraries/BasisPoints.sol";

/// @title BasisPointsPartsCheck
/// @notice SMTChecker harness (`npm run check:smt`) of `BasisPoints.mulBpsDown` over three shares of one amount, apart
/// from `BasisPointsCheck` because the solver needs its own budget for it. Never deployed.
contract BasisPointsPartsCheck {
    uint256 private constant MAX_AMOUNT = type(uint128).max;

    /// @notice Three shares whose rates add up to at most 100%, each rounded down, never add up to more than the whole:
    /// `RevenueRouter.previewSplit`'s node, user-pool and developer parts, so its protocol remainder never underflows.
    function checkThreeParts(uint256 amount, uint256 x, uint256 y, uint256 z) external pure {
        require(amount <= MAX_AMOUNT && x <= BasisPoints.BPS && y <= BasisPoints.BPS - x);
        require(z <= BasisPoints.BPS - x - y);
        uint256 parts = BasisPoints.mulBpsDown(amount, x) + BasisPoints.mulBpsDown(amount, y);
        assert(parts + BasisPoints.mulBpsDown(amount, z) <= amount);
    }
}
