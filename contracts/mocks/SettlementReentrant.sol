// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ISettlementEngine} from "../interfaces/ISettlementEngine.sol";

/// @title SettlementReentrant
/// @notice Test-only escrow account that re-enters the settlement engine from a token callback: a token's hook calls
/// `onTokenHook`, which replays `reentry` against the engine and bubbles any revert.
contract SettlementReentrant {
    /// @notice The engine under attack.
    ISettlementEngine public immutable engine;
    /// @notice Calldata replayed against the engine from inside the token callback.
    bytes public reentry;

    constructor(ISettlementEngine engine_) {
        engine = engine_;
    }

    /// @notice Sets the calldata replayed from the token callback.
    function setReentry(bytes calldata data) external {
        reentry = data;
    }

    /// @notice Approves the engine for `token` without limit.
    function approveEngine(IERC20 token) external {
        token.approve(address(engine), type(uint256).max);
    }

    /// @notice Deposits `amount` of `token` into the engine.
    function deposit(address token, uint256 amount) external {
        engine.deposit(token, amount);
    }

    /// @notice Withdraws `amount` of `token` from the engine to this contract.
    function withdraw(address token, uint256 amount) external {
        engine.withdraw(token, amount, address(this));
    }

    /// @notice The token hook: re-enters the engine.
    function onTokenHook() external {
        Address.functionCall(address(engine), reentry);
    }
}
