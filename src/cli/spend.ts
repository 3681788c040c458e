import type { ContractTransactionResponse, TransactionReceipt, Wallet } from "ethers";
import type { EraToken } from "../../typechain-types";
import type { ContractMethodArgs, TypedContractMethod } from "../../typechain-types/common";
import { signPermit } from "../sdk/permit";
import type { Context } from "./context";
import { ChainError, chainErrorOf } from "./errors";
import { formatEra } from "./format";

/** Seconds a permit signed by the CLI stays valid. */
const PERMIT_LIFETIME = 3_600n;

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
    const deadline = (await ctx.now()) + PERMIT_LIFETIME;
    const permit = await signPermit(token, wallet, p.spender, p.amount, deadline);
    const withPermit = p.withPermit(deadline, permit.v, permit.r, permit.s);
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
