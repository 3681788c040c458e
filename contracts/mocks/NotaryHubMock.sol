// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {INotaryRegistry} from "../interfaces/INotaryRegistry.sol";

/// @notice Test-only hub for a NotaryRegistry: forwards notarizations and emits what the registry returned.
contract NotaryHubMock {
    /// @notice The values `notarize` or `notarizeBatch` returned.
    event Returned(bytes32 notarizationId, bytes32 recordHash);

    INotaryRegistry public immutable notary;

    constructor(INotaryRegistry notary_) {
        notary = notary_;
    }

    function notarize(
        INotaryRegistry.Attestation calldata a,
        uint256 executingNodeId,
        bytes[] calldata signatures
    ) external {
        (bytes32 notarizationId, bytes32 recordHash) = notary.notarize(a, executingNodeId, signatures);
        emit Returned(notarizationId, recordHash);
    }

    function notarizeBatch(
        INotaryRegistry.BatchAttestation calldata a,
        uint256 executingNodeId,
        bytes[] calldata signatures
    ) external {
        (bytes32 notarizationId, bytes32 recordHash) = notary.notarizeBatch(a, executingNodeId, signatures);
        emit Returned(notarizationId, recordHash);
    }
}
