// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title SettlementQuirkyToken
/// @notice Test-only ERC-20 with the misbehaviours the settlement engine must survive, each switchable:
/// a fee burnt on every transfer, `transfer`/`transferFrom` that return false or revert, and a one-shot hook that
/// calls out on the next balance change (to attempt re-entrancy).
contract SettlementQuirkyToken is ERC20 {
    /// @notice How `transfer` and `transferFrom` fail.
    enum Failure {
        None,
        ReturnFalse,
        Revert
    }

    /// @notice Raised by `transfer`/`transferFrom` in mode `Failure.Revert`.
    error SettlementQuirkyTokenFailure();

    /// @notice Share of every transfer (not mint or burn) that is burnt, in basis points.
    uint256 public feeBps;
    /// @notice Current failure mode.
    Failure public failure;
    /// @notice Contract the next balance change calls into (zero = no hook).
    address public hookTarget;
    /// @notice Calldata of the hook call.
    bytes public hookData;

    constructor() ERC20("Settlement Quirky Token", "SQT") {}

    /// @notice Mints `amount` to `to`; anyone may call it.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Sets the fee burnt on transfers.
    function setFeeBps(uint256 bps) external {
        feeBps = bps;
    }

    /// @notice Sets the failure mode of `transfer` and `transferFrom`.
    function setFailure(Failure mode) external {
        failure = mode;
    }

    /// @notice Arms the hook for the next balance change.
    function setHook(address target, bytes calldata data) external {
        hookTarget = target;
        hookData = data;
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (failure == Failure.ReturnFalse) return false;
        if (failure == Failure.Revert) revert SettlementQuirkyTokenFailure();
        return super.transfer(to, value);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (failure == Failure.ReturnFalse) return false;
        if (failure == Failure.Revert) revert SettlementQuirkyTokenFailure();
        return super.transferFrom(from, to, value);
    }

    function _update(address from, address to, uint256 value) internal override {
        uint256 fee = from != address(0) && to != address(0) ? (value * feeBps) / 10_000 : 0;
        if (fee != 0) super._update(from, address(0), fee);
        super._update(from, to, value - fee);
        address target = hookTarget;
        if (target != address(0)) {
            hookTarget = address(0);
            Address.functionCall(target, hookData);
        }
    }
}
