// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IDelegatedStaking} from "../interfaces/IDelegatedStaking.sol";

/// @title StakingReentrantDelegator
/// @notice Test-only attacker: a delegator contract that, called back by a hook token (`HookToken`, armed with
/// `reenter`) while the staking contract pays it, tries to claim, withdraw or undelegate again. It swallows the
/// refusal (recorded in `lastError`) so that the outer call completes and a test can check it paid exactly once.
contract StakingReentrantDelegator {
    using SafeERC20 for IERC20;

    /// @notice What `reenter` calls.
    enum Reentry {
        Claim,
        Withdraw,
        Undelegate
    }

    /// @notice Emitted when the re-entrant call was refused.
    event ReentryRefused(Reentry what, bytes reason);

    /// @notice The staking contract attacked.
    IDelegatedStaking public immutable staking;
    /// @notice The token staked.
    IERC20 public immutable token;
    /// @notice Revert data of the last refused re-entrant call.
    bytes public lastError;
    /// @notice Re-entrant calls that went through (the attack worked).
    uint256 public reentriesSucceeded;

    /// @param staking_ The staking contract attacked.
    /// @param token_ The token staked.
    constructor(IDelegatedStaking staking_, IERC20 token_) {
        staking = staking_;
        token = token_;
    }

    /// @notice Delegates `amount` of this contract's tokens to `nodeId`.
    function delegate(uint256 nodeId, uint256 amount) external {
        token.forceApprove(address(staking), amount);
        staking.delegate(nodeId, amount);
    }

    /// @notice Starts unbonding `amount` with `nodeId`.
    function undelegate(uint256 nodeId, uint256 amount) external returns (uint256) {
        return staking.undelegate(nodeId, amount);
    }

    /// @notice Withdraws this contract's matured unbonding entries.
    function withdraw(uint256 nodeId) external returns (uint256) {
        return staking.withdraw(nodeId);
    }

    /// @notice Claims this contract's yield.
    function claim(uint256 nodeId) external returns (uint256) {
        return staking.claim(nodeId);
    }

    /// @notice Called by the token hook in the middle of a payout: calls the staking contract again.
    function reenter(Reentry what, uint256 nodeId) external {
        if (what == Reentry.Claim) {
            try staking.claim(nodeId) {
                ++reentriesSucceeded;
            } catch (bytes memory reason) {
                _refused(what, reason);
            }
        } else if (what == Reentry.Withdraw) {
            try staking.withdraw(nodeId) {
                ++reentriesSucceeded;
            } catch (bytes memory reason) {
                _refused(what, reason);
            }
        } else {
            try staking.undelegate(nodeId, type(uint256).max) {
                ++reentriesSucceeded;
            } catch (bytes memory reason) {
                _refused(what, reason);
            }
        }
    }

    function _refused(Reentry what, bytes memory reason) private {
        lastError = reason;
        emit ReentryRefused(what, reason);
    }
}
