// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Vm
/// @notice The few Foundry cheatcodes the forge tests of this project use (a subset of forge-std's `Vm`, declared
/// here so the tests do not depend on forge-std). The cheatcode contract answers at
/// address(uint160(uint256(keccak256("hevm cheat code")))) in every forge test.
// Forge's cheatcode interface is called Vm everywhere (forge-std); this is the same subset under the same name.
// solhint-disable-next-line interface-starts-with-i
interface Vm {
    /// @notice A log recorded after `recordLogs`.
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    /// @notice Sets `block.timestamp`.
    function warp(uint256 newTimestamp) external;

    /// @notice Makes the next call come from `msgSender`.
    function prank(address msgSender) external;

    /// @notice Makes every following call come from `msgSender`, until `stopPrank`.
    function startPrank(address msgSender) external;

    /// @notice Ends `startPrank`.
    function stopPrank() external;

    /// @notice Discards the current fuzz input when `condition` is false.
    function assume(bool condition) external pure;

    /// @notice The address of private key `privateKey`.
    function addr(uint256 privateKey) external pure returns (address);

    /// @notice Signs `digest` with `privateKey` (secp256k1).
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);

    /// @notice Names `account` in traces.
    function label(address account, string calldata newLabel) external;

    /// @notice Expects the next call to revert with exactly `revertData` (a custom error with its arguments).
    function expectRevert(bytes calldata revertData) external;

    /// @notice Starts recording every log emitted, for `getRecordedLogs`.
    function recordLogs() external;

    /// @notice The logs recorded since `recordLogs` (or the last call), consumed.
    function getRecordedLogs() external returns (Log[] memory logs);
}
