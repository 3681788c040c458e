// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IScenarioExecution
/// @notice What the execution layer reads of a scenario: its live mode, the nodes that serve it and its notary quorum.
interface IScenarioExecution {
    /// @notice Execution modes (DESIGN.md §2).
    enum ExecutionMode {
        Standard,
        AtomicSettlement,
        Notarized,
        Lightweight
    }

    /// @notice The scenario's current mode; reverts for an unknown scenario.
    function modeOf(uint256 scenarioId) external view returns (ExecutionMode);

    /// @notice Whether `nodeId` serves `scenarioId`.
    function isServing(uint256 scenarioId, uint256 nodeId) external view returns (bool);

    /// @notice How many distinct serving nodes must sign a notarization of `scenarioId` (k of k-of-n).
    function quorumOf(uint256 scenarioId) external view returns (uint256);

    /// @notice Mode, whether `nodeId` serves, and quorum, in one call (reverts for an unknown scenario).
    function executionOf(
        uint256 scenarioId,
        uint256 nodeId
    ) external view returns (ExecutionMode mode, bool serving, uint256 quorum);
}
