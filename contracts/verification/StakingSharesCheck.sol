// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A bare `require` is how the SMTChecker takes a precondition; this contract is never deployed (docs/solhint.md).
/* solhint-disable gas-custom-errors */

/// @title StakingSharesCheck
/// @notice SMTChecker harness (`npm run check:smt`) of `DelegatedStaking`'s active-pool shares: mint and burn.
/// Never deployed. DelegatedStaking is far too large for the checker and its math lives in private functions, so
/// the `_` functions below copy its expressions (named in their comments) with checked arithmetic where it uses
/// `unchecked`, and the check script fails if the copied lines change. Bounds are those the contract enforces:
/// stake < 2^96, shares < 2^128, global rate < 2^104, reserve < 2^96, score ≤ 10,000.
contract StakingSharesCheck {
    uint256 private constant MAX_STAKE = type(uint96).max;
    uint256 private constant MAX_SHARES = type(uint128).max;

    /// @notice A delegation at a price ≤ 1 wei per share mints at least one share per wei (rounded down, in the
    /// pool's favour), keeps the price ≤ 1 and cannot overflow.
    function checkMint(uint256 amount, uint256 stake, uint256 shares) external pure {
        require(amount <= MAX_STAKE && stake != 0 && stake <= shares && shares <= MAX_SHARES);
        uint256 minted = _minted(amount, stake, shares);
        assert(minted >= amount);
        assert(minted * stake <= amount * shares);
        assert(stake + amount <= shares + minted);
    }

    /// @notice An undelegation burns its shares rounded up: the leaver pays the rounding (the shares burned are
    /// worth at least what leaves), the price stays ≤ 1, and no more shares burn than the pool has.
    function checkBurn(uint256 amount, uint256 stake, uint256 shares) external pure {
        require(stake != 0 && stake <= MAX_STAKE && stake <= shares && shares <= MAX_SHARES && amount <= stake);
        uint256 burned = _sharesBurned(amount, stake, shares);
        assert(burned * stake >= amount * shares);
        assert(burned <= shares);
        assert(stake - amount <= shares - burned);
    }

    /// @notice Leaving with all of a position pays at most its pro-rata value and at most the pool's stake.
    function checkLeaveAll(uint256 positionShares, uint256 stake, uint256 shares) external pure {
        require(shares != 0 && shares <= MAX_SHARES && stake <= MAX_STAKE && positionShares <= shares);
        uint256 amount = _amountLeaving(positionShares, stake, shares);
        assert(amount <= stake);
        assert(amount * shares <= positionShares * stake);
    }

    /// @dev `_joinActivePool`, a pool with shares.
    function _minted(uint256 amount, uint256 stake, uint256 shares) private pure returns (uint256 minted) {
        minted = (amount * shares) / stake;
    }

    /// @dev `_leaveActivePool`, an amount: `Math.mulDiv(amount, shares, stake, Math.Rounding.Ceil)`, which equals this
    /// when the product fits in 256 bits (amount < 2^96, shares < 2^128).
    function _sharesBurned(uint256 amount, uint256 stake, uint256 shares) private pure returns (uint256) {
        return (amount * shares + stake - 1) / stake;
    }

    /// @dev `_leaveActivePool`, the whole position.
    function _amountLeaving(uint256 sharesBurned, uint256 stake, uint256 shares) private pure returns (uint256) {
        return (sharesBurned * stake) / shares;
    }
}
