// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IEpochDistributor
/// @notice Monthly Merkle epochs of developer subsidies and user rewards. A publisher proposes an epoch root with a
/// budget reserved from funded ERA; a guardian may veto it during a dispute window; then each leaf is claimable once
/// until the claim deadline, after which anyone can sweep what is left back to the pool it came from.
/// @dev Leaves follow OpenZeppelin's StandardMerkleTree: `keccak256(bytes.concat(keccak256(abi.encode(values))))`,
/// so an inner node (64 bytes) can never pass as a leaf. Every leaf starts with (chain id, this contract, epoch id):
/// a proof is valid on one chain, one distributor and one epoch only.
/// - Developer subsidy leaf: `(uint256 chainId, address distributor, uint256 epochId, uint256 index, address account,
///   uint256 scenarioId, uint256 baseAmount, uint256 mau)`. The contract pays `baseAmount`, plus 10% (rounded down)
///   when `mau > 100,000`.
/// - User reward leaf: `(uint256 chainId, address distributor, uint256 epochId, uint256 index, address account,
///   uint256 amount)`.
interface IEpochDistributor {
    /// @notice What an epoch pays.
    enum EpochKind {
        DeveloperSubsidy,
        UserReward
    }

    /// @notice An epoch.
    struct Epoch {
        bytes32 root;
        EpochKind kind;
        bool vetoed;
        bool swept;
        uint64 opensAt;
        uint64 claimDeadline;
        uint128 budget;
        uint128 claimed;
    }

    /// @notice Emitted when a funding pool grows.
    event Funded(EpochKind indexed kind, address indexed funder, uint256 amount);
    /// @notice Emitted when an epoch is proposed; its budget is reserved from the pool of its kind.
    event EpochProposed(
        uint256 indexed epochId,
        EpochKind indexed kind,
        bytes32 root,
        uint256 budget,
        uint64 opensAt,
        uint64 claimDeadline,
        string uri
    );
    /// @notice Emitted when a guardian vetoes an epoch in its dispute window; its budget returns to the pool.
    event EpochVetoed(uint256 indexed epochId, bytes32 reason);
    /// @notice Emitted for every claim.
    event Claimed(uint256 indexed epochId, uint256 indexed index, address indexed account, uint256 amount);
    /// @notice Emitted when a developer leaf earned the MAU bonus.
    event MauBonusApplied(uint256 indexed epochId, uint256 indexed scenarioId, uint256 mau, uint256 bonus);
    /// @notice Emitted when what is left of an epoch returns to its pool after the deadline.
    event EpochSwept(uint256 indexed epochId, uint256 amount);
    /// @notice Emitted when governance changes the dispute window or claim period.
    event WindowsChanged(uint64 disputeWindow, uint64 claimPeriod);

    /// @notice The amount is zero.
    error DistributorZeroAmount();
    /// @notice The root is zero.
    error DistributorZeroRoot();
    /// @notice The epoch does not exist.
    error DistributorUnknownEpoch(uint256 epochId);
    /// @notice The pool of `kind` holds less than the budget.
    error DistributorInsufficientFunds(EpochKind kind, uint256 budget, uint256 available);
    /// @notice The epoch is of another kind than the claim.
    error DistributorWrongKind(uint256 epochId, EpochKind kind);
    /// @notice The epoch was vetoed.
    error DistributorEpochVetoed(uint256 epochId);
    /// @notice The epoch's dispute window has not ended.
    error DistributorEpochNotOpen(uint256 epochId, uint64 opensAt);
    /// @notice The epoch can no longer be vetoed (its window ended) or was already vetoed.
    error DistributorVetoClosed(uint256 epochId);
    /// @notice The claim deadline has passed.
    error DistributorClaimExpired(uint256 epochId, uint64 claimDeadline);
    /// @notice The leaf was already claimed.
    error DistributorAlreadyClaimed(uint256 epochId, uint256 index);
    /// @notice The proof does not lead to the epoch's root.
    error DistributorInvalidProof(uint256 epochId, uint256 index, address account);
    /// @notice Paying the claim would exceed the epoch's budget.
    error DistributorBudgetExceeded(uint256 epochId, uint256 requested, uint256 remaining);
    /// @notice The epoch cannot be swept yet (deadline not passed) or was swept already.
    error DistributorNotSweepable(uint256 epochId);
    /// @notice A governed parameter is outside its bounds.
    error DistributorParameterOutOfBounds(uint256 value, uint256 min, uint256 max);

    /// @notice Adds `amount` ERA, pulled from the caller, to the developer-subsidy pool. Paused with inflows.
    function fundSubsidies(uint256 amount) external;

    /// @notice Adds `amount` ERA, pulled from the caller, to the user-reward pool. Never paused (the revenue router
    /// flushes into it).
    function fundUserRewards(uint256 amount) external;

    /// @notice Proposes an epoch. Its budget is reserved from the pool of `kind` now; it opens after the dispute
    /// window and can be claimed until `claimPeriod` after that.
    /// @dev Callable by `PUBLISHER_ROLE` (the activity indexer's key).
    function proposeEpoch(
        EpochKind kind,
        bytes32 root,
        uint256 budget,
        string calldata uri
    ) external returns (uint256 epochId);

    /// @notice Vetoes an epoch during its dispute window; its budget returns to its pool.
    /// @dev Callable by `GUARDIAN_ROLE`.
    function vetoEpoch(uint256 epochId, bytes32 reason) external;

    /// @notice Claims a developer-subsidy leaf for `account` (anyone may submit; the ERA goes to `account`).
    /// @dev Never paused. Valid from `opensAt` through `claimDeadline` inclusive.
    function claimSubsidy(
        uint256 epochId,
        uint256 index,
        address account,
        uint256 scenarioId,
        uint256 baseAmount,
        uint256 mau,
        bytes32[] calldata proof
    ) external returns (uint256 amount);

    /// @notice Claims a user-reward leaf for `account` (anyone may submit; the ERA goes to `account`).
    /// @dev Never paused. Valid from `opensAt` through `claimDeadline` inclusive.
    function claimReward(
        uint256 epochId,
        uint256 index,
        address account,
        uint256 amount,
        bytes32[] calldata proof
    ) external;

    /// @notice Claims the caller's user-reward leaf and delegates it to `nodeId` in the staking contract, in one
    /// transaction. Paused with inflows (it is a new delegation); `claimReward` stays available.
    function claimRewardAndDelegate(
        uint256 epochId,
        uint256 index,
        uint256 amount,
        bytes32[] calldata proof,
        uint256 nodeId
    ) external;

    /// @notice Returns what is unclaimed of an epoch to its pool. Callable by anyone once
    /// `block.timestamp > claimDeadline`.
    function sweep(uint256 epochId) external returns (uint256 amount);

    /// @notice Subsidy paid for a base amount and MAU: base + 10% when `mau > 100,000`.
    function subsidyFor(uint256 baseAmount, uint256 mau) external pure returns (uint256);

    /// @notice Whether leaf `index` of `epochId` was claimed.
    function isClaimed(uint256 epochId, uint256 index) external view returns (bool);

    /// @notice An epoch.
    function getEpoch(uint256 epochId) external view returns (Epoch memory);
}
