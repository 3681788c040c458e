// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title INotaryRegistry
/// @notice Append-only notarizations of execution results for enterprise scenarios: each result is recorded with the
/// block timestamp and EIP-712 signatures of a k-of-n quorum of the scenario's serving nodes, linked into a hash
/// chain per subject; many results can also be notarized at once under one Merkle root.
/// @dev Storage keeps one head per subject (the hash of its last single record) and one commitment per batch; the
/// full records are in the events. A single attestation is signed against the subject's current head (`previous`),
/// so it can land once, in one place of the trail: its notarization id is derived from that place,
/// `keccak256(abi.encode(bytes32("ERA notarization id: single"), scenarioId, subjectId, previous))`, and needs no
/// storage of its own. A batch's id is derived from a salt the nodes choose,
/// `keccak256(abi.encode(bytes32("ERA notarization id: batch"), scenarioId, salt))`, and is stored with the batch's
/// commitment. The two preimages differ (tag and length), so a single's id never equals a batch's.
/// Every view verifies from chain data alone: a single record, hashed forward through the subject's later records,
/// must reach the stored head; a subject's records, replayed from the first, must end at it (so a missing, extra or
/// reordered record is detected); a batch record must hash to its stored commitment.
interface INotaryRegistry {
    /// @notice What the nodes sign for one result (EIP-712 type `Attestation`).
    /// @param previous The subject's head the result follows (`headOf(scenarioId, subjectId)` when signing; zero for
    /// the subject's first result).
    struct Attestation {
        uint256 scenarioId;
        bytes32 subjectId;
        bytes32 resultHash;
        bytes32 previous;
        uint64 deadline;
    }

    /// @notice What the nodes sign for a batch of results (EIP-712 type `BatchAttestation`).
    /// @param salt Any value the nodes have not used for a batch of this scenario; the batch's notarization id is
    /// `batchNotarizationIdOf(scenarioId, salt)`.
    /// @param root Root of an OpenZeppelin standard Merkle tree of leaves
    /// `(uint256 scenarioId, bytes32 notarizationId, uint256 index, bytes32 subjectId, bytes32 resultHash)`.
    struct BatchAttestation {
        uint256 scenarioId;
        bytes32 salt;
        bytes32 root;
        uint32 count;
        uint64 deadline;
    }

    /// @notice A single notarization as recorded (what `verifyRecord` and `verifyTrail` take).
    struct Record {
        uint256 scenarioId;
        bytes32 subjectId;
        bytes32 resultHash;
        uint64 timestamp;
        bytes32 previous;
        address[] signers;
    }

    /// @notice A batch notarization as recorded.
    struct BatchRecord {
        uint256 scenarioId;
        bytes32 notarizationId;
        bytes32 root;
        uint32 count;
        uint64 timestamp;
        address[] signers;
    }

    /// @notice Emitted for every single notarization, with everything needed to verify it later (the hub's
    /// `BatchApplied` under the same id names the executing node).
    /// @param notarizationId `notarizationIdOf(scenarioId, subjectId, previous)`.
    /// @param recordHash The hash of the record, now the subject's head.
    event Notarized(
        bytes32 indexed notarizationId,
        uint256 indexed scenarioId,
        bytes32 indexed subjectId,
        bytes32 resultHash,
        uint64 timestamp,
        bytes32 previous,
        bytes32 recordHash,
        address[] signers
    );
    /// @notice Emitted for every batch notarization.
    /// @param notarizationId `batchNotarizationIdOf(scenarioId, salt)`.
    event BatchNotarized(
        bytes32 indexed notarizationId,
        uint256 indexed scenarioId,
        bytes32 root,
        uint32 count,
        uint64 timestamp,
        bytes32 recordHash,
        address[] signers
    );
    /// @notice Emitted when governance sets the hub.
    event HubChanged(address indexed hub);

    /// @notice Only the execution hub may notarize.
    error NotaryOnlyHub(address caller);
    /// @notice The attestation was signed against another head than the subject's current one: it was applied
    /// already, or another result of the subject landed first (sign again against `head`).
    error NotaryStaleHead(uint256 scenarioId, bytes32 subjectId, bytes32 head, bytes32 previous);
    /// @notice The batch's notarization id (from its salt) was used already.
    error NotaryIdUsed(bytes32 notarizationId);
    /// @notice The signatures' deadline has passed.
    error NotaryExpired(uint64 deadline, uint256 nowTs);
    /// @notice A signature is malformed, malleable (high s) or recovers to address(0).
    error NotaryBadSignature(uint256 index);
    /// @notice Signers must be strictly ascending by address (so none is counted twice).
    error NotarySignersNotSorted(uint256 index, address signer);
    /// @notice A signer is not the key of an active node serving the scenario.
    error NotaryInvalidSigner(uint256 index, address signer);
    /// @notice Fewer valid signers than the scenario's quorum.
    error NotaryQuorumNotMet(uint256 signers, uint256 quorum);
    /// @notice The executing node did not sign.
    error NotaryExecutorMissing(uint256 executingNodeId);
    /// @notice A batch of zero results.
    error NotaryEmptyBatch();

