// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title LightweightMerkle
/// @notice Computes the Merkle root of a lightweight batch from its packed calldata, cheaply enough that committing a
/// batch costs no more than its calldata (under EIP-7623 a calldata-heavy transaction pays the calldata floor, which
/// leaves about 760 gas of execution per 32-byte action free; this stays well under it).
/// @dev Leaf `i` = keccak256(keccak256(abi.encode(scenarioId, batchId, i, user, nonce, payload))), the OpenZeppelin
/// standard leaf; levels pair nodes with commutative keccak (OpenZeppelin `Hashes.commutativeKeccak256`), an odd last
/// node moving up unchanged. `BatchCommitments._leaf` computes the same leaf in Solidity for fraud proofs, and
/// `src/sdk/execution.ts` builds the same tree off-chain; tests check all three agree.
/// Assembly is used only to reuse one scratch buffer for every leaf: `abi.encode` in a loop would allocate 192 fresh
/// bytes per action and the quadratic memory cost would exceed the calldata floor.
library LightweightMerkle {
    /// @notice Root of the batch `data` (length a non-zero multiple of 32, checked by the caller).
    // One assembly block over every leaf and level; split, it would pass the scratch buffer around (docs/solhint.md).
    // solhint-disable-next-line function-max-lines
    function root(uint256 scenarioId, bytes32 batchId, bytes calldata data) internal pure returns (bytes32 result) {
        uint256 count = data.length / 32;
        bytes32[] memory level = new bytes32[](count);
        // Assembly reuses one scratch buffer per leaf: abi.encode in the loop costs quadratic memory (see above).
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // Scratch buffer past the free memory pointer: never allocated, reused for every leaf.
            let buf := mload(0x40)
            mstore(buf, scenarioId)
            mstore(add(buf, 0x20), batchId)
            let nodes := add(level, 0x20)
            let offset := data.offset
            for {
                let i := 0
            } lt(i, count) {
                i := add(i, 1)
            } {
                let word := calldataload(add(offset, shl(5, i)))
                mstore(add(buf, 0x40), i)
                mstore(add(buf, 0x60), shr(96, word))
                mstore(add(buf, 0x80), and(shr(64, word), 0xffffffff))
                mstore(add(buf, 0xa0), and(word, 0xffffffffffffffff))
                mstore(0x00, keccak256(buf, 0xc0))
                mstore(add(nodes, shl(5, i)), keccak256(0x00, 0x20))
            }
            let n := count
            for {} gt(n, 1) {} {
                let half := shr(1, n)
                for {
                    let i := 0
                } lt(i, half) {
                    i := add(i, 1)
                } {
                    let a := mload(add(nodes, shl(6, i)))
                    let b := mload(add(nodes, add(shl(6, i), 0x20)))
                    switch lt(a, b)
                    case 1 {
                        mstore(0x00, a)
                        mstore(0x20, b)
                    }
                    default {
                        mstore(0x00, b)
                        mstore(0x20, a)
                    }
                    mstore(add(nodes, shl(5, i)), keccak256(0x00, 0x40))
                }
                let odd := and(n, 1)
                if odd {
                    mstore(add(nodes, shl(5, half)), mload(add(nodes, shl(5, sub(n, 1)))))
                }
                n := add(half, odd)
            }
            result := mload(nodes)
        }
    }
}
