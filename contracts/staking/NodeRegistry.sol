// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStakingSlashing} from "../interfaces/IStakingSlashing.sol";
import {Governed} from "../governance/Governed.sol";
import {PermitLib} from "../libraries/PermitLib.sol";

/// @title NodeRegistry
/// @notice Holds node operators' signing keys and ERA bonds; the one place a node is slashed.
contract NodeRegistry is INodeRegistry, Governed, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Role that may slash nodes (the execution layer's fraud-proof contracts, or governance).
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");

    /// @notice At most this many bond unbonding entries may be pending per node (bounds every loop over them).
    uint256 public constant MAX_PENDING_UNBONDINGS = 8;
    /// @notice Bounds of the governed bond unbonding period.
    uint64 public constant MIN_UNBONDING_PERIOD = 1 days;
    uint64 public constant MAX_UNBONDING_PERIOD = 90 days;
    /// @notice Upper bound of the governed minimum bond (100 million ERA).
    uint256 public constant MAX_MIN_BOND = 100_000_000 ether;

    /// @notice The ERA token bonds are held in.
    IERC20 public immutable era;

    /// @notice The staking contract that absorbs the part of a slash above the bond and keeps a copy of each node's
    /// activity, which this registry pushes (set once at deployment).
    IStakingSlashing public staking;

    /// @notice Minimum active bond of a node.
    uint256 public minBond;
    /// @notice Seconds a bond spends unbonding before it can be withdrawn.
    uint64 public unbondingPeriod;

    uint256 private _nextNodeId = 1;

    struct Node {
        address operator;
        address signingKey;
        // bond and status share one slot: `isActive`, read on every batch, costs one storage read for both.
        uint248 bond;
        NodeStatus status;
        uint256 totalSlashed;
        string metadataURI;
    }

    mapping(uint256 nodeId => Node) private _nodes;
    mapping(uint256 nodeId => BondUnbonding[]) private _unbondings;
    mapping(address operator => uint256 nodeId) public nodeOfOperator;
    mapping(address signingKey => uint256 nodeId) private _nodeOfKey;

    /// @notice Raised by `setStaking` once the staking contract is set.
    error NodeRegistryStakingAlreadySet(address staking);

    /// @notice Raised by `syncActivity` before the staking contract is set.
    error NodeRegistryStakingNotSet();

    /// @notice Emitted once, when the staking contract is wired in.
    event StakingSet(address staking);

    /// @param era_ The ERA token.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    /// @param minBond_ Initial minimum bond.
    /// @param unbondingPeriod_ Initial bond unbonding period in seconds.
    constructor(IERC20 era_, address admin, uint256 minBond_, uint64 unbondingPeriod_) Governed(admin) {
        if (address(era_) == address(0)) revert AdminGuardedZeroAddress();
        era = era_;
        _setMinBond(minBond_);
        _setUnbondingPeriod(unbondingPeriod_);
    }

    modifier onlyOperator(uint256 nodeId) {
        address operator = _nodes[nodeId].operator;
        if (operator == address(0)) revert NodeRegistryUnknownNode(nodeId);
        if (operator != msg.sender) revert NodeRegistryNotOperator(nodeId, msg.sender);
        _;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Governance
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Wires the staking contract in; can be called once.
    /// @dev Callable by `DEFAULT_ADMIN_ROLE` (the deployer during deployment).
    function setStaking(IStakingSlashing staking_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(staking) != address(0)) revert NodeRegistryStakingAlreadySet(address(staking));
        if (address(staking_) == address(0)) revert AdminGuardedZeroAddress();
        staking = staking_;
        emit StakingSet(address(staking_));
    }

    /// @notice Sets the minimum bond, within (0, `MAX_MIN_BOND`]. Existing nodes below it stop being active until
    /// they top up.
    /// @dev Callable by `DEFAULT_ADMIN_ROLE` (the timelock).
    /// Warning: the change is not pushed to the staking contract (that would loop over every node): until
    /// `syncActivity` is called for a node, staking keeps its earlier activity (a node a raise made inactive still
    /// takes delegations there; one a lowering made active does not yet). Call `syncActivity` for every node after
    /// a change.
    function setMinBond(uint256 newMinBond) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMinBond(newMinBond);
    }

    /// @notice Sets the bond unbonding period, within [`MIN_UNBONDING_PERIOD`, `MAX_UNBONDING_PERIOD`]. Applies to
    /// new unbonding entries only.
    /// @dev Callable by `DEFAULT_ADMIN_ROLE` (the timelock).
    function setUnbondingPeriod(uint64 newPeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setUnbondingPeriod(newPeriod);
    }

    /// @notice Pushes `isActive(nodeId)` to the staking contract as it is now (staking then emits `NodeActivitySet`).
    /// Anyone may call it; a push that changes nothing is harmless.
    /// @dev Node actions (registration, top-up, unbond, slash) push a change themselves. Warning: what they cannot see
    /// is pushed only by this: a `setMinBond` change, and nodes registered before the staking contract was set.
    /// Until then staking's copy lags `isActive`, which stays the truth for every other consumer. No re-entrancy
    /// guard: its one call goes to the staking contract, whose `setNodeActive` calls nothing.
    /// @return active The activity pushed.
    function syncActivity(uint256 nodeId) external returns (bool active) {
        IStakingSlashing staking_ = staking;
        if (address(staking_) == address(0)) revert NodeRegistryStakingNotSet();
        active = _isActive(_nodes[nodeId]);
        staking_.setNodeActive(nodeId, active);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Operators
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc INodeRegistry
    function register(
        address signingKey,
        string calldata metadataURI,
        uint256 bond
    ) external whenNotPaused nonReentrant returns (uint256 nodeId) {
        return _register(signingKey, metadataURI, bond);
    }

    /// @inheritdoc INodeRegistry
    function registerWithPermit(
        address signingKey,
        string calldata metadataURI,
        uint256 bond,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant returns (uint256 nodeId) {
        PermitLib.tryPermit(IERC20Permit(address(era)), msg.sender, address(this), bond, deadline, v, r, s);
        return _register(signingKey, metadataURI, bond);
    }

    /// @inheritdoc INodeRegistry
    function topUp(uint256 nodeId, uint256 amount) external whenNotPaused nonReentrant onlyOperator(nodeId) {
        if (amount == 0) revert NodeRegistryZeroAmount();
        Node storage node = _nodes[nodeId];
        uint256 bond = node.bond;
        uint256 newBond = bond + amount;
        uint256 minBond_ = minBond;
        node.bond = newBond.toUint248();
        // Active again: an exiting node topped up to the minimum, or an active one below a raised minimum.
        bool revived = newBond >= minBond_ && (node.status == NodeStatus.Exiting || bond < minBond_);
        if (revived) node.status = NodeStatus.Active;
        emit BondToppedUp(nodeId, amount, newBond);
        if (revived) _pushActivity(nodeId, true);
        era.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc INodeRegistry
    function unbond(uint256 nodeId, uint256 amount) external nonReentrant onlyOperator(nodeId) {
        if (amount == 0) revert NodeRegistryZeroAmount();
        Node storage node = _nodes[nodeId];
        uint256 bond = node.bond;
        if (amount > bond) revert NodeRegistryInsufficientBond(nodeId, amount, bond);
        uint256 remaining = bond - amount;
        if (remaining != 0 && remaining < minBond) revert NodeRegistryBondTooLow(remaining, minBond);
        BondUnbonding[] storage entries = _unbondings[nodeId];
        if (entries.length >= MAX_PENDING_UNBONDINGS) {
            revert NodeRegistryTooManyUnbondings(nodeId, MAX_PENDING_UNBONDINGS);
        }
        uint64 releaseAt = uint64(block.timestamp) + unbondingPeriod;
        node.bond = uint248(remaining); // ≤ the previous bond
        entries.push(BondUnbonding({amount: amount.toUint128(), releaseAt: releaseAt}));
        emit BondUnbondingStarted(nodeId, amount, releaseAt, remaining);
        if (remaining == 0 && node.status == NodeStatus.Active) {
            node.status = NodeStatus.Exiting;
            emit NodeExiting(nodeId);
            _pushActivity(nodeId, false);
        }
    }

    /// @inheritdoc INodeRegistry
    function withdrawBond(uint256 nodeId) external nonReentrant onlyOperator(nodeId) returns (uint256 amount) {
        BondUnbonding[] storage entries = _unbondings[nodeId];
        uint256 released;
        // Bounded by MAX_PENDING_UNBONDINGS. Entries are removed by swap-and-pop, so iterate backwards.
        for (uint256 i = entries.length; i > 0; --i) {
            BondUnbonding memory entry = entries[i - 1];
            if (entry.releaseAt <= block.timestamp) {
                amount += entry.amount;
                ++released;
                entries[i - 1] = entries[entries.length - 1];
                entries.pop();
            }
        }
        // An entry emptied by a slash still frees its slot, paying 0.
        if (released == 0) revert NodeRegistryNothingToWithdraw(nodeId);
        emit BondWithdrawn(nodeId, msg.sender, amount);
        if (amount != 0) era.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc INodeRegistry
    function setSigningKey(uint256 nodeId, address newKey) external onlyOperator(nodeId) {
        if (newKey == address(0) || _nodeOfKey[newKey] != 0) revert NodeRegistryInvalidSigningKey(newKey);
        Node storage node = _nodes[nodeId];
        address oldKey = node.signingKey;
        delete _nodeOfKey[oldKey];
        _nodeOfKey[newKey] = nodeId;
        node.signingKey = newKey;
        emit SigningKeyChanged(nodeId, oldKey, newKey);
    }

    /// @inheritdoc INodeRegistry
    function setMetadataURI(uint256 nodeId, string calldata metadataURI) external onlyOperator(nodeId) {
        _nodes[nodeId].metadataURI = metadataURI;
        emit MetadataURIChanged(nodeId, metadataURI);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Slashing
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc INodeRegistry
    function slash(
        uint256 nodeId,
        uint256 amount,
        address recipient,
        bytes32 reason
    ) external onlyRole(SLASHER_ROLE) nonReentrant returns (uint256 slashed) {
        Node storage node = _nodes[nodeId];
        if (node.operator == address(0)) revert NodeRegistryUnknownNode(nodeId);
        if (recipient == address(0)) revert AdminGuardedZeroAddress();
        if (amount == 0) revert NodeRegistryZeroAmount();

        // 1. Active bond.
        uint256 fromBond = amount < node.bond ? amount : node.bond;
        node.bond -= uint248(fromBond);
        // 2. Unbonding bond, newest entry first (the operator's most recent attempt to leave is taken first).
        BondUnbonding[] storage entries = _unbondings[nodeId];
        for (uint256 i = entries.length; i > 0 && fromBond < amount; --i) {
            BondUnbonding storage entry = entries[i - 1];
            uint256 want = amount - fromBond;
            uint256 take = want < entry.amount ? want : entry.amount;
            entry.amount -= uint128(take);
            fromBond += take;
        }
        node.totalSlashed += fromBond;
        bool exiting = node.status == NodeStatus.Active && node.bond < minBond;
        if (exiting) {
            node.status = NodeStatus.Exiting;
            emit NodeExiting(nodeId);
        }

        // 3. Delegators, pro rata, for whatever the bond could not cover.
        uint256 fromDelegators;
        if (fromBond < amount && address(staking) != address(0)) {
            fromDelegators = staking.slashDelegations(nodeId, amount - fromBond, recipient);
        }
        slashed = fromBond + fromDelegators;
        emit NodeSlashed(nodeId, recipient, amount, fromBond, fromDelegators, reason);
        if (exiting) _pushActivity(nodeId, false);
        if (fromBond != 0) era.safeTransfer(recipient, fromBond);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc INodeRegistry
    function isActive(uint256 nodeId) external view returns (bool) {
        // `_isActive` written out: every batch and scenario check calls this, and the private call costs them 36 gas.
        Node storage node = _nodes[nodeId];
        return node.status == NodeStatus.Active && node.bond >= minBond;
    }

    /// @inheritdoc INodeRegistry
    function operatorOf(uint256 nodeId) external view returns (address) {
        return _nodes[nodeId].operator;
    }

    /// @inheritdoc INodeRegistry
    function nodeOfSigningKey(address signingKey) external view returns (uint256) {
        return _nodeOfKey[signingKey];
    }

    /// @inheritdoc INodeRegistry
    function getNode(uint256 nodeId) external view returns (NodeView memory view_) {
        Node storage node = _nodes[nodeId];
        uint256 unbonding;
        BondUnbonding[] storage entries = _unbondings[nodeId];
        for (uint256 i; i < entries.length; ++i) unbonding += entries[i].amount;
        view_ = NodeView({
            operator: node.operator,
            signingKey: node.signingKey,
            status: node.status,
            bond: node.bond,
            unbondingBond: unbonding,
            totalSlashed: node.totalSlashed,
            metadataURI: node.metadataURI
        });
    }

    /// @inheritdoc INodeRegistry
    function getBondUnbondings(uint256 nodeId) external view returns (BondUnbonding[] memory) {
        return _unbondings[nodeId];
    }

    /// @notice Number of nodes ever registered.
    function nodeCount() external view returns (uint256) {
        return _nextNodeId - 1;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    function _register(address signingKey, string calldata metadataURI, uint256 bond) private returns (uint256 nodeId) {
        uint256 existing = nodeOfOperator[msg.sender];
        if (existing != 0) revert NodeRegistryOperatorHasNode(msg.sender, existing);
        if (signingKey == address(0) || _nodeOfKey[signingKey] != 0) revert NodeRegistryInvalidSigningKey(signingKey);
        if (bond < minBond) revert NodeRegistryBondTooLow(bond, minBond);

        nodeId = _nextNodeId++;
        Node storage node = _nodes[nodeId];
        node.operator = msg.sender;
        node.signingKey = signingKey;
        node.status = NodeStatus.Active;
        node.bond = bond.toUint248();
        node.metadataURI = metadataURI;
        nodeOfOperator[msg.sender] = nodeId;
        _nodeOfKey[signingKey] = nodeId;
        emit NodeRegistered(nodeId, msg.sender, signingKey, bond, metadataURI);
        _pushActivity(nodeId, true);
        era.safeTransferFrom(msg.sender, address(this), bond);
    }

    function _isActive(Node storage node) private view returns (bool) {
        return node.status == NodeStatus.Active && node.bond >= minBond;
    }

    /// @dev Pushes a change of `nodeId`'s activity to the staking contract, once it is set (before, `syncActivity`
    /// pushes it).
    function _pushActivity(uint256 nodeId, bool active) private {
        IStakingSlashing staking_ = staking;
        if (address(staking_) != address(0)) staking_.setNodeActive(nodeId, active);
    }

    function _setMinBond(uint256 newMinBond) private {
        if (newMinBond == 0 || newMinBond > MAX_MIN_BOND) {
            revert NodeRegistryParameterOutOfBounds(newMinBond, 1, MAX_MIN_BOND);
        }
        emit MinBondChanged(minBond, newMinBond);
        minBond = newMinBond;
    }

    function _setUnbondingPeriod(uint64 newPeriod) private {
        if (newPeriod < MIN_UNBONDING_PERIOD || newPeriod > MAX_UNBONDING_PERIOD) {
            revert NodeRegistryParameterOutOfBounds(newPeriod, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD);
        }
        emit BondUnbondingPeriodChanged(unbondingPeriod, newPeriod);
        unbondingPeriod = newPeriod;
    }
}
