// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title LightweightReentrantToken
/// @notice Test-only: an ERC-20 that, once armed, calls `target` with `data` from inside its next transfer and bubbles
/// up any revert, to show `BatchCommitments` cannot be re-entered by a hostile token.
contract LightweightReentrantToken is ERC20 {
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
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory ret) = target.call(_data);
            if (!ok) {
                // solhint-disable-next-line no-inline-assembly
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
        }
    }
}
