// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title HookToken
/// @notice Test-only ERC-20 (with permit and open minting) whose balance changes can call back into another
/// contract, to show what a contract's reentrancy guards do when a token it moves has transfer hooks. ERA has none.
/// @dev Armed with `arm(target, data)`, the next balance change (`transfer`, `transferFrom`, `mint`, or any
/// `_update`) disarms the hook, then calls `target` with `data`, from this token's address. A call that reverts
/// makes the balance change revert with the very same revert data, so a test sees the target's own custom error
/// (e.g. `ReentrancyGuardReentrantCall`); a call that succeeds is recorded (`HookCalled`, `hookCalls`,
/// `lastHookResult`) and the balance change goes on. The hook is one-shot: it fires once per `arm`, and never
/// recursively (it is disarmed before the call). `arm(address(0), "")` disarms it.
/// There are no supply cap and no access control: anyone may mint and arm.
contract HookToken is ERC20, ERC20Permit {
    /// @notice Emitted when the hook's call returned without reverting.
    event HookCalled(address indexed target, bytes data, bytes result);

    /// @notice Contract the next balance change calls (zero: none).
    address public hookTarget;
    /// @notice Calldata of that call.
    bytes public hookData;
    /// @notice How many hook calls returned without reverting.
    uint256 public hookCalls;
    /// @notice What the last successful hook call returned.
    bytes public lastHookResult;

    constructor() ERC20("Hook Token", "HOOK") ERC20Permit("Hook Token") {}

    /// @notice Mints `amount` to `to`. Anyone may call it.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Makes the next balance change call `target` with `data`, once (`target` zero: no call).
    function arm(address target, bytes calldata data) external {
        hookTarget = target;
        hookData = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address target = hookTarget;
        if (target == address(0)) return;
        hookTarget = address(0);
        bytes memory data = hookData;
        // Reverts with the target's own revert data when the call reverts.
        bytes memory result = Address.functionCall(target, data);
        ++hookCalls;
        lastHookResult = result;
        emit HookCalled(target, data, result);
    }
}
