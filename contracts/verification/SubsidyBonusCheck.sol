// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A bare `require` is how the SMTChecker takes a precondition; this contract is never deployed (docs/solhint.md).
/* solhint-disable gas-custom-errors */

/// @title SubsidyBonusCheck
/// @notice SMTChecker harness (`npm run check:smt`) of `EpochDistributor.subsidyFor`, the on-chain MAU bonus. Never
/// deployed. `_subsidyFor` is copied from the distributor (too large for the checker); the check script fails if the
/// distributor's lines it copies change. Base subsidies are bounded by 2^128 − 1 wei.
contract SubsidyBonusCheck {
    uint256 private constant MAX_AMOUNT = type(uint128).max;
    uint256 private constant MAU_BONUS_THRESHOLD = 100_000;
    uint256 private constant MAU_BONUS_BPS = 1_000;

    /// @notice Above 100,000 MAU the subsidy is the base plus 10% of it rounded down; at or below, the base exactly.
    /// It never overflows, never pays less than the base nor more than 1.1 × the base.
    function checkBonus(uint256 baseAmount, uint256 mau) external pure {
        require(baseAmount <= MAX_AMOUNT);
        uint256 amount = _subsidyFor(baseAmount, mau);
        assert(amount >= baseAmount);
        assert(amount * 10 <= baseAmount * 11);
        if (mau > MAU_BONUS_THRESHOLD) assert(amount * 10 + 9 >= baseAmount * 11);
        else assert(amount == baseAmount);
    }

    /// @notice More users never lower the subsidy.
    function checkMonotoneInMau(uint256 baseAmount, uint256 mau, uint256 moreMau) external pure {
        require(baseAmount <= MAX_AMOUNT && moreMau <= type(uint256).max - mau);
        assert(_subsidyFor(baseAmount, mau) <= _subsidyFor(baseAmount, mau + moreMau));
    }

    /// @notice The design's reference figures (DESIGN.md §3): 100,001 MAU earn 1.1 × S, 100,000 MAU earn S.
    function checkReferenceFigures() external pure {
        assert(_subsidyFor(10_000e18, 100_001) == 11_000e18);
        assert(_subsidyFor(10_000e18, 100_000) == 10_000e18);
    }

    /// @dev Copied from `EpochDistributor.subsidyFor`.
    function _subsidyFor(uint256 baseAmount, uint256 mau) private pure returns (uint256) {
        if (mau > MAU_BONUS_THRESHOLD) return baseAmount + (baseAmount * MAU_BONUS_BPS) / 10_000;
        return baseAmount;
    }
}
