import type { ContractTransactionResponse } from "ethers";
import {
  ECONOMY_DEFAULTS,
  ERA,
  fundedEconomyFixture,
  ScenarioClass,
  viaTimelock,
  type EconomyFixture,
} from "../helpers/fixtures";
import type { RevenueRouter } from "../../typechain-types";

export const BPS = 10_000n;

/** Scenario ids of `fundedEconomyFixture`, one per class, owned by `developer` and served by node 1. */
export const SCENARIO = {
  [ScenarioClass.Financial]: 1n,
  [ScenarioClass.Enterprise]: 2n,
  [ScenarioClass.Lightweight]: 3n,
} as const;

export const CLASSES = [ScenarioClass.Financial, ScenarioClass.Enterprise, ScenarioClass.Lightweight] as const;

/** A class's split as the contract stores it. */
export interface Shares {
  nodeBps: bigint;
  userPoolBps: bigint;
  protocolBps: bigint;
}

/** A payment's four parts. */
export interface Split {
  node: bigint;
  pool: bigint;
  protocol: bigint;
  developer: bigint;
}

function fromTuple(t: readonly [number, number, number]): Shares {
  return { nodeBps: BigInt(t[0]), userPoolBps: BigInt(t[1]), protocolBps: BigInt(t[2]) };
}

/** The shares the Ignition module deploys, per class. */
export const DEFAULT_SHARES: Record<ScenarioClass, Shares> = {
  [ScenarioClass.Financial]: fromTuple(ECONOMY_DEFAULTS.financialShares),
  [ScenarioClass.Enterprise]: fromTuple(ECONOMY_DEFAULTS.enterpriseShares),
  [ScenarioClass.Lightweight]: fromTuple(ECONOMY_DEFAULTS.lightweightShares),
};

/**
 * The split the interface documents: node, user pool and developer rounded down, the protocol share takes what is
 * left. Written from the NatSpec, not from the contract.
 */
export function expectedSplit(amount: bigint, s: Shares): Split {
  const node = (amount * s.nodeBps) / BPS;
  const pool = (amount * s.userPoolBps) / BPS;
  const developer = (amount * (BPS - s.nodeBps - s.userPoolBps - s.protocolBps)) / BPS;
  return { node, pool, developer, protocol: amount - node - pool - developer };
}

/** Sets a class's split through the timelock, as governance does. */
export function setSharesViaTimelock(
  f: EconomyFixture,
  cls: ScenarioClass,
  s: Shares,
): Promise<ContractTransactionResponse> {
  const data = f.revenueRouter.interface.encodeFunctionData("setClassShares", [cls, s]);
  return viaTimelock(f, f.revenueRouter, data);
}

/** Calls `recover` through the timelock. */
export function recoverViaTimelock(
  f: EconomyFixture,
  token: string,
  to: string,
  amount: bigint,
): Promise<ContractTransactionResponse> {
  const data = f.revenueRouter.interface.encodeFunctionData("recover", [token, to, amount]);
  return viaTimelock(f, f.revenueRouter, data);
}

/** ERA the router owes: claimable balances plus both pools. */
export async function owedBy(router: RevenueRouter): Promise<bigint> {
  return (await router.totalClaimable()) + (await router.userPool()) + (await router.protocolPool());
}

/** `fundedEconomyFixture` with alice, bob and carol having approved the router for everything they hold. */
export async function routerFixture() {
  const f = await fundedEconomyFixture();
  const router = await f.revenueRouter.getAddress();
  for (const payer of [f.alice, f.bob, f.carol, f.attacker]) {
    await f.token.connect(payer).approve(router, 1_000_000n * ERA);
  }
  return f;
}
