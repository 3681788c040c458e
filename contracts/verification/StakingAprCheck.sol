// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A bare `require` is how the SMTChecker takes a precondition; this contract is never deployed (docs/solhint.md).
/* solhint-disable gas-custom-errors */

/// @title StakingAprCheck
/// @notice SMTChecker harness (`npm run check:smt`) of `DelegatedStaking._aprOf`, the APR of a service score.
/// Never deployed. DelegatedStaking is far too large for the checker and its math lives in private functions, so
/// the `_` functions below copy its expressions (named in their comments) with checked arithmetic where it uses
/// `unchecked`, and the check script fails if the copied lines change. Bounds are those the contract enforces:
/// stake < 2^96, shares < 2^128, global rate < 2^104, reserve < 2^96, score ≤ 10,000.
contract StakingAprCheck {
    uint256 private constant MIN_APR_BPS = 800;
    uint256 private constant MAX_APR_BPS = 1200;
    uint256 private constant MAX_SCORE_BPS = 10_000;

    /// @notice Every score in range gives an APR within [8%, 12%]: 8% at 0 and 12% at 10,000 (DESIGN.md §5.7).
    function checkAprBand(uint256 scoreBps) external pure {
        require(scoreBps <= MAX_SCORE_BPS);
        uint256 apr = _aprOf(scoreBps);
        assert(apr >= MIN_APR_BPS && apr <= MAX_APR_BPS);
        assert(_aprOf(0) == 800 && _aprOf(MAX_SCORE_BPS) == 1200);
    }

    /// @notice A higher score never gives a lower APR.
    function checkAprMonotone(uint256 scoreBps, uint256 more) external pure {
        require(scoreBps <= MAX_SCORE_BPS && more <= MAX_SCORE_BPS - scoreBps);
        assert(_aprOf(scoreBps) <= _aprOf(scoreBps + more));
    }

    /// @dev `_aprOf`.
    function _aprOf(uint256 scoreBps) private pure returns (uint256) {
        return MIN_APR_BPS + ((MAX_APR_BPS - MIN_APR_BPS) * scoreBps) / MAX_SCORE_BPS;
    }
}
