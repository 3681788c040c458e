// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MerkleBuilder
/// @notice Builds small Merkle trees on-chain the way OpenZeppelin's `MerkleProof` verifies them: inner nodes are the
/// keccak256 of the sorted pair of children (commutative), a node without a sibling moves up a level unchanged.
library MerkleBuilder {
    /// @notice Root of the tree over `leaves` (at least one leaf).
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory layer = leaves;
        while (layer.length > 1) layer = _up(layer);
        return layer[0];
    }

    /// @notice Proof of `leaves[index]` against `root(leaves)`.
    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory path) {
        bytes32[] memory buffer = new bytes32[](256);
        uint256 length;
        bytes32[] memory layer = leaves;
        while (layer.length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < layer.length) buffer[length++] = layer[sibling];
            index >>= 1;
            layer = _up(layer);
        }
        path = new bytes32[](length);
        for (uint256 i; i < length; ++i) path[i] = buffer[i];
    }

    /// @notice OpenZeppelin's `Hashes.commutativeKeccak256`.
    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    function _up(bytes32[] memory layer) private pure returns (bytes32[] memory next) {
        next = new bytes32[]((layer.length + 1) / 2);
        for (uint256 i; i < layer.length; i += 2) {
            next[i / 2] = i + 1 < layer.length ? hashPair(layer[i], layer[i + 1]) : layer[i];
        }
    }
}
