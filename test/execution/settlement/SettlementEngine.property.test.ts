import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Wallet } from "ethers";
import { ERA } from "../../helpers/fixtures";
import { signSettlement } from "../../../src/sdk/execution";
import { now } from "../../helpers/execution";
import {
  Prng,
  SCENARIO,
  Status,
  hashlockOf,
  payersOf,
  settlementFixture,
  settlementOf,
  type Leg,
  type SettlementFields,
  type SettlementFixture,
} from "./helpers";

/** solidity-coverage instruments every opcode and runs ~20× slower: the coverage run draws a tenth of the rounds. */
const UNDER_COVERAGE =
  (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING === true;
const SEED = 0x5e771e;
const ROUNDS = UNDER_COVERAGE ? 2 : 20;
const PER_ROUND = 50;
const WALLETS = 8;
const FAILURE_RATE = 0.2;
const LOCK_SHARE = 0.45;
const BATCH = 40;
const HOUR = 3_600;
/** Commits and early refunds are only attempted this far from a deadline (block timestamps follow the wall clock). */
const MARGIN = 600n;

type FailureKind = "insufficient" | "badSignature" | "expired" | "duplicateId" | "wrongPreimage";
const ATOMIC_FAILURES: FailureKind[] = ["insufficient", "badSignature", "expired", "duplicateId"];
const LOCK_FAILURES: FailureKind[] = [...ATOMIC_FAILURES, "wrongPreimage"];

interface Shortfall {
  account: string;
  token: string;
  needed: bigint;
  free: bigint;
}

/** The engine's balances, as the contract's rules say they must evolve. */
class Model {
  readonly free = new Map<string, bigint>();
  readonly frozen = new Map<string, bigint>();

  static key(account: string, token: string): string {
    return `${account}|${token}`;
  }

  freeOf(account: string, token: string): bigint {
    return this.free.get(Model.key(account, token)) ?? 0n;
  }

  frozenOf(account: string, token: string): bigint {
    return this.frozen.get(Model.key(account, token)) ?? 0n;
  }

  private add(map: Map<string, bigint>, account: string, token: string, delta: bigint) {
    const key = Model.key(account, token);
    const value = (map.get(key) ?? 0n) + delta;
    if (value < 0n) throw new Error(`model: negative balance ${key}`);
    map.set(key, value);
  }

  deposit(account: string, token: string, amount: bigint) {
    this.add(this.free, account, token, amount);
  }

  withdraw(account: string, token: string, amount: bigint) {
    this.add(this.free, account, token, -amount);
  }

  /** Net positions in the contract's order: keys in order of first touch, payer before payee in each leg. */
  private static net(legs: readonly Leg[]): [string, string, bigint][] {
    const order: [string, string][] = [];
    const net = new Map<string, bigint>();
    const touch = (account: string, token: string, delta: bigint) => {
      const key = Model.key(account, token);
      if (!net.has(key)) order.push([account, token]);
      net.set(key, (net.get(key) ?? 0n) + delta);
    };
    for (const l of legs) {
      touch(l.payer, l.token, -l.amount);
      touch(l.payee, l.token, l.amount);
    }
    return order.map(([a, t]) => [a, t, net.get(Model.key(a, t)) ?? 0n]);
  }

  /** Gross debits per (payer, token) in order of first touch. */
  private static gross(legs: readonly Leg[]): [string, string, bigint][] {
    const order: [string, string][] = [];
    const gross = new Map<string, bigint>();
    for (const l of legs) {
      const key = Model.key(l.payer, l.token);
      if (!gross.has(key)) order.push([l.payer, l.token]);
      gross.set(key, (gross.get(key) ?? 0n) + l.amount);
    }
    return order.map(([a, t]) => [a, t, gross.get(Model.key(a, t)) ?? 0n]);
  }

  /** The first short account of an atomic settlement, or null if it applies. */
  atomicShortfall(legs: readonly Leg[]): Shortfall | null {
    for (const [account, token, delta] of Model.net(legs)) {
      const free = this.freeOf(account, token);
      if (delta < 0n && free < -delta) return { account, token, needed: -delta, free };
    }
    return null;
  }

  /** The first short payer of a lock, or null if it locks. */
  lockShortfall(legs: readonly Leg[]): Shortfall | null {
    for (const [account, token, debit] of Model.gross(legs)) {
      const free = this.freeOf(account, token);
      if (free < debit) return { account, token, needed: debit, free };
    }
    return null;
  }

  settle(legs: readonly Leg[]) {
    for (const [account, token, delta] of Model.net(legs)) this.add(this.free, account, token, delta);
  }

  lock(legs: readonly Leg[]) {
    for (const [account, token, debit] of Model.gross(legs)) {
      this.add(this.free, account, token, -debit);
      this.add(this.frozen, account, token, debit);
    }
  }

  release(legs: readonly Leg[], toPayees: boolean) {
    for (const l of legs) {
      this.add(this.frozen, l.payer, l.token, -l.amount);
      this.add(this.free, toPayees ? l.payee : l.payer, l.token, l.amount);
    }
  }
}

interface LockRecord {
  s: SettlementFields;
  preimage: string;
  /** Whether this lock is meant to commit (if it still can when its turn comes) or to be left to expire. */
  commits: boolean;
  /** An injected failure: a commit with a wrong preimage is attempted first. */
  wrongPreimage: boolean;
  status: Status;
}

async function propertyFixture(): Promise<SettlementFixture & { wallets: Wallet[] }> {
  const f = await settlementFixture();
  const wallets: Wallet[] = [];
  for (let i = 0; i < WALLETS; i++) {
    const w = new ethers.Wallet(ethers.id(`settlement-property-wallet-${i}`), ethers.provider);
    await f.deployer.sendTransaction({ to: w.address, value: ethers.parseEther("10") });
    await f.token.connect(f.treasury).transfer(w.address, 100_000n * ERA);
    await f.usd.mint(w.address, 100_000n * ERA);
    await f.token.connect(w).approve(f.engineAddress, ethers.MaxUint256);
    await f.usd.connect(w).approve(f.engineAddress, ethers.MaxUint256);
    wallets.push(w);
  }
  return { ...f, wallets };
}

describe(`SettlementEngine — property: ${ROUNDS * PER_ROUND} random settlements`, function () {
  it("ends every lock Committed or Refunded, never leaves a partial update, and conserves every token", async function () {
    this.timeout(600_000);
    const f = await loadFixture(propertyFixture);
    const rng = new Prng(SEED);
    const model = new Model();
    const tokens = [f.era, f.usdAddress];
    const erc20 = new Map([
      [f.era, f.token],
      [f.usdAddress, f.usd],
    ]);
    const deposited = new Map(tokens.map((t) => [t, 0n]));
    const withdrawn = new Map(tokens.map((t) => [t, 0n]));
    const byAddress = new Map(f.wallets.map((w) => [w.address, w]));
    const statuses = new Map<string, Status>();
    const locks: LockRecord[] = [];
    const failedIds: string[] = [];
    const injected = new Map<FailureKind, number>();
    const counts = { settled: 0, locked: 0, committed: 0, refunded: 0, sweptByAnyone: 0, generated: 0 };

    const ids = new Set<string>();
    const freshId = () => {
      let id = rng.id();
      while (ids.has(id)) id = rng.id();
      ids.add(id);
      return id;
    };
    const inject = (kind: FailureKind) => injected.set(kind, (injected.get(kind) ?? 0) + 1);
    const anyone = () => (rng.chance(0.5) ? f.attacker : rng.pick(f.wallets));
    const other = (address: string) => {
      let w = rng.pick(f.wallets);
      while (w.address === address) w = rng.pick(f.wallets);
      return w;
    };
    const sign = async (s: SettlementFields) => {
      const sigs: string[] = [];
      for (const payer of payersOf(s.legs)) {
        const w = byAddress.get(payer);
        if (w === undefined) throw new Error(`no wallet for ${payer}`);
        sigs.push(await signSettlement(w, f.engineDomain, s));
      }
      return sigs;
    };
    const randomLegs = (divisor: bigint): Leg[] =>
      Array.from({ length: rng.int(1, 6) }, () => {
        const payer = rng.pick(f.wallets);
        const token = rng.pick(tokens);
        const max = model.freeOf(payer.address, token) / divisor;
        return {
          payer: payer.address,
          payee: other(payer.address).address,
          token,
          amount: rng.big(1n, max > 1n ? max : 1n),
        };
      });
    const validLegs = (lockPath: boolean): Leg[] => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const legs = randomLegs(lockPath ? 8n : 3n);
        if ((lockPath ? model.lockShortfall(legs) : model.atomicShortfall(legs)) === null) return legs;
      }
      throw new Error("could not generate a valid settlement");
    };
    /** Raises one leg so that its payer is short; returns the legs and the first shortfall the engine reports. */
    const shortLegs = (lockPath: boolean): { legs: Leg[]; short: Shortfall } => {
      const legs = validLegs(lockPath);
      const k = rng.int(0, legs.length - 1);
      const l = legs[k];
      const incoming = lockPath
        ? 0n
        : legs.filter((x) => x.payee === l.payer && x.token === l.token).reduce((a, x) => a + x.amount, 0n);
      legs[k] = { ...l, amount: model.freeOf(l.payer, l.token) + incoming + rng.big(1n, 1_000n * ERA) };
      const short = lockPath ? model.lockShortfall(legs) : model.atomicShortfall(legs);
      if (short === null) throw new Error("shortLegs: settlement still valid");
      return { legs, short };
    };
    const hub = f.executionHub.connect(f.node1Key);
    const submit = (s: SettlementFields, sigs: string[], lockPath: boolean) =>
      lockPath ? hub.submitLock(SCENARIO, rng.id(), s, sigs) : hub.submitSettlements(SCENARIO, rng.id(), [s], [sigs]);

    /** Submits one settlement with an injected failure and checks the exact error; state must not move. */
    const failing = async (kind: FailureKind, lockPath: boolean) => {
      const deadline = (await now()) + BigInt(rng.int(HOUR, 3 * HOUR));
      const hashlock = lockPath ? hashlockOf(rng.id()) : ethers.ZeroHash;
      inject(kind);
      if (kind === "insufficient") {
        const { legs, short } = shortLegs(lockPath);
        const s = settlementOf(legs, deadline, hashlock, freshId());
        await expect(submit(s, await sign(s), lockPath))
          .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
          .withArgs(short.account, short.token, short.needed, short.free);
        failedIds.push(s.id);
      } else if (kind === "badSignature") {
        const s = settlementOf(validLegs(lockPath), deadline, hashlock, freshId());
        const sigs = await sign(s);
        const payers = payersOf(s.legs);
        const j = rng.int(0, payers.length - 1);
        const forger = other(payers[j]);
        sigs[j] = await signSettlement(forger, f.engineDomain, s);
        await expect(submit(s, sigs, lockPath))
          .to.be.revertedWithCustomError(f.engine, "SettlementBadSignature")
          .withArgs(payers[j], forger.address);
        failedIds.push(s.id);
      } else if (kind === "expired") {
        const ts = (await now()) + 1n;
        // Atomic: valid up to and including its deadline. Lock: the deadline must be in the future.
        const late = lockPath ? ts - BigInt(rng.int(0, 1_000)) : ts - BigInt(rng.int(1, 1_000));
        const s = settlementOf(validLegs(lockPath), late, hashlock, freshId());
        const sigs = await sign(s);
        await time.setNextBlockTimestamp(ts);
        await expect(submit(s, sigs, lockPath))
          .to.be.revertedWithCustomError(f.engine, "SettlementExpired")
          .withArgs(s.id, late, ts);
        failedIds.push(s.id);
      } else if (kind === "duplicateId") {
        const used = [...statuses.keys()];
        const id = rng.pick(used);
        const s = settlementOf(validLegs(lockPath), deadline, hashlock, id);
        await expect(submit(s, await sign(s), lockPath))
          .to.be.revertedWithCustomError(f.engine, "SettlementIdUsed")
          .withArgs(id, statuses.get(id));
      } else {
        throw new Error(`${kind} is injected at commit time`);
      }
    };

    const commitLock = async (r: LockRecord) => {
      if (r.wrongPreimage) {
        await expect(f.engine.connect(anyone()).commit(r.s.id, r.s.legs, rng.id()))
          .to.be.revertedWithCustomError(f.engine, "SettlementBadPreimage")
          .withArgs(r.s.id);
        r.wrongPreimage = false;
      }
      await expect(f.engine.connect(anyone()).commit(r.s.id, r.s.legs, r.preimage))
        .to.emit(f.engine, "Committed")
        .withArgs(r.s.id, r.preimage);
      model.release(r.s.legs, true);
      r.status = Status.Committed;
      statuses.set(r.s.id, Status.Committed);
      counts.committed++;
    };

    const refundLock = async (r: LockRecord, by: { address: string } & Parameters<typeof f.engine.connect>[0]) => {
      if (r.wrongPreimage) {
        // Too late for any preimage, right or wrong: the deadline is checked first.
        await expect(f.engine.connect(by).commit(r.s.id, r.s.legs, rng.id()))
          .to.be.revertedWithCustomError(f.engine, "SettlementLockExpired")
          .withArgs(r.s.id, r.s.deadline);
        r.wrongPreimage = false;
      }
      await expect(f.engine.connect(by).refund(r.s.id, r.s.legs)).to.emit(f.engine, "Refunded").withArgs(r.s.id);
      model.release(r.s.legs, false);
      r.status = Status.Refunded;
      statuses.set(r.s.id, Status.Refunded);
      counts.refunded++;
    };

    /** Every balance equals the model; every token: holdings = Σ free + Σ frozen = deposits − withdrawals. */
    const checkAll = async () => {
      for (const token of tokens) {
        let owed = 0n;
        for (const w of f.wallets) {
          const free = await f.engine.freeBalance(w.address, token);
          const frozen = await f.engine.frozenBalance(w.address, token);
          expect(free, `free ${w.address} ${token}`).to.equal(model.freeOf(w.address, token));
          expect(frozen, `frozen ${w.address} ${token}`).to.equal(model.frozenOf(w.address, token));
          owed += free + frozen;
        }
        const contract = erc20.get(token);
        if (contract === undefined) throw new Error("unknown token");
        expect(await contract.balanceOf(f.engineAddress)).to.equal(owed);
        expect(owed).to.equal((deposited.get(token) ?? 0n) - (withdrawn.get(token) ?? 0n));
      }
    };

    const depositFor = async (w: Wallet, token: string, amount: bigint) => {
      await f.engine.connect(w).deposit(token, amount);
      model.deposit(w.address, token, amount);
      deposited.set(token, (deposited.get(token) ?? 0n) + amount);
    };

    // Opening balances.
    for (const w of f.wallets) {
      for (const token of tokens) await depositFor(w, token, rng.big(1_000n, 10_000n) * ERA);
    }
    await checkAll();

    for (let round = 0; round < ROUNDS; round++) {
      const specs = Array.from({ length: PER_ROUND }, () => {
        const lockPath = rng.chance(LOCK_SHARE);
        const failure = rng.chance(FAILURE_RATE) ? rng.pick(lockPath ? LOCK_FAILURES : ATOMIC_FAILURES) : null;
        return { lockPath, failure };
      });
      counts.generated += specs.length;

      // Valid atomic settlements, batched through the hub (each one nets on its own, in order).
      const items: SettlementFields[] = [];
      const sigs: string[][] = [];
      for (const spec of specs.filter((x) => !x.lockPath && x.failure === null)) {
        const s = settlementOf(validLegs(false), (await now()) + BigInt(HOUR), ethers.ZeroHash, freshId());
        model.settle(s.legs);
        items.push(s);
        sigs.push(await sign(s));
      }
      for (let i = 0; i < items.length; i += BATCH) {
        await hub.submitSettlements(SCENARIO, rng.id(), items.slice(i, i + BATCH), sigs.slice(i, i + BATCH));
      }
      for (const s of items) statuses.set(s.id, Status.Settled);
      counts.settled += items.length;

      // Atomic settlements with an injected failure, one by one.
      for (const spec of specs.filter((x) => !x.lockPath && x.failure !== null)) {
        await failing(spec.failure as FailureKind, false);
      }

      // Locks, valid or not, in the order drawn.
      for (const spec of specs.filter((x) => x.lockPath)) {
        if (spec.failure !== null && spec.failure !== "wrongPreimage") {
          await failing(spec.failure, true);
          continue;
        }
        if (spec.failure === "wrongPreimage") inject("wrongPreimage");
        const preimage = rng.id();
        const deadline = (await now()) + BigInt(rng.int(HOUR, 3 * HOUR));
        const s = settlementOf(validLegs(true), deadline, hashlockOf(preimage), freshId());
        await expect(hub.submitLock(SCENARIO, rng.id(), s, await sign(s)))
          .to.emit(f.engine, "Locked")
          .withArgs(s.id, SCENARIO, BigInt(s.legs.length), deadline, s.hashlock);
        model.lock(s.legs);
        statuses.set(s.id, Status.Locked);
        locks.push({
          s,
          preimage,
          commits: rng.chance(0.6),
          wrongPreimage: spec.failure === "wrongPreimage",
          status: Status.Locked,
        });
        counts.locked++;
      }

      // Commits of live locks that still can, some deferred to a later round (where they may have expired).
      for (const r of locks) {
        if (r.status !== Status.Locked || !r.commits || r.s.deadline <= (await now()) + MARGIN) continue;
        if (rng.chance(0.7)) await commitLock(r);
      }

      // Some escrow traffic.
      for (let i = 0; i < 3; i++) {
        const w = rng.pick(f.wallets);
        const token = rng.pick(tokens);
        const free = model.freeOf(w.address, token);
        if (rng.chance(0.5) || free === 0n) {
          await depositFor(w, token, rng.big(1n, 2_000n) * ERA);
        } else {
          const amount = rng.big(1n, free);
          const to = rng.pick(f.wallets).address;
          await expect(f.engine.connect(w).withdraw(token, amount, to))
            .to.emit(f.engine, "Withdrawn")
            .withArgs(w.address, token, amount, to);
          model.withdraw(w.address, token, amount);
          withdrawn.set(token, (withdrawn.get(token) ?? 0n) + amount);
        }
      }

      // Time passes; some expired locks are refunded now, the rest later or by the final sweep.
      await time.increase(rng.int(1, 2 * HOUR));
      const t = await now();
      for (const r of locks) {
        if (r.status !== Status.Locked) continue;
        if (r.s.deadline <= t) {
          if (rng.chance(0.5)) await refundLock(r, anyone());
        } else if (r.s.deadline > t + MARGIN && rng.chance(0.05)) {
          await expect(f.engine.connect(anyone()).refund(r.s.id, r.s.legs))
            .to.be.revertedWithCustomError(f.engine, "SettlementLockNotExpired")
            .withArgs(r.s.id, r.s.deadline);
        }
      }

      await checkAll();
    }

    // The sweep: once every deadline has passed, anyone refunds what is still locked.
    const lastDeadline = locks.reduce((m, r) => (r.s.deadline > m ? r.s.deadline : m), 0n);
    if (lastDeadline > (await now())) await time.increaseTo(lastDeadline);
    for (const r of locks) {
      if (r.status === Status.Locked) {
        await refundLock(r, f.attacker);
        counts.sweptByAnyone++;
      }
    }

    // 100% terminal: every lock committed or refunded, on-chain and in the model.
    for (const r of locks) {
      expect([Status.Committed, Status.Refunded]).to.include(r.status);
      expect(await f.engine.statusOf(r.s.id)).to.equal(r.status);
    }
    for (const [id, status] of statuses) expect(await f.engine.statusOf(id)).to.equal(status);
    for (const id of failedIds) expect(await f.engine.statusOf(id)).to.equal(Status.None);
    await checkAll();
    for (const token of tokens) {
      for (const w of f.wallets) expect(await f.engine.frozenBalance(w.address, token)).to.equal(0n);
    }

    // The run exercised what it claims to.
    const failures = [...injected.values()].reduce((a, b) => a + b, 0);
    expect(counts.generated).to.equal(ROUNDS * PER_ROUND);
    expect(counts.settled + counts.locked + failures).to.equal(counts.generated + (injected.get("wrongPreimage") ?? 0));
    expect(counts.committed + counts.refunded).to.equal(counts.locked);
    // Floors of 5 per failure kind and 10 per outcome in the full run (1 each when scaled down for coverage).
    for (const kind of LOCK_FAILURES) expect(injected.get(kind) ?? 0, kind).to.be.at.least(ROUNDS / 4);
    for (const n of [counts.settled, counts.locked, counts.committed, counts.refunded, counts.sweptByAnyone]) {
      expect(n).to.be.at.least(ROUNDS / 2);
    }
  });
});
