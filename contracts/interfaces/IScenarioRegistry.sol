// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IScenarioRegistry
/// @notice Scenarios (applications) registered by their developers: owner, class and the node that serves them.
/// @dev The execution layer extends this with execution modes, serving node sets and notary quorums.
interface IScenarioRegistry {
    /// @notice The class of a scenario decides its revenue split and (later) the execution modes it may use.
    enum ScenarioClass {
        Financial,
        Enterprise,
        Lightweight
    }

    /// @notice A registered scenario.
    struct Scenario {
        address owner;
        ScenarioClass scenarioClass;
        uint64 nodeId;
        string metadataURI;
    }

    /// @notice Emitted when a scenario is registered.
    event ScenarioRegistered(
        uint256 indexed scenarioId,
        address indexed owner,
        ScenarioClass scenarioClass,
        uint256 indexed nodeId,
        string metadataURI
    );
    /// @notice Emitted when a scenario's serving node changes.
    event ScenarioNodeChanged(uint256 indexed scenarioId, uint256 oldNodeId, uint256 newNodeId);
    /// @notice Emitted when a scenario changes hands.
    event ScenarioOwnershipTransferred(uint256 indexed scenarioId, address indexed oldOwner, address indexed newOwner);

    /// @notice The scenario id does not exist.
    error ScenarioUnknown(uint256 scenarioId);
    /// @notice The caller does not own the scenario.
    error ScenarioNotOwner(uint256 scenarioId, address caller);
    /// @notice The node is not active in the node registry.
    error ScenarioNodeNotActive(uint256 nodeId);
    /// @notice The new owner is the zero address.
    error ScenarioZeroOwner();

    /// @notice Registers a scenario owned by the caller, of `class`, served by `nodeId`.
    /// @dev Callable by anyone; paused with inflows. The node must be active.
    /// @return scenarioId The new id (ids start at 1).
    function registerScenario(
        ScenarioClass scenarioClass,
        uint256 nodeId,
        string calldata metadataURI
    ) external returns (uint256 scenarioId);

    /// @notice Moves the scenario to another active node. Callable by the scenario's owner.
    function setNode(uint256 scenarioId, uint256 nodeId) external;

    /// @notice Hands the scenario (and its future developer revenue) to `newOwner`. Callable by the owner.
    function transferScenarioOwnership(uint256 scenarioId, address newOwner) external;

    /// @notice The scenario, or reverts with `ScenarioUnknown`.
    function getScenario(uint256 scenarioId) external view returns (Scenario memory);

    /// @notice Owner, class and node of a scenario in one call (reverts with `ScenarioUnknown`).
    function routingOf(
        uint256 scenarioId
    ) external view returns (address owner, ScenarioClass scenarioClass, uint256 nodeId);
}
