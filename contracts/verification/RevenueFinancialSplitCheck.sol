// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RevenueSplitCopy} from "./RevenueSplitCopy.sol";

/// @title RevenueFinancialSplitCheck
/// @notice SMTChecker harness (`npm run check:smt`): `RevenueRouter.previewSplit` at the financial class's
/// default shares (node, user pool, protocol, developer: 30% / 10% / 5% / 55%; `deploy/modules/EconomyCore.ts`).
/// Never deployed.
contract RevenueFinancialSplitCheck is RevenueSplitCopy {
    function _shares() internal pure override returns (uint16, uint16, uint16) {
        return (3_000, 1_000, 500);
    }
}
