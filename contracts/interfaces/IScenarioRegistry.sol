// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IScenarioExecution} from "./IScenarioExecution.sol";

/// @title IScenarioRegistry
/// @notice Scenarios (applications) registered by their developers: owner, class, the node that earns its revenue,
/// the set of nodes that serve it, its notary quorum, and its live execution mode.
/// @dev Allowed modes per class: financial → atomic settlement or standard; enterprise → notarized or standard;
/// lightweight → lightweight or standard. A mode switch takes effect for the next batch: batches carry the mode they
/// were built under and the execution hub rejects one whose mode is no longer current.
interface IScenarioRegistry is IScenarioExecution {
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
        ExecutionMode mode;
        uint8 quorum;
        uint8 servingCount;
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

    /// @notice Emitted when a scenario's execution mode changes (effective for the next batch).
    event ModeSwitched(uint256 indexed scenarioId, ExecutionMode from, ExecutionMode to, address indexed by);
    /// @notice Emitted when a node starts or stops serving a scenario.
    event ServingNodeChanged(uint256 indexed scenarioId, uint256 indexed nodeId, bool serving);
    /// @notice Emitted when a scenario's notary quorum changes.
    event QuorumChanged(uint256 indexed scenarioId, uint256 quorum);
    /// @notice Emitted when the owner authorises or revokes a mode operator (e.g. an executor's automatic policy).
    event ModeOperatorChanged(uint256 indexed scenarioId, address indexed operator, bool allowed);

    /// @notice The mode is not allowed for the scenario's class.
    error ScenarioModeNotAllowed(ScenarioClass scenarioClass, ExecutionMode mode);
    /// @notice The scenario already runs in that mode.
    error ScenarioModeUnchanged(uint256 scenarioId, ExecutionMode mode);
    /// @notice The caller is neither the owner nor an authorised mode operator.
    error ScenarioNotModeOperator(uint256 scenarioId, address caller);
    /// @notice The node already serves, or does not serve, the scenario.
    error ScenarioServingUnchanged(uint256 scenarioId, uint256 nodeId, bool serving);
    /// @notice A scenario may have at most `MAX_SERVING_NODES` serving nodes.
    error ScenarioTooManyServingNodes(uint256 scenarioId, uint256 max);
    /// @notice The revenue node cannot stop serving; move revenue with `setNode` first.
    error ScenarioCannotRemoveRevenueNode(uint256 scenarioId, uint256 nodeId);
    /// @notice The quorum must be between 1 and the number of serving nodes.
    error ScenarioBadQuorum(uint256 scenarioId, uint256 quorum, uint256 servingCount);

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

    /// @notice Moves the scenario's revenue to another active node, which also starts serving it if it did not.
    /// Callable by the scenario's owner.
    function setNode(uint256 scenarioId, uint256 nodeId) external;

    /// @notice Switches the scenario's execution mode, effective for the next batch.
    /// @dev Callable by the owner or an authorised mode operator. Reverts for a mode the class does not allow.
    function setMode(uint256 scenarioId, ExecutionMode mode) external;

    /// @notice Authorises (or revokes) `operator` to switch the scenario's mode. Callable by the owner.
    /// @dev An authorisation is the current owner's: it lapses when the scenario changes hands.
    function setModeOperator(uint256 scenarioId, address operator, bool allowed) external;

    /// @notice Adds an active node to the scenario's serving set (at most `MAX_SERVING_NODES`). Callable by the owner.
    function addServingNode(uint256 scenarioId, uint256 nodeId) external;

    /// @notice Removes a node from the serving set; the quorum must still fit. Callable by the owner.
    function removeServingNode(uint256 scenarioId, uint256 nodeId) external;

    /// @notice Sets the notary quorum k (1 ≤ k ≤ serving nodes). Callable by the owner.
    function setQuorum(uint256 scenarioId, uint256 quorum) external;

    /// @notice Whether `mode` is allowed for `scenarioClass`.
    function isModeAllowed(ScenarioClass scenarioClass, ExecutionMode mode) external pure returns (bool);

    /// @notice The nodes serving the scenario.
    function servingNodes(uint256 scenarioId) external view returns (uint256[] memory);

    /// @notice Hands the scenario (and its future developer revenue) to `newOwner`. Callable by the owner.
    function transferScenarioOwnership(uint256 scenarioId, address newOwner) external;

    /// @notice The scenario, or reverts with `ScenarioUnknown`.
    function getScenario(uint256 scenarioId) external view returns (Scenario memory);

    /// @notice Owner, class and node of a scenario in one call (reverts with `ScenarioUnknown`).
    function routingOf(
        uint256 scenarioId
    ) external view returns (address owner, ScenarioClass scenarioClass, uint256 nodeId);
}
