// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDelegatedStaking} from "../interfaces/IDelegatedStaking.sol";
import {IStakingSlashing} from "../interfaces/IStakingSlashing.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {Governed} from "../governance/Governed.sol";
import {PermitLib} from "../libraries/PermitLib.sol";

/// @title DelegatedStaking
/// @notice Delegations of ERA to nodes, their unbonding, slashing, and yield in the 8–12% band from a funded reserve.
/// @dev Rounding, always in the protocol's favour: shares minted down, shares burned up, pool exits down, the reserve
/// charged up, yield per share and yield per delegator down.
///
/// Yield per share. A node's accumulator grows by `stake × aprBps × Δeff / shares` (Δeff in wad-seconds of the
/// effective clock), in units of 1 / `YIELD_DENOMINATOR` wei per share, so a position of `s` shares earns
/// `s × Δacc / YIELD_DENOMINATOR` wei. While a pool's price is exactly one (stake = shares: every pool until its first
/// slash, since minting and burning at that price are exact) the growth is `aprBps × Δeff` per share, exact, and
/// depends on nothing a delegation changes: delegations, undelegations and claims then read the accumulator without
/// writing it. It is checkpointed (stored with its effective time) only when the yield per share changes: a new
/// score, a slash, a delegation or undelegation at another price, a pool emptying or being joined when empty.
///
/// Bounds. Every pool's price stays at most one wei per share (stake ≤ shares): shares start 1:1, a delegation at a
/// price ≤ 1 mints at least one share per wei, an undelegation burns its shares rounded up (which leaves the price
/// ≤ 1), and slashes only lower stake. So an accumulator grows by at most 1,200 × 1e18 a second: it stays below
/// 2^120 for 35 million years. The global rate is packed as uint104 (Σ stake × APR up to 16.9 billion ERA at 12%),
/// which also keeps every pool's stake below 2^96, and the reserve and yield funds as uint96 (79 billion ERA; ERA's
/// cap is 1 billion). A delegation, a score raise or a funding past them reverts with `StakingCapacityExceeded`; an
/// exit never does. Unbonding balances, which exits fill, are uint128.
contract DelegatedStaking is IDelegatedStaking, Governed, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Role that sets service scores (an oracle now; execution results later).
    bytes32 public constant SCORE_KEEPER_ROLE = keccak256("SCORE_KEEPER_ROLE");

    /// @notice APR band in basis points: 8% at score 0, 12% at score 10,000.
    uint256 public constant MIN_APR_BPS = 800;
    uint256 public constant MAX_APR_BPS = 1200;
    /// @notice Score scale: 10,000 = 1.0.
    uint256 public constant MAX_SCORE_BPS = 10_000;
    /// @notice Seconds in the year the APR refers to (365 days).
    uint256 public constant YEAR = 365 days;
    /// @notice At most this many unbonding entries per delegator and node (bounds `withdraw`).
    uint256 public constant MAX_UNBONDING_ENTRIES = 32;
    /// @notice Bounds of the governed unbonding period.
    uint64 public constant MIN_UNBONDING_PERIOD = 1 days;
    uint64 public constant MAX_UNBONDING_PERIOD = 60 days;

    /// @notice A slash that would leave a pool worth less than one wei per this many shares takes the pool whole
    /// (a share then trades at ≥ 1e9 : 1, and pricing new stake against it would overflow).
    uint256 public constant MAX_SHARES_PER_WEI = 1e9;

    /// @notice Capacity of the reserve and of the yield funds (reserve + owed yield): 2^96 − 1 wei (79 billion ERA).
    /// Funding past it reverts with `StakingCapacityExceeded`.
    uint256 public constant MAX_BALANCE = type(uint96).max;
    /// @notice Capacity of the global rate, Σ over nodes of stake × aprBps: 2^104 − 1 (16.9 billion ERA delegated at
    /// 12%, 25.4 billion at 8%). A delegation or a score raise past it reverts with `StakingCapacityExceeded`; it also
    /// keeps every node's stake below 2^96.
    uint256 public constant MAX_GLOBAL_RATE = type(uint104).max;

    uint256 private constant BPS = 10_000;
    uint256 private constant WAD = 1e18;
    /// @dev Denominator turning (stake × aprBps × wad-seconds) into ERA wei; also the scale of the accumulators.
    uint256 private constant YIELD_DENOMINATOR = BPS * YEAR * WAD;

    /// @dev Bit offsets of the fields of `_clock`.
    uint256 private constant RESERVE_OFFSET = 40;
    uint256 private constant RATE_OFFSET = 136;
    uint256 private constant UNFUNDED_FLAG = 1 << 240;
    /// @dev Bit offsets of a packed position: shares (128 bits) | accumulator snapshot (120) | pending entries (8).
    uint256 private constant SNAPSHOT_OFFSET = 128;
    uint256 private constant UNBONDINGS_OFFSET = 248;
    /// @dev Flag of `_accounts`.
    uint256 private constant ACCOUNT_OPENED = 1 << 255;

    /// @notice The ERA token.
    IERC20 public immutable era;
    /// @notice The node registry (node activity; the only caller of `slashDelegations` and `setNodeActive`).
    INodeRegistry public immutable registry;
    /// @dev Deployment time: the effective clock's zero.
    uint256 private immutable _genesis;

    // Global accrual state, in two slots.
    /// @dev Packed after Pausable's `_paused`, so that a delegation reads the pause flag and advances the clock for
    /// the price of one slot. From the low bits: the last wall-clock second the clock was advanced to (40 bits, good
    /// until the year 36,812), the reserve not yet accrued to anyone (96), the global rate Σ over nodes of stake ×
    /// aprBps (104), and whether a reserve shortfall ever happened (8; until then `_unfundedTime` is 0 and need not be
    /// read). See `_accrue`.
    uint248 private _clock;

    /// @dev Wad-seconds of accrual lost to reserve shortfalls. The effective clock is (last update − deployment) ×
    /// 1e18 − `_unfundedTime`: it advances with time while the reserve covers accrual, and slower (down to standing
    /// still) when it does not.
    uint128 private _unfundedTime;
    /// @dev Reserve + yield accrued and not yet paid out: `_yieldFunds` − reserve covers every delegator's claim.
    uint96 private _yieldFunds;
    /// @dev Seconds an undelegation waits before it can be withdrawn (≤ 60 days).
    uint32 private _unbondingPeriod;

    struct Pool {
        // Slot 0: what delegations and undelegations change.
        uint96 stake;
        uint128 shares;
        // Bumped when a 100% slash empties the unbonding pool: its shares are then worth nothing, and later
        // undelegations start a fresh unbonding pool instead of being priced against them.
        uint32 unbondingGeneration;
        // Slot 1: the accumulator at the last checkpoint, the effective time of that checkpoint, the score, and whether
        // the node takes delegations (the registry's `isActive`, as last pushed by the registry; a delegation reads
        // this slot anyway). The effective time is at most (now − deployment) × 1e18 < 2^40 × 2^60 while timestamps
        // fit the clock's 40 bits (until the year 36,812), so 104 bits hold it.
        uint128 accCheckpoint;
        uint104 effCheckpoint;
        uint16 scoreBps;
        bool active;
        // Slot 2: the unbonding pool, priced on its own so that slashes reach unbonding stake in O(1).
        uint128 unbondingStake;
        uint128 unbondingShares;
    }

    /// @dev An unbonding entry as stored: `UnbondingEntry` plus the unbonding-pool generation its shares belong to.
    struct StoredUnbonding {
        uint128 shares;
        uint64 releaseAt;
        uint64 generation;
    }

    mapping(uint256 nodeId => Pool) private _pools;
    /// @dev A delegator's position with a node, packed in one word (see `_packPosition`): its shares, the node's
    /// accumulator when it was last settled, and its pending unbonding entries with the node.
    mapping(address delegator => mapping(uint256 nodeId => uint256)) private _positions;
    /// @dev Entries [0, pending entries of the position) are pending; slots past them are stale and get reused.
    mapping(address delegator => mapping(uint256 nodeId => StoredUnbonding[MAX_UNBONDING_ENTRIES])) private _unbondings;
    /// @dev Per delegator: the yield settled to it and not yet claimed (low 128 bits), and `ACCOUNT_OPENED`, set by
    /// its first delegation and never cleared so that the slot never empties: settling yield into it later updates a
    /// live slot (2,900 gas) instead of creating one (20,000 gas).
    mapping(address delegator => uint256) private _accounts;

    /// @param era_ The ERA token.
    /// @param registry_ The node registry.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    /// @param unbondingPeriod_ Initial unbonding period in seconds.
    constructor(IERC20 era_, INodeRegistry registry_, address admin, uint64 unbondingPeriod_) Governed(admin) {
        if (address(era_) == address(0) || address(registry_) == address(0)) revert AdminGuardedZeroAddress();
        era = era_;
        registry = registry_;
        _genesis = block.timestamp;
        _clock = uint248(block.timestamp);
        _setUnbondingPeriod(unbondingPeriod_);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Delegators
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IDelegatedStaking
    function delegate(uint256 nodeId, uint256 amount) external whenNotPaused nonReentrant returns (uint256) {
        return _delegate(msg.sender, msg.sender, nodeId, amount);
    }

    /// @inheritdoc IDelegatedStaking
    function delegateWithPermit(
        uint256 nodeId,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant returns (uint256) {
        PermitLib.tryPermit(IERC20Permit(address(era)), msg.sender, address(this), amount, deadline, v, r, s);
        return _delegate(msg.sender, msg.sender, nodeId, amount);
    }

    /// @inheritdoc IDelegatedStaking
    function delegateFor(
        address delegator,
        uint256 nodeId,
        uint256 amount
    ) external whenNotPaused nonReentrant returns (uint256) {
        if (delegator == address(0)) revert AdminGuardedZeroAddress();
        return _delegate(msg.sender, delegator, nodeId, amount);
    }

    /// @inheritdoc IDelegatedStaking
    function undelegate(uint256 nodeId, uint256 amount) external nonReentrant returns (uint256 amountUnbonding) {
        if (amount == 0) revert StakingZeroAmount();
        Pool storage pool = _pools[nodeId];
        mapping(uint256 => uint256) storage positions = _positions[msg.sender];
        uint256 position = positions[nodeId];
        uint256 sharesBurned;
        uint256 acc;
        (amountUnbonding, sharesBurned, acc) = _leaveActivePool(pool, nodeId, uint128(position), amount);
        uint256 pending = position >> UNBONDINGS_OFFSET;
        if (pending >= MAX_UNBONDING_ENTRIES) {
            revert StakingTooManyUnbondings(msg.sender, nodeId, MAX_UNBONDING_ENTRIES);
        }
        (uint256 uMinted, uint64 releaseAt) = _enterUnbondingPool(pool, nodeId, amountUnbonding, pending);
        _creditYield(msg.sender, position, acc);
        unchecked {
            // sharesBurned ≤ the position's shares; pending < MAX_UNBONDING_ENTRIES.
            positions[nodeId] = _packPosition(uint128(position) - sharesBurned, acc, pending + 1);
        }
        emit UndelegationStarted(msg.sender, nodeId, amountUnbonding, sharesBurned, uMinted, releaseAt);
    }

    /// @inheritdoc IDelegatedStaking
    function withdraw(uint256 nodeId) external nonReentrant returns (uint256 amount) {
        mapping(uint256 => uint256) storage positions = _positions[msg.sender];
        uint256 position = positions[nodeId];
        StoredUnbonding[MAX_UNBONDING_ENTRIES] storage entries = _unbondings[msg.sender][nodeId];
        Pool storage pool = _pools[nodeId];
        uint256 pending = position >> UNBONDINGS_OFFSET;
        uint256 uStake = pool.unbondingStake;
        uint256 uShares = pool.unbondingShares;
        uint256 generation = pool.unbondingGeneration;
        uint256 released;
        // Bounded by MAX_UNBONDING_ENTRIES; swap-and-pop, so iterate backwards.
        for (uint256 i = pending; i > 0; --i) {
            StoredUnbonding memory entry = entries[i - 1];
            if (entry.releaseAt <= block.timestamp) {
                // An entry of an earlier generation (wiped out by a 100% slash) or without shares is worth 0.
                if (entry.generation == generation && entry.shares != 0) {
                    // Rounded down; entry.shares ≤ uShares, so value ≤ uStake.
                    uint256 value = (entry.shares * uStake) / uShares;
                    uStake -= value;
                    uShares -= entry.shares;
                    amount += value;
                }
                ++released;
                --pending;
                if (i - 1 != pending) entries[i - 1] = entries[pending];
            }
        }
        if (released == 0) revert StakingNothingToWithdraw(msg.sender, nodeId);
        positions[nodeId] = _packPosition(uint128(position), _snapshotOf(position), pending);
        pool.unbondingStake = uint128(uStake);
        pool.unbondingShares = uint128(uShares);
        emit Withdrawn(msg.sender, nodeId, amount, released);
        if (amount != 0) era.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IDelegatedStaking
    function claim(uint256 nodeId) external nonReentrant returns (uint256 amount) {
        amount = _takeYield(msg.sender, nodeId);
        emit YieldClaimed(msg.sender, amount);
        era.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IDelegatedStaking
    function claimAndRedelegate(
        uint256 fromNodeId,
        uint256 toNodeId
    ) external whenNotPaused nonReentrant returns (uint256 amount) {
        amount = _takeYield(msg.sender, fromNodeId);
        emit YieldClaimed(msg.sender, amount);
        // The ERA stays in this contract: it moves from the yield funds into principal.
        _stake(msg.sender, msg.sender, toNodeId, amount);
    }

    /// @inheritdoc IDelegatedStaking
    function fundReserve(uint256 amount) external nonReentrant {
        if (amount == 0) revert StakingZeroAmount();
        (uint256 clock, ) = _accrue();
        uint256 funds = _yieldFunds;
        // The yield funds hold the reserve, so this bounds both.
        uint256 room = MAX_BALANCE - funds;
        if (amount > room) revert StakingCapacityExceeded(amount, room);
        uint256 newReserve;
        unchecked {
            newReserve = _reserveOf(clock) + amount;
            _yieldFunds = uint96(funds + amount);
            _clock = uint248(clock + (amount << RESERVE_OFFSET));
        }
        emit ReserveFunded(msg.sender, amount, newReserve);
        era.safeTransferFrom(msg.sender, address(this), amount);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Roles
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IDelegatedStaking
    function setScore(uint256 nodeId, uint256 scoreBps) external onlyRole(SCORE_KEEPER_ROLE) {
        if (scoreBps > MAX_SCORE_BPS) revert StakingScoreOutOfRange(scoreBps);
        (uint256 clock, uint256 effTime) = _accrue();
        Pool storage pool = _pools[nodeId];
        uint256 stake = pool.stake;
        uint256 oldScore = pool.scoreBps;
        // Checkpoint at the old rate first; the score shares the checkpoint's slot.
        (uint256 acc, uint256 oldApr) = _accOf(pool, stake, pool.shares, effTime);
        uint256 newApr = _aprOf(scoreBps);
        uint256 otherRate = _rateOf(clock) - stake * oldApr;
        uint256 room = (MAX_GLOBAL_RATE - otherRate) / newApr;
        if (stake > room) revert StakingCapacityExceeded(stake, room);
        _clock = uint248(_withRate(clock, otherRate + stake * newApr));
        _checkpoint(pool, acc, effTime);
        pool.scoreBps = uint16(scoreBps);
        emit ScoreUpdated(nodeId, oldScore, scoreBps, newApr);
    }

    /// @inheritdoc IStakingSlashing
    function slashDelegations(
        uint256 nodeId,
        uint256 amount,
        address recipient
    ) external nonReentrant returns (uint256 slashed) {
        if (msg.sender != address(registry)) revert StakingOnlyRegistry(msg.sender);
        (uint256 clock, uint256 effTime) = _accrue();
        Pool storage pool = _pools[nodeId];
        uint256 active = pool.stake;
        uint256 unbonding = pool.unbondingStake;
        uint256 total = active + unbonding;
        if (total == 0 || amount == 0) {
            _clock = uint248(clock);
            return 0;
        }
        uint256 shares = pool.shares;
        uint256 fromActive;
        uint256 fromUnbonding;
        if (amount >= total) {
            fromActive = active;
            fromUnbonding = unbonding;
        } else {
            // Pro rata, each part rounded down. No overflow: both pools hold ERA, whose supply cap (10^27 < 2^90)
            // bounds each product below 2^180 (the pools' 128-bit widths alone would not).
            fromActive = (amount * active) / total;
            fromUnbonding = (amount * unbonding) / total;
            // A pool left with dust against its shares (under 1 wei per `MAX_SHARES_PER_WEI` shares) would price
            // later entries at absurd rates and overflow: such a pool is taken whole instead.
            if (_isDust(active - fromActive, shares)) fromActive = active;
            if (_isDust(unbonding - fromUnbonding, pool.unbondingShares)) fromUnbonding = unbonding;
        }
        if (fromUnbonding == unbonding && pool.unbondingShares != 0) {
            // Every unbonding share is now worth 0: retire them, so that later undelegations start a fresh pool
            // instead of being priced against an empty one (a division by zero that would lock them in).
            pool.unbondingShares = 0;
            ++pool.unbondingGeneration;
        }
        if (fromActive != 0) {
            // The yield up to now was earned on the unslashed stake; the price, hence the yield per share, changes.
            (uint256 acc, uint256 apr) = _accOf(pool, active, shares, effTime);
            _checkpoint(pool, acc, effTime);
            clock = _withRate(clock, _rateOf(clock) - fromActive * apr);
            pool.stake = uint96(active - fromActive);
        }
        _clock = uint248(clock);
        pool.unbondingStake = uint128(unbonding - fromUnbonding);
        slashed = fromActive + fromUnbonding;
        emit DelegationsSlashed(nodeId, recipient, fromActive, fromUnbonding);
        if (slashed != 0) era.safeTransfer(recipient, slashed);
    }

    /// @inheritdoc IStakingSlashing
    /// @dev Warning: the flag can lag the registry's `isActive`. A minimum-bond change in the registry is not pushed
    /// (it would have to loop over every node), nor is the activity of nodes registered before the registry was wired
    /// to this contract: until someone calls `NodeRegistry.syncActivity(nodeId)`, a node made inactive by a raised
    /// minimum bond still takes delegations here, and one made active by a lowered minimum bond (or registered
    /// before the wiring) does not. A node that exits or is slashed below the minimum is always pushed. No re-entrancy
    /// guard: it writes one flag and calls nothing.
    function setNodeActive(uint256 nodeId, bool active) external {
        if (msg.sender != address(registry)) revert StakingOnlyRegistry(msg.sender);
        _pools[nodeId].active = active;
        emit NodeActivitySet(nodeId, active);
    }

    /// @notice Sets the unbonding period within [`MIN_UNBONDING_PERIOD`, `MAX_UNBONDING_PERIOD`]; applies to new
    /// undelegations only.
    /// @dev Callable by `DEFAULT_ADMIN_ROLE` (the timelock).
    function setUnbondingPeriod(uint64 newPeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setUnbondingPeriod(newPeriod);
    }

    /// @notice Advances the global accrual to now. Anyone may call it; every state change does it anyway.
    function poke() external {
        (uint256 clock, ) = _accrue();
        _clock = uint248(clock);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IDelegatedStaking
    function nodeActive(uint256 nodeId) external view returns (bool) {
        return _pools[nodeId].active;
    }

    /// @notice Seconds an undelegation waits before it can be withdrawn.
    function unbondingPeriod() external view returns (uint64) {
        return _unbondingPeriod;
    }

    /// @notice Yield settled to `delegator` and not yet claimed: what its delegations and undelegations moved out of
    /// its positions, with any node. A claim of any node pays it.
    function settledYield(address delegator) external view returns (uint256) {
        return uint128(_accounts[delegator]);
    }

    /// @inheritdoc IDelegatedStaking
    function aprOf(uint256 nodeId) external view returns (uint256) {
        return _aprOf(_pools[nodeId].scoreBps);
    }

    /// @inheritdoc IDelegatedStaking
    function stakeOf(address delegator, uint256 nodeId) public view returns (uint256) {
        Pool storage pool = _pools[nodeId];
        uint256 shares = pool.shares;
        return shares == 0 ? 0 : (uint128(_positions[delegator][nodeId]) * uint256(pool.stake)) / shares;
    }

    /// @notice Shares of `delegator` in `nodeId`'s active pool.
    function sharesOf(address delegator, uint256 nodeId) external view returns (uint256) {
        return uint128(_positions[delegator][nodeId]);
    }

    /// @inheritdoc IDelegatedStaking
    function claimableYield(address delegator, uint256 nodeId) external view returns (uint256) {
        uint256 position = _positions[delegator][nodeId];
        uint256 positionShares = uint128(position);
        uint256 settled = uint128(_accounts[delegator]);
        if (positionShares == 0) return settled;
        Pool storage pool = _pools[nodeId];
        (uint256 effTime, , ) = _previewGlobal();
        (uint256 acc, ) = _accOf(pool, pool.stake, pool.shares, effTime);
        return settled + (positionShares * (acc - _snapshotOf(position))) / YIELD_DENOMINATOR;
    }

    /// @inheritdoc IDelegatedStaking
    function unbondingsOf(address delegator, uint256 nodeId) external view returns (UnbondingEntry[] memory entries) {
        StoredUnbonding[] memory stored = _entriesOf(delegator, nodeId);
        entries = new UnbondingEntry[](stored.length);
        for (uint256 i; i < stored.length; ++i) {
            entries[i] = UnbondingEntry({shares: stored[i].shares, releaseAt: stored[i].releaseAt});
        }
    }

    /// @inheritdoc IDelegatedStaking
    function unbondingValue(address delegator, uint256 nodeId, uint256 index) external view returns (uint256) {
        Pool storage pool = _pools[nodeId];
        // An index past the pending entries panics (0x32), as an array read out of bounds.
        StoredUnbonding memory entry = _entriesOf(delegator, nodeId)[index];
        if (entry.generation != pool.unbondingGeneration || entry.shares == 0) return 0;
        return (entry.shares * uint256(pool.unbondingStake)) / pool.unbondingShares;
    }

    /// @inheritdoc IDelegatedStaking
    function nodePool(uint256 nodeId) external view returns (NodePoolView memory) {
        Pool storage pool = _pools[nodeId];
        (uint256 effTime, , ) = _previewGlobal();
        (uint256 acc, uint256 apr) = _accOf(pool, pool.stake, pool.shares, effTime);
        return
            NodePoolView({
                stake: pool.stake,
                shares: pool.shares,
                unbondingStake: pool.unbondingStake,
                unbondingShares: pool.unbondingShares,
                scoreBps: pool.scoreBps,
                aprBps: apr,
                accYieldPerShare: acc
            });
    }

    /// @inheritdoc IDelegatedStaking
    function reserveStatus()
        external
        view
        returns (
            uint256 reserve,
            uint256 yieldOwed,
            uint256 yieldPerSecond,
            uint256 secondsCovered,
            uint256 unfundedTime
        )
    {
        uint256 charged;
        (, charged, unfundedTime) = _previewGlobal();
        uint256 clock = _clock;
        reserve = _reserveOf(clock) - charged;
        yieldOwed = _yieldFunds - reserve;
        uint256 rate = _rateOf(clock);
        yieldPerSecond = Math.ceilDiv(rate, BPS * YEAR);
        secondsCovered = rate == 0 ? type(uint256).max : (reserve * BPS * YEAR) / rate;
    }

    /// @notice Σ over nodes of stake × APR (yield per year × 10,000); exposed for monitoring and invariants.
    function globalRate() external view returns (uint256) {
        return _rateOf(_clock);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    function _delegate(address payer, address delegator, uint256 nodeId, uint256 amount) private returns (uint256) {
        uint256 shares = _stake(payer, delegator, nodeId, amount);
        era.safeTransferFrom(payer, address(this), amount);
        return shares;
    }

    /// @dev Books a delegation; the caller moves the tokens (or already holds them).
    function _stake(address payer, address delegator, uint256 nodeId, uint256 amount) private returns (uint256 minted) {
        if (amount == 0) revert StakingZeroAmount();
        if (!_pools[nodeId].active) revert StakingNodeNotActive(nodeId);
        uint256 acc;
        (minted, acc) = _joinActivePool(nodeId, amount);
        mapping(uint256 => uint256) storage positions = _positions[delegator];
        uint256 position = positions[nodeId];
        _creditYield(delegator, position, acc);
        unchecked {
            // ≤ the pool's shares < 2^128.
            positions[nodeId] = _packPosition(uint128(position) + minted, acc, position >> UNBONDINGS_OFFSET);
        }
        emit Delegated(delegator, nodeId, payer, amount, minted);
    }

    /// @dev Adds `amount` ERA to `nodeId`'s active pool; advances the clock; returns the shares minted and the
    /// pool's accumulator now.
    function _joinActivePool(uint256 nodeId, uint256 amount) private returns (uint256 minted, uint256 acc) {
        (uint256 clock, uint256 effTime) = _accrue();
        uint256 rate = _rateOf(clock);
        Pool storage pool = _pools[nodeId];
        uint256 stake = pool.stake;
        uint256 shares = pool.shares;
        uint256 apr;
        (acc, apr) = _accOf(pool, stake, shares, effTime);
        unchecked {
            // The global rate bounds every pool's stake too: stake × 800 ≤ rate ≤ MAX_GLOBAL_RATE < 2^96 × 800.
            uint256 room = (MAX_GLOBAL_RATE - rate) / apr;
            if (amount > room) revert StakingCapacityExceeded(amount, room);
        }
        if (shares == 0) {
            minted = amount;
        } else {
            if (stake == 0) revert StakingNodeWipedOut(nodeId);
            // amount < 2^96 and shares < 2^128: no overflow.
            unchecked {
                minted = (amount * shares) / stake;
            }
            if (minted == 0) revert StakingZeroAmount();
        }
        uint256 newStake;
        uint256 newShares;
        unchecked {
            // Within the room checked above; shares + minted < 2^129.
            newStake = stake + amount;
            newShares = shares + minted;
            _clock = uint248(_withRate(clock, rate + amount * apr));
        }
        // At a price of one the mint is exact (newStake = newShares): the yield per share does not change.
        if (shares == 0 || stake != shares) _checkpoint(pool, acc, effTime);
        pool.stake = uint96(newStake);
        pool.shares = newShares.toUint128();
    }

    /// @dev Takes `amount` ERA (all of the position for `type(uint256).max`) out of `nodeId`'s active pool for a
    /// position of `positionShares`; advances the clock; returns the ERA leaving, the shares burned and the pool's
    /// accumulator now.
    function _leaveActivePool(
        Pool storage pool,
        uint256 nodeId,
        uint256 positionShares,
        uint256 amount
    ) private returns (uint256 amountUnbonding, uint256 sharesBurned, uint256 acc) {
        (uint256 clock, uint256 effTime) = _accrue();
        uint256 stake = pool.stake;
        uint256 shares = pool.shares;
        if (amount == type(uint256).max) {
            sharesBurned = positionShares;
            // positionShares ≤ shares < 2^128 and stake < 2^96: no overflow.
            amountUnbonding = shares == 0 ? 0 : (sharesBurned * stake) / shares;
        } else {
            // Shares burned round up: the leaver pays for rounding, not the pool.
            sharesBurned = stake == 0 ? type(uint256).max : Math.mulDiv(amount, shares, stake, Math.Rounding.Ceil);
            amountUnbonding = amount;
        }
        if (sharesBurned == 0 || sharesBurned > positionShares) {
            revert StakingInsufficientStake(msg.sender, nodeId, sharesBurned, positionShares);
        }
        uint256 apr;
        (acc, apr) = _accOf(pool, stake, shares, effTime);
        uint256 newShares;
        uint256 newStake;
        unchecked {
            // sharesBurned ≤ positionShares ≤ shares, and amountUnbonding ≤ stake (shares are worth ≤ 1 wei each
            // when minted, never more after), so amountUnbonding × apr ≤ stake × apr ≤ the global rate.
            newShares = shares - sharesBurned;
            newStake = stake - amountUnbonding;
            _clock = uint248(_withRate(clock, _rateOf(clock) - amountUnbonding * apr));
        }
        // At a price of one the burn is exact (newStake = newShares): the yield per share does not change unless the
        // pool empties.
        if (stake != shares || newShares == 0) _checkpoint(pool, acc, effTime);
        pool.stake = uint96(newStake);
        pool.shares = uint128(newShares);
    }

    /// @dev Adds `amountUnbonding` ERA to the unbonding pool, at its own price (which slashes lower), as the
    /// caller's entry number `index` with `nodeId`; returns the unbonding shares minted and the release time.
    function _enterUnbondingPool(
        Pool storage pool,
        uint256 nodeId,
        uint256 amountUnbonding,
        uint256 index
    ) private returns (uint256 uMinted, uint64 releaseAt) {
        uint256 uStake = pool.unbondingStake;
        uint256 uShares = pool.unbondingShares;
        // amountUnbonding < 2^96 and uShares < 2^128: no overflow.
        uMinted = uShares == 0 ? amountUnbonding : (amountUnbonding * uShares) / uStake;
        pool.unbondingStake = (uStake + amountUnbonding).toUint128();
        pool.unbondingShares = (uShares + uMinted).toUint128();
        releaseAt = uint64(block.timestamp) + _unbondingPeriod;
        _unbondings[msg.sender][nodeId][index] = StoredUnbonding({
            shares: uint128(uMinted),
            releaseAt: releaseAt,
            generation: pool.unbondingGeneration
        });
    }

    /// @dev Settles the position with `nodeId` and empties the delegator's settled yield into the return value.
    function _takeYield(address delegator, uint256 nodeId) private returns (uint256 amount) {
        (uint256 clock, uint256 effTime) = _accrue();
        _clock = uint248(clock);
        mapping(uint256 => uint256) storage positions = _positions[delegator];
        uint256 position = positions[nodeId];
        uint256 positionShares = uint128(position);
        uint256 earned;
        if (positionShares != 0) {
            Pool storage pool = _pools[nodeId];
            (uint256 acc, ) = _accOf(pool, pool.stake, pool.shares, effTime);
            uint256 snapshot = _snapshotOf(position);
            // Rounded down; the accumulator never decreases, and shares × growth < 2^128 × 2^120.
            unchecked {
                earned = (positionShares * (acc - snapshot)) / YIELD_DENOMINATOR;
            }
            positions[nodeId] = _packPosition(positionShares, acc, position >> UNBONDINGS_OFFSET);
        }
        uint256 settled = uint128(_accounts[delegator]);
        unchecked {
            // Both < 2^128.
            amount = settled + earned;
        }
        if (amount == 0) revert StakingNothingToClaim(delegator);
        // Settled yield implies an opened account.
        if (settled != 0) _accounts[delegator] = ACCOUNT_OPENED;
        _yieldFunds -= uint96(amount);
    }

    /// @dev Moves the yield `position` earned up to accumulator value `acc` into the delegator's settled yield
    /// (rounded down), and opens the delegator's account on first use.
    function _creditYield(address delegator, uint256 position, uint256 acc) private {
        uint256 earned;
        unchecked {
            // As in `_takeYield`.
            earned = (uint128(position) * (acc - _snapshotOf(position))) / YIELD_DENOMINATOR;
        }
        uint256 account = _accounts[delegator];
        // Settled yield stays below 2^96 (Σ yield ≤ Σ funding), far from the flag.
        uint256 updated = (account + earned) | ACCOUNT_OPENED;
        if (updated != account) _accounts[delegator] = updated;
    }

    /// @dev A position word: `shares` (< 2^128), the accumulator snapshot `acc` (checked < 2^120) and `unbondings`
    /// pending entries (≤ MAX_UNBONDING_ENTRIES).
    function _packPosition(uint256 shares, uint256 acc, uint256 unbondings) private pure returns (uint256) {
        return shares | (uint256(acc.toUint120()) << SNAPSHOT_OFFSET) | (unbondings << UNBONDINGS_OFFSET);
    }

    function _snapshotOf(uint256 position) private pure returns (uint256) {
        return uint120(position >> SNAPSHOT_OFFSET);
    }

    /// @dev Stores `acc` as the pool's accumulator at effective time `effTime`.
    function _checkpoint(Pool storage pool, uint256 acc, uint256 effTime) private {
        pool.accCheckpoint = acc.toUint128();
        pool.effCheckpoint = effTime.toUint104();
    }

    /// @dev The accumulator of `pool` at effective time `effTime` given its stake and shares (rounded down), and the
    /// pool's APR.
    function _accOf(
        Pool storage pool,
        uint256 stake,
        uint256 shares,
        uint256 effTime
    ) private view returns (uint256 acc, uint256 apr) {
        acc = pool.accCheckpoint;
        uint256 effCheckpoint = pool.effCheckpoint;
        apr = _aprOf(pool.scoreBps);
        if (shares != 0) {
            unchecked {
                // The effective clock never runs backwards; stake × apr × elapsed < 2^96 × 2^11 × 2^112.
                uint256 elapsed = effTime - effCheckpoint;
                acc += stake == shares ? apr * elapsed : (stake * apr * elapsed) / shares;
            }
        }
    }

    /// @dev Advances the global clock to now, charging the reserve (rounded up) for the yield of every node since the
    /// last update, and returns the new `_clock` (for the caller to store, with its own changes) and the effective
    /// time now.
    function _accrue() private returns (uint256 clock, uint256 effTime) {
        clock = _clock;
        uint256 unfunded = clock & UNFUNDED_FLAG == 0 ? 0 : _unfundedTime;
        uint256 last = uint40(clock);
        if (last != block.timestamp) {
            uint256 rate = _rateOf(clock);
            uint256 reserve = _reserveOf(clock);
            if (rate != 0) {
                uint256 elapsed;
                unchecked {
                    // last < now.
                    elapsed = (block.timestamp - last) * WAD;
                }
                (uint256 required, uint256 charged, uint256 funded) = _charge(rate, reserve, elapsed);
                if (funded != elapsed) {
                    unchecked {
                        // funded < elapsed.
                        unfunded += elapsed - funded;
                    }
                    _unfundedTime = uint128(unfunded);
                    clock |= UNFUNDED_FLAG;
                    emit ReserveShortfall(required, charged);
                }
                unchecked {
                    // charged ≤ reserve.
                    reserve -= charged;
                }
            }
            clock = _packClock(reserve, rate, clock & UNFUNDED_FLAG);
        }
        unchecked {
            effTime = (block.timestamp - _genesis) * WAD - unfunded;
        }
    }

    /// @dev The global clock as it would be now: effective time, reserve charged since the last update, and total
    /// unfunded time.
    function _previewGlobal() private view returns (uint256 effTime, uint256 charged, uint256 unfunded) {
        uint256 clock = _clock;
        unfunded = _unfundedTime;
        uint256 last = uint40(clock);
        uint256 rate = _rateOf(clock);
        if (last != block.timestamp && rate != 0) {
            uint256 elapsed = (block.timestamp - last) * WAD;
            uint256 funded;
            (, charged, funded) = _charge(rate, _reserveOf(clock), elapsed);
            unfunded += elapsed - funded;
        }
        effTime = (block.timestamp - _genesis) * WAD - unfunded;
    }

    /// @dev The reserve charge, rounded up, for `elapsed` wad-seconds of accrual at global rate `rate`, and the
    /// wad-seconds it pays for: all of `elapsed` while `reserve` covers it, else only as far as the reserve pays for
    /// (Σ node accruals ≤ charged ≤ reserve). `required` is the charge of the full interval.
    function _charge(
        uint256 rate,
        uint256 reserve,
        uint256 elapsed
    ) private pure returns (uint256 required, uint256 charged, uint256 funded) {
        unchecked {
            // rate < 2^104, elapsed < 2^100 and reserve < 2^96: no overflow.
            required = Math.ceilDiv(rate * elapsed, YIELD_DENOMINATOR);
            if (required <= reserve) return (required, required, elapsed);
            funded = (reserve * YIELD_DENOMINATOR) / rate;
            charged = Math.ceilDiv(rate * funded, YIELD_DENOMINATOR);
        }
    }

    /// @dev A `_clock` advanced to now: `reserve` and `rate` within their widths, `unfundedFlag` 0 or `UNFUNDED_FLAG`.
    function _packClock(uint256 reserve, uint256 rate, uint256 unfundedFlag) private view returns (uint256) {
        return block.timestamp | (reserve << RESERVE_OFFSET) | (rate << RATE_OFFSET) | unfundedFlag;
    }

    /// @dev `clock` with its global rate replaced by `rate` (≤ MAX_GLOBAL_RATE).
    function _withRate(uint256 clock, uint256 rate) private pure returns (uint256) {
        return (clock & ~(MAX_GLOBAL_RATE << RATE_OFFSET)) | (rate << RATE_OFFSET);
    }

    function _reserveOf(uint256 clock) private pure returns (uint256) {
        return uint96(clock >> RESERVE_OFFSET);
    }

    function _rateOf(uint256 clock) private pure returns (uint256) {
        return uint104(clock >> RATE_OFFSET);
    }

    /// @dev The pending unbonding entries of `delegator` with `nodeId`.
    function _entriesOf(address delegator, uint256 nodeId) private view returns (StoredUnbonding[] memory entries) {
        StoredUnbonding[MAX_UNBONDING_ENTRIES] storage stored = _unbondings[delegator][nodeId];
        entries = new StoredUnbonding[](_positions[delegator][nodeId] >> UNBONDINGS_OFFSET);
        for (uint256 i; i < entries.length; ++i) entries[i] = stored[i];
    }

    /// @dev Whether `stake` is dust against `shares`: fewer than one wei per `MAX_SHARES_PER_WEI` shares.
    function _isDust(uint256 stake, uint256 shares) private pure returns (bool) {
        return stake != 0 && shares / stake >= MAX_SHARES_PER_WEI;
    }

    /// @dev APR of a score: 8% + 4% × score, rounded down to a basis point.
    function _aprOf(uint256 scoreBps) private pure returns (uint256) {
        return MIN_APR_BPS + ((MAX_APR_BPS - MIN_APR_BPS) * scoreBps) / MAX_SCORE_BPS;
    }

    function _setUnbondingPeriod(uint64 newPeriod) private {
        if (newPeriod < MIN_UNBONDING_PERIOD || newPeriod > MAX_UNBONDING_PERIOD) {
            revert StakingParameterOutOfBounds(newPeriod, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD);
        }
        emit UnbondingPeriodChanged(_unbondingPeriod, newPeriod);
        _unbondingPeriod = uint32(newPeriod);
    }
}
