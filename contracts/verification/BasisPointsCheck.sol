// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A bare `require` is how the SMTChecker takes a precondition; this contract is never deployed (docs/solhint.md).
/* solhint-disable gas-custom-errors */

import {BasisPoints} from "../libraries/BasisPoints.sol";

/// @title BasisPointsCheck
/// @notice SMTChecker harness (`npm run check:smt`) of `BasisPoints.mulBpsDown`, called as the contracts call it.
/// Never deployed. Amounts are bounded by 2^128 − 1 wei (ERA's cap is 10^27 < 2^90), shares by 100%.
contract BasisPointsCheck {
    uint256 private constant MAX_AMOUNT = type(uint128).max;

    /// @notice A share is at most the whole, rounded down by less than one wei, and never overflows.
    function checkRoundsDown(uint256 amount, uint256 bps) external pure {
        require(amount <= MAX_AMOUNT && bps <= BasisPoints.BPS);
        uint256 part = BasisPoints.mulBpsDown(amount, bps);
        assert(part <= amount);
        assert(part * BasisPoints.BPS <= amount * bps);
        assert(amount * bps < (part + 1) * BasisPoints.BPS);
    }

    /// @notice A larger amount never gets a smaller share.
    function checkMonotoneInAmount(uint256 amount, uint256 more, uint256 bps) external pure {
        require(amount <= MAX_AMOUNT && more <= MAX_AMOUNT && bps <= BasisPoints.BPS);
        assert(BasisPoints.mulBpsDown(amount, bps) <= BasisPoints.mulBpsDown(amount + more, bps));
    }

    /// @notice A larger rate never gets a smaller share.
    function checkMonotoneInBps(uint256 amount, uint256 bps, uint256 more) external pure {
        require(amount <= MAX_AMOUNT && bps <= BasisPoints.BPS && more <= BasisPoints.BPS - bps);
        assert(BasisPoints.mulBpsDown(amount, bps) <= BasisPoints.mulBpsDown(amount, bps + more));
    }

    /// @notice Complementary shares, each rounded down, never add up to more than the whole (and lose < 2 wei).
    function checkComplement(uint256 amount, uint256 bps) external pure {
        require(amount <= MAX_AMOUNT && bps <= BasisPoints.BPS);
        uint256 sum = BasisPoints.mulBpsDown(amount, bps) + BasisPoints.mulBpsDown(amount, BasisPoints.BPS - bps);
        assert(sum <= amount);
        assert(amount - sum <= 1);
    }

    /// @notice Splitting a payment in two never earns a share more than paying it at once (no gain from splitting).
    function checkNoGainFromSplitting(uint256 a, uint256 b, uint256 bps) external pure {
        require(a <= MAX_AMOUNT && b <= MAX_AMOUNT && bps <= BasisPoints.BPS);
        assert(BasisPoints.mulBpsDown(a, bps) + BasisPoints.mulBpsDown(b, bps) <= BasisPoints.mulBpsDown(a + b, bps));
    }
}