    /// @notice Notarizes one result, signed by at least the scenario's quorum of its serving nodes, the executing
    /// node among them, as the next record of the subject's trail.
    /// @dev Callable only by the execution hub. Signatures must be ordered by signer address, ascending.
    /// `attestation.previous` must equal the subject's current head, so an applied attestation can never be applied
    /// again, and of two attestations signed against the same head only the first lands (the other reverts with
    /// `NotaryStaleHead`).
    /// Warning: the executing node is trusted to be what the hub checked (an active node serving the scenario): its
    /// own signature is matched by node id and not checked against the node and scenario registries again. Every
    /// other signer is.
    /// @return notarizationId The id derived from the record's place, `notarizationIdOf(scenarioId, subjectId,
    /// previous)`.
    /// @return recordHash The hash of the new record, which is the subject's new head.
    function notarize(
        Attestation calldata attestation,
        uint256 executingNodeId,
        bytes[] calldata signatures
    ) external returns (bytes32 notarizationId, bytes32 recordHash);

    /// @notice Notarizes many results under one Merkle root (same signing rules as `notarize`).
    /// @dev Callable only by the execution hub. The batch's id, derived from its salt, must be unused (else
    /// `NotaryIdUsed`). Batches move no subject's head: their results are proven by Merkle proof (`verifyInBatch`).
    /// @return notarizationId The batch's id, `batchNotarizationIdOf(scenarioId, salt)`.
    /// @return recordHash The batch record's hash, stored as the commitment of its notarization id.
    function notarizeBatch(
        BatchAttestation calldata attestation,
        uint256 executingNodeId,
        bytes[] calldata signatures
    ) external returns (bytes32 notarizationId, bytes32 recordHash);

    /// @notice Whether `record` was notarized, given every record of its subject notarized after it, in order.
    /// @dev Hashes `record`, then each of `later` (each must name the same scenario and subject and link to the hash
    /// before it), and compares the end with the subject's head. Cost grows with `later.length`: for an old record of
    /// a long trail, verify off-chain by the same rule, or call this with `eth_call`.
    function verifyRecord(Record calldata record, Record[] calldata later) external view returns (bool);

    /// @notice Whether a result (subject, hash, index) is in a notarized batch.
    function verifyInBatch(
        BatchRecord calldata batch,
        uint256 index,
        bytes32 subjectId,
        bytes32 resultHash,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice Whether `records` is the complete, ordered trail of a subject (first to last, nothing missing).
    function verifyTrail(uint256 scenarioId, bytes32 subjectId, Record[] calldata records) external view returns (bool);

    /// @notice The head of a subject's trail (hash of its last record; zero if none): the `previous` the nodes sign
    /// for its next result.
    function headOf(uint256 scenarioId, bytes32 subjectId) external view returns (bytes32);

    /// @notice The stored commitment of a batch notarization (zero if none). Single notarizations keep none: their
    /// records are verified against their subject's head (`verifyRecord`).
    function batchCommitmentOf(bytes32 notarizationId) external view returns (bytes32);

    /// @notice The id of the single notarization that follows `previous` in a subject's trail.
    function notarizationIdOf(uint256 scenarioId, bytes32 subjectId, bytes32 previous) external pure returns (bytes32);

    /// @notice The id of the batch notarization of `scenarioId` signed with `salt`.
    function batchNotarizationIdOf(uint256 scenarioId, bytes32 salt) external pure returns (bytes32);

    /// @notice The hash of a single record (what a head is).
    function recordHashOf(Record calldata record) external pure returns (bytes32);

    /// @notice The EIP-712 digest nodes sign for a single result.
    function attestationDigest(Attestation calldata attestation) external view returns (bytes32);

    /// @notice The EIP-712 digest nodes sign for a batch.
    function batchAttestationDigest(BatchAttestation calldata attestation) external view returns (bytes32);
}
