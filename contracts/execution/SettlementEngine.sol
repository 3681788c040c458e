// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ISettlementEngine} from "../interfaces/ISettlementEngine.sol";
import {Governed} from "../governance/Governed.sol";
import {PermitLib} from "../libraries/PermitLib.sol";
import {TransientNetting} from "../libraries/TransientNetting.sol";

/// @title SettlementEngine
/// @notice Escrow balances and their settlement: atomic (freeze → net → update) or locked until commit or refund.
contract SettlementEngine is ISettlementEngine, Governed, ReentrancyGuardTransient, EIP712 {
    using SafeERC20 for IERC20;

    /// @notice Most legs one settlement may have (bounds every loop).
    uint256 public constant MAX_LEGS = 64;

    bytes32 private constant LEG_TYPEHASH = keccak256("Leg(address payer,address payee,address token,uint256 amount)");
    bytes32 private constant SETTLEMENT_TYPEHASH = keccak256(
        "Settlement(bytes32 id,uint256 scenarioId,Leg[] legs,uint64 deadline,bytes32 hashlock)"
        "Leg(address payer,address payee,address token,uint256 amount)"
    );

    /// @notice The execution hub, the only submitter of settlements and locks.
    address public hub;
    /// @notice Tokens that may be deposited and settled.
    mapping(address token => bool) public tokenAllowed;

    mapping(address account => mapping(address token => uint256)) private _free;
    mapping(address account => mapping(address token => uint256)) private _frozen;

    struct Record {
        Status status;
        uint64 deadline;
        bytes32 legsHash;
        bytes32 hashlock;
    }

    mapping(bytes32 id => Record) private _records;

    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    /// @param initialTokens Tokens allowed from the start (ERA at least).
    constructor(address admin, address[] memory initialTokens) Governed(admin) EIP712("ERA SettlementEngine", "1") {
        for (uint256 i; i < initialTokens.length; ++i) _setTokenAllowed(initialTokens[i], true);
    }

    modifier onlyHub() {
        if (msg.sender != hub) revert SettlementOnlyHub(msg.sender);
        _;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Governance
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Sets the execution hub. Callable by `DEFAULT_ADMIN_ROLE`.
    function setHub(address newHub) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newHub == address(0)) revert AdminGuardedZeroAddress();
        hub = newHub;
        emit HubChanged(newHub);
    }

    /// @notice Allows or disallows `token` for deposits and new settlements; withdrawals and live locks keep working.
    /// @dev Callable by `DEFAULT_ADMIN_ROLE` (the timelock). Only plain ERC-20s belong here (no fee on transfer, no
    /// rebasing): deposits credit what arrived, but balances are not re-based later.
    function setTokenAllowed(address token, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTokenAllowed(token, allowed);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Escrow
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlementEngine
    function deposit(address token, uint256 amount) external whenNotPaused nonReentrant {
        _deposit(token, amount);
    }

    /// @inheritdoc ISettlementEngine
    function depositWithPermit(
        address token,
        uint256 amount,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant {
        PermitLib.tryPermit(IERC20Permit(token), msg.sender, address(this), amount, permitDeadline, v, r, s);
        _deposit(token, amount);
    }

    /// @inheritdoc ISettlementEngine
    function withdraw(address token, uint256 amount, address to) external nonReentrant {
        if (amount == 0) revert SettlementZeroAmount();
        if (to == address(0)) revert AdminGuardedZeroAddress();
        uint256 free = _free[msg.sender][token];
        if (free < amount) revert SettlementInsufficientFree(msg.sender, token, amount, free);
        _free[msg.sender][token] = free - amount;
        emit Withdrawn(msg.sender, token, amount, to);
        IERC20(token).safeTransfer(to, amount);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Settlement
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlementEngine
    function settle(Settlement calldata s, bytes[] calldata payerSignatures) external onlyHub nonReentrant {
        if (s.hashlock != bytes32(0)) revert SettlementBadHashlock(s.id);
        if (block.timestamp > s.deadline) revert SettlementExpired(s.id, s.deadline, block.timestamp);
        _checkNew(s.id);
        _verify(s, payerSignatures);
        _records[s.id].status = Status.Settled;

        // Freeze + net: every leg's effect on (account, token) is summed first …
        TransientNetting.Key[] memory touched = new TransientNetting.Key[](2 * s.legs.length);
        uint256 n;
        for (uint256 i; i < s.legs.length; ++i) {
            Leg calldata leg = s.legs[i];
            int256 amount = _signed(leg.amount);
            if (TransientNetting.add(leg.payer, leg.token, -amount))
                touched[n++] = TransientNetting.Key(leg.payer, leg.token);
            if (TransientNetting.add(leg.payee, leg.token, amount))
                touched[n++] = TransientNetting.Key(leg.payee, leg.token);
        }
        // … then balances move by the net positions only; a short account reverts everything.
        for (uint256 i; i < n; ++i) {
            TransientNetting.Key memory k = touched[i];
            int256 delta = TransientNetting.take(k.account, k.token);
            if (delta < 0) {
                uint256 debit = uint256(-delta);
                uint256 free = _free[k.account][k.token];
                if (free < debit) revert SettlementInsufficientFree(k.account, k.token, debit, free);
                _free[k.account][k.token] = free - debit;
            } else if (delta > 0) {
                _free[k.account][k.token] += uint256(delta);
            }
        }
        emit Settled(s.id, s.scenarioId, s.legs.length);
    }

    /// @inheritdoc ISettlementEngine
    function lock(Settlement calldata s, bytes[] calldata payerSignatures) external onlyHub nonReentrant {
        if (s.hashlock == bytes32(0)) revert SettlementBadHashlock(s.id);
        if (s.deadline <= block.timestamp) revert SettlementExpired(s.id, s.deadline, block.timestamp);
        _checkNew(s.id);
        bytes32 legsHash = _verify(s, payerSignatures);
        _records[s.id] = Record({
            status: Status.Locked,
            deadline: s.deadline,
            legsHash: legsHash,
            hashlock: s.hashlock
        });

        // Freeze each payer's gross debit per token (incoming legs are not available before commit).
        TransientNetting.Key[] memory touched = new TransientNetting.Key[](s.legs.length);
        uint256 n;
        for (uint256 i; i < s.legs.length; ++i) {
            Leg calldata leg = s.legs[i];
            if (TransientNetting.add(leg.payer, leg.token, _signed(leg.amount))) {
                touched[n++] = TransientNetting.Key(leg.payer, leg.token);
            }
        }
        for (uint256 i; i < n; ++i) {
            TransientNetting.Key memory k = touched[i];
            uint256 debit = uint256(TransientNetting.take(k.account, k.token));
            uint256 free = _free[k.account][k.token];
            if (free < debit) revert SettlementInsufficientFree(k.account, k.token, debit, free);
            _free[k.account][k.token] = free - debit;
            _frozen[k.account][k.token] += debit;
        }
        emit Locked(s.id, s.scenarioId, s.legs.length, s.deadline, s.hashlock);
    }

    /// @inheritdoc ISettlementEngine
    function commit(bytes32 id, Leg[] calldata legs, bytes32 preimage) external nonReentrant {
        Record storage record = _liveLock(id, legs);
        if (block.timestamp >= record.deadline) revert SettlementLockExpired(id, record.deadline);
        if (keccak256(abi.encode(preimage)) != record.hashlock) revert SettlementBadPreimage(id);
        record.status = Status.Committed;
        for (uint256 i; i < legs.length; ++i) {
            Leg calldata leg = legs[i];
            _frozen[leg.payer][leg.token] -= leg.amount;
            _free[leg.payee][leg.token] += leg.amount;
        }
        emit Committed(id, preimage);
    }

    /// @inheritdoc ISettlementEngine
    function refund(bytes32 id, Leg[] calldata legs) external nonReentrant {
        Record storage record = _liveLock(id, legs);
        if (block.timestamp < record.deadline) revert SettlementLockNotExpired(id, record.deadline);
        record.status = Status.Refunded;
        for (uint256 i; i < legs.length; ++i) {
            Leg calldata leg = legs[i];
            _frozen[leg.payer][leg.token] -= leg.amount;
            _free[leg.payer][leg.token] += leg.amount;
        }
        emit Refunded(id);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlementEngine
    function freeBalance(address account, address token) external view returns (uint256) {
        return _free[account][token];
    }

    /// @inheritdoc ISettlementEngine
    function frozenBalance(address account, address token) external view returns (uint256) {
        return _frozen[account][token];
    }

    /// @inheritdoc ISettlementEngine
    function statusOf(bytes32 id) external view returns (Status) {
        return _records[id].status;
    }

    /// @notice The deadline of a lock (0 for atomic settlements and unknown ids).
    function lockDeadline(bytes32 id) external view returns (uint64) {
        return _records[id].deadline;
    }

    /// @inheritdoc ISettlementEngine
    function settlementDigest(Settlement calldata s) public view returns (bytes32) {
        return _hashTypedDataV4(_structHash(s, _legsHash(s.legs)));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    function _deposit(address token, uint256 amount) private {
        if (!tokenAllowed[token]) revert SettlementTokenNotAllowed(token);
        if (amount == 0) revert SettlementZeroAmount();
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        _free[msg.sender][token] += received;
        emit Deposited(msg.sender, token, received);
    }

    function _checkNew(bytes32 id) private view {
        Status status = _records[id].status;
        if (status != Status.None) revert SettlementIdUsed(id, status);
    }

    /// @dev Checks the legs and one signature per distinct payer (in order of first appearance); returns the legs'
    /// EIP-712 hash.
    function _verify(Settlement calldata s, bytes[] calldata signatures) private view returns (bytes32 legsHash) {
        uint256 count = s.legs.length;
        if (count == 0 || count > MAX_LEGS) revert SettlementBadLegCount(count, MAX_LEGS);
        address[] memory payers = new address[](count);
        uint256 p;
        for (uint256 i; i < count; ++i) {
            Leg calldata leg = s.legs[i];
            if (
                leg.amount == 0 ||
                leg.payer == address(0) ||
                leg.payee == address(0) ||
                leg.payer == leg.payee ||
                !tokenAllowed[leg.token]
            ) revert SettlementBadLeg(i);
            bool known;
            for (uint256 j; j < p; ++j) {
                if (payers[j] == leg.payer) {
                    known = true;
                    break;
                }
            }
            if (!known) payers[p++] = leg.payer;
        }
        if (signatures.length != p) revert SettlementSignatureCount(signatures.length, p);
        legsHash = _legsHash(s.legs);
        bytes32 digest = _hashTypedDataV4(_structHash(s, legsHash));
        for (uint256 j; j < p; ++j) {
            // OpenZeppelin's ECDSA rejects malleable (high-s) signatures and address(0).
            (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, signatures[j]);
            if (err != ECDSA.RecoverError.NoError || recovered != payers[j]) {
                revert SettlementBadSignature(payers[j], recovered);
            }
        }
    }

    function _liveLock(bytes32 id, Leg[] calldata legs) private view returns (Record storage record) {
        record = _records[id];
        if (record.status != Status.Locked) revert SettlementNotLocked(id, record.status);
        if (_legsHash(legs) != record.legsHash) revert SettlementLegsMismatch(id);
    }

    function _legsHash(Leg[] calldata legs) private pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](legs.length);
        for (uint256 i; i < legs.length; ++i) {
            Leg calldata leg = legs[i];
            hashes[i] = keccak256(abi.encode(LEG_TYPEHASH, leg.payer, leg.payee, leg.token, leg.amount));
        }
        return keccak256(abi.encodePacked(hashes));
    }

    function _structHash(Settlement calldata s, bytes32 legsHash) private pure returns (bytes32) {
        return keccak256(abi.encode(SETTLEMENT_TYPEHASH, s.id, s.scenarioId, legsHash, s.deadline, s.hashlock));
    }

    function _signed(uint256 amount) private pure returns (int256) {
        // Amounts above int256's range cannot exist in any token's supply; refuse them rather than wrap.
        if (amount > uint256(type(int256).max)) revert SettlementAmountTooLarge(amount);
        return int256(amount);
    }

    function _setTokenAllowed(address token, bool allowed) private {
        if (token == address(0)) revert AdminGuardedZeroAddress();
        tokenAllowed[token] = allowed;
        emit TokenAllowed(token, allowed);
    }
}
