// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IEpochDistributor} from "../interfaces/IEpochDistributor.sol";
import {IDelegatedStaking} from "../interfaces/IDelegatedStaking.sol";
import {Governed} from "../governance/Governed.sol";

/// @title EpochDistributor
/// @notice Pays monthly developer subsidies (with the on-chain MAU bonus) and user rewards from Merkle epochs, each
/// within a funded budget.
contract EpochDistributor is IEpochDistributor, Governed, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Role that proposes epoch roots (the activity indexer).
    bytes32 public constant PUBLISHER_ROLE = keccak256("PUBLISHER_ROLE");
    /// @notice Role that may veto an epoch during its dispute window.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice A scenario with strictly more monthly active users than this earns the bonus.
    uint256 public constant MAU_BONUS_THRESHOLD = 100_000;
    /// @notice The bonus, in basis points of the base subsidy (10%).
    uint256 public constant MAU_BONUS_BPS = 1_000;
    /// @notice Bounds of the governed windows.
    uint64 public constant MIN_DISPUTE_WINDOW = 1 hours;
    uint64 public constant MAX_DISPUTE_WINDOW = 14 days;
    uint64 public constant MIN_CLAIM_PERIOD = 7 days;
    uint64 public constant MAX_CLAIM_PERIOD = 730 days;

    /// @notice The ERA token.
    IERC20 public immutable era;
    /// @notice The staking contract `claimRewardAndDelegate` delegates into.
    IDelegatedStaking public immutable staking;

    /// @notice Seconds between a proposal and its opening, during which it can be vetoed.
    uint64 public disputeWindow;
    /// @notice Seconds an opened epoch can be claimed.
    uint64 public claimPeriod;

    /// @notice Funded ERA not reserved by any epoch, per kind.
    mapping(EpochKind kind => uint256) public available;

    Epoch[] private _epochs;
    mapping(uint256 epochId => mapping(uint256 word => uint256 bits)) private _claimedBitmap;

    /// @param era_ The ERA token.
    /// @param staking_ The staking contract.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    /// @param disputeWindow_ Initial dispute window in seconds.
    /// @param claimPeriod_ Initial claim period in seconds.
    constructor(
        IERC20 era_,
        IDelegatedStaking staking_,
        address admin,
        uint64 disputeWindow_,
        uint64 claimPeriod_
    ) Governed(admin) {
        if (address(era_) == address(0) || address(staking_) == address(0)) revert AdminGuardedZeroAddress();
        era = era_;
        staking = staking_;
        _setWindows(disputeWindow_, claimPeriod_);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Funding and epochs
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IEpochDistributor
    function fundSubsidies(uint256 amount) external whenNotPaused nonReentrant {
        _fund(EpochKind.DeveloperSubsidy, amount);
    }

    /// @inheritdoc IEpochDistributor
    function fundUserRewards(uint256 amount) external nonReentrant {
        _fund(EpochKind.UserReward, amount);
    }

    /// @inheritdoc IEpochDistributor
    function proposeEpoch(
        EpochKind kind,
        bytes32 root,
        uint256 budget,
        string calldata uri
    ) external onlyRole(PUBLISHER_ROLE) returns (uint256 epochId) {
        if (root == bytes32(0)) revert DistributorZeroRoot();
        if (budget == 0) revert DistributorZeroAmount();
        uint256 free = available[kind];
        if (budget > free) revert DistributorInsufficientFunds(kind, budget, free);
        available[kind] = free - budget;
        uint64 opensAt = uint64(block.timestamp) + disputeWindow;
        uint64 claimDeadline = opensAt + claimPeriod;
        epochId = _epochs.length;
        _epochs.push(
            Epoch({
                root: root,
                kind: kind,
                vetoed: false,
                swept: false,
                opensAt: opensAt,
                claimDeadline: claimDeadline,
                budget: budget.toUint128(),
                claimed: 0
            })
        );
        emit EpochProposed(epochId, kind, root, budget, opensAt, claimDeadline, uri);
    }

    /// @inheritdoc IEpochDistributor
    function vetoEpoch(uint256 epochId, bytes32 reason) external onlyRole(GUARDIAN_ROLE) {
        Epoch storage epoch = _epoch(epochId);
        if (epoch.vetoed || block.timestamp >= epoch.opensAt) revert DistributorVetoClosed(epochId);
        epoch.vetoed = true;
        available[epoch.kind] += epoch.budget;
        emit EpochVetoed(epochId, reason);
    }

    /// @notice Sets the dispute window and claim period (they apply to epochs proposed later).
    /// @dev Callable by `DEFAULT_ADMIN_ROLE` (the timelock).
    function setWindows(uint64 disputeWindow_, uint64 claimPeriod_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setWindows(disputeWindow_, claimPeriod_);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Claims
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IEpochDistributor
    function claimSubsidy(
        uint256 epochId,
        uint256 index,
        address account,
        uint256 scenarioId,
        uint256 baseAmount,
        uint256 mau,
        bytes32[] calldata proof
    ) external nonReentrant returns (uint256 amount) {
        bytes32 leaf = keccak256(
            bytes.concat(
                keccak256(
                    abi.encode(block.chainid, address(this), epochId, index, account, scenarioId, baseAmount, mau)
                )
            )
        );
        amount = subsidyFor(baseAmount, mau);
        _consume(epochId, EpochKind.DeveloperSubsidy, index, account, amount, leaf, proof);
        if (amount != baseAmount) emit MauBonusApplied(epochId, scenarioId, mau, amount - baseAmount);
        era.safeTransfer(account, amount);
    }

    /// @inheritdoc IEpochDistributor
    function claimReward(
        uint256 epochId,
        uint256 index,
        address account,
        uint256 amount,
        bytes32[] calldata proof
    ) external nonReentrant {
        _consume(
            epochId,
            EpochKind.UserReward,
            index,
            account,
            amount,
            _rewardLeaf(epochId, index, account, amount),
            proof
        );
        era.safeTransfer(account, amount);
    }

    /// @inheritdoc IEpochDistributor
    function claimRewardAndDelegate(
        uint256 epochId,
        uint256 index,
        uint256 amount,
        bytes32[] calldata proof,
        uint256 nodeId
    ) external whenNotPaused nonReentrant {
        bytes32 leaf = _rewardLeaf(epochId, index, msg.sender, amount);
        _consume(epochId, EpochKind.UserReward, index, msg.sender, amount, leaf, proof);
        era.forceApprove(address(staking), amount);
        staking.delegateFor(msg.sender, nodeId, amount);
    }

    /// @inheritdoc IEpochDistributor
    function sweep(uint256 epochId) external nonReentrant returns (uint256 amount) {
        Epoch storage epoch = _epoch(epochId);
        if (epoch.vetoed || epoch.swept || block.timestamp <= epoch.claimDeadline) {
            revert DistributorNotSweepable(epochId);
        }
        epoch.swept = true;
        amount = uint256(epoch.budget) - epoch.claimed;
        available[epoch.kind] += amount;
        emit EpochSwept(epochId, amount);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IEpochDistributor
    function subsidyFor(uint256 baseAmount, uint256 mau) public pure returns (uint256) {
        if (mau > MAU_BONUS_THRESHOLD) return baseAmount + (baseAmount * MAU_BONUS_BPS) / 10_000;
        return baseAmount;
    }

    /// @inheritdoc IEpochDistributor
    function isClaimed(uint256 epochId, uint256 index) public view returns (bool) {
        return (_claimedBitmap[epochId][index >> 8] >> (index & 0xff)) & 1 == 1;
    }

    /// @inheritdoc IEpochDistributor
    function getEpoch(uint256 epochId) external view returns (Epoch memory) {
        return _epoch(epochId);
    }

    /// @notice Number of epochs ever proposed (ids are 0 … count − 1).
    function epochCount() external view returns (uint256) {
        return _epochs.length;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    function _fund(EpochKind kind, uint256 amount) private {
        if (amount == 0) revert DistributorZeroAmount();
        available[kind] += amount;
        emit Funded(kind, msg.sender, amount);
        era.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev Checks everything about a claim and books it; the caller transfers.
    function _consume(
        uint256 epochId,
        EpochKind kind,
        uint256 index,
        address account,
        uint256 amount,
        bytes32 leaf,
        bytes32[] calldata proof
    ) private {
        Epoch storage epoch = _epoch(epochId);
        if (epoch.kind != kind) revert DistributorWrongKind(epochId, epoch.kind);
        if (epoch.vetoed) revert DistributorEpochVetoed(epochId);
        if (block.timestamp < epoch.opensAt) revert DistributorEpochNotOpen(epochId, epoch.opensAt);
        if (block.timestamp > epoch.claimDeadline) revert DistributorClaimExpired(epochId, epoch.claimDeadline);
        if (amount == 0) revert DistributorZeroAmount();
        uint256 wordIndex = index >> 8;
        uint256 bit = 1 << (index & 0xff);
        uint256 word = _claimedBitmap[epochId][wordIndex];
        if (word & bit != 0) revert DistributorAlreadyClaimed(epochId, index);
        if (!MerkleProof.verifyCalldata(proof, epoch.root, leaf)) {
            revert DistributorInvalidProof(epochId, index, account);
        }
        uint256 claimed = uint256(epoch.claimed) + amount;
        if (claimed > epoch.budget) revert DistributorBudgetExceeded(epochId, amount, epoch.budget - epoch.claimed);
        _claimedBitmap[epochId][wordIndex] = word | bit;
        epoch.claimed = uint128(claimed);
        emit Claimed(epochId, index, account, amount);
    }

    function _rewardLeaf(
        uint256 epochId,
        uint256 index,
        address account,
        uint256 amount
    ) private view returns (bytes32) {
        return
            keccak256(
                bytes.concat(keccak256(abi.encode(block.chainid, address(this), epochId, index, account, amount)))
            );
    }

    function _epoch(uint256 epochId) private view returns (Epoch storage) {
        if (epochId >= _epochs.length) revert DistributorUnknownEpoch(epochId);
        return _epochs[epochId];
    }

    function _setWindows(uint64 disputeWindow_, uint64 claimPeriod_) private {
        if (disputeWindow_ < MIN_DISPUTE_WINDOW || disputeWindow_ > MAX_DISPUTE_WINDOW) {
            revert DistributorParameterOutOfBounds(disputeWindow_, MIN_DISPUTE_WINDOW, MAX_DISPUTE_WINDOW);
        }
        if (claimPeriod_ < MIN_CLAIM_PERIOD || claimPeriod_ > MAX_CLAIM_PERIOD) {
            revert DistributorParameterOutOfBounds(claimPeriod_, MIN_CLAIM_PERIOD, MAX_CLAIM_PERIOD);
        }
        disputeWindow = disputeWindow_;
        claimPeriod = claimPeriod_;
        emit WindowsChanged(disputeWindow_, claimPeriod_);
    }
}
