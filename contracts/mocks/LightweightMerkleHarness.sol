// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {LightweightMerkle} from "../libraries/LightweightMerkle.sol";

/// @title LightweightMerkleHarness
/// @notice Test-only: exposes `LightweightMerkle.root` so tests can compare it with the SDK tree on any input,
/// including batch ids and scenario ids the hub never forwards.
contract LightweightMerkleHarness {
    /// @notice The library's root of `data` (length a non-zero multiple of 32).
    function root(uint256 scenarioId, bytes32 batchId, bytes calldata data) external pure returns (bytes32) {
        return LightweightMerkle.root(scenarioId, batchId, data);
    }

    /// @notice OpenZeppelin's `MerkleProof.verifyCalldata`, the check `BatchCommitments` runs on every fraud proof.
    function verify(bytes32[] calldata proof, bytes32 root_, bytes32 leaf) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root_, leaf);
    }
}
