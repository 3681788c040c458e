// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title INodeRegistry
/// @notice Node operators register a signing key and an ERA bond, can top it up, leave through an unbonding period,
/// and can be slashed by the `SLASHER_ROLE` (the execution layer). A slash takes the node's bond first (active, then
/// unbonding) and only the rest from the node's delegators, through the staking contract.
interface INodeRegistry {
    /// @notice Lifecycle of a node. `Active` nodes may serve scenarios and take delegations.
    enum NodeStatus {
        None,
        Active,
        Exiting
    }

    /// @notice A bond withdrawal waiting for the unbonding period.
    struct BondUnbonding {
        uint128 amount;
        uint64 releaseAt;
    }

    /// @notice Public view of a node.
    struct NodeView {
        address operator;
        address signingKey;
        NodeStatus status;
        uint256 bond;
        uint256 unbondingBond;
        uint256 totalSlashed;
        string metadataURI;
    }

    /// @notice Emitted when a node is registered.
    event NodeRegistered(
        uint256 indexed nodeId,
        address indexed operator,
        address indexed signingKey,
        uint256 bond,
        string metadataURI
    );
    /// @notice Emitted when a node's bond grows.
    event BondToppedUp(uint256 indexed nodeId, uint256 amount, uint256 newBond);
    /// @notice Emitted when part or all of a bond enters unbonding.
    event BondUnbondingStarted(uint256 indexed nodeId, uint256 amount, uint64 releaseAt, uint256 remainingBond);
    /// @notice Emitted when a node with no bond left stops being active.
    event NodeExiting(uint256 indexed nodeId);
    /// @notice Emitted when matured unbonding bond is paid to the operator.
    event BondWithdrawn(uint256 indexed nodeId, address indexed operator, uint256 amount);
    /// @notice Emitted when an operator rotates its signing key.
    event SigningKeyChanged(uint256 indexed nodeId, address indexed oldKey, address indexed newKey);
    /// @notice Emitted when an operator changes its metadata URI.
    event MetadataURIChanged(uint256 indexed nodeId, string metadataURI);
    /// @notice Emitted on every slash: what was taken from the bond, from delegators, and where it went.
    event NodeSlashed(
        uint256 indexed nodeId,
        address indexed recipient,
        uint256 requested,
        uint256 fromBond,
        uint256 fromDelegators,
        bytes32 reason
    );
    /// @notice Emitted when governance changes the minimum bond.
    event MinBondChanged(uint256 oldMinBond, uint256 newMinBond);
    /// @notice Emitted when governance changes the bond unbonding period.
    event BondUnbondingPeriodChanged(uint64 oldPeriod, uint64 newPeriod);

    /// @notice The node id does not exist.
    error NodeRegistryUnknownNode(uint256 nodeId);
    /// @notice The caller is not the node's operator.
    error NodeRegistryNotOperator(uint256 nodeId, address caller);
    /// @notice The operator already runs a node.
    error NodeRegistryOperatorHasNode(address operator, uint256 nodeId);
    /// @notice The signing key is zero or already used by a node.
    error NodeRegistryInvalidSigningKey(address signingKey);
    /// @notice The bond is below the minimum.
    error NodeRegistryBondTooLow(uint256 bond, uint256 minBond);
    /// @notice The amount is zero.
    error NodeRegistryZeroAmount();
    /// @notice The unbonding request exceeds the bond.
    error NodeRegistryInsufficientBond(uint256 nodeId, uint256 requested, uint256 bond);
    /// @notice The node already has the maximum number of pending unbonding entries.
    error NodeRegistryTooManyUnbondings(uint256 nodeId, uint256 max);
    /// @notice The node is not active.
    error NodeRegistryNodeNotActive(uint256 nodeId);
    /// @notice No unbonding entry has matured yet.
    error NodeRegistryNothingToWithdraw(uint256 nodeId);
    /// @notice A governed parameter is outside its bounds.
    error NodeRegistryParameterOutOfBounds(uint256 value, uint256 min, uint256 max);

    /// @notice Registers a node for the caller (its operator), pulling `bond` ERA from the caller.
    /// @dev Callable by anyone without a node; paused with inflows. Requires `bond ≥ minBond()`.
    /// @return nodeId The new node's id (ids start at 1).
    function register(address signingKey, string calldata metadataURI, uint256 bond) external returns (uint256 nodeId);

    /// @notice `register` with an EIP-2612 permit for the bond, in one transaction.
    function registerWithPermit(
        address signingKey,
        string calldata metadataURI,
        uint256 bond,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 nodeId);

    /// @notice Adds `amount` ERA to the bond of `nodeId`, pulling it from the caller.
    /// @dev Callable by the node's operator; paused with inflows. Reactivates an `Exiting` node if the bond reaches
    /// the minimum again.
    function topUp(uint256 nodeId, uint256 amount) external;

    /// @notice Moves `amount` of the bond into unbonding; it stays slashable until withdrawn.
    /// @dev Callable by the operator. The remaining bond must be 0 (the node then stops being active) or at least
    /// `minBond()`. At most `MAX_PENDING_UNBONDINGS` entries may be pending.
    function unbond(uint256 nodeId, uint256 amount) external;

    /// @notice Pays the operator every unbonding entry whose release time has passed.
    /// @dev Callable by the operator; never paused.
    /// @return amount The ERA paid.
    function withdrawBond(uint256 nodeId) external returns (uint256 amount);

    /// @notice Rotates the node's signing key. Callable by the operator.
    function setSigningKey(uint256 nodeId, address newKey) external;

    /// @notice Changes the node's metadata URI. Callable by the operator.
    function setMetadataURI(uint256 nodeId, string calldata metadataURI) external;

    /// @notice Slashes up to `amount` ERA from `nodeId` and sends it to `recipient`: first the active bond, then the
    /// unbonding bond (newest first), then the node's delegators pro rata through the staking contract.
    /// @dev Callable by `SLASHER_ROLE`. Takes what there is when `amount` exceeds the total at stake.
    /// @return slashed The ERA actually taken.
    function slash(
        uint256 nodeId,
        uint256 amount,
        address recipient,
        bytes32 reason
    ) external returns (uint256 slashed);

    /// @notice Whether `nodeId` may serve scenarios and take delegations.
    function isActive(uint256 nodeId) external view returns (bool);

    /// @notice The operator of `nodeId` (zero if unknown).
    function operatorOf(uint256 nodeId) external view returns (address);

    /// @notice The node whose signing key is `signingKey` (0 if none).
    function nodeOfSigningKey(address signingKey) external view returns (uint256);

    /// @notice Full view of a node.
    function getNode(uint256 nodeId) external view returns (NodeView memory);

    /// @notice Pending unbonding entries of a node.
    function getBondUnbondings(uint256 nodeId) external view returns (BondUnbonding[] memory);
}
