// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IScenarioRegistry} from "../interfaces/IScenarioRegistry.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {Governed} from "../governance/Governed.sol";

/// @title ScenarioRegistry
/// @notice The record of which developer owns which scenario, of which class, served by which node.
contract ScenarioRegistry is IScenarioRegistry, Governed {
    /// @notice The node registry that says which nodes are active.
    INodeRegistry public immutable nodes;

    uint256 private _nextScenarioId = 1;
    mapping(uint256 scenarioId => Scenario) private _scenarios;

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
            metadataURI: metadataURI
        });
        emit ScenarioRegistered(scenarioId, msg.sender, scenarioClass, nodeId, metadataURI);
    }

    /// @inheritdoc IScenarioRegistry
    function setNode(uint256 scenarioId, uint256 nodeId) external onlyScenarioOwner(scenarioId) {
        if (!nodes.isActive(nodeId)) revert ScenarioNodeNotActive(nodeId);
        Scenario storage scenario = _scenarios[scenarioId];
        emit ScenarioNodeChanged(scenarioId, scenario.nodeId, nodeId);
        scenario.nodeId = uint64(nodeId);
    }

    /// @inheritdoc IScenarioRegistry
    function transferScenarioOwnership(uint256 scenarioId, address newOwner) external onlyScenarioOwner(scenarioId) {
        if (newOwner == address(0)) revert ScenarioZeroOwner();
        emit ScenarioOwnershipTransferred(scenarioId, msg.sender, newOwner);
        _scenarios[scenarioId].owner = newOwner;
    }

    /// @inheritdoc IScenarioRegistry
    function getScenario(uint256 scenarioId) external view returns (Scenario memory) {
        Scenario storage scenario = _scenarios[scenarioId];
        if (scenario.owner == address(0)) revert ScenarioUnknown(scenarioId);
        return scenario;
    }

    /// @inheritdoc IScenarioRegistry
    function routingOf(
        uint256 scenarioId
    ) external view returns (address owner, ScenarioClass scenarioClass, uint256 nodeId) {
        Scenario storage scenario = _scenarios[scenarioId];
        owner = scenario.owner;
        if (owner == address(0)) revert ScenarioUnknown(scenarioId);
        return (owner, scenario.scenarioClass, scenario.nodeId);
    }

    /// @notice Number of scenarios ever registered.
    function scenarioCount() external view returns (uint256) {
        return _nextScenarioId - 1;
    }
}
