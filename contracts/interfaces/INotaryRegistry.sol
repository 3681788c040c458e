// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title INotaryRegistry
/// @notice Append-only notarizations of execution results for enterprise scenarios: each result is recorded with the
/// block timestamp and EIP-712 signatures of a k-of-n quorum of the scenario's serving nodes, linked into a hash
/// chain per subject; many results can also be notarized at once under one Merkle root.
/// @dev Storage keeps one commitment per notarization (the hash of its record) and one head per subject; the full
/// records are in the events. Every view verifies from chain data alone: the record given must hash to the stored
/// commitment, and a subject's records, replayed from the first, must end at the stored head (so a missing, extra or
/// reordered record is detected).
interface INotaryRegistry {
    /// @notice What the nodes sign for one result (EIP-712 type `Attestation`).
    struct Attestation {
        uint256 scenarioId;
        bytes32 subjectId;
        bytes32 resultHash;
        bytes32 notarizationId;
        uint64 deadline;
    }

    /// @notice What the nodes sign for a batch of results (EIP-712 type `BatchAttestation`).
    /// @param root Root of an OpenZeppelin standard Merkle tree of leaves
    /// `(uint256 scenarioId, bytes32 notarizationId, uint256 index, bytes32 subjectId, bytes32 resultHash)`.
    struct BatchAttestation {
        uint256 scenarioId;
        bytes32 notarizationId;
        bytes32 root;
        uint32 count;
        uint64 deadline;
    }

    /// @notice A single notarization as recorded (what `verifyRecord` and `verifyTrail` take).
    struct Record {
        uint256 scenarioId;
        bytes32 subjectId;
        bytes32 resultHash;
        bytes32 notarizationId;
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

    /// @notice Emitted for every single notarization, with everything needed to verify it later.
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
    /// @notice The notarization id was used already.
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
    /// node among them; links it to the subject's trail.
    /// @dev Callable only by the execution hub. Signatures must be ordered by signer address, ascending.
    /// @return recordHash The stored commitment, which is also the subject's new head.
    function notarize(
        Attestation calldata attestation,
        uint256 executingNodeId,
        bytes[] calldata signatures
    ) external returns (bytes32 recordHash);

    /// @notice Notarizes many results under one Merkle root (same signing rules as `notarize`).
    /// @dev Callable only by the execution hub.
    function notarizeBatch(
        BatchAttestation calldata attestation,
        uint256 executingNodeId,
        bytes[] calldata signatures
    ) external returns (bytes32 recordHash);

    /// @notice Whether `record` is exactly what was notarized under its id.
    function verifyRecord(Record calldata record) external view returns (bool);

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

    /// @notice The stored commitment of a notarization (zero if none).
    function commitmentOf(bytes32 notarizationId) external view returns (bytes32);

    /// @notice The head of a subject's trail (hash of its last record; zero if none).
    function headOf(uint256 scenarioId, bytes32 subjectId) external view returns (bytes32);

    /// @notice The EIP-712 digest nodes sign for a single result.
    function attestationDigest(Attestation calldata attestation) external view returns (bytes32);

    /// @notice The EIP-712 digest nodes sign for a batch.
    function batchAttestationDigest(BatchAttestation calldata attestation) external view returns (bytes32);
}
