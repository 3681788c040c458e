// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "./Vm.sol";

/// @title Cheats
/// @notice What every forge test contract and handler of this project shares (no forge-std): the cheatcode handle,
/// input bounding, and assertions that fail with the two values compared.
abstract contract Cheats {
    /// @notice Raised by a failed assertion: what was checked, and the two values compared.
    error AssertionFailed(string what, uint256 left, uint256 right);

    /// @dev address(uint160(uint256(keccak256("hevm cheat code")))).
    Vm internal constant VM = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    function _assertEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left != right) revert AssertionFailed(what, left, right);
    }

    function _assertLe(uint256 left, uint256 right, string memory what) internal pure {
        if (left > right) revert AssertionFailed(what, left, right);
    }

    function _assertGe(uint256 left, uint256 right, string memory what) internal pure {
        if (left < right) revert AssertionFailed(what, left, right);
    }

    function _assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailed(what, 0, 1);
    }

    /// @dev Maps `x` into [min, max] without discarding the input.
    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min == 0 && max == type(uint256).max) return x;
        return min + (x % (max - min + 1));
    }
}
