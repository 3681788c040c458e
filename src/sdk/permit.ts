import { Signature, type Signer } from "ethers";
import type { EraToken } from "../../typechain-types";

/** EIP-2612 `Permit`, as ERC20Permit (OpenZeppelin) checks it. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/**
 * Signs an EIP-2612 permit of `owner` for `spender` to take `value` ERA until `deadline` (unix seconds). The domain
 * is read from the token itself (EIP-5267) and the nonce is the owner's current one, so the permit is valid for this
 * chain, this token and the next permitted call only.
 */
export async function signPermit(
  token: EraToken,
  owner: Signer,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<Signature> {
  const ownerAddress = await owner.getAddress();
  const [domain, nonce] = await Promise.all([token.eip712Domain(), token.nonces(ownerAddress)]);
  const signature = await owner.signTypedData(
    {
      name: domain.name,
      version: domain.version,
      chainId: domain.chainId,
      verifyingContract: domain.verifyingContract,
    },
    PERMIT_TYPES,
    { owner: ownerAddress, spender, value, nonce, deadline },
  );
  return Signature.from(signature);
}
