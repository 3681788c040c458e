// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IScenarioRegistry} from "./IScenarioRegistry.sol";

/// @title IRevenueRouter
/// @notice Takes scenario revenue in ERA and splits it by the scenario's class, in basis points, into pull-claimable
/// balances: the serving node's operator, the user-reward pool (funds the distributor's reward epochs), the protocol
/// share (funds the staking reserve, closing the loop) and the developer.
/// @dev Rounding: the node, user-pool and developer parts are rounded down; the protocol share takes the remainder,
/// so the four parts always add up to the amount paid and dust goes to the staking reserve.
interface IRevenueRouter {
    /// @notice Split of one class, in basis points; the developer share is what is left of 10,000.
    struct ClassShares {
        uint16 nodeBps;
        uint16 userPoolBps;
        uint16 protocolBps;
    }

    /// @notice Emitted for every payment, with its exact split.
    event RevenuePaid(
        uint256 indexed scenarioId,
        address indexed payer,
        uint256 amount,
        address indexed nodeOperator,
        uint256 nodeAmount,
        uint256 userPoolAmount,
        uint256 protocolAmount,
        address developer,
        uint256 developerAmount
    );
    /// @notice Emitted when an account claims its balance.
    event RevenueClaimed(address indexed account, address indexed to, uint256 amount);
    /// @notice Emitted when the pools are pushed to the staking reserve and the distributor.
    event PoolsFlushed(uint256 toStakingReserve, uint256 toUserRewards);
    /// @notice Emitted when governance changes a class's split.
    event ClassSharesChanged(IScenarioRegistry.ScenarioClass indexed scenarioClass, ClassShares shares);
    /// @notice Emitted when governance recovers tokens sent here by mistake.
    event Recovered(address indexed token, address indexed to, uint256 amount);

    /// @notice The amount is zero.
    error RevenueZeroAmount();
    /// @notice There is nothing to claim or flush.
    error RevenueNothingToClaim(address account);
    /// @notice A share is outside its bounds, or the shares leave the developer less than the minimum.
    error RevenueSharesOutOfBounds(uint256 nodeBps, uint256 userPoolBps, uint256 protocolBps);
    /// @notice The scenario's node has no operator.
    error RevenueUnknownNode(uint256 nodeId);
    /// @notice Recovery would take ERA that is owed to someone.
    error RevenueRecoverExceedsExcess(uint256 requested, uint256 excess);

    /// @notice Pays `amount` ERA of revenue to `scenarioId`, pulled from the caller, and splits it.
    /// @dev Callable by anyone; paused with inflows.
    function pay(uint256 scenarioId, uint256 amount) external;

    /// @notice `pay` with an EIP-2612 permit, in one transaction.
    function payWithPermit(
        uint256 scenarioId,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Pays the caller's whole balance to `to`. Never paused.
    function claim(address to) external returns (uint256 amount);

    /// @notice Pushes the protocol pool into the staking reserve and the user-reward pool into the distributor.
    /// @dev Callable by anyone; never paused.
    function flushPools() external;

    /// @notice Sets the split of `class`. Bounds: node ≤ `MAX_NODE_BPS`, user pool ≤ `MAX_USER_POOL_BPS`, protocol
    /// ≤ `MAX_PROTOCOL_BPS`, and at least `MIN_DEVELOPER_BPS` left for the developer.
    /// @dev Callable by `DEFAULT_ADMIN_ROLE` (the timelock).
    function setClassShares(IScenarioRegistry.ScenarioClass scenarioClass, ClassShares calldata shares) external;

    /// @notice The split of `class`.
    function sharesOf(IScenarioRegistry.ScenarioClass scenarioClass) external view returns (ClassShares memory);

    /// @notice How `amount` paid to a scenario of `class` would be split.
    function previewSplit(
        IScenarioRegistry.ScenarioClass scenarioClass,
        uint256 amount
    ) external view returns (uint256 node, uint256 userPool, uint256 protocol, uint256 developer);
}
