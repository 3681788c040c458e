import { Signature, type Signer, type TypedDataDomain, type TypedDataField } from "ethers";
import type { EraToken } from "../../typechain-types";

/**
 * EIP-2612 permits of the ERA token: one off-chain signature that lets a contract spend the signer's ERA, so that
 * approving and depositing take one transaction (`delegateWithPermit`, `registerWithPermit`).
 */

export const PERMIT_TYPES: Record<string, TypedDataField[]> = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export interface PermitMessage {
  owner: string;
  spender: string;
  value: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** A signed permit, split as the contracts take it. */
export interface SignedPermit extends PermitMessage {
  v: number;
  r: string;
  s: string;
}

/** The token's EIP-712 domain, read from the token itself (ERC-5267), so it is right on every chain. */
export async function permitDomainOf(token: EraToken): Promise<TypedDataDomain> {
  const domain = await token.eip712Domain();
  return {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
  };
}

/**
 * Asks `owner` to sign a permit for `spender` to move `value` ERA until `deadline` (unix seconds). Reads the owner's
 * current permit nonce and the token's domain first. A wallet shows the signature request as typed data
 * (`eth_signTypedData_v4`); it costs no gas.
 */
export async function signPermit(
  token: EraToken,
  owner: Signer,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<SignedPermit> {
  const ownerAddress = await owner.getAddress();
  const [domain, nonce] = await Promise.all([permitDomainOf(token), token.nonces(ownerAddress)]);
  const message: PermitMessage = { owner: ownerAddress, spender, value, nonce, deadline };
  const { v, r, s } = Signature.from(await owner.signTypedData(domain, PERMIT_TYPES, message));
  return { ...message, v, r, s };
}
