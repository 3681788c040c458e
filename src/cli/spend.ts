import { Signature, type ContractTransactionResponse, type TransactionReceipt, type Wallet } from "ethers";
import type { EraToken } from "../../typechain-types";
import type { ContractMethodArgs, TypedContractMethod } from "../../typechain-types/common";
import type { Context } from "./context";
import { ChainError, chainErrorOf } from "./errors";
import { formatEra } from "./format";

/** Seconds a permit signed by the CLI stays valid. */
const PERMIT_LIFETIME = 3_600n;

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** An EIP-2612 permit of `owner` for `spender` to take `value` of the token, valid for an hour of chain time. */
export async function signPermit(
  ctx: Context,
  token: EraToken,
  owner: Wallet,
  spender: string,
  value: bigint,
): Promise<{ deadline: bigint; signature: Signature }> {
  const [domain, nonce, now] = await Promise.all([token.eip712Domain(), token.nonces(owner.address), ctx.now()]);
  const deadline = now + PERMIT_LIFETIME;
  const raw = await owner.signTypedData(
    {
      name: domain.name,
      version: domain.version,
      chainId: domain.chainId,
      verifyingContract: domain.verifyingContract,
    },
    PERMIT_TYPES,
    { owner: owner.address, spender, value, nonce, deadline },
  );
  return { deadline, signature: Signature.from(raw) };
}

/** A contract call with its arguments bound: it can be simulated (eth_call) or sent. */
export interface Call {
  send(): Promise<ContractTransactionResponse>;
  simulate(): Promise<unknown>;
}

/** Binds a typed contract method to its arguments. */
export function call<A extends unknown[]>(method: TypedContractMethod<A, unknown, "nonpayable">, ...args: A): Call {
  // A's elements are exactly the method's parameters; the casts only drop the optional trailing overrides.
  const sendArgs = args as unknown as ContractMethodArgs<A, "nonpayable">;
  const callArgs = args as unknown as ContractMethodArgs<A, "view">;
  return { send: () => method.send(...sendArgs), simulate: () => method.staticCall(...callArgs) };
}

/** A call that pays ERA into a contract, in its two forms. */
export interface EraPayment {
  /** What the transaction does, for progress lines. */
  what: string;
  spender: string;
  amount: bigint;
  /** Sign a permit and make one transaction (default), or approve first and then call. */
  permit: boolean;
  /** The permit form of the call, when the contract has one (without it, `permit` is ignored). */
  withPermit?: (deadline: bigint, v: number, r: string, s: string) => Call;
  plain: Call;
}

/**
 * Pays ERA from the wallet into a contract. The balance is checked first; with a permit the approval and the call
 * are one transaction, so a refusal leaves nothing behind. Without one, the call is first simulated with a permit
 * (never sent), so a refusal still leaves nothing behind; then an approval of exactly the amount is sent when the
 * allowance is short, and the call.
 */
export async function payEra(
  ctx: Context,
  token: EraToken,
  wallet: Wallet,
  p: EraPayment,
): Promise<TransactionReceipt> {
  const balance = await token.balanceOf(wallet.address);
  if (balance < p.amount) {
    throw new ChainError(
      `The ERA balance of ${wallet.address} is ${formatEra(balance)}, less than the ${formatEra(p.amount)} this needs.`,
      "Lower the amount or add ERA to this account first.",
    );
  }
  if (p.withPermit) {
    const { deadline, signature } = await signPermit(ctx, token, wallet, p.spender, p.amount);
    const withPermit = p.withPermit(deadline, signature.v, signature.r, signature.s);
    if (p.permit) return ctx.send(`${p.what} (with a permit)`, () => withPermit.send());
    try {
      await withPermit.simulate();
    } catch (e) {
      throw chainErrorOf(e);
    }
  }
  const allowance = await token.allowance(wallet.address, p.spender);
  if (allowance < p.amount) {
    await ctx.send(`approving ${formatEra(p.amount)} for ${p.spender}`, () =>
      token.connect(wallet).approve(p.spender, p.amount),
    );
  }
  return ctx.send(p.what, () => p.plain.send());
}
