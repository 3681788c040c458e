// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IDelegatedStaking} from "../interfaces/IDelegatedStaking.sol";
import {IStakingSlashing} from "../interfaces/IStakingSlashing.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {Governed} from "../governance/Governed.sol";
import {PermitLib} from "../libraries/PermitLib.sol";

/// @title DelegatedStaking
/// @notice Delegations of ERA to nodes, their unbonding, slashing, and yield in the 8–12% band from a funded reserve.
/// @dev Rounding, always in the protocol's favour: shares minted down, shares burned up, pool exits down, yield
/// per node down (the reserve is charged up), yield per delegator down.
contract DelegatedStaking is IDelegatedStaking, Governed, ReentrancyGuard {
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

    uint256 private constant BPS = 10_000;
    uint256 private constant WAD = 1e18;
    /// @dev Denominator turning (stake × aprBps × wad-seconds) into ERA wei.
    uint256 private constant YIELD_DENOMINATOR = BPS * YEAR * WAD;
    /// @dev Fixed-point scale of `accYieldPerShare`.
    uint256 private constant ACC_PRECISION = 1e27;

    /// @notice The ERA token.
    IERC20 public immutable era;
    /// @notice The node registry (node status; the only caller of `slashDelegations`).
    INodeRegistry public immutable registry;

    /// @notice Seconds an undelegation waits before it can be withdrawn.
    uint64 public unbondingPeriod;

    // Global accrual state.
    /// @dev Reserve not yet accrued to anyone.
    uint128 private _reserve;
    /// @dev Yield accrued (taken from the reserve) and not yet paid out; covers every delegator's claim.
    uint128 private _yieldOwed;
    /// @dev The effective clock in wad-seconds: advances with time while the reserve covers accrual.
    uint128 private _effTime;
    /// @dev Last wall-clock second the effective clock was advanced to.
    uint64 private _lastUpdate;
    /// @dev Σ over nodes of stake × aprBps: yield per year × 10,000.
    uint256 private _globalRate;
    /// @dev Wad-seconds of accrual lost to reserve shortfalls.
    uint256 private _unfundedTime;

    struct Pool {
        uint128 stake;
        uint128 shares;
        uint128 unbondingStake;
        uint128 unbondingShares;
        uint256 accYieldPerShare;
        uint128 lastEffTime;
        uint16 scoreBps;
        uint16 aprBps; // 0 until first touched; read through `_apr`
        // Bumped when a 100% slash empties the unbonding pool: its shares are then worth nothing, and later
        // undelegations start a fresh unbonding pool instead of being priced against them.
        uint64 unbondingGeneration;
    }

    /// @dev An unbonding entry as stored: `UnbondingEntry` plus the unbonding-pool generation its shares belong to.
    struct StoredUnbonding {
        uint128 shares;
        uint64 releaseAt;
        uint64 generation;
    }

    struct Position {
        uint256 shares;
        uint256 accSnapshot;
    }

    mapping(uint256 nodeId => Pool) private _pools;
    mapping(address delegator => mapping(uint256 nodeId => Position)) private _positions;
    mapping(address delegator => mapping(uint256 nodeId => StoredUnbonding[])) private _unbondings;
    /// @notice Yield settled to a delegator and not yet claimed.
    mapping(address delegator => uint256) public settledYield;

    /// @param era_ The ERA token.
    /// @param registry_ The node registry.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    /// @param unbondingPeriod_ Initial unbonding period in seconds.
    constructor(IERC20 era_, INodeRegistry registry_, address admin, uint64 unbondingPeriod_) Governed(admin) {
        if (address(era_) == address(0) || address(registry_) == address(0)) revert AdminGuardedZeroAddress();
        era = era_;
        registry = registry_;
        _lastUpdate = uint64(block.timestamp);
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
        _accrue(pool);
        Position storage position = _positions[msg.sender][nodeId];
        _settle(msg.sender, position, pool);

        uint256 stake = pool.stake;
        uint256 shares = pool.shares;
        uint256 sharesBurned;
        if (amount == type(uint256).max) {
            sharesBurned = position.shares;
            amountUnbonding = shares == 0 ? 0 : Math.mulDiv(sharesBurned, stake, shares);
        } else {
            // Shares burned round up: the leaver pays for rounding, not the pool.
            sharesBurned = stake == 0 ? type(uint256).max : Math.mulDiv(amount, shares, stake, Math.Rounding.Ceil);
            amountUnbonding = amount;
        }
        if (sharesBurned == 0 || sharesBurned > position.shares) {
            revert StakingInsufficientStake(msg.sender, nodeId, sharesBurned, position.shares);
        }
        StoredUnbonding[] storage entries = _unbondings[msg.sender][nodeId];
        if (entries.length >= MAX_UNBONDING_ENTRIES) {
            revert StakingTooManyUnbondings(msg.sender, nodeId, MAX_UNBONDING_ENTRIES);
        }

        uint256 aprBps = _apr(pool);
        _globalRate -= amountUnbonding * aprBps;
        position.shares -= sharesBurned;
        pool.shares = (shares - sharesBurned).toUint128();
        pool.stake = (stake - amountUnbonding).toUint128();

        // Into the unbonding pool, at its own price (which slashes lower).
        uint256 uStake = pool.unbondingStake;
        uint256 uShares = pool.unbondingShares;
        uint256 uMinted = uShares == 0 ? amountUnbonding : Math.mulDiv(amountUnbonding, uShares, uStake);
        pool.unbondingStake = (uStake + amountUnbonding).toUint128();
        pool.unbondingShares = (uShares + uMinted).toUint128();
        uint64 releaseAt = uint64(block.timestamp) + unbondingPeriod;
        entries.push(
            StoredUnbonding({shares: uMinted.toUint128(), releaseAt: releaseAt, generation: pool.unbondingGeneration})
        );

        emit UndelegationStarted(msg.sender, nodeId, amountUnbonding, sharesBurned, uMinted, releaseAt);
    }

    /// @inheritdoc IDelegatedStaking
    function withdraw(uint256 nodeId) external nonReentrant returns (uint256 amount) {
        StoredUnbonding[] storage entries = _unbondings[msg.sender][nodeId];
        Pool storage pool = _pools[nodeId];
        uint256 uStake = pool.unbondingStake;
        uint256 uShares = pool.unbondingShares;
        uint64 generation = pool.unbondingGeneration;
        uint256 released;
        // Bounded by MAX_UNBONDING_ENTRIES; swap-and-pop, so iterate backwards.
        for (uint256 i = entries.length; i > 0; --i) {
            StoredUnbonding memory entry = entries[i - 1];
            if (entry.releaseAt <= block.timestamp) {
                // An entry of an earlier generation (wiped out by a 100% slash) or without shares is worth 0.
                if (entry.generation == generation && entry.shares != 0) {
                    uint256 value = Math.mulDiv(entry.shares, uStake, uShares);
                    uStake -= value;
                    uShares -= entry.shares;
                    amount += value;
                }
                ++released;
                entries[i - 1] = entries[entries.length - 1];
                entries.pop();
            }
        }
        if (released == 0) revert StakingNothingToWithdraw(msg.sender, nodeId);
        pool.unbondingStake = uStake.toUint128();
        pool.unbondingShares = uShares.toUint128();
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
        // The ERA stays in this contract: it moves from the owed-yield bucket into principal.
        _stake(msg.sender, msg.sender, toNodeId, amount);
    }

    /// @inheritdoc IDelegatedStaking
    function fundReserve(uint256 amount) external nonReentrant {
        if (amount == 0) revert StakingZeroAmount();
        _accrueGlobal();
        uint256 newReserve = uint256(_reserve) + amount;
        _reserve = newReserve.toUint128();
        emit ReserveFunded(msg.sender, amount, newReserve);
        era.safeTransferFrom(msg.sender, address(this), amount);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Roles
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IDelegatedStaking
    function setScore(uint256 nodeId, uint256 scoreBps) external onlyRole(SCORE_KEEPER_ROLE) {
        if (scoreBps > MAX_SCORE_BPS) revert StakingScoreOutOfRange(scoreBps);
        Pool storage pool = _pools[nodeId];
        _accrue(pool); // checkpoint at the old rate first
        uint256 oldApr = _apr(pool);
        uint256 newApr = MIN_APR_BPS + ((MAX_APR_BPS - MIN_APR_BPS) * scoreBps) / MAX_SCORE_BPS;
        uint256 stake = pool.stake;
        _globalRate = _globalRate - stake * oldApr + stake * newApr;
        emit ScoreUpdated(nodeId, pool.scoreBps, scoreBps, newApr);
        pool.scoreBps = uint16(scoreBps);
        pool.aprBps = uint16(newApr);
    }

    /// @inheritdoc IStakingSlashing
    function slashDelegations(
        uint256 nodeId,
        uint256 amount,
        address recipient
    ) external nonReentrant returns (uint256 slashed) {
        if (msg.sender != address(registry)) revert StakingOnlyRegistry(msg.sender);
        Pool storage pool = _pools[nodeId];
        _accrue(pool); // yield up to now was earned on the unslashed stake
        uint256 active = pool.stake;
        uint256 unbonding = pool.unbondingStake;
        uint256 total = active + unbonding;
        if (total == 0 || amount == 0) return 0;
        uint256 fromActive;
        uint256 fromUnbonding;
        if (amount >= total) {
            fromActive = active;
            fromUnbonding = unbonding;
        } else {
            // Pro rata, each part rounded down.
            fromActive = Math.mulDiv(amount, active, total);
            fromUnbonding = Math.mulDiv(amount, unbonding, total);
            // A pool left with dust against its shares (under 1 wei per `MAX_SHARES_PER_WEI` shares) would price
            // later entries at absurd rates and overflow: such a pool is taken whole instead.
            if (_isDust(active - fromActive, pool.shares)) fromActive = active;
            if (_isDust(unbonding - fromUnbonding, pool.unbondingShares)) fromUnbonding = unbonding;
        }
        if (fromUnbonding == unbonding && pool.unbondingShares != 0) {
            // Every unbonding share is now worth 0: retire them, so that later undelegations start a fresh pool
            // instead of being priced against an empty one (a division by zero that would lock them in).
            pool.unbondingShares = 0;
            ++pool.unbondingGeneration;
        }
        _globalRate -= fromActive * _apr(pool);
        pool.stake = (active - fromActive).toUint128();
        pool.unbondingStake = (unbonding - fromUnbonding).toUint128();
        slashed = fromActive + fromUnbonding;
        emit DelegationsSlashed(nodeId, recipient, fromActive, fromUnbonding);
        if (slashed != 0) era.safeTransfer(recipient, slashed);
    }

    /// @notice Sets the unbonding period within [`MIN_UNBONDING_PERIOD`, `MAX_UNBONDING_PERIOD`]; applies to new
    /// undelegations only.
    /// @dev Callable by `DEFAULT_ADMIN_ROLE` (the timelock).
    function setUnbondingPeriod(uint64 newPeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setUnbondingPeriod(newPeriod);
    }

    /// @notice Advances the global accrual to now. Anyone may call it; every state change does it anyway.
    function poke() external {
        _accrueGlobal();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IDelegatedStaking
    function aprOf(uint256 nodeId) external view returns (uint256) {
        return _apr(_pools[nodeId]);
    }

    /// @inheritdoc IDelegatedStaking
    function stakeOf(address delegator, uint256 nodeId) public view returns (uint256) {
        Pool storage pool = _pools[nodeId];
        uint256 shares = pool.shares;
        return shares == 0 ? 0 : Math.mulDiv(_positions[delegator][nodeId].shares, pool.stake, shares);
    }

    /// @notice Shares of `delegator` in `nodeId`'s active pool.
    function sharesOf(address delegator, uint256 nodeId) external view returns (uint256) {
        return _positions[delegator][nodeId].shares;
    }

    /// @inheritdoc IDelegatedStaking
    function claimableYield(address delegator, uint256 nodeId) external view returns (uint256) {
        Pool storage pool = _pools[nodeId];
        (uint256 effTime, , , ) = _previewGlobal();
        uint256 acc = pool.accYieldPerShare + _accIncrement(pool, effTime);
        Position storage position = _positions[delegator][nodeId];
        return settledYield[delegator] + Math.mulDiv(position.shares, acc - position.accSnapshot, ACC_PRECISION);
    }

    /// @inheritdoc IDelegatedStaking
    function unbondingsOf(address delegator, uint256 nodeId) external view returns (UnbondingEntry[] memory entries) {
        StoredUnbonding[] storage stored = _unbondings[delegator][nodeId];
        entries = new UnbondingEntry[](stored.length);
        for (uint256 i; i < stored.length; ++i) {
            entries[i] = UnbondingEntry({shares: stored[i].shares, releaseAt: stored[i].releaseAt});
        }
    }

    /// @inheritdoc IDelegatedStaking
    function unbondingValue(address delegator, uint256 nodeId, uint256 index) external view returns (uint256) {
        Pool storage pool = _pools[nodeId];
        StoredUnbonding memory entry = _unbondings[delegator][nodeId][index];
        if (entry.generation != pool.unbondingGeneration || entry.shares == 0) return 0;
        return Math.mulDiv(entry.shares, pool.unbondingStake, pool.unbondingShares);
    }

    /// @inheritdoc IDelegatedStaking
    function nodePool(uint256 nodeId) external view returns (NodePoolView memory) {
        Pool storage pool = _pools[nodeId];
        return
            NodePoolView({
                stake: pool.stake,
                shares: pool.shares,
                unbondingStake: pool.unbondingStake,
                unbondingShares: pool.unbondingShares,
                scoreBps: pool.scoreBps,
                aprBps: _apr(pool),
                accYieldPerShare: pool.accYieldPerShare
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
        (, charged, unfundedTime, ) = _previewGlobal();
        reserve = _reserve - charged;
        yieldOwed = _yieldOwed + charged;
        yieldPerSecond = Math.mulDiv(_globalRate, 1, BPS * YEAR, Math.Rounding.Ceil);
        secondsCovered = _globalRate == 0 ? type(uint256).max : Math.mulDiv(reserve, BPS * YEAR, _globalRate);
    }

    /// @notice Σ over nodes of stake × aprBps (yield per year × 10,000); exposed for monitoring and invariants.
    function globalRate() external view returns (uint256) {
        return _globalRate;
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
        if (!registry.isActive(nodeId)) revert StakingNodeNotActive(nodeId);
        Pool storage pool = _pools[nodeId];
        _accrue(pool);
        Position storage position = _positions[delegator][nodeId];
        _settle(delegator, position, pool);

        uint256 stake = pool.stake;
        uint256 shares = pool.shares;
        if (shares == 0) {
            minted = amount;
        } else {
            if (stake == 0) revert StakingNodeWipedOut(nodeId);
            minted = Math.mulDiv(amount, shares, stake);
            if (minted == 0) revert StakingZeroAmount();
        }
        if (pool.aprBps == 0) pool.aprBps = uint16(MIN_APR_BPS);
        _globalRate += amount * pool.aprBps;
        pool.stake = (stake + amount).toUint128();
        pool.shares = (shares + minted).toUint128();
        position.shares += minted;
        emit Delegated(delegator, nodeId, payer, amount, minted);
    }

    /// @dev Settles the position with `nodeId` and empties the delegator's settled yield into the return value.
    function _takeYield(address delegator, uint256 nodeId) private returns (uint256 amount) {
        Pool storage pool = _pools[nodeId];
        _accrue(pool);
        _settle(delegator, _positions[delegator][nodeId], pool);
        amount = settledYield[delegator];
        if (amount == 0) revert StakingNothingToClaim(delegator);
        settledYield[delegator] = 0;
        _yieldOwed -= uint128(amount);
    }

    /// @dev Moves the position's accrued yield into `settledYield` (rounded down).
    function _settle(address delegator, Position storage position, Pool storage pool) private {
        uint256 acc = pool.accYieldPerShare;
        uint256 shares = position.shares;
        if (shares != 0) {
            uint256 earned = Math.mulDiv(shares, acc - position.accSnapshot, ACC_PRECISION);
            if (earned != 0) settledYield[delegator] += earned;
        }
        position.accSnapshot = acc;
    }

    /// @dev Advances the global clock, then the node's accumulator.
    function _accrue(Pool storage pool) private {
        _accrueGlobal();
        uint256 effTime = _effTime;
        uint256 increment = _accIncrement(pool, effTime);
        if (increment != 0) pool.accYieldPerShare += increment;
        pool.lastEffTime = uint128(effTime);
    }

    function _accrueGlobal() private {
        if (_lastUpdate == block.timestamp) return;
        (uint256 effTime, uint256 charged, uint256 unfunded, uint256 required) = _previewGlobal();
        _lastUpdate = uint64(block.timestamp);
        _effTime = uint128(effTime);
        if (charged != 0) {
            _reserve -= uint128(charged);
            _yieldOwed += uint128(charged);
        }
        if (required != charged) {
            _unfundedTime = unfunded;
            emit ReserveShortfall(required, charged);
        }
    }

    /// @dev The global clock as it would be now: effective time, reserve charged since the last update, total
    /// unfunded time, and what full accrual would have charged.
    function _previewGlobal()
        private
        view
        returns (uint256 effTime, uint256 charged, uint256 unfunded, uint256 required)
    {
        effTime = _effTime;
        unfunded = _unfundedTime;
        uint256 dt = block.timestamp - _lastUpdate;
        if (dt == 0) return (effTime, 0, unfunded, 0);
        uint256 dEff = dt * WAD;
        uint256 rate = _globalRate;
        if (rate != 0) {
            required = Math.mulDiv(rate, dEff, YIELD_DENOMINATOR, Math.Rounding.Ceil);
            charged = required;
            uint256 reserve = _reserve;
            if (required > reserve) {
                // Advance only as far as the reserve pays for; Σ node accruals ≤ charged ≤ reserve.
                dEff = Math.mulDiv(reserve, YIELD_DENOMINATOR, rate);
                charged = Math.mulDiv(rate, dEff, YIELD_DENOMINATOR, Math.Rounding.Ceil);
                unfunded += dt * WAD - dEff;
            }
        }
        effTime += dEff;
    }

    /// @dev Accumulator growth of `pool` from its last checkpoint to `effTime` (rounded down).
    function _accIncrement(Pool storage pool, uint256 effTime) private view returns (uint256) {
        uint256 dEff = effTime - pool.lastEffTime;
        uint256 shares = pool.shares;
        uint256 stake = pool.stake;
        if (dEff == 0 || shares == 0 || stake == 0) return 0;
        uint256 owed = Math.mulDiv(stake * _apr(pool), dEff, YIELD_DENOMINATOR);
        return Math.mulDiv(owed, ACC_PRECISION, shares);
    }

    /// @dev Whether `stake` is dust against `shares`: fewer than one wei per `MAX_SHARES_PER_WEI` shares.
    function _isDust(uint256 stake, uint256 shares) private pure returns (bool) {
        return stake != 0 && shares / stake >= MAX_SHARES_PER_WEI;
    }

    function _apr(Pool storage pool) private view returns (uint256) {
        uint256 apr = pool.aprBps;
        return apr == 0 ? MIN_APR_BPS : apr;
    }

    function _setUnbondingPeriod(uint64 newPeriod) private {
        if (newPeriod < MIN_UNBONDING_PERIOD || newPeriod > MAX_UNBONDING_PERIOD) {
            revert StakingParameterOutOfBounds(newPeriod, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD);
        }
        emit UnbondingPeriodChanged(unbondingPeriod, newPeriod);
        unbondingPeriod = newPeriod;
    }
}
