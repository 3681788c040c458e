// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {INotaryRegistry} from "../interfaces/INotaryRegistry.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IScenarioExecution} from "../interfaces/IScenarioExecution.sol";
import {AdminGuarded} from "../governance/AdminGuarded.sol";

/// @title NotaryRegistry
/// @notice Append-only, quorum-signed notarizations of execution results with per-subject hash-linked trails.
/// @dev Makes no state-changing external call (the node and scenario registries are only read, by STATICCALL), so it
/// needs no reentrancy guard.
contract NotaryRegistry is INotaryRegistry, AdminGuarded, EIP712 {
    bytes32 private constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(uint256 scenarioId,bytes32 subjectId,bytes32 resultHash,bytes32 previous,uint64 deadline)"
    );
    bytes32 private constant BATCH_ATTESTATION_TYPEHASH = keccak256(
        "BatchAttestation(uint256 scenarioId,bytes32 salt,bytes32 root,uint32 count,uint64 deadline)"
    );
    /// @dev Domain tags of the derived notarization ids (their preimages also differ in length: 4 words vs 3).
    bytes32 private constant SINGLE_ID_TAG = "ERA notarization id: single";
    bytes32 private constant BATCH_ID_TAG = "ERA notarization id: batch";
    /// @dev Domain tags of the record hashes, so a single record never hashes like a batch record.
    bytes32 private constant SINGLE_RECORD_TAG = "ERA notary record: single";
    bytes32 private constant BATCH_RECORD_TAG = "ERA notary record: batch";

    /// @notice Node keys and status.
    INodeRegistry public immutable nodes;
    /// @notice Serving nodes and quorum of scenarios.
    IScenarioExecution public immutable scenarios;
    /// @notice The execution hub, the only caller of `notarize` and `notarizeBatch`.
    address public hub;

    mapping(bytes32 subjectKey => bytes32 head) private _heads;
    mapping(bytes32 notarizationId => bytes32 recordHash) private _batchCommitments;

    /// @param nodes_ The node registry.
    /// @param scenarios_ The scenario registry.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    constructor(
        INodeRegistry nodes_,
        IScenarioExecution scenarios_,
        address admin
    ) AdminGuarded(admin) EIP712("ERA NotaryRegistry", "1") {
        if (address(nodes_) == address(0) || address(scenarios_) == address(0)) revert AdminGuardedZeroAddress();
        nodes = nodes_;
        scenarios = scenarios_;
    }

    modifier onlyHub() {
        if (msg.sender != hub) revert NotaryOnlyHub(msg.sender);
        _;
    }

    /// @notice Sets the execution hub. Callable by `DEFAULT_ADMIN_ROLE`.
    function setHub(address newHub) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newHub == address(0)) revert AdminGuardedZeroAddress();
        hub = newHub;
        emit HubChanged(newHub);
    }

    /// @inheritdoc INotaryRegistry
    function notarize(
        Attestation calldata a,
        uint256 executingNodeId,
        bytes[] calldata signatures
    ) external onlyHub returns (bytes32 notarizationId, bytes32 recordHash) {
        bytes32 subjectKey = _subjectKey(a.scenarioId, a.subjectId);
        bytes32 head = _heads[subjectKey];
        if (a.previous != head) revert NotaryStaleHead(a.scenarioId, a.subjectId, head, a.previous);
        if (block.timestamp > a.deadline) revert NotaryExpired(a.deadline, block.timestamp);
        address[] memory signers = _checkSigners(attestationDigest(a), a.scenarioId, executingNodeId, signatures);
        uint64 timestamp = uint64(block.timestamp);
        recordHash = _recordHash(a.scenarioId, a.subjectId, a.resultHash, timestamp, head, signers);
        _heads[subjectKey] = recordHash;
        notarizationId = notarizationIdOf(a.scenarioId, a.subjectId, head);
        emit Notarized(notarizationId, a.scenarioId, a.subjectId, a.resultHash, timestamp, head, recordHash, signers);
    }

    /// @inheritdoc INotaryRegistry
    function notarizeBatch(
        BatchAttestation calldata a,
        uint256 executingNodeId,
        bytes[] calldata signatures
    ) external onlyHub returns (bytes32 notarizationId, bytes32 recordHash) {
        notarizationId = batchNotarizationIdOf(a.scenarioId, a.salt);
        if (_batchCommitments[notarizationId] != bytes32(0)) revert NotaryIdUsed(notarizationId);
        if (block.timestamp > a.deadline) revert NotaryExpired(a.deadline, block.timestamp);
        if (a.count == 0) revert NotaryEmptyBatch();
        address[] memory signers = _checkSigners(batchAttestationDigest(a), a.scenarioId, executingNodeId, signatures);
        uint64 timestamp = uint64(block.timestamp);
        recordHash = _batchRecordHash(a.scenarioId, notarizationId, a.root, a.count, timestamp, signers);
        _batchCommitments[notarizationId] = recordHash;
        emit BatchNotarized(notarizationId, a.scenarioId, a.root, a.count, timestamp, recordHash, signers);
    }

    /// @inheritdoc INotaryRegistry
    function verifyRecord(Record calldata record, Record[] calldata later) external view returns (bool) {
        (bytes32 end, bool linked) = _hashForward(recordHashOf(record), record.scenarioId, record.subjectId, later);
        return linked && end == _heads[_subjectKey(record.scenarioId, record.subjectId)];
    }

    /// @inheritdoc INotaryRegistry
    function verifyInBatch(
        BatchRecord calldata b,
        uint256 index,
        bytes32 subjectId,
        bytes32 resultHash,
        bytes32[] calldata proof
    ) external view returns (bool) {
        bytes32 stored = _batchCommitments[b.notarizationId];
        if (
            stored == bytes32(0) ||
            stored != _batchRecordHash(b.scenarioId, b.notarizationId, b.root, b.count, b.timestamp, b.signers) ||
            index >= b.count
        ) return false;
        bytes32 leaf = keccak256(
            bytes.concat(keccak256(abi.encode(b.scenarioId, b.notarizationId, index, subjectId, resultHash)))
        );
        return MerkleProof.verifyCalldata(proof, b.root, leaf);
    }

    /// @inheritdoc INotaryRegistry
    function verifyTrail(
        uint256 scenarioId,
        bytes32 subjectId,
        Record[] calldata records
    ) external view returns (bool) {
        (bytes32 end, bool linked) = _hashForward(bytes32(0), scenarioId, subjectId, records);
        return linked && end == _heads[_subjectKey(scenarioId, subjectId)];
    }

    /// @inheritdoc INotaryRegistry
    function headOf(uint256 scenarioId, bytes32 subjectId) external view returns (bytes32) {
        return _heads[_subjectKey(scenarioId, subjectId)];
    }

    /// @inheritdoc INotaryRegistry
    function batchCommitmentOf(bytes32 notarizationId) external view returns (bytes32) {
        return _batchCommitments[notarizationId];
    }

    /// @inheritdoc INotaryRegistry
    function notarizationIdOf(uint256 scenarioId, bytes32 subjectId, bytes32 previous) public pure returns (bytes32) {
        return keccak256(abi.encode(SINGLE_ID_TAG, scenarioId, subjectId, previous));
    }

    /// @inheritdoc INotaryRegistry
    function batchNotarizationIdOf(uint256 scenarioId, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(BATCH_ID_TAG, scenarioId, salt));
    }

    /// @inheritdoc INotaryRegistry
    function recordHashOf(Record calldata r) public pure returns (bytes32) {
        return _recordHash(r.scenarioId, r.subjectId, r.resultHash, r.timestamp, r.previous, r.signers);
    }

    /// @inheritdoc INotaryRegistry
    function attestationDigest(Attestation calldata a) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(ATTESTATION_TYPEHASH, a.scenarioId, a.subjectId, a.resultHash, a.previous, a.deadline)
                )
            );
    }

    /// @inheritdoc INotaryRegistry
    function batchAttestationDigest(BatchAttestation calldata a) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(BATCH_ATTESTATION_TYPEHASH, a.scenarioId, a.salt, a.root, a.count, a.deadline))
            );
    }

    /// @dev Recovers every signer (ascending, distinct) and checks that the executing node is among them, that each
    /// other one is the key of an active node serving the scenario, and that their number meets the quorum. The
    /// executing node itself was checked active and serving by the hub in this transaction.
    function _checkSigners(
        bytes32 digest,
        uint256 scenarioId,
        uint256 executingNodeId,
        bytes[] calldata signatures
    ) private view returns (address[] memory signers) {
        uint256 quorum = scenarios.quorumOf(scenarioId);
        if (signatures.length < quorum) revert NotaryQuorumNotMet(signatures.length, quorum);
        signers = new address[](signatures.length);
        address last;
        bool executorSigned;
        for (uint256 i; i < signatures.length; ++i) {
            // OpenZeppelin's ECDSA rejects high-s (malleated) signatures, bad lengths and address(0).
            (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert NotaryBadSignature(i);
            if (signer <= last) revert NotarySignersNotSorted(i, signer);
            last = signer;
            uint256 nodeId = nodes.nodeOfSigningKey(signer);
            if (nodeId == 0) revert NotaryInvalidSigner(i, signer);
            if (nodeId == executingNodeId) {
                executorSigned = true;
            } else if (!nodes.isActive(nodeId) || !scenarios.isServing(scenarioId, nodeId)) {
                revert NotaryInvalidSigner(i, signer);
            }
            signers[i] = signer;
        }
        if (!executorSigned) revert NotaryExecutorMissing(executingNodeId);
    }

    /// @dev Replays `records` from `running`: each must name the scenario and subject and link to the hash before it.
    /// Returns the last hash, and false at the first record that does not link.
    function _hashForward(
        bytes32 running,
        uint256 scenarioId,
        bytes32 subjectId,
        Record[] calldata records
    ) private pure returns (bytes32, bool) {
        for (uint256 i; i < records.length; ++i) {
            Record calldata r = records[i];
            bool links = r.scenarioId == scenarioId && r.subjectId == subjectId && r.previous == running;
            if (!links) return (running, false);
            running = recordHashOf(r);
        }
        return (running, true);
    }

    function _subjectKey(uint256 scenarioId, bytes32 subjectId) private pure returns (bytes32) {
        return keccak256(abi.encode(scenarioId, subjectId));
    }

    function _recordHash(
        uint256 scenarioId,
        bytes32 subjectId,
        bytes32 resultHash,
        uint64 timestamp,
        bytes32 previous,
        address[] memory signers
    ) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    SINGLE_RECORD_TAG,
                    scenarioId,
                    subjectId,
                    resultHash,
                    timestamp,
                    previous,
                    keccak256(abi.encodePacked(signers))
                )
            );
    }

    function _batchRecordHash(
        uint256 scenarioId,
        bytes32 notarizationId,
        bytes32 root,
        uint32 count,
        uint64 timestamp,
        address[] memory signers
    ) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    BATCH_RECORD_TAG,
                    scenarioId,
                    notarizationId,
                    root,
                    count,
                    timestamp,
                    keccak256(abi.encodePacked(signers))
                )
            );
    }
}
