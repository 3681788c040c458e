// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IExecutionHub} from "../interfaces/IExecutionHub.sol";

/// @title ActionRecordReader
/// @notice Reads many `ExecutionHub.actionRecord` entries in one `eth_call` without being deployed: the call's data is
/// this contract's creation code followed by its constructor arguments, and the constructor returns the records'
/// sequence numbers instead of runtime code. The executor's intake checks every action's nonce before acknowledging
/// it; one call for a whole request replaces one call per action.
/// @dev Off-chain use only. The suite never deploys it; deploying it would leave an account whose code is the ABI
/// encoding of the answer, and nothing calls it. The loop runs inside a read-only `eth_call` whose size the caller
/// chooses (the executor sends at most 256 queries per call), so it is not a state-changing path.
contract ActionRecordReader {
    /// @notice One (scenario, user, nonce) to look up.
    struct Query {
        uint256 scenarioId;
        address user;
        uint32 nonce;
    }

    /// @notice Answers `abi.encode(uint256[] seqs)` as the creation call's output: for each query, the sequence number
    /// of the standard batch that applied its nonce, 0 when the nonce was never applied in standard mode.
    /// @param hub The execution hub to read.
    /// @param queries The (scenario, user, nonce) triples, answered in the same order.
    constructor(IExecutionHub hub, Query[] memory queries) {
        uint256[] memory seqs = new uint256[](queries.length);
        for (uint256 i; i < queries.length; ++i) {
            Query memory q = queries[i];
            (uint64 seq, ) = hub.actionRecord(q.scenarioId, q.user, q.nonce);
            seqs[i] = seq;
        }
        bytes memory answer = abi.encode(seqs);
        // A constructor's `return` is its runtime code; Solidity has no other way to hand back arbitrary bytes.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            return(add(answer, 0x20), mload(answer))
        }
    }
}
