// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SlotDerivation} from "@openzeppelin/contracts/utils/SlotDerivation.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";

/// @title TransientNetting
/// @notice Net positions per (account, token) accumulated in transient storage (EIP-1153), O(1) per leg.
/// @dev The caller keeps the list of touched keys in memory and must `clear` every one before its call returns, so
/// that a second settlement in the same transaction starts from zero.
library TransientNetting {
    using SlotDerivation for bytes32;
    using TransientSlot for bytes32;
    using TransientSlot for TransientSlot.Int256Slot;
    using TransientSlot for TransientSlot.BooleanSlot;

    /// @dev keccak256("era.settlement.netting") - 1
    bytes32 private constant NAMESPACE = 0x3011f009d697838c8ef9f8ff16cd56fe9806ca6969ef86964c66fd09cc74c135;

    struct Key {
        address account;
        address token;
    }

    function _slot(address account, address token) private pure returns (bytes32) {
        return NAMESPACE.deriveMapping(account).deriveMapping(token);
    }

    /// @notice Adds `delta` to the position of (account, token); returns true the first time the key is touched.
    function add(address account, address token, int256 delta) internal returns (bool first) {
        bytes32 slot = _slot(account, token);
        TransientSlot.BooleanSlot seen = bytes32(uint256(slot) + 1).asBoolean();
        first = !seen.tload();
        if (first) seen.tstore(true);
        TransientSlot.Int256Slot position = slot.asInt256();
        position.tstore(position.tload() + delta);
    }

    /// @notice Reads the position of (account, token) and clears it.
    function take(address account, address token) internal returns (int256 delta) {
        bytes32 slot = _slot(account, token);
        TransientSlot.Int256Slot position = slot.asInt256();
        delta = position.tload();
        position.tstore(0);
        bytes32(uint256(slot) + 1).asBoolean().tstore(false);
    }
}
