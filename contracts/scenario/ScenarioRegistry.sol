// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IScenarioRegistry} from "../interfaces/IScenarioRegistry.sol";
import {IScenarioExecution} from "../interfaces/IScenarioExecution.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {Governed} from "../governance/Governed.sol";

/// @title ScenarioRegistry
/// @notice The record of each scenario: owner, class, revenue node, serving nodes, notary quorum and live mode.
contract ScenarioRegistry is IScenarioRegistry, Governed {
    /// @notice Most nodes that may serve one scenario (bounds every loop over them).
    uint256 public constant MAX_SERVING_NODES = 16;

    /// @notice The node registry that says which nodes are active.
    INodeRegistry public immutable nodes;

    uint256 private _nextScenarioId = 1;
    mapping(uint256 scenarioId => Scenario) private _scenarios;
    mapping(uint256 scenarioId => uint64[]) private _serving;
    mapping(uint256 scenarioId => mapping(uint256 nodeId => bool)) private _isServing;
    /// @dev Mode operators, keyed by the owner who appointed them: when the scenario changes hands, the operators of
    /// the previous owner lose their right (a seller keeps no hidden switch on the scenario it sold).
    mapping(uint256 scenarioId => mapping(address owner => mapping(address operator => bool))) private _modeOperators;

    /// @param nodes_ The node registry.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    constructor(INodeRegistry nodes_, address admin) Governed(admin) {
        if (address(nodes_) == address(0)) revert AdminGuardedZeroAddress();
        nodes = nodes_;
    }

    modifier onlyScenarioOwner(uint256 scenarioId) {
        address owner = _scenarios[scenarioId].owner;
        if (owner == address(0)) revert ScenarioUnknown(scenarioId);
        if (owner != msg.sender) revert ScenarioNotOwner(scenarioId, msg.sender);
        _;
    }

    /// @inheritdoc IScenarioRegistry
    /// @dev The scenario starts in its class's default mode (financial → atomic settlement, enterprise → notarized,
    /// lightweight → lightweight), served by `nodeId` alone, with a notary quorum of 1.
    function registerScenario(
        ScenarioClass scenarioClass,
        uint256 nodeId,
        string calldata metadataURI
    ) external whenNotPaused returns (uint256 scenarioId) {
        if (!nodes.isActive(nodeId)) revert ScenarioNodeNotActive(nodeId);
        scenarioId = _nextScenarioId++;
        _scenarios[scenarioId] = Scenario({
            owner: msg.sender,
            scenarioClass: scenarioClass,
            nodeId: uint64(nodeId),
            mode: _defaultMode(scenarioClass),
            quorum: 1,
            servingCount: 0,
            metadataURI: metadataURI
        });
        emit ScenarioRegistered(scenarioId, msg.sender, scenarioClass, nodeId, metadataURI);
        _addServing(scenarioId, nodeId);
        emit QuorumChanged(scenarioId, 1);
        emit ModeSwitched(scenarioId, ExecutionMode.Standard, _defaultMode(scenarioClass), msg.sender);
    }

    /// @inheritdoc IScenarioRegistry
    function setNode(uint256 scenarioId, uint256 nodeId) external onlyScenarioOwner(scenarioId) {
        if (!nodes.isActive(nodeId)) revert ScenarioNodeNotActive(nodeId);
        Scenario storage scenario = _scenarios[scenarioId];
        emit ScenarioNodeChanged(scenarioId, scenario.nodeId, nodeId);
        scenario.nodeId = uint64(nodeId);
        if (!_isServing[scenarioId][nodeId]) _addServing(scenarioId, nodeId);
    }

    /// @inheritdoc IScenarioRegistry
    function transferScenarioOwnership(uint256 scenarioId, address newOwner) external onlyScenarioOwner(scenarioId) {
        if (newOwner == address(0)) revert ScenarioZeroOwner();
        emit ScenarioOwnershipTransferred(scenarioId, msg.sender, newOwner);
        _scenarios[scenarioId].owner = newOwner;
    }

    /// @inheritdoc IScenarioRegistry
    function setMode(uint256 scenarioId, ExecutionMode mode) external {
        Scenario storage scenario = _scenarios[scenarioId];
        address owner = scenario.owner;
        if (owner == address(0)) revert ScenarioUnknown(scenarioId);
        if (msg.sender != owner && !_modeOperators[scenarioId][owner][msg.sender]) {
            revert ScenarioNotModeOperator(scenarioId, msg.sender);
        }
        if (!isModeAllowed(scenario.scenarioClass, mode)) revert ScenarioModeNotAllowed(scenario.scenarioClass, mode);
        ExecutionMode from = scenario.mode;
        if (from == mode) revert ScenarioModeUnchanged(scenarioId, mode);
        scenario.mode = mode;
        emit ModeSwitched(scenarioId, from, mode, msg.sender);
    }

    /// @inheritdoc IScenarioRegistry
    function setModeOperator(
        uint256 scenarioId,
        address operator,
        bool allowed
    ) external onlyScenarioOwner(scenarioId) {
        if (operator == address(0)) revert AdminGuardedZeroAddress();
        _modeOperators[scenarioId][msg.sender][operator] = allowed;
        emit ModeOperatorChanged(scenarioId, operator, allowed);
    }

    /// @inheritdoc IScenarioRegistry
    function addServingNode(uint256 scenarioId, uint256 nodeId) external onlyScenarioOwner(scenarioId) {
        if (!nodes.isActive(nodeId)) revert ScenarioNodeNotActive(nodeId);
        if (_isServing[scenarioId][nodeId]) revert ScenarioServingUnchanged(scenarioId, nodeId, true);
        _addServing(scenarioId, nodeId);
    }

    /// @inheritdoc IScenarioRegistry
    function removeServingNode(uint256 scenarioId, uint256 nodeId) external onlyScenarioOwner(scenarioId) {
        Scenario storage scenario = _scenarios[scenarioId];
        if (!_isServing[scenarioId][nodeId]) revert ScenarioServingUnchanged(scenarioId, nodeId, false);
        if (scenario.nodeId == nodeId) revert ScenarioCannotRemoveRevenueNode(scenarioId, nodeId);
        uint256 remaining = scenario.servingCount - 1;
        if (scenario.quorum > remaining) revert ScenarioBadQuorum(scenarioId, scenario.quorum, remaining);
        uint64[] storage list = _serving[scenarioId];
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == nodeId) {
                list[i] = list[list.length - 1];
                list.pop();
                break;
            }
        }
        _isServing[scenarioId][nodeId] = false;
        scenario.servingCount = uint8(remaining);
        emit ServingNodeChanged(scenarioId, nodeId, false);
    }

    /// @inheritdoc IScenarioRegistry
    function setQuorum(uint256 scenarioId, uint256 quorum) external onlyScenarioOwner(scenarioId) {
        Scenario storage scenario = _scenarios[scenarioId];
        if (quorum == 0 || quorum > scenario.servingCount) {
            revert ScenarioBadQuorum(scenarioId, quorum, scenario.servingCount);
        }
        scenario.quorum = uint8(quorum);
        emit QuorumChanged(scenarioId, quorum);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IScenarioRegistry
    function getScenario(uint256 scenarioId) external view returns (Scenario memory) {
        return _known(scenarioId);
    }

    /// @inheritdoc IScenarioRegistry
    function routingOf(
        uint256 scenarioId
    ) external view returns (address owner, ScenarioClass scenarioClass, uint256 nodeId) {
        Scenario storage scenario = _known(scenarioId);
        return (scenario.owner, scenario.scenarioClass, scenario.nodeId);
    }

    /// @notice Whether `operator` may switch the scenario's mode: appointed by its current owner and not revoked.
    function isModeOperator(uint256 scenarioId, address operator) external view returns (bool) {
        return _modeOperators[scenarioId][_scenarios[scenarioId].owner][operator];
    }

    /// @inheritdoc IScenarioExecution
    function modeOf(uint256 scenarioId) external view returns (ExecutionMode) {
        return _known(scenarioId).mode;
    }

    /// @inheritdoc IScenarioExecution
    function isServing(uint256 scenarioId, uint256 nodeId) external view returns (bool) {
        return _isServing[scenarioId][nodeId];
    }

    /// @inheritdoc IScenarioExecution
    function quorumOf(uint256 scenarioId) external view returns (uint256) {
        return _known(scenarioId).quorum;
    }

    /// @inheritdoc IScenarioExecution
    function executionOf(
        uint256 scenarioId,
        uint256 nodeId
    ) external view returns (ExecutionMode mode, bool serving, uint256 quorum) {
        Scenario storage scenario = _known(scenarioId);
        return (scenario.mode, _isServing[scenarioId][nodeId], scenario.quorum);
    }

    /// @inheritdoc IScenarioRegistry
    function servingNodes(uint256 scenarioId) external view returns (uint256[] memory ids) {
        uint64[] storage list = _serving[scenarioId];
        ids = new uint256[](list.length);
        for (uint256 i; i < list.length; ++i) ids[i] = list[i];
    }

    /// @inheritdoc IScenarioRegistry
    function isModeAllowed(ScenarioClass scenarioClass, ExecutionMode mode) public pure returns (bool) {
        return mode == ExecutionMode.Standard || mode == _defaultMode(scenarioClass);
    }

    /// @notice Number of scenarios ever registered.
    function scenarioCount() external view returns (uint256) {
        return _nextScenarioId - 1;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    function _known(uint256 scenarioId) private view returns (Scenario storage scenario) {
        scenario = _scenarios[scenarioId];
        if (scenario.owner == address(0)) revert ScenarioUnknown(scenarioId);
    }

    function _addServing(uint256 scenarioId, uint256 nodeId) private {
        Scenario storage scenario = _scenarios[scenarioId];
        if (scenario.servingCount >= MAX_SERVING_NODES) {
            revert ScenarioTooManyServingNodes(scenarioId, MAX_SERVING_NODES);
        }
        _serving[scenarioId].push(uint64(nodeId));
        _isServing[scenarioId][nodeId] = true;
        scenario.servingCount += 1;
        emit ServingNodeChanged(scenarioId, nodeId, true);
    }

    function _defaultMode(ScenarioClass scenarioClass) private pure returns (ExecutionMode) {
        if (scenarioClass == ScenarioClass.Financial) return ExecutionMode.AtomicSettlement;
        if (scenarioClass == ScenarioClass.Enterprise) return ExecutionMode.Notarized;
        return ExecutionMode.Lightweight;
    }
}
