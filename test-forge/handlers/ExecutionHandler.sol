// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EraToken} from "../../contracts/token/EraToken.sol";
import {SettlementEngine} from "../../contracts/execution/SettlementEngine.sol";
import {NotaryRegistry} from "../../contracts/execution/NotaryRegistry.sol";
import {ExecutionHub} from "../../contracts/execution/ExecutionHub.sol";
import {ISettlementEngine} from "../../contracts/interfaces/ISettlementEngine.sol";
import {INotaryRegistry} from "../../contracts/interfaces/INotaryRegistry.sol";
import {IExecutionHub} from "../../contracts/interfaces/IExecutionHub.sol";
import {Cheats} from "../utils/Cheats.sol";
import {MerkleBuilder} from "../utils/MerkleBuilder.sol";

/// @notice The campaign's clock, kept by the economy handler (time moves only forward, for every handler alike).
interface ICampaignClock {
    /// @notice The time every action runs at.
    function currentTime() external view returns (uint256);
}

/// @title ExecutionHandler
/// @notice Random, bounded calls into the execution layer for the invariant campaign: atomic settlements (some
/// doomed to fail), locks that end in commit or refund (or are left to expire), notarizations with a 2-of-3 quorum
/// (and replays of them, and rival results signed for a place of a trail already taken), standard actions (and
/// replays, and signatures made for another chain or another hub). Time is the campaign's clock (`ICampaignClock`),
/// moved by the economy handler. Ghost state records what must hold.
// One ghost variable per modelled quantity: the model the invariants compare the contracts against.
// solhint-disable-next-line max-states-count
contract ExecutionHandler is Cheats {
    struct Lock {
        bytes32 id;
        bytes32 preimage;
        uint64 deadline;
        ISettlementEngine.Leg[] legs;
    }

    EraToken public immutable token;
    ICampaignClock public immutable clock;
    SettlementEngine public immutable engine;
    NotaryRegistry public immutable notary;
    ExecutionHub public immutable hub;
    uint256 public immutable financialScenario;
    uint256 public immutable enterpriseScenario;
    uint256 public immutable standardScenario;

    uint256[] internal _userKeys;
    uint256[] internal _nodeKeys; // node 1 executes; nodes 1–3 co-sign
    uint256 internal _nonce;

    bytes32 internal constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );

    Lock[] internal _locks;
    bytes32[] internal _subjects;
    mapping(bytes32 subject => INotaryRegistry.Record[]) internal _trail;
    INotaryRegistry.Attestation[] internal _applied;
    /// @dev Batch notarizations that landed: the attestation (for replays), the record and the leaves (for the
    /// inclusion checks of invariant 6).
    INotaryRegistry.BatchAttestation[] internal _batchAttestations;
    INotaryRegistry.BatchRecord[] internal _batchRecords;
    mapping(uint256 i => bytes32[] leaves) internal _batchLeaves;

    uint256 public ghostDeposited;
    uint256 public ghostWithdrawn;
    uint256 public ghostStandardApplied;
    /// @notice Count of signatures accepted although made for another domain (must stay 0).
    uint256 public ghostForeignAccepted;
    /// @notice Count of replays (settlement id, notarization, user nonce) that were accepted (must stay 0).
    uint256 public ghostReplaysAccepted;
    /// @notice Count of notarizations accepted for a place of a trail already taken (must stay 0).
    uint256 public ghostStaleAccepted;
    /// @notice Calls the contracts refused (expected for the doomed ones; reported for information).
    uint256 public ghostRefused;
    /// @notice Doomed batch notarizations refused with another error than predicted (must stay 0).
    uint256 public ghostBatchErrorMismatch;
    /// @notice Count of settlements that left a partial update (must stay 0).
    uint256 public ghostPartialUpdates;
    /// @notice Permit deposits that did not use the permit's nonce or credit the amount (must stay 0).
    uint256 public ghostPermitMismatch;
    /// @notice Direct `settle`/`lock` calls by a stranger not refused with `SettlementOnlyHub(caller)` (must stay 0).
    uint256 public ghostStrangerMismatch;

    constructor(
        ICampaignClock clock_,
        EraToken token_,
        SettlementEngine engine_,
        NotaryRegistry notary_,
        ExecutionHub hub_,
        uint256[] memory userKeys,
        uint256[] memory nodeKeys,
        uint256[3] memory scenarioIds
    ) {
        clock = clock_;
        token = token_;
        engine = engine_;
        notary = notary_;
        hub = hub_;
        _userKeys = userKeys;
        _nodeKeys = nodeKeys;
        financialScenario = scenarioIds[0];
        enterpriseScenario = scenarioIds[1];
        standardScenario = scenarioIds[2];
    }

    /// @dev Every action runs at the campaign's clock.
    modifier atClock() {
        VM.warp(clock.currentTime());
        _;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Escrow
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Up to 20,000 ERA, so that escrow does not drain the users' balances the economy's actions spend.
    function deposit(uint256 userSeed, uint256 amount) external atClock {
        address user = _user(userSeed);
        amount = _bound(amount, 1, 20_000 ether);
        // Deposits are an inflow the pause refuses. A refusal must not be left to revert the action: a reverted
        // call would keep a startPrank alive into the next action (forge keeps cheatcode state across the revert).
        if (token.balanceOf(user) < amount || engine.paused()) return;
        VM.prank(user);
        token.approve(address(engine), amount);
        VM.prank(user);
        engine.deposit(address(token), amount);
        ghostDeposited += amount;
    }

    /// @notice A deposit with an EIP-2612 permit signed by the user's key instead of an approval: modelled as
    /// `deposit`; the permit's nonce is used and the free balance grows by the amount.
    function depositWithPermit(uint256 userSeed, uint256 amount) external atClock {
        uint256 key = _userKeys[userSeed % _userKeys.length];
        address user = VM.addr(key);
        amount = _bound(amount, 1, 20_000 ether);
        if (token.balanceOf(user) < amount || engine.paused()) return;
        uint256 nonce = token.nonces(user);
        uint256 free = engine.freeBalance(user, address(token));
        bytes32 permitHash = keccak256(abi.encode(PERMIT_TYPEHASH, user, engine, amount, nonce, block.timestamp));
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(
            key,
            keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), permitHash))
        );
        VM.prank(user);
        engine.depositWithPermit(address(token), amount, block.timestamp, v, r, s);
        ghostDeposited += amount;
        if (token.nonces(user) != nonce + 1 || engine.freeBalance(user, address(token)) != free + amount) {
            ++ghostPermitMismatch;
        }
    }

    function withdraw(uint256 userSeed, uint256 amount) external atClock {
        address user = _user(userSeed);
        uint256 free = engine.freeBalance(user, address(token));
        if (free == 0) return;
        amount = _bound(amount, 1, free);
        VM.prank(user);
        engine.withdraw(address(token), amount, user);
        ghostWithdrawn += amount;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Settlements
    // ---------------------------------------------------------------------------------------------------------------

    function settleAtomic(uint256 seed, uint8 legCount) external atClock {
        ISettlementEngine.Settlement memory s = _settlement(seed, _bound(legCount, 1, 4), bytes32(0));
        s.deadline = uint64(block.timestamp + 1 hours);
        uint256[] memory freeBefore = _frees();
        (bool ok, ) = _submitSettlement(s, seed);
        uint256[] memory freeAfter = _frees();
        if (!ok) {
            for (uint256 i; i < freeBefore.length; ++i) if (freeBefore[i] != freeAfter[i]) ++ghostPartialUpdates;
            return;
        }
        // Replaying the same settlement id must fail and change nothing.
        (bool replayed, ) = _submitSettlement(s, seed ^ 1);
        if (replayed) ++ghostReplaysAccepted;
    }

    function lock(uint256 seed, uint8 legCount, uint32 duration) external atClock {
        bytes32 preimage = keccak256(abi.encode("preimage", seed, _nonce));
        ISettlementEngine.Settlement memory s = _settlement(
            seed,
            _bound(legCount, 1, 3),
            keccak256(abi.encode(preimage))
        );
        s.deadline = uint64(block.timestamp + _bound(duration, 1, 3 days));
        bytes[] memory sigs = _signSettlement(s);
        VM.prank(VM.addr(_nodeKeys[0]));
        try hub.submitLock(financialScenario, keccak256(abi.encode("lock-batch", s.id)), s, sigs) {
            Lock storage lk = _locks.push();
            lk.id = s.id;
            lk.preimage = preimage;
            lk.deadline = s.deadline;
            for (uint256 i; i < s.legs.length; ++i) lk.legs.push(s.legs[i]);
        } catch {
            ++ghostRefused;
        }
    }

    function commit(uint256 lockSeed, bool wrongPreimage) external atClock {
        if (_locks.length == 0) return;
        Lock storage lk = _locks[lockSeed % _locks.length];
        bytes32 preimage = wrongPreimage ? bytes32(uint256(lk.preimage) ^ 1) : lk.preimage;
        ISettlementEngine.Status before = engine.statusOf(lk.id);
        try engine.commit(lk.id, lk.legs, preimage) {
            if (before != ISettlementEngine.Status.Locked || block.timestamp >= lk.deadline || wrongPreimage) {
                ++ghostReplaysAccepted;
            }
        } catch {
            ++ghostRefused;
        }
    }

    function refund(uint256 lockSeed) external atClock {
        if (_locks.length == 0) return;
        Lock storage lk = _locks[lockSeed % _locks.length];
        ISettlementEngine.Status before = engine.statusOf(lk.id);
        try engine.refund(lk.id, lk.legs) {
            if (before != ISettlementEngine.Status.Locked || block.timestamp < lk.deadline) ++ghostReplaysAccepted;
        } catch {
            ++ghostRefused;
        }
    }

    /// @notice Anyone refunds every expired lock (the verifier's job).
    function refundExpired() public atClock {
        for (uint256 i; i < _locks.length; ++i) {
            Lock storage lk = _locks[i];
            if (engine.statusOf(lk.id) == ISettlementEngine.Status.Locked && block.timestamp >= lk.deadline) {
                engine.refund(lk.id, lk.legs);
            }
        }
    }

    /// @notice A user calls the engine's `settle` or `lock` directly with a well-formed, payer-signed settlement the
    /// hub could have submitted: only the hub may, so it is refused with `SettlementOnlyHub(user)`.
    function strangerSettle(uint256 seed, bool asLock) external atClock {
        address user = _user(seed);
        ISettlementEngine.Settlement memory s = _settlement(seed, 1, asLock ? keccak256(abi.encode(seed)) : bytes32(0));
        s.deadline = uint64(block.timestamp + 1 hours);
        bytes[] memory signatures = _signSettlement(s);
        bytes memory data =
            asLock ? abi.encodeCall(engine.lock, (s, signatures)) : abi.encodeCall(engine.settle, (s, signatures));
        VM.prank(user);
        // Raw call: the refusal's bytes (custom error and argument) are compared with the prediction.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = address(engine).call(data);
        bytes memory expected = abi.encodeWithSelector(ISettlementEngine.SettlementOnlyHub.selector, user);
        if (ok || keccak256(reason) != keccak256(expected)) ++ghostStrangerMismatch;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Notarization
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev kind 0: the subject's next result, signed against its current head; 1: the replay of an attestation that
    /// landed; 2: a rival result signed against a head the subject had before (a place already taken).
    function notarize(uint256 seed, uint8 kind) external atClock {
        kind = uint8(_bound(kind, 0, 2));
        if (kind == 1 && _applied.length != 0) {
            (bool replayed, ) = _submitNotarization(_applied[seed % _applied.length]);
            if (replayed) ++ghostReplaysAccepted;
            return;
        }
        bytes32 subject = keccak256(abi.encode("subject", seed % 4));
        INotaryRegistry.Record[] storage records = _trail[subject];
        if (kind == 2 && records.length != 0) {
            bytes32 taken = records[(seed >> 8) % records.length].previous;
            (bool rival, ) = _submitNotarization(_attestation(subject, taken));
            if (rival) ++ghostStaleAccepted;
            return;
        }
        bytes32 previous = notary.headOf(enterpriseScenario, subject);
        INotaryRegistry.Attestation memory a = _attestation(subject, previous);
        (bool success, ) = _submitNotarization(a);
        if (!success) return;
        if (records.length == 0) _subjects.push(subject);
        INotaryRegistry.Record storage r = records.push();
        r.scenarioId = enterpriseScenario;
        r.subjectId = subject;
        r.resultHash = a.resultHash;
        r.timestamp = uint64(block.timestamp);
        r.previous = previous;
        r.signers = _sortedNodeAddresses(2);
        _applied.push(a);
    }

    /// @dev A batch notarization of 1–4 (subject, result) leaves, executed by node 1 and signed by nodes 1 and 2.
    /// kind 0: fresh, accepted unless the nodes no longer serve; 1: the replay of a batch that landed (refused:
    /// `NotaryIdUsed`); 2: a deadline already past (refused: `NotaryExpired`). A doomed batch accepted counts as a
    /// replay accepted (must stay 0).
    function notarizeBatch(uint256 seed, uint8 kind) external atClock {
        kind = uint8(_bound(kind, 0, 2));
        INotaryRegistry.BatchAttestation memory a;
        bytes32[] memory leaves;
        bytes memory expected;
        if (kind == 1 && _batchAttestations.length != 0) {
            a = _batchAttestations[seed % _batchAttestations.length];
            expected = abi.encodeWithSelector(
                INotaryRegistry.NotaryIdUsed.selector,
                notary.batchNotarizationIdOf(a.scenarioId, a.salt)
            );
        } else {
            if (kind != 2) kind = 0;
            (a, leaves) = _freshBatch(seed, kind == 2);
            if (kind == 2) {
                expected = abi.encodeWithSelector(INotaryRegistry.NotaryExpired.selector, a.deadline, block.timestamp);
            }
        }
        bytes[] memory sigs = _signByTwo(notary.batchAttestationDigest(a));
        VM.prank(VM.addr(_nodeKeys[0]));
        try hub.submitNotarizationBatch(a, sigs) {
            if (kind != 0) {
                ++ghostReplaysAccepted;
                return;
            }
            bytes32 id = notary.batchNotarizationIdOf(a.scenarioId, a.salt);
            _batchLeaves[_batchRecords.length] = leaves;
            _batchRecords.push(
                INotaryRegistry.BatchRecord(
                    a.scenarioId,
                    id,
                    a.root,
                    a.count,
                    uint64(block.timestamp),
                    _sortedNodeAddresses(2)
                )
            );
            _batchAttestations.push(a);
        } catch (bytes memory reason) {
            // A fresh batch is refused only when the nodes no longer serve (slashed out, removed, quorum changed); a
            // doomed one with its own error, or with one of those.
            if (kind != 0 && keccak256(reason) != keccak256(expected) && !_isServingError(reason)) {
                ++ghostBatchErrorMismatch;
            }
            ++ghostRefused;
        }
    }

    /// @dev A fresh batch attestation of 1–4 leaves for the enterprise scenario (`expired`: its deadline has passed).
    function _freshBatch(
        uint256 seed,
        bool expired
    ) internal returns (INotaryRegistry.BatchAttestation memory a, bytes32[] memory leaves) {
        uint256 count = 1 + (seed % 4);
        a.scenarioId = enterpriseScenario;
        a.salt = keccak256(abi.encode("notarization batch", ++_nonce));
        bytes32 id = notary.batchNotarizationIdOf(a.scenarioId, a.salt);
        leaves = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            (bytes32 subject, bytes32 result) = _batchLeaf(id, i);
            leaves[i] = keccak256(bytes.concat(keccak256(abi.encode(a.scenarioId, id, i, subject, result))));
        }
        a.root = MerkleBuilder.root(leaves);
        a.count = uint32(count);
        a.deadline = expired ? uint64(block.timestamp - 1) : uint64(block.timestamp + 1 days);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Standard actions and signature domains
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev A replay is the same (user, nonce) drawn again, which the small nonce range makes frequent.
    function standardAction(uint256 userSeed, uint32 nonce, uint8 foreign) external atClock {
        uint256 key = _userKeys[userSeed % _userKeys.length];
        address user = VM.addr(key);
        nonce = uint32(_bound(nonce, 0, 40));
        (uint64 seqBefore, ) = hub.actionRecord(standardScenario, user, nonce);
        IExecutionHub.Action[] memory actions = new IExecutionHub.Action[](1);
        actions[0] = IExecutionHub.Action({user: user, nonce: nonce, payload: 7, signature: ""});
        uint8 kind = uint8(_bound(foreign, 0, 2)); // 0: this hub, 1: another chain id, 2: another hub address
        bytes32 digest =
            kind == 0 ? hub.actionDigest(standardScenario, user, nonce, 7) : _foreignActionDigest(kind, user, nonce);
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, digest);
        actions[0].signature = abi.encodePacked(r, s, v);
        VM.prank(VM.addr(_nodeKeys[0]));
        try hub.submitStandard(standardScenario, keccak256(abi.encode("std", ++_nonce)), actions) {
            if (kind != 0) ++ghostForeignAccepted;
            else if (seqBefore != 0) ++ghostReplaysAccepted;
            else ++ghostStandardApplied;
        } catch {
            ++ghostRefused;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views for the invariants
    // ---------------------------------------------------------------------------------------------------------------

    function users() external view returns (address[] memory list) {
        list = new address[](_userKeys.length);
        for (uint256 i; i < list.length; ++i) list[i] = VM.addr(_userKeys[i]);
    }

    function lockCount() external view returns (uint256) {
        return _locks.length;
    }

    function lockAt(uint256 i) external view returns (bytes32 id, uint64 deadline, uint256 total) {
        Lock storage lk = _locks[i];
        for (uint256 j; j < lk.legs.length; ++j) total += lk.legs[j].amount;
        return (lk.id, lk.deadline, total);
    }

    function subjects() external view returns (bytes32[] memory) {
        return _subjects;
    }

    function trail(bytes32 subject) external view returns (INotaryRegistry.Record[] memory) {
        return _trail[subject];
    }

    function batchRecordCount() external view returns (uint256) {
        return _batchRecords.length;
    }

    function batchRecordAt(uint256 i) external view returns (INotaryRegistry.BatchRecord memory, bytes32[] memory) {
        return (_batchRecords[i], _batchLeaves[i]);
    }

    /// @dev The (subject, result) of leaf `i` of batch notarization `id`.
    function _batchLeaf(bytes32 id, uint256 i) internal pure returns (bytes32 subject, bytes32 result) {
        return (keccak256(abi.encode("batch subject", id, i)), keccak256(abi.encode("batch result", id, i)));
    }

    function batchLeafOf(bytes32 id, uint256 i) external pure returns (bytes32 subject, bytes32 result) {
        return _batchLeaf(id, i);
    }

    function _isServingError(bytes memory reason) internal pure returns (bool) {
        bytes4 sel = bytes4(reason);
        return
            sel == IExecutionHub.ExecutionNotServingNode.selector ||
            sel == IExecutionHub.ExecutionModeMismatch.selector ||
            sel == INotaryRegistry.NotaryInvalidSigner.selector ||
            sel == INotaryRegistry.NotaryQuorumNotMet.selector ||
            sel == INotaryRegistry.NotaryExecutorMissing.selector;
    }

    function notarizationCount() external view returns (uint256) {
        return _applied.length;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    function _user(uint256 seed) internal view returns (address) {
        return VM.addr(_userKeys[seed % _userKeys.length]);
    }

    function _frees() internal view returns (uint256[] memory f) {
        f = new uint256[](_userKeys.length);
        for (uint256 i; i < f.length; ++i) f[i] = engine.freeBalance(VM.addr(_userKeys[i]), address(token));
    }

    function _settlement(
        uint256 seed,
        uint256 legCount,
        bytes32 hashlock
    ) internal returns (ISettlementEngine.Settlement memory s) {
        s.id = keccak256(abi.encode("settlement", seed, ++_nonce));
        s.scenarioId = financialScenario;
        s.hashlock = hashlock;
        s.legs = new ISettlementEngine.Leg[](legCount);
        for (uint256 i; i < legCount; ++i) {
            uint256 p = uint256(keccak256(abi.encode(seed, i, "payer"))) % _userKeys.length;
            uint256 q =
                (p + 1 + (uint256(keccak256(abi.encode(seed, i, "payee"))) % (_userKeys.length - 1))) %
                    _userKeys.length;
            s.legs[i] = ISettlementEngine.Leg({
                payer: VM.addr(_userKeys[p]),
                payee: VM.addr(_userKeys[q]),
                token: address(token),
                // Up to 2,000 ERA: some legs exceed the payer's free balance, so some settlements must fail whole.
                amount: 1 + (uint256(keccak256(abi.encode(seed, i, "amount"))) % 2_000 ether)
            });
        }
    }

    function _signSettlement(ISettlementEngine.Settlement memory s) internal view returns (bytes[] memory sigs) {
        address[] memory payers = new address[](s.legs.length);
        uint256 n;
        for (uint256 i; i < s.legs.length; ++i) {
            bool seen;
            for (uint256 j; j < n; ++j) if (payers[j] == s.legs[i].payer) seen = true;
            if (!seen) payers[n++] = s.legs[i].payer;
        }
        bytes32 digest = engine.settlementDigest(s);
        sigs = new bytes[](n);
        for (uint256 j; j < n; ++j) {
            (uint8 v, bytes32 r, bytes32 sig) = VM.sign(_keyOf(payers[j]), digest);
            sigs[j] = abi.encodePacked(r, sig, v);
        }
    }

    function _submitSettlement(
        ISettlementEngine.Settlement memory s,
        uint256 seed
    ) internal returns (bool ok, bytes memory) {
        ISettlementEngine.Settlement[] memory items = new ISettlementEngine.Settlement[](1);
        items[0] = s;
        bytes[][] memory sigs = new bytes[][](1);
        sigs[0] = _signSettlement(s);
        VM.prank(VM.addr(_nodeKeys[0]));
        try hub.submitSettlements(financialScenario, keccak256(abi.encode("batch", seed, _nonce++)), items, sigs) {
            return (true, "");
        } catch (bytes memory reason) {
            return (false, reason);
        }
    }

    /// @dev A fresh result of `subject`, signed against `previous`.
    function _attestation(bytes32 subject, bytes32 previous) internal returns (INotaryRegistry.Attestation memory a) {
        a = INotaryRegistry.Attestation({
            scenarioId: enterpriseScenario,
            subjectId: subject,
            resultHash: keccak256(abi.encode("result", ++_nonce)),
            previous: previous,
            deadline: uint64(block.timestamp + 1 days)
        });
    }

    function _submitNotarization(INotaryRegistry.Attestation memory a) internal returns (bool ok, bytes memory) {
        bytes[] memory sigs = _signByTwo(notary.attestationDigest(a));
        VM.prank(VM.addr(_nodeKeys[0]));
        try hub.submitNotarization(a, sigs) {
            return (true, "");
        } catch (bytes memory reason) {
            return (false, reason);
        }
    }

    /// @dev Node 1 executes; nodes 1 and 2 sign (quorum 2), ordered by address.
    function _signByTwo(bytes32 digest) internal view returns (bytes[] memory sigs) {
        uint256[] memory keys = new uint256[](2);
        keys[0] = _nodeKeys[0];
        keys[1] = _nodeKeys[1];
        if (VM.addr(keys[0]) > VM.addr(keys[1])) (keys[0], keys[1]) = (keys[1], keys[0]);
        sigs = new bytes[](2);
        for (uint256 i; i < 2; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = VM.sign(keys[i], digest);
            sigs[i] = abi.encodePacked(r, s, v);
        }
    }

    function _sortedNodeAddresses(uint256 n) internal view returns (address[] memory list) {
        list = new address[](n);
        for (uint256 i; i < n; ++i) list[i] = VM.addr(_nodeKeys[i]);
        if (n == 2 && list[0] > list[1]) (list[0], list[1]) = (list[1], list[0]);
    }

    function _foreignActionDigest(uint8 kind, address user, uint32 nonce) internal view returns (bytes32) {
        bytes32 typeHash = keccak256("Action(uint256 scenarioId,address user,uint32 nonce,uint64 payload)");
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("ERA ExecutionHub"),
                keccak256("1"),
                kind == 1 ? block.chainid + 1 : block.chainid,
                kind == 2 ? address(uint160(address(hub)) ^ 1) : address(hub)
            )
        );
        bytes32 structHash = keccak256(abi.encode(typeHash, standardScenario, user, nonce, uint64(7)));
        return keccak256(abi.encodePacked(hex"1901", domain, structHash));
    }

    function _keyOf(address account) internal view returns (uint256) {
        for (uint256 i; i < _userKeys.length; ++i) if (VM.addr(_userKeys[i]) == account) return _userKeys[i];
        revert AssertionFailed("unknown account", 0, 0);
    }
}
