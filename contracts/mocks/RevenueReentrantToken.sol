// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title RevenueReentrantToken
/// @notice A hostile ERC-20 for RevenueRouter tests: once armed, its next transfer calls `target` with `data`
/// and bubbles any revert. ERA has no transfer hooks; this token shows what the reentrancy guards do when a
/// token recovered by governance (`recover`) has one.
contract RevenueReentrantToken is ERC20 {
    address private _target;
    bytes private _data;

    /// @param holder Receives `supply` at deployment.
    /// @param supply Tokens minted to `holder`.
    constructor(address holder, uint256 supply) ERC20("Reentrant", "REENTER") {
        _mint(holder, supply);
    }

    /// @notice Makes the next transfer call `target` with `data` (once).
    function arm(address target, bytes calldata data) external {
        _target = target;
        _data = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address target = _target;
        if (target != address(0)) {
            _target = address(0);
            Address.functionCall(target, _data);
        }
    }
}
