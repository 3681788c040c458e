// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RevenueSplitCopy} from "./RevenueSplitCopy.sol";

/// @title RevenueEnterpriseSplitCheck
/// @notice SMTChecker harness (`npm run check:smt`): `RevenueRouter.previewSplit` at the enterprise class's
/// default shares (node, user pool, protocol, developer: 28% / 10% / 5% / 57%; `deploy/modules/EconomyCore.ts`).
/// Never deployed.
contract RevenueEnterpriseSplitCheck is RevenueSplitCopy {
    function _shares() internal pure override returns (uint16, uint16, uint16) {
        return (2_800, 1_000, 500);
    }
}
