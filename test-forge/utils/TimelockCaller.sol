// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EraTimelock} from "../../contracts/governance/EraTimelock.sol";
import {Cheats} from "./Cheats.sol";

/// @title TimelockCaller
/// @notice What the handlers acting through the `EraTimelock` share: the timelock, its proposer, and the proposal of
/// one call. Each handler lets the delay pass on the campaign's clock and executes in its own way (the economy
/// handler lets a refusal bubble up, the governance handler checks it against its model).
abstract contract TimelockCaller is Cheats {
    /// @notice Holder of `DEFAULT_ADMIN_ROLE` everywhere, of `MINTER_ROLE` and `SLASHER_ROLE` (as deployed by
    /// deploy/modules/Suite.ts): every privileged action of the handlers is scheduled by the governor and executed
    /// after the delay.
    EraTimelock public immutable timelock;
    /// @notice The timelock's proposer (and canceller).
    address public immutable governor;

    constructor(EraTimelock timelock_, address governor_) {
        timelock = timelock_;
        governor = governor_;
    }

    /// @dev The governor schedules `data` on `target` under `salt` with the timelock's minimum delay (returned).
    function _schedule(address target, bytes memory data, bytes32 salt) internal returns (uint256 delay) {
        delay = timelock.getMinDelay();
        VM.prank(governor);
        timelock.schedule(target, 0, data, bytes32(0), salt, delay);
    }
}
