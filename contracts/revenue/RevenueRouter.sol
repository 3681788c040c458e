// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IRevenueRouter} from "../interfaces/IRevenueRouter.sol";
import {IScenarioRegistry} from "../interfaces/IScenarioRegistry.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStakingReserve} from "../interfaces/IStakingReserve.sol";
import {IEpochDistributor} from "../interfaces/IEpochDistributor.sol";
import {Governed} from "../governance/Governed.sol";
import {BasisPoints} from "../libraries/BasisPoints.sol";
import {PermitLib} from "../libraries/PermitLib.sol";

/// @title RevenueRouter
/// @notice Splits scenario revenue by class into pull-claimable balances and the two protocol pools.
contract RevenueRouter is IRevenueRouter, Governed, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using BasisPoints for uint256;

    /// @notice Bounds of a class's split (basis points).
    uint256 public constant MAX_NODE_BPS = 5_000;
    uint256 public constant MAX_USER_POOL_BPS = 2_500;
    uint256 public constant MAX_PROTOCOL_BPS = 2_500;
    uint256 public constant MIN_DEVELOPER_BPS = 2_000;

    /// @notice The ERA token.
    IERC20 public immutable era;
    /// @notice Where scenarios' owner, class and node are read.
    IScenarioRegistry public immutable scenarios;
    /// @notice Where a node's operator is read.
    INodeRegistry public immutable nodes;
    /// @notice The staking contract whose reserve the protocol share funds.
    IStakingReserve public immutable staking;
    /// @notice The distributor whose user-reward pool the user share funds.
    IEpochDistributor public immutable distributor;

    mapping(IScenarioRegistry.ScenarioClass => ClassShares) private _shares;
    /// @notice ERA each account can claim.
    mapping(address account => uint256) public claimable;
    /// @notice Σ `claimable`.
    uint256 public totalClaimable;
    /// @notice ERA waiting to go to the user-reward pool of the distributor.
    uint256 public userPool;
    /// @notice ERA waiting to go to the staking reserve.
    uint256 public protocolPool;

    /// @param era_ The ERA token.
    /// @param scenarios_ The scenario registry.
    /// @param nodes_ The node registry.
    /// @param staking_ The staking contract (reserve).
    /// @param distributor_ The epoch distributor (user rewards).
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    /// @param financial Initial split of the financial class.
    /// @param enterprise Initial split of the enterprise class.
    /// @param lightweight Initial split of the lightweight class.
    constructor(
        IERC20 era_,
        IScenarioRegistry scenarios_,
        INodeRegistry nodes_,
        IStakingReserve staking_,
        IEpochDistributor distributor_,
        address admin,
        ClassShares memory financial,
        ClassShares memory enterprise,
        ClassShares memory lightweight
    ) Governed(admin) {
        if (
            address(era_) == address(0) ||
            address(scenarios_) == address(0) ||
            address(nodes_) == address(0) ||
            address(staking_) == address(0) ||
            address(distributor_) == address(0)
        ) revert AdminGuardedZeroAddress();
        era = era_;
        scenarios = scenarios_;
        nodes = nodes_;
        staking = staking_;
        distributor = distributor_;
        _setShares(IScenarioRegistry.ScenarioClass.Financial, financial);
        _setShares(IScenarioRegistry.ScenarioClass.Enterprise, enterprise);
        _setShares(IScenarioRegistry.ScenarioClass.Lightweight, lightweight);
    }

    /// @inheritdoc IRevenueRouter
    function pay(uint256 scenarioId, uint256 amount) external whenNotPaused nonReentrant {
        _pay(scenarioId, amount);
    }

    /// @inheritdoc IRevenueRouter
    function payWithPermit(
        uint256 scenarioId,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant {
        PermitLib.tryPermit(IERC20Permit(address(era)), msg.sender, address(this), amount, deadline, v, r, s);
        _pay(scenarioId, amount);
    }

    /// @inheritdoc IRevenueRouter
    function claim(address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert AdminGuardedZeroAddress();
        amount = claimable[msg.sender];
        if (amount == 0) revert RevenueNothingToClaim(msg.sender);
        claimable[msg.sender] = 0;
        totalClaimable -= amount;
        emit RevenueClaimed(msg.sender, to, amount);
        era.safeTransfer(to, amount);
    }

    /// @inheritdoc IRevenueRouter
    function flushPools() external nonReentrant {
        uint256 toReserve = protocolPool;
        uint256 toRewards = userPool;
        if (toReserve == 0 && toRewards == 0) revert RevenueNothingToClaim(address(this));
        protocolPool = 0;
        userPool = 0;
        emit PoolsFlushed(toReserve, toRewards);
        if (toReserve != 0) {
            era.forceApprove(address(staking), toReserve);
            staking.fundReserve(toReserve);
        }
        if (toRewards != 0) {
            era.forceApprove(address(distributor), toRewards);
            distributor.fundUserRewards(toRewards);
        }
    }

    /// @inheritdoc IRevenueRouter
    function setClassShares(
        IScenarioRegistry.ScenarioClass scenarioClass,
        ClassShares calldata shares
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setShares(scenarioClass, shares);
    }

    /// @notice Sends `amount` of `token` held here by mistake to `to`. For ERA, only the excess over what is owed
    /// (claimable balances and pools) can be taken.
    /// @dev Callable by `DEFAULT_ADMIN_ROLE` (the timelock).
    function recover(IERC20 token, address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert AdminGuardedZeroAddress();
        if (token == era) {
            uint256 owed = totalClaimable + userPool + protocolPool;
            uint256 balance = era.balanceOf(address(this));
            uint256 excess = balance > owed ? balance - owed : 0;
            if (amount > excess) revert RevenueRecoverExceedsExcess(amount, excess);
        }
        emit Recovered(address(token), to, amount);
        token.safeTransfer(to, amount);
    }

    /// @inheritdoc IRevenueRouter
    function sharesOf(IScenarioRegistry.ScenarioClass scenarioClass) external view returns (ClassShares memory) {
        return _shares[scenarioClass];
    }

    /// @inheritdoc IRevenueRouter
    function previewSplit(
        IScenarioRegistry.ScenarioClass scenarioClass,
        uint256 amount
    ) public view returns (uint256 node, uint256 pool, uint256 protocol, uint256 developer) {
        ClassShares memory s = _shares[scenarioClass];
        node = amount.mulBpsDown(s.nodeBps);
        pool = amount.mulBpsDown(s.userPoolBps);
        developer = amount.mulBpsDown(BasisPoints.BPS - s.nodeBps - s.userPoolBps - s.protocolBps);
        // The protocol share takes the rounding remainder: the parts add up to `amount` exactly.
        protocol = amount - node - pool - developer;
    }

    function _pay(uint256 scenarioId, uint256 amount) private {
        if (amount == 0) revert RevenueZeroAmount();
        (address developer, IScenarioRegistry.ScenarioClass scenarioClass, uint256 nodeId) = scenarios.routingOf(
            scenarioId
        );
        address operator = nodes.operatorOf(nodeId);
        if (operator == address(0)) revert RevenueUnknownNode(nodeId);
        (uint256 nodePart, uint256 poolPart, uint256 protocolPart, uint256 devPart) = previewSplit(
            scenarioClass,
            amount
        );

        claimable[operator] += nodePart;
        claimable[developer] += devPart;
        totalClaimable += nodePart + devPart;
        userPool += poolPart;
        protocolPool += protocolPart;
        emit RevenuePaid(
            scenarioId,
            msg.sender,
            amount,
            operator,
            nodePart,
            poolPart,
            protocolPart,
            developer,
            devPart
        );
        era.safeTransferFrom(msg.sender, address(this), amount);
    }

    function _setShares(IScenarioRegistry.ScenarioClass scenarioClass, ClassShares memory s) private {
        uint256 taken = uint256(s.nodeBps) + s.userPoolBps + s.protocolBps;
        if (
            s.nodeBps > MAX_NODE_BPS ||
            s.userPoolBps > MAX_USER_POOL_BPS ||
            s.protocolBps > MAX_PROTOCOL_BPS ||
            taken > BasisPoints.BPS - MIN_DEVELOPER_BPS
        ) revert RevenueSharesOutOfBounds(s.nodeBps, s.userPoolBps, s.protocolBps);
        _shares[scenarioClass] = s;
        emit ClassSharesChanged(scenarioClass, s);
    }
}
