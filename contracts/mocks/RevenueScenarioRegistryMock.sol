// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IScenarioRegistry} from "../interfaces/IScenarioRegistry.sol";

/// @title RevenueScenarioRegistryMock
/// @notice Test double of the scenario registry for RevenueRouter tests: `routingOf` answers whatever the test set,
/// including a node id that has no operator, which the real registry can never return (it only accepts active nodes).
contract RevenueScenarioRegistryMock {
    struct Routing {
        address owner;
        IScenarioRegistry.ScenarioClass scenarioClass;
        uint256 nodeId;
    }

    mapping(uint256 scenarioId => Routing) private _routing;

    /// @notice Sets what `routingOf(scenarioId)` returns.
    function setRouting(
        uint256 scenarioId,
        address owner,
        IScenarioRegistry.ScenarioClass scenarioClass,
        uint256 nodeId
    ) external {
        _routing[scenarioId] = Routing({owner: owner, scenarioClass: scenarioClass, nodeId: nodeId});
    }

    /// @notice Same signature as `IScenarioRegistry.routingOf`.
    function routingOf(
        uint256 scenarioId
    ) external view returns (address owner, IScenarioRegistry.ScenarioClass scenarioClass, uint256 nodeId) {
        Routing storage r = _routing[scenarioId];
        return (r.owner, r.scenarioClass, r.nodeId);
    }
}
