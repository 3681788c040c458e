// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {INotaryRegistry} from "../interfaces/INotaryRegistry.sol";

/// @notice Test-only hub for a NotaryRegistry: forwards notarizations and emits what the registry returned.
contract NotaryHubMock {
    /// @notice The value `notarize` or `notarizeBatch` returned.
    event Returned(bytes32 recordHash);

    INotaryRegistry public immutable notary;

    constructor(INotaryRegistry notary_) {
        notary = notary_;
    }

    function notarize(
        INotaryRegistry.Attestation calldata a,
        uint256 executingNodeId,
        bytes[] calldata signatures
    ) external {
        emit Returned(notary.notarize(a, executingNodeId, signatures));
    }

    function notarizeBatch(
        INotaryRegistry.BatchAttestation calldata a,
        uint256 executingNodeId,
        bytes[] calldata signatures
    ) external {
        emit Returned(notary.notarizeBatch(a, executingNodeId, signatures));
    }
}
