// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Cheats} from "./Cheats.sol";

/// @title ForgeTest
/// @notice The minimal base of this project's forge test contracts: `Cheats` plus the declarations forge reads
/// before an invariant campaign (`targetContracts`, `targetSelectors`), in the layout forge-std's StdInvariant uses.
abstract contract ForgeTest is Cheats {
    /// @notice A contract and the selectors of it that the invariant fuzzer may call.
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    /// @notice Marks the contract as a test contract for forge.
    bool public constant IS_TEST = true;

    address[] private _targetedContracts;
    FuzzSelector[] private _targetedSelectors;

    /// @notice Contracts the invariant fuzzer calls (read by forge).
    function targetContracts() public view returns (address[] memory) {
        return _targetedContracts;
    }

    /// @notice Selectors the invariant fuzzer calls (read by forge).
    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetedSelectors;
    }

    function _targetContract(address target) internal {
        _targetedContracts.push(target);
    }

    function _targetSelectors(address target, bytes4[] memory selectors) internal {
        _targetedSelectors.push(FuzzSelector({addr: target, selectors: selectors}));
    }
}
