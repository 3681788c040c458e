// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title RevenueStrayToken
/// @notice A plain ERC-20 that is not ERA, for tests of `RevenueRouter.recover` (tokens sent to the router by
/// mistake).
contract RevenueStrayToken is ERC20 {
    /// @param holder Receives `supply` at deployment.
    /// @param supply Tokens minted to `holder`.
    constructor(address holder, uint256 supply) ERC20("Stray", "STRAY") {
        _mint(holder, supply);
    }
}
