// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ISettlementEngine
/// @notice Escrow and settlement of financial scenarios. Users deposit ERA and allow-listed ERC-20s; a settlement of
/// many legs (payer → payee, token, amount), signed by every payer, is applied either atomically in one transaction
/// (freeze → net positions per account and token → balance update) or across transactions through a lock with a
/// deadline and a hashlock that ends in exactly one of commit or refund.
/// @dev Settlements move only internal balances: no token transfer happens inside a settlement, so a token cannot
/// fail or re-enter half-way through one. Tokens move only on deposit and withdraw.
/// Boundary of a lock, stated once: `commit` succeeds iff `block.timestamp < deadline`; `refund` succeeds iff
/// `block.timestamp >= deadline`. At every second exactly one of them is possible.
interface ISettlementEngine {
    /// @notice One leg: `payer` pays `amount` of `token` to `payee`.
    struct Leg {
        address payer;
        address payee;
        address token;
        uint256 amount;
    }

    /// @notice A settlement as its payers sign it (EIP-712 type `Settlement`).
    /// @param id Unique id; usable once, whatever the path.
    /// @param scenarioId The financial scenario it belongs to.
    /// @param legs The legs.
    /// @param deadline Atomic path: last second the signatures are valid. Lock path: the lock's deadline.
    /// @param hashlock Zero for the atomic path; for the lock path `keccak256(preimage)` that commit must reveal.
    struct Settlement {
        bytes32 id;
        uint256 scenarioId;
        Leg[] legs;
        uint64 deadline;
        bytes32 hashlock;
    }

    /// @notice Lifecycle of a settlement id.
    enum Status {
        None,
        Settled,
        Locked,
        Committed,
        Refunded
    }

    /// @notice Emitted on deposit.
    event Deposited(address indexed account, address indexed token, uint256 amount);
    /// @notice Emitted on withdraw.
    event Withdrawn(address indexed account, address indexed token, uint256 amount, address to);
    /// @notice Emitted when a settlement is applied atomically.
    event Settled(bytes32 indexed id, uint256 indexed scenarioId, uint256 legs);
    /// @notice Emitted when a multi-transaction settlement freezes its payers' balances.
    event Locked(bytes32 indexed id, uint256 indexed scenarioId, uint256 legs, uint64 deadline, bytes32 hashlock);
    /// @notice Emitted when a lock commits (its net update is applied).
    event Committed(bytes32 indexed id, bytes32 preimage);
    /// @notice Emitted when an expired lock is refunded.
    event Refunded(bytes32 indexed id);
    /// @notice Emitted when governance allows or disallows a token.
    event TokenAllowed(address indexed token, bool allowed);
    /// @notice Emitted when governance sets the hub allowed to submit settlements.
    event HubChanged(address indexed hub);

    /// @notice The token is not allow-listed.
    error SettlementTokenNotAllowed(address token);
    /// @notice The amount is zero.
    error SettlementZeroAmount();
    /// @notice A leg amount beyond 2^255 − 1, which no token supply can hold.
    error SettlementAmountTooLarge(uint256 amount);
    /// @notice The account's free balance is too small.
    error SettlementInsufficientFree(address account, address token, uint256 needed, uint256 free);
    /// @notice The settlement id was used already.
    error SettlementIdUsed(bytes32 id, Status status);
    /// @notice The settlement has no legs or more than `MAX_LEGS`.
    error SettlementBadLegCount(uint256 legs, uint256 max);
    /// @notice A leg is malformed (zero amount, zero payer or payee, payer = payee, or a token not allow-listed).
    error SettlementBadLeg(uint256 index);
    /// @notice The signatures are not one per distinct payer.
    error SettlementSignatureCount(uint256 signatures, uint256 payers);
    /// @notice A payer's signature does not recover to the payer.
    error SettlementBadSignature(address payer, address recovered);
    /// @notice The atomic settlement's deadline has passed, or a lock's deadline is not in the future.
    error SettlementExpired(bytes32 id, uint64 deadline, uint256 nowTs);
    /// @notice The lock path needs a hashlock, the atomic path none.
    error SettlementBadHashlock(bytes32 id);
    /// @notice The id is not a live lock (never locked, or already committed or refunded).
    error SettlementNotLocked(bytes32 id, Status status);
    /// @notice The legs given do not match the lock.
    error SettlementLegsMismatch(bytes32 id);
    /// @notice The preimage does not match the hashlock.
    error SettlementBadPreimage(bytes32 id);
    /// @notice Commit after the deadline (refund is the only way then).
    error SettlementLockExpired(bytes32 id, uint64 deadline);
    /// @notice Refund before the deadline (commit may still happen).
    error SettlementLockNotExpired(bytes32 id, uint64 deadline);
    /// @notice Only the execution hub may submit settlements.
    error SettlementOnlyHub(address caller);

    /// @notice Deposits `amount` of an allow-listed `token`, pulled from the caller, as free balance.
    /// @dev Callable by anyone; paused with inflows. Credits what actually arrived.
    function deposit(address token, uint256 amount) external;

    /// @notice `deposit` with an EIP-2612 permit.
    function depositWithPermit(
        address token,
        uint256 amount,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Withdraws `amount` of the caller's free balance of `token` to `to`. Frozen funds cannot be withdrawn.
    /// @dev Never paused, also for a token that was removed from the allow-list.
    function withdraw(address token, uint256 amount, address to) external;

    /// @notice Applies `s` atomically: every signature, the deadline and the id are checked, positions are netted per
    /// account and token, and only then balances change. Any failure reverts the whole settlement.
    /// @dev Callable only by the execution hub (which checked the node and the scenario's mode).
    function settle(Settlement calldata s, bytes[] calldata payerSignatures) external;

    /// @notice Freezes the payers' amounts of `s` until commit or refund.
    /// @dev Callable only by the execution hub. `s.deadline` must be in the future and `s.hashlock` non-zero.
    function lock(Settlement calldata s, bytes[] calldata payerSignatures) external;

    /// @notice Commits a live lock by revealing the hashlock's preimage before its deadline; applies the net update.
    /// @dev Callable by anyone who knows the preimage.
    function commit(bytes32 id, Leg[] calldata legs, bytes32 preimage) external;

    /// @notice Refunds a live lock at or after its deadline: frozen amounts become free again.
    /// @dev Callable by anyone.
    function refund(bytes32 id, Leg[] calldata legs) external;

    /// @notice Free (withdrawable, lockable) balance.
    function freeBalance(address account, address token) external view returns (uint256);

    /// @notice Frozen balance (held by live locks).
    function frozenBalance(address account, address token) external view returns (uint256);

    /// @notice Status of a settlement id.
    function statusOf(bytes32 id) external view returns (Status);

    /// @notice The EIP-712 digest the payers of `s` sign.
    function settlementDigest(Settlement calldata s) external view returns (bytes32);
}
