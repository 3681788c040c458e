// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RevenueSplitCopy} from "./RevenueSplitCopy.sol";

/// @title RevenueLightweightSplitCheck
/// @notice SMTChecker harness (`npm run check:smt`): `RevenueRouter.previewSplit` at the lightweight class's
/// default shares (node, user pool, protocol, developer: 26.09% = 30% / 1.15, 10%, 5%, 58.91%;
/// `deploy/modules/EconomyCore.ts`). Never deployed.
contract RevenueLightweightSplitCheck is RevenueSplitCopy {
    function _shares() internal pure override returns (uint16, uint16, uint16) {
        return (2_609, 1_000, 500);
    }
}
