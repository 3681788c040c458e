// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title RegistryReentrantToken
/// @notice Test-only ERC-20 with permit, open minting and a one-shot transfer hook: the next balance change calls
/// `hookTarget` with `hookData` (from this token's address) and bubbles its revert, to try re-entering the node
/// registry in the middle of a bond transfer.
contract RegistryReentrantToken is ERC20, ERC20Permit {
    /// @notice Contract the next transfer calls into (zero = no hook).
    address public hookTarget;
    /// @notice Calldata of the hook call.
    bytes public hookData;

    constructor() ERC20("Registry Reentrant Token", "RRT") ERC20Permit("Registry Reentrant Token") {}

    /// @notice Mints `amount` to `to`; anyone may call it.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook for the next transfer.
    function setHook(address target, bytes calldata data) external {
        hookTarget = target;
        hookData = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address target = hookTarget;
        if (target != address(0)) {
            hookTarget = address(0);
            Address.functionCall(target, hookData);
        }
    }
}
