// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStakingSlashing} from "./IStakingSlashing.sol";

/// @title IDelegatedStaking
/// @notice Users delegate ERA to registered nodes and earn a yearly yield of 8% + 4% × the node's service score,
/// paid from a funded reserve, never from principal. Undelegated stake waits out an unbonding period during which it
/// stays slashable.
/// @dev Accrual is O(1) per node. A global "effective clock" advances at wall-clock speed while the reserve covers
/// the yield of every node, and slower (down to standing still) when it does not; every node accrues against that
/// clock, so the total accrued can never exceed what was funded. `reserveStatus` shows the shortfall on-chain.
interface IDelegatedStaking is IStakingSlashing {
    /// @notice A node's delegation pool. `accYieldPerShare` is the node's yield accumulator now: ERA wei earned per
    /// share since the node's first delegation, scaled by 10,000 × 365 days × 1e18 (= 3.1536e29).
    struct NodePoolView {
        uint256 stake;
        uint256 shares;
        uint256 unbondingStake;
        uint256 unbondingShares;
        uint256 scoreBps;
        uint256 aprBps;
        uint256 accYieldPerShare;
    }

    /// @notice An undelegation waiting for its release time, in shares of the node's unbonding pool.
    struct UnbondingEntry {
        uint128 shares;
        uint64 releaseAt;
    }

    /// @notice Emitted when stake is delegated. `payer` paid for it, `delegator` owns it.
    event Delegated(
        address indexed delegator,
        uint256 indexed nodeId,
        address indexed payer,
        uint256 amount,
        uint256 sharesMinted
    );
    /// @notice Emitted when stake leaves a node's active pool for its unbonding pool.
    event UndelegationStarted(
        address indexed delegator,
        uint256 indexed nodeId,
        uint256 amount,
        uint256 sharesBurned,
        uint256 unbondingShares,
        uint64 releaseAt
    );
    /// @notice Emitted when matured unbonding entries are paid out.
    event Withdrawn(address indexed delegator, uint256 indexed nodeId, uint256 amount, uint256 entries);
    /// @notice Emitted when yield is paid out.
    event YieldClaimed(address indexed delegator, uint256 amount);
    /// @notice Emitted when a node's score (and so its APR) changes.
    event ScoreUpdated(uint256 indexed nodeId, uint256 oldScoreBps, uint256 newScoreBps, uint256 newAprBps);
    /// @notice Emitted when the reserve is funded.
    event ReserveFunded(address indexed funder, uint256 amount, uint256 newReserve);
    /// @notice Emitted when the reserve could not cover the yield of an interval: only `paid` of `required` accrued.
    event ReserveShortfall(uint256 required, uint256 paid);
    /// @notice Emitted when a slash reaches the node's delegators.
    event DelegationsSlashed(
        uint256 indexed nodeId,
        address indexed recipient,
        uint256 fromActive,
        uint256 fromUnbonding
    );
    /// @notice Emitted when governance changes the unbonding period.
    event UnbondingPeriodChanged(uint64 oldPeriod, uint64 newPeriod);

    /// @notice The amount is zero, or rounds to zero shares.
    error StakingZeroAmount();
    /// @notice The node is not active in the node registry.
    error StakingNodeNotActive(uint256 nodeId);
    /// @notice Every token of the node's pool was slashed; it cannot take new stake.
    error StakingNodeWipedOut(uint256 nodeId);
    /// @notice The delegator has less stake with the node than requested.
    error StakingInsufficientStake(address delegator, uint256 nodeId, uint256 requestedShares, uint256 shares);
    /// @notice The delegator already has the maximum number of pending unbonding entries with the node.
    error StakingTooManyUnbondings(address delegator, uint256 nodeId, uint256 max);
    /// @notice No unbonding entry with the node has matured yet.
    error StakingNothingToWithdraw(address delegator, uint256 nodeId);
    /// @notice There is no yield to claim.
    error StakingNothingToClaim(address delegator);
    /// @notice The score is above 10,000 basis points.
    error StakingScoreOutOfRange(uint256 scoreBps);
    /// @notice Only the node registry may call this.
    error StakingOnlyRegistry(address caller);
    /// @notice `amount` ERA does not fit: the yield rate of all nodes together (for a delegation, or for a node's
    /// whole stake at a raised score) or the yield funds (reserve + owed yield, for a funding) can take only `room`
    /// more ERA.
    error StakingCapacityExceeded(uint256 amount, uint256 room);
    /// @notice A governed parameter is outside its bounds.
    error StakingParameterOutOfBounds(uint256 value, uint256 min, uint256 max);

