// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {AdminGuarded} from "../governance/AdminGuarded.sol";

/// @title EraToken
/// @notice The ERA token: ERC-20 with EIP-2612 permit and ERC-5805 votes (timestamp clock), a hard supply cap, and
/// minting only by `MINTER_ROLE`. No transfer hooks, no fees, no pause of transfers.
contract EraToken is ERC20, ERC20Permit, ERC20Votes, ERC20Capped, AdminGuarded {
    /// @notice Role that may mint new ERA, up to the cap.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @param cap_ The hard supply cap in wei of ERA.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`.
    /// @param genesisRecipient Receives `genesisSupply` at deployment (may be zero address only if supply is zero).
    /// @param genesisSupply ERA minted at deployment (≤ cap).
    constructor(
        uint256 cap_,
        address admin,
        address genesisRecipient,
        uint256 genesisSupply
    ) ERC20("ERA", "ERA") ERC20Permit("ERA") ERC20Capped(cap_) AdminGuarded(admin) {
        if (genesisSupply > 0) _mint(genesisRecipient, genesisSupply);
    }

    /// @notice Mints `amount` ERA to `to`.
    /// @dev Callable by `MINTER_ROLE`. Reverts with `ERC20ExceededCap` past the cap.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @notice Votes are checkpointed by timestamp, which is meaningful on every L2 (block numbers are not).
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @notice ERC-6372 description of `clock`.
    // The name is fixed by ERC-6372.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @inheritdoc Nonces
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes, ERC20Capped) {
        super._update(from, to, value);
    }
}
