import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { TypedDataEncoder, type Signer, type TypedDataDomain } from "ethers";
import { ERA, viaTimelock } from "../../helpers/fixtures";
import { executionFixture, type ExecutionFixture } from "../../helpers/execution";
import {
  SETTLEMENT_TYPES,
  domainOf,
  hashlockOf,
  payersOf,
  randomId,
  signSettlement,
  type Leg,
  type SettlementFields,
} from "../../../src/sdk/execution";
import { SettlementStatus } from "../../../src/sdk/economy";
import type { SettlementEngine, SettlementQuirkyToken, SettlementToken } from "../../../typechain-types";

export { hashlockOf, payersOf, randomId, type Leg, type SettlementFields };

/** The financial scenario of `fundedEconomyFixture` (mode AtomicSettlement, served by node 1). */
export const SCENARIO = 1n;
/** `SettlementEngine.MAX_LEGS`. */
export const MAX_LEGS = 64n;
/** `ISettlementEngine.Status`: the SDK's enum, under the short name these tests use. */
export { SettlementStatus as Status };
/** `SettlementQuirkyToken.Failure`. */
export enum Failure {
  None = 0,
  ReturnFalse = 1,
  Revert = 2,
}
/** Every user starts with this much of the second token. */
export const USD_GRANT = 1_000_000n * ERA;

export interface SettlementFixture extends ExecutionFixture {
  /** The settlement engine of the suite (hub = ExecutionHub, admin = timelock). */
  engine: SettlementEngine;
  engineAddress: string;
  /** ERA's address (allow-listed at deployment). */
  era: string;
  /** A second plain ERC-20, allow-listed through the timelock. */
  usd: SettlementToken;
  usdAddress: string;
  /** Extra payers (signers 13–15) holding ERA and USD like alice, bob and carol. */
  dave: HardhatEthersSigner;
  erin: HardhatEthersSigner;
  frank: HardhatEthersSigner;
}

/**
 * The funded suite with node 1's signing key in hand (`node1Key`, serving scenario 1), a second token (USD) allow-listed through the timelock, and
 * every user (alice, bob, carol, dave, erin, frank) holding 1,000,000 ERA and 1,000,000 USD and approving the engine
 * for both. Nothing is deposited yet.
 */
export async function settlementFixture(): Promise<SettlementFixture> {
  const f = await executionFixture();
  const signers = await ethers.getSigners();
  const [dave, erin, frank] = [signers[13], signers[14], signers[15]];
  const engine = f.settlementEngine;
  const engineAddress = await engine.getAddress();
  const era = await f.token.getAddress();
  const usd = await ethers.deployContract("SettlementToken", ["Settlement USD", "USD"]);
  const usdAddress = await usd.getAddress();
  await viaTimelock(f, engine, engine.interface.encodeFunctionData("setTokenAllowed", [usdAddress, true]));
  for (const who of [dave, erin, frank]) await f.token.connect(f.treasury).transfer(who.address, 1_000_000n * ERA);
  for (const who of [f.alice, f.bob, f.carol, dave, erin, frank]) {
    await usd.mint(who.address, USD_GRANT);
    await f.token.connect(who).approve(engineAddress, ethers.MaxUint256);
    await usd.connect(who).approve(engineAddress, ethers.MaxUint256);
  }
  return { ...f, engine, engineAddress, era, usd, usdAddress, dave, erin, frank };
}

/**
 * `settlementFixture` plus a `SettlementQuirkyToken` allow-listed through the timelock (well-behaved until a test sets
 * a fee, a failure mode or a hook), 1,000,000 of it for alice, bob and carol, who approve the engine.
 */
export async function quirkyFixture(): Promise<
  SettlementFixture & { quirky: SettlementQuirkyToken; quirkyAddress: string }
> {
  const f = await settlementFixture();
  const quirky = await ethers.deployContract("SettlementQuirkyToken");
  const quirkyAddress = await quirky.getAddress();
  await viaTimelock(f, f.engine, f.engine.interface.encodeFunctionData("setTokenAllowed", [quirkyAddress, true]));
  for (const who of [f.alice, f.bob, f.carol]) {
    await quirky.mint(who.address, USD_GRANT);
    await quirky.connect(who).approve(f.engineAddress, ethers.MaxUint256);
  }
  return { ...f, quirky, quirkyAddress };
}

export interface DirectFixture extends SettlementFixture {
  /** A separate engine whose admin is `deployer` and whose hub is `hubSigner`, so tests call settle/lock directly. */
  direct: SettlementEngine;
  directAddress: string;
  directDomain: TypedDataDomain;
  hubSigner: HardhatEthersSigner;
}

