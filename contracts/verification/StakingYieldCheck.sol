// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A bare `require` is how the SMTChecker takes a precondition; this contract is never deployed (docs/solhint.md).
/* solhint-disable gas-custom-errors */

/// @title StakingYieldCheck
/// @notice SMTChecker harness (`npm run check:smt`) of `DelegatedStaking`'s yield per share and per delegator.
/// Never deployed. DelegatedStaking is far too large for the checker and its math lives in private functions, so
/// the `_` functions below copy its expressions (named in their comments) with checked arithmetic where it uses
/// `unchecked`, and the check script fails if the copied lines change. Bounds are those the contract enforces:
/// stake < 2^96, shares < 2^128, global rate < 2^104, reserve < 2^96, score ≤ 10,000.
contract StakingYieldCheck {
    uint256 private constant YIELD_DENOMINATOR = 10_000 * 365 days * 1e18;
    uint256 private constant MAX_SHARES = type(uint128).max;

    /// @notice A pool at a price ≤ 1 grows its accumulator by at most `apr × elapsed` (the bound behind the 120-bit
    /// accumulator), and the price-one shortcut equals the general formula.
    function checkAccumulatorGrowth(uint256 stake, uint256 shares, uint256 apr, uint256 elapsed) external pure {
        require(shares != 0 && stake <= shares && shares <= MAX_SHARES && apr >= 800 && apr <= 1200);
        require(elapsed < 2 ** 112);
        uint256 growth = _growth(stake, shares, apr, elapsed);
        assert(growth <= apr * elapsed);
        if (stake == shares) assert(growth == (stake * apr * elapsed) / shares);
    }

    /// @notice Two delegators of one pool never earn more together than the pool accrued (yield per share and per
    /// delegator rounded down), and the product cannot overflow.
    function checkYieldSplit(uint256 s1, uint256 s2, uint256 shares, uint256 growth) external pure {
        require(shares <= MAX_SHARES && s1 <= shares && s2 <= shares - s1 && growth < 2 ** 120);
        uint256 e1 = _earned(s1, growth);
        uint256 e2 = _earned(s2, growth);
        assert((e1 + e2) * YIELD_DENOMINATOR <= shares * growth);
    }

    /// @dev `_accOf`, the growth since the checkpoint.
    function _growth(uint256 stake, uint256 shares, uint256 apr, uint256 elapsed) private pure returns (uint256) {
        return stake == shares ? apr * elapsed : (stake * apr * elapsed) / shares;
    }

    /// @dev `_takeYield` / `_creditYield`.
    function _earned(uint256 positionShares, uint256 growth) private pure returns (uint256) {
        return (positionShares * growth) / YIELD_DENOMINATOR;
    }
}
