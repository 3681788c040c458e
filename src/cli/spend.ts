import type { ContractTransactionResponse, TransactionReceipt, Wallet } from "ethers";
import { IERC20__factory, type EraToken } from "../../typechain-types";
import type { ContractMethodArgs, TypedContractMethod } from "../../typechain-types/common";
import { signPermit } from "../sdk/permit";
import type { Context } from "./context";
import { ChainError, chainErrorOf } from "./errors";
import { ERA_DECIMALS, formatToken } from "./format";

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

/** How a token's amounts are written: its symbol and decimals. */
export interface TokenUnit {
  symbol: string;
  decimals: number;
}

export const ERA_UNIT: TokenUnit = { symbol: "ERA", decimals: ERA_DECIMALS };

/** Refuses, before anything is sent, a payment larger than the wallet's balance of the token. */
async function checkBalance(token: string, wallet: Wallet, amount: bigint, unit: TokenUnit): Promise<void> {
  const balance = await IERC20__factory.connect(token, wallet).balanceOf(wallet.address);
  if (balance < amount) {
    throw new ChainError(
      `The ${unit.symbol} balance of ${wallet.address} is ${formatToken(balance, unit)}, less than the ` +
        `${formatToken(amount, unit)} this needs.`,
      `Lower the amount or add ${unit.symbol} to this account first.`,
    );
  }
}

/** Sends an approval of exactly the amount when the allowance is short, then the call. */
async function approveThenCall(
  ctx: Context,
  token: string,
  wallet: Wallet,
  p: Pick<EraPayment, "what" | "spender" | "amount" | "plain">,
  unit: TokenUnit,
): Promise<TransactionReceipt> {
  const erc20 = IERC20__factory.connect(token, wallet);
  const allowance = await erc20.allowance(wallet.address, p.spender);
  if (allowance < p.amount) {
    await ctx.send(`approving ${formatToken(p.amount, unit)} for ${p.spender}`, () =>
      erc20.approve(p.spender, p.amount),
    );
  }
  return ctx.send(p.what, () => p.plain.send());
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
  const address = await token.getAddress();
  await checkBalance(address, wallet, p.amount, ERA_UNIT);
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
  return approveThenCall(ctx, address, wallet, p, ERA_UNIT);
}

/**
 * Pays another ERC-20 from the wallet into a contract: no permit is assumed, so the balance is checked, an approval
 * of exactly the amount is sent when the allowance is short, then the call.
 */
export async function payToken(
  ctx: Context,
  token: string,
  unit: TokenUnit,
  wallet: Wallet,
  p: Pick<EraPayment, "what" | "spender" | "amount" | "plain">,
): Promise<TransactionReceipt> {
  await checkBalance(token, wallet, p.amount, unit);
  return approveThenCall(ctx, token, wallet, p, unit);
}