/** `settlementFixture` plus a directly deployed engine (admin = deployer, hub = signer 16, ERA and USD allowed). */
export async function directFixture(): Promise<DirectFixture> {
  const f = await settlementFixture();
  const hubSigner = (await ethers.getSigners())[16];
  const direct = await ethers.deployContract("SettlementEngine", [f.deployer.address, [f.era, f.usdAddress]]);
  const directAddress = await direct.getAddress();
  await direct.setHub(hubSigner.address);
  for (const who of [f.alice, f.bob, f.carol, f.dave, f.erin, f.frank]) {
    await f.token.connect(who).approve(directAddress, ethers.MaxUint256);
    await f.usd.connect(who).approve(directAddress, ethers.MaxUint256);
  }
  const directDomain = domainOf("ERA SettlementEngine", f.chainId, directAddress);
  return { ...f, direct, directAddress, directDomain, hubSigner };
}

/** A leg. */
export const leg = (payer: { address: string }, payee: { address: string }, token: string, amount: bigint): Leg => ({
  payer: payer.address,
  payee: payee.address,
  token,
  amount,
});

/** A settlement with a fresh id; atomic (hashlock 0) unless a hashlock is given. */
export function settlementOf(legs: Leg[], deadline: bigint, hashlock: string = ethers.ZeroHash, id = randomId()) {
  return { id, scenarioId: SCENARIO, legs, deadline, hashlock } satisfies SettlementFields;
}

/** Signs `s` by every payer, in the order `payersOf` gives, picking each payer's signer from `signers`. */
export async function signByPayers(
  domain: TypedDataDomain,
  s: SettlementFields,
  signers: readonly (Signer & { address: string })[],
): Promise<string[]> {
  const sigs: string[] = [];
  for (const payer of payersOf(s.legs)) {
    const signer = signers.find((x) => x.address === payer);
    if (signer === undefined) throw new Error(`No signer for payer ${payer}`);
    sigs.push(await signSettlement(signer, domain, s));
  }
  return sigs;
}

/** The digest the engine at `domain` computes for `s`. */
export const digestOf = (domain: TypedDataDomain, s: SettlementFields): string =>
  TypedDataEncoder.hash(domain, SETTLEMENT_TYPES, s);

/** The users of `settlementFixture`, able to sign. */
export const users = (f: SettlementFixture) => [f.alice, f.bob, f.carol, f.dave, f.erin, f.frank];

/** Submits atomic settlements through the hub as node 1, in a fresh batch. */
export async function submitSettlements(f: SettlementFixture, items: SettlementFields[], sigs: string[][]) {
  return f.executionHub.connect(f.node1Key).submitSettlements(SCENARIO, randomId(), items, sigs);
}

/** Signs (by its payers among the fixture's users) and submits one atomic settlement through the hub. */
export async function settle(f: SettlementFixture, s: SettlementFields) {
  return submitSettlements(f, [s], [await signByPayers(f.engineDomain, s, users(f))]);
}

/** Signs (by its payers among the fixture's users) and submits one lock through the hub. */
export async function lock(f: SettlementFixture, s: SettlementFields, sigs?: string[]) {
  const signatures = sigs ?? (await signByPayers(f.engineDomain, s, users(f)));
  return f.executionHub.connect(f.node1Key).submitLock(SCENARIO, randomId(), s, signatures);
}

/** A deterministic PRNG (mulberry32) for the property test. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** A bigint in [lo, hi] (uniform up to a negligible modulo bias: 64 random bits more than the span has). */
  big(lo: bigint, hi: bigint): bigint {
    const span = hi - lo + 1n;
    const bits = span.toString(2).length + 64;
    let r = 0n;
    for (let b = 0; b < bits; b += 26) r = (r << 26n) | BigInt(Math.floor(this.next() * 2 ** 26));
    return lo + (r % span);
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A random 32-byte hex id. */
  id(): string {
    return ethers.toBeHex(this.big(1n, 2n ** 256n - 1n), 32);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Net position of every (account, token) a set of legs touches: credits minus debits. */
export function netOf(legs: readonly Leg[]): Map<string, bigint> {
  const net = new Map<string, bigint>();
  for (const l of legs) {
    const from = `${l.payer}|${l.token}`;
    const to = `${l.payee}|${l.token}`;
    net.set(from, (net.get(from) ?? 0n) - l.amount);
    net.set(to, (net.get(to) ?? 0n) + l.amount);
  }
  return net;
}

/** Gross debit of every (payer, token) of a set of legs: what a lock freezes. */
export function grossDebitOf(legs: readonly Leg[]): Map<string, bigint> {
  const gross = new Map<string, bigint>();
  for (const l of legs) {
    const key = `${l.payer}|${l.token}`;
    gross.set(key, (gross.get(key) ?? 0n) + l.amount);
  }
  return gross;
}

/** Free and frozen balance of every (account, token), keyed `account|token`. */
export async function ledgerOf(
  engine: SettlementEngine,
  accounts: readonly { address: string }[],
  tokens: readonly string[],
): Promise<Map<string, { free: bigint; frozen: bigint }>> {
  const ledger = new Map<string, { free: bigint; frozen: bigint }>();
  for (const a of accounts) {
    for (const t of tokens) {
      ledger.set(`${a.address}|${t}`, {
        free: await engine.freeBalance(a.address, t),
        frozen: await engine.frozenBalance(a.address, t),
      });
    }
  }
  return ledger;
}
