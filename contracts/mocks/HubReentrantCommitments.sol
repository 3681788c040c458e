// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title HubReentrantCommitments
/// @notice Test-only batch-commitments contract that, when the hub hands it a lightweight batch, calls the hub back
/// with calldata set beforehand, and bubbles up whatever that call reverts with. With it, a test checks that no batch
/// entry point of the hub can be entered again while a batch is being applied.
contract HubReentrantCommitments {
    /// @notice The hub this contract calls back.
    address public immutable hub;
    /// @notice The calldata of the call back into the hub (empty: no call back).
    bytes public reentry;

    /// @param hub_ The execution hub.
    constructor(address hub_) {
        hub = hub_;
    }

    /// @notice Sets the calldata of the call back into the hub.
    function setReentry(bytes calldata data) external {
        reentry = data;
    }

    /// @notice Called by the hub for a lightweight batch: calls the hub back (if set) and bubbles up its revert.
    function commit(uint256, bytes32, uint256, uint256, bytes calldata) external returns (bytes32) {
        bytes memory data = reentry;
        if (data.length != 0) Address.functionCall(hub, data);
        return bytes32(0);
    }
}
