// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A bare `require` is how the SMTChecker takes a precondition; this contract is never deployed (docs/solhint.md).
/* solhint-disable gas-custom-errors */

/// @title StakingChargeCheck
/// @notice SMTChecker harness (`npm run check:smt`) of `DelegatedStaking._charge`, what the reserve pays for.
/// Never deployed. DelegatedStaking is far too large for the checker and its math lives in private functions, so
/// the `_` functions below copy its expressions (named in their comments) with checked arithmetic where it uses
/// `unchecked`, and the check script fails if the copied lines change. Bounds are those the contract enforces:
/// stake < 2^96, shares < 2^128, global rate < 2^104, reserve < 2^96, score ≤ 10,000.
contract StakingChargeCheck {
    uint256 private constant YIELD_DENOMINATOR = 10_000 * 365 days * 1e18;

    /// @notice The reserve charge never exceeds the reserve when it falls short, pays for no more time than elapsed,
    /// and (rounded up) covers the yield of the time it pays for: Σ node accruals ≤ charged ≤ reserve.
    function checkCharge(uint256 rate, uint256 reserve, uint256 elapsed) external pure {
        require(rate != 0 && rate < 2 ** 104 && reserve < 2 ** 96 && elapsed < 2 ** 100);
        (uint256 required, uint256 charged, uint256 funded) = _charge(rate, reserve, elapsed);
        assert(charged <= reserve || required <= reserve);
        assert(charged <= required);
        assert(funded <= elapsed);
        assert(charged * YIELD_DENOMINATOR >= rate * funded);
    }

    /// @dev `_charge`, with `Math.ceilDiv(x, d)` written as `x == 0 ? 0 : (x - 1) / d + 1` (its definition).
    function _charge(
        uint256 rate,
        uint256 reserve,
        uint256 elapsed
    ) private pure returns (uint256 required, uint256 charged, uint256 funded) {
        required = _ceilDiv(rate * elapsed, YIELD_DENOMINATOR);
        if (required <= reserve) return (required, required, elapsed);
        funded = (reserve * YIELD_DENOMINATOR) / rate;
        charged = _ceilDiv(rate * funded, YIELD_DENOMINATOR);
    }

    function _ceilDiv(uint256 x, uint256 d) private pure returns (uint256) {
        return x == 0 ? 0 : (x - 1) / d + 1;
    }
}
