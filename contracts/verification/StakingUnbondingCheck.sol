// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A bare `require` is how the SMTChecker takes a precondition; this contract is never deployed (docs/solhint.md).
/* solhint-disable gas-custom-errors */

/// @title StakingUnbondingCheck
/// @notice SMTChecker harness (`npm run check:smt`) of `DelegatedStaking`'s unbonding withdrawals and slashes.
/// Never deployed. DelegatedStaking is far too large for the checker and its math lives in private functions, so
/// the `_` functions below copy its expressions (named in their comments) with checked arithmetic where it uses
/// `unchecked`, and the check script fails if the copied lines change. Bounds are those the contract enforces:
/// stake < 2^96, shares < 2^128, global rate < 2^104, reserve < 2^96, score ≤ 10,000.
contract StakingUnbondingCheck {
    uint256 private constant MAX_SHARES = type(uint128).max;
    uint256 private constant ERA_CAP = 1e27;

    /// @notice A withdrawn entry is worth at most the unbonding pool's stake, so the pool never underflows.
    function checkWithdrawValue(uint256 entryShares, uint256 uStake, uint256 uShares) external pure {
        require(uShares != 0 && uShares <= MAX_SHARES && uStake <= MAX_SHARES && entryShares <= uShares);
        assert(_entryValue(entryShares, uStake, uShares) <= uStake);
    }

    /// @notice A partial slash takes from each pool pro rata, rounded down: at most what was asked, at most each
    /// pool's stake. Bounded by ERA's cap (10^27 wei), which the staking contract holds both pools in: the pools'
    /// 128-bit widths alone are not enough (2^129 × 2^128 > 2^256; the checker finds the overflow at an unbonding
    /// stake near 2^128), the cap is, as the contract's comment says.
    function checkSlashProRata(uint256 amount, uint256 active, uint256 unbonding) external pure {
        require(active <= ERA_CAP && unbonding <= ERA_CAP - active);
        uint256 total = active + unbonding;
        require(amount < total);
        (uint256 fromActive, uint256 fromUnbonding) = _slashParts(amount, active, unbonding, total);
        assert(fromActive <= active && fromUnbonding <= unbonding);
        assert(fromActive + fromUnbonding <= amount);
    }

    /// @dev `withdraw`, one entry.
    function _entryValue(uint256 entryShares, uint256 uStake, uint256 uShares) private pure returns (uint256 value) {
        value = (entryShares * uStake) / uShares;
    }

    /// @dev `slashDelegations`, a partial slash (before the dust rule, which only takes a pool whole).
    function _slashParts(
        uint256 amount,
        uint256 active,
        uint256 unbonding,
        uint256 total
    ) private pure returns (uint256 fromActive, uint256 fromUnbonding) {
        fromActive = (amount * active) / total;
        fromUnbonding = (amount * unbonding) / total;
    }
}