    /// @notice Delegates `amount` ERA of the caller to `nodeId`.
    /// @dev Callable by anyone; paused with inflows. Earns nothing until time passes: stake that enters and leaves in
    /// the same transaction (or block) earns 0.
    /// @return shares Pool shares minted (rounded down, in the pool's favour).
    function delegate(uint256 nodeId, uint256 amount) external returns (uint256 shares);

    /// @notice `delegate` with an EIP-2612 permit, in one transaction.
    function delegateWithPermit(
        uint256 nodeId,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 shares);

    /// @notice Delegates `amount` ERA paid by the caller on behalf of `delegator` (used by claim-and-delegate).
    /// @dev Callable by anyone; paused with inflows. It never touches the delegator's unbonding entries.
    function delegateFor(address delegator, uint256 nodeId, uint256 amount) external returns (uint256 shares);

    /// @notice Starts unbonding `amount` ERA of the caller's stake with `nodeId`; `type(uint256).max` means all.
    /// @dev Never paused. Burns shares rounded up. The stake stops earning yield now, stays slashable, and can be
    /// withdrawn after `unbondingPeriod()`. At most `MAX_UNBONDING_ENTRIES` may be pending per node.
    /// @return amountUnbonding ERA moved into unbonding (at the pool's price now).
    function undelegate(uint256 nodeId, uint256 amount) external returns (uint256 amountUnbonding);

    /// @notice Pays the caller every matured unbonding entry with `nodeId`, minus any slash since.
    /// @dev Never paused.
    function withdraw(uint256 nodeId) external returns (uint256 amount);

    /// @notice Settles the caller's yield with `nodeId` and pays all of the caller's settled yield.
    /// @dev Never paused.
    function claim(uint256 nodeId) external returns (uint256 amount);

    /// @notice Settles the caller's yield with `fromNodeId` and delegates all of the caller's settled yield at that
    /// point to `toNodeId` (which may be the same node), in one call. Yield then settled on `toNodeId` by the
    /// delegation itself stays settled, to be claimed or redelegated later.
    /// @dev Paused with inflows (it is a new delegation); `claim` stays available.
    function claimAndRedelegate(uint256 fromNodeId, uint256 toNodeId) external returns (uint256 amount);

    /// @notice Adds `amount` ERA to the yield reserve (the revenue router's protocol share lands here).
    /// @dev Callable by anyone; never paused.
    function fundReserve(uint256 amount) external;

    /// @notice Sets `nodeId`'s service score (0–10,000 bps), hence its APR = 8% + 4% × score.
    /// @dev Callable by `SCORE_KEEPER_ROLE`. Accrual up to now is checkpointed at the old rate first.
    function setScore(uint256 nodeId, uint256 scoreBps) external;

    /// @notice Nominal APR of `nodeId` in basis points, always within [800, 1200].
    function aprOf(uint256 nodeId) external view returns (uint256 aprBps);

    /// @notice ERA value of `delegator`'s active stake with `nodeId` (rounded down).
    function stakeOf(address delegator, uint256 nodeId) external view returns (uint256);

    /// @notice Yield `delegator` could claim from `nodeId` now, including unsettled accrual and earlier settled
    /// yield from every node.
    function claimableYield(address delegator, uint256 nodeId) external view returns (uint256);

    /// @notice Pending unbonding entries of `delegator` with `nodeId`.
    function unbondingsOf(address delegator, uint256 nodeId) external view returns (UnbondingEntry[] memory);

    /// @notice ERA value of one unbonding entry of `delegator` with `nodeId` now (0 once a 100% slash wiped it out).
    function unbondingValue(address delegator, uint256 nodeId, uint256 index) external view returns (uint256);

    /// @notice Whether `nodeId` takes delegations here: the node registry's `isActive` as the registry last pushed it
    /// (see `setNodeActive`; it can lag a minimum-bond change until `NodeRegistry.syncActivity`).
    function nodeActive(uint256 nodeId) external view returns (bool);

    /// @notice The node's pool.
    function nodePool(uint256 nodeId) external view returns (NodePoolView memory);

    /// @notice Reserve health: unallocated reserve, yield owed but unpaid, current yield per second across all nodes
    /// (rounded up), seconds the reserve still covers at that rate, and the seconds of accrual lost so far to
    /// shortfalls (wad-seconds, 1e18 = one second).
    function reserveStatus()
        external
        view
        returns (
            uint256 reserve,
            uint256 yieldOwed,
            uint256 yieldPerSecond,
            uint256 secondsCovered,
            uint256 unfundedTime
        );
}
