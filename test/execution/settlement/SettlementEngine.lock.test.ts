import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DAY, viaTimelock } from "../../helpers/fixtures";
import { signSettlement } from "../../../src/sdk/execution";
import { now } from "../../helpers/execution";
import {
  SCENARIO,
  Status,
  grossDebitOf,
  hashlockOf,
  ledgerOf,
  leg,
  lock,
  randomId,
  settle,
  settlementFixture,
  settlementOf,
  users,
  type Leg,
  type SettlementFields,
  type SettlementFixture,
} from "./helpers";

const PREIMAGE = ethers.id("the secret both chains wait for");
const HASHLOCK = hashlockOf(PREIMAGE);

/**
 * A live lock of three legs over two tokens: alice pays bob 100 ERA and carol 30 USD, bob pays alice 60 ERA.
 * Deposits: alice 150 ERA + 50 USD, bob 60 ERA. Deadline one day ahead.
 */
async function lockedFixture() {
  const f = await settlementFixture();
  await f.engine.connect(f.alice).deposit(f.era, 150n);
  await f.engine.connect(f.alice).deposit(f.usdAddress, 50n);
  await f.engine.connect(f.bob).deposit(f.era, 60n);
  const legs: Leg[] = [
    leg(f.alice, f.bob, f.era, 100n),
    leg(f.bob, f.alice, f.era, 60n),
    leg(f.alice, f.carol, f.usdAddress, 30n),
  ];
  const deadline = (await now()) + DAY;
  const s = settlementOf(legs, deadline, HASHLOCK);
  const before = await ledgerOf(f.engine, users(f), [f.era, f.usdAddress]);
  await lock(f, s);
  return { ...f, s, deadline, before };
}

/** Free balances expected after `legs` move from frozen to the payees (commit) or back to the payers (refund). */
async function expectReleased(
  f: SettlementFixture,
  before: Map<string, { free: bigint; frozen: bigint }>,
  legs: readonly Leg[],
  toPayees: boolean,
) {
  const after = await ledgerOf(f.engine, users(f), [f.era, f.usdAddress]);
  const delta = new Map<string, bigint>();
  for (const l of legs) {
    const from = `${l.payer}|${l.token}`;
    delta.set(from, (delta.get(from) ?? 0n) - l.amount);
    if (toPayees) {
      const to = `${l.payee}|${l.token}`;
      delta.set(to, (delta.get(to) ?? 0n) + l.amount);
    } else {
      delta.set(from, (delta.get(from) ?? 0n) + l.amount);
    }
  }
  for (const [key, b] of before) {
    expect(after.get(key)?.free, key).to.equal(b.free + (delta.get(key) ?? 0n));
    expect(after.get(key)?.frozen, key).to.equal(b.frozen);
  }
}

describe("SettlementEngine — lock path (lock through the hub, commit / refund by anyone)", function () {
  describe("lock", function () {
    it("freezes each payer's GROSS debit per token and emits Locked", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 150n);
      await f.engine.connect(f.alice).deposit(f.usdAddress, 50n);
      await f.engine.connect(f.bob).deposit(f.era, 60n);
      const legs = [
        leg(f.alice, f.bob, f.era, 100n),
        leg(f.bob, f.alice, f.era, 60n),
        leg(f.alice, f.carol, f.usdAddress, 30n),
        leg(f.alice, f.carol, f.era, 20n),
      ];
      const deadline = (await now()) + DAY;
      const s = settlementOf(legs, deadline, HASHLOCK);
      const before = await ledgerOf(f.engine, users(f), [f.era, f.usdAddress]);
      const engineEra = await f.token.balanceOf(f.engineAddress);

      await expect(lock(f, s))
        .to.emit(f.engine, "Locked")
        .withArgs(s.id, SCENARIO, BigInt(legs.length), deadline, HASHLOCK);

      const after = await ledgerOf(f.engine, users(f), [f.era, f.usdAddress]);
      const gross = grossDebitOf(legs);
      for (const [key, b] of before) {
        const g = gross.get(key) ?? 0n;
        expect(after.get(key)?.free, key).to.equal(b.free - g);
        expect(after.get(key)?.frozen, key).to.equal(b.frozen + g);
      }
      // Incoming legs do not count before commit: alice's 120 ERA and bob's 60 ERA are frozen in full.
      expect(await f.engine.frozenBalance(f.alice.address, f.era)).to.equal(120n);
      expect(await f.engine.frozenBalance(f.bob.address, f.era)).to.equal(60n);
      expect(await f.token.balanceOf(f.engineAddress)).to.equal(engineEra);
      expect(await f.engine.statusOf(s.id)).to.equal(Status.Locked);
      expect(await f.engine.lockDeadline(s.id)).to.equal(deadline);
    });

    it("reverts with SettlementInsufficientFree when a payer counts on an incoming leg", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      // Atomically bob would net to zero; a lock needs his 100 up front.
      const s = settlementOf(
        [leg(f.alice, f.bob, f.era, 100n), leg(f.bob, f.carol, f.era, 100n)],
        (await now()) + DAY,
        HASHLOCK,
      );
      await expect(lock(f, s))
        .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
        .withArgs(f.bob.address, f.era, 100n, 0n);
      expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(100n);
      expect(await f.engine.frozenBalance(f.alice.address, f.era)).to.equal(0n);
      expect(await f.engine.statusOf(s.id)).to.equal(Status.None);
    });

    it("reverts with SettlementExpired unless the deadline is in the future", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      const t = (await now()) + 100n;
      const atNow = settlementOf([leg(f.alice, f.bob, f.era, 1n)], t, HASHLOCK);
      const past = settlementOf([leg(f.alice, f.bob, f.era, 1n)], t - 1n, HASHLOCK);
      const next = settlementOf([leg(f.alice, f.bob, f.era, 1n)], t + 1n, HASHLOCK);
      const sigs = async (s: SettlementFields) => [await signSettlement(f.alice, f.engineDomain, s)];
      const [atNowSigs, pastSigs, nextSigs] = [await sigs(atNow), await sigs(past), await sigs(next)];
      for (const [s, sig] of [
        [atNow, atNowSigs],
        [past, pastSigs],
      ] as const) {
        await time.setNextBlockTimestamp(t);
        await expect(lock(f, s, [...sig]))
          .to.be.revertedWithCustomError(f.engine, "SettlementExpired")
          .withArgs(s.id, s.deadline, t);
      }
      await time.setNextBlockTimestamp(t);
      await expect(lock(f, next, nextSigs)).to.emit(f.engine, "Locked");
    });

    it("reverts with SettlementBadHashlock for a zero hashlock", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      const s = settlementOf([leg(f.alice, f.bob, f.era, 1n)], (await now()) + DAY, ethers.ZeroHash);
      await expect(lock(f, s)).to.be.revertedWithCustomError(f.engine, "SettlementBadHashlock").withArgs(s.id);
    });

    it("reverts with SettlementIdUsed when the same id is locked twice or was settled", async function () {
      const f = await loadFixture(lockedFixture);
      await expect(lock(f, f.s))
        .to.be.revertedWithCustomError(f.engine, "SettlementIdUsed")
        .withArgs(f.s.id, Status.Locked);
      const atomic = settlementOf([leg(f.alice, f.bob, f.era, 1n)], (await now()) + DAY);
      await settle(f, atomic);
      const again = settlementOf([leg(f.alice, f.bob, f.era, 1n)], (await now()) + DAY, HASHLOCK, atomic.id);
      await expect(lock(f, again))
        .to.be.revertedWithCustomError(f.engine, "SettlementIdUsed")
        .withArgs(atomic.id, Status.Settled);
    });

    it("cannot lock frozen funds twice", async function () {
      const f = await loadFixture(lockedFixture);
      // alice has 150 − 100 = 50 ERA free: a second lock needing 51 fails, 50 passes.
      const s = settlementOf([leg(f.alice, f.carol, f.era, 51n)], (await now()) + DAY, HASHLOCK);
      await expect(lock(f, s))
        .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
        .withArgs(f.alice.address, f.era, 51n, 50n);
      const fits = settlementOf([leg(f.alice, f.carol, f.era, 50n)], (await now()) + DAY, HASHLOCK);
      await lock(f, fits);
      expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(0n);
      expect(await f.engine.frozenBalance(f.alice.address, f.era)).to.equal(150n);
    });

    it("checks legs and signatures like the atomic path", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      const deadline = (await now()) + DAY;
      const s = settlementOf([leg(f.alice, f.bob, f.era, 1n)], deadline, HASHLOCK);
      await expect(lock(f, s, []))
        .to.be.revertedWithCustomError(f.engine, "SettlementSignatureCount")
        .withArgs(0n, 1n);
      await expect(lock(f, s, [await signSettlement(f.bob, f.engineDomain, s)]))
        .to.be.revertedWithCustomError(f.engine, "SettlementBadSignature")
        .withArgs(f.alice.address, f.bob.address);
      const badLeg = settlementOf([leg(f.alice, f.bob, f.era, 1n), leg(f.bob, f.bob, f.era, 1n)], deadline, HASHLOCK);
      await expect(lock(f, badLeg, []))
        .to.be.revertedWithCustomError(f.engine, "SettlementBadLeg")
        .withArgs(1n);
      const none = settlementOf([], deadline, HASHLOCK);
      await expect(lock(f, none, []))
        .to.be.revertedWithCustomError(f.engine, "SettlementBadLegCount")
        .withArgs(0n, 64n);
      const tooLarge = settlementOf([leg(f.alice, f.bob, f.era, 2n ** 255n)], deadline, HASHLOCK);
      await expect(lock(f, tooLarge))
        .to.be.revertedWithCustomError(f.engine, "SettlementAmountTooLarge")
        .withArgs(2n ** 255n);
    });
  });

  describe("commit", function () {
    it("moves the frozen amounts to the payees' free balances, by anyone with the preimage, emitting Committed", async function () {
      const f = await loadFixture(lockedFixture);
      const engineEra = await f.token.balanceOf(f.engineAddress);
      await expect(f.engine.connect(f.attacker).commit(f.s.id, f.s.legs, PREIMAGE))
        .to.emit(f.engine, "Committed")
        .withArgs(f.s.id, PREIMAGE);
      await expectReleased(f, f.before, f.s.legs, true);
      expect(await f.engine.statusOf(f.s.id)).to.equal(Status.Committed);
      expect(await f.token.balanceOf(f.engineAddress)).to.equal(engineEra);
      // alice: 150 − 100 + 60; bob: 60 − 60 + 100; carol: +30 USD.
      expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(110n);
      expect(await f.engine.freeBalance(f.bob.address, f.era)).to.equal(100n);
      expect(await f.engine.freeBalance(f.carol.address, f.usdAddress)).to.equal(30n);
    });

    it("reverts with SettlementBadPreimage for a wrong preimage, the hashlock itself included", async function () {
      const f = await loadFixture(lockedFixture);
      for (const wrong of [ethers.ZeroHash, HASHLOCK, ethers.id("guess")]) {
        await expect(f.engine.commit(f.s.id, f.s.legs, wrong))
          .to.be.revertedWithCustomError(f.engine, "SettlementBadPreimage")
          .withArgs(f.s.id);
      }
      expect(await f.engine.statusOf(f.s.id)).to.equal(Status.Locked);
    });

    it("reverts with SettlementLegsMismatch for legs that are not the locked ones", async function () {
      const f = await loadFixture(lockedFixture);
      const legs = f.s.legs;
      const variants: Leg[][] = [
        [{ ...legs[0], amount: 101n }, legs[1], legs[2]], // more than frozen
        [{ ...legs[0], payee: f.attacker.address }, legs[1], legs[2]], // redirected
        [legs[1], legs[0], legs[2]], // reordered
        [legs[0], legs[1]], // one missing
        [...legs, legs[2]], // one added
      ];
      for (const v of variants) {
        await expect(f.engine.commit(f.s.id, v, PREIMAGE))
          .to.be.revertedWithCustomError(f.engine, "SettlementLegsMismatch")
          .withArgs(f.s.id);
      }
    });

    it("reverts with SettlementNotLocked for an unknown or an atomic id", async function () {
      const f = await loadFixture(lockedFixture);
      const unknown = randomId();
      await expect(f.engine.commit(unknown, f.s.legs, PREIMAGE))
        .to.be.revertedWithCustomError(f.engine, "SettlementNotLocked")
        .withArgs(unknown, Status.None);
      const atomic = settlementOf([leg(f.alice, f.bob, f.era, 1n)], (await now()) + DAY);
      await settle(f, atomic);
      await expect(f.engine.commit(atomic.id, atomic.legs, PREIMAGE))
        .to.be.revertedWithCustomError(f.engine, "SettlementNotLocked")
        .withArgs(atomic.id, Status.Settled);
      await expect(f.engine.refund(atomic.id, atomic.legs))
        .to.be.revertedWithCustomError(f.engine, "SettlementNotLocked")
        .withArgs(atomic.id, Status.Settled);
    });

    it("cannot commit twice, and refund after commit reverts with SettlementNotLocked", async function () {
      const f = await loadFixture(lockedFixture);
      await f.engine.commit(f.s.id, f.s.legs, PREIMAGE);
      await expect(f.engine.commit(f.s.id, f.s.legs, PREIMAGE))
        .to.be.revertedWithCustomError(f.engine, "SettlementNotLocked")
        .withArgs(f.s.id, Status.Committed);
      await time.increaseTo(f.deadline);
      await expect(f.engine.refund(f.s.id, f.s.legs))
        .to.be.revertedWithCustomError(f.engine, "SettlementNotLocked")
        .withArgs(f.s.id, Status.Committed);
    });

    it("still commits and refunds live locks after their token was de-listed", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.usdAddress, 100n);
      // Outlive the timelock delay of the de-listing.
      const deadline = (await now()) + 10n * (await f.timelock.getMinDelay());
      const toCommit = settlementOf([leg(f.alice, f.bob, f.usdAddress, 60n)], deadline, HASHLOCK);
      const toRefund = settlementOf([leg(f.alice, f.carol, f.usdAddress, 40n)], deadline, HASHLOCK);
      await lock(f, toCommit);
      await lock(f, toRefund);
      await viaTimelock(f, f.engine, f.engine.interface.encodeFunctionData("setTokenAllowed", [f.usdAddress, false]));
      expect(await f.engine.tokenAllowed(f.usdAddress)).to.equal(false);

      await expect(f.engine.commit(toCommit.id, toCommit.legs, PREIMAGE)).to.emit(f.engine, "Committed");
      await time.increaseTo(deadline);
      await expect(f.engine.refund(toRefund.id, toRefund.legs)).to.emit(f.engine, "Refunded");
      expect(await f.engine.freeBalance(f.bob.address, f.usdAddress)).to.equal(60n);
      expect(await f.engine.freeBalance(f.alice.address, f.usdAddress)).to.equal(40n);
      expect(await f.engine.frozenBalance(f.alice.address, f.usdAddress)).to.equal(0n);
      // And both can take the de-listed token out.
      await f.engine.connect(f.bob).withdraw(f.usdAddress, 60n, f.bob.address);
      await f.engine.connect(f.alice).withdraw(f.usdAddress, 40n, f.alice.address);
    });
  });

  describe("refund", function () {
    it("returns the frozen amounts to the payers at the deadline, by anyone, emitting Refunded", async function () {
      const f = await loadFixture(lockedFixture);
      await time.increaseTo(f.deadline);
      await expect(f.engine.connect(f.attacker).refund(f.s.id, f.s.legs))
        .to.emit(f.engine, "Refunded")
        .withArgs(f.s.id);
      await expectReleased(f, f.before, f.s.legs, false);
      expect(await f.engine.statusOf(f.s.id)).to.equal(Status.Refunded);
      // Everything is free again: alice can withdraw all she deposited.
      await f.engine.connect(f.alice).withdraw(f.era, 150n, f.alice.address);
      await f.engine.connect(f.alice).withdraw(f.usdAddress, 50n, f.alice.address);
    });

    it("cannot refund twice, and commit after refund reverts with SettlementNotLocked", async function () {
      const f = await loadFixture(lockedFixture);
      await time.increaseTo(f.deadline);
      await f.engine.refund(f.s.id, f.s.legs);
      await expect(f.engine.refund(f.s.id, f.s.legs))
        .to.be.revertedWithCustomError(f.engine, "SettlementNotLocked")
        .withArgs(f.s.id, Status.Refunded);
      await expect(f.engine.commit(f.s.id, f.s.legs, PREIMAGE))
        .to.be.revertedWithCustomError(f.engine, "SettlementNotLocked")
        .withArgs(f.s.id, Status.Refunded);
    });

    it("reverts with SettlementLegsMismatch and SettlementNotLocked like commit", async function () {
      const f = await loadFixture(lockedFixture);
      await time.increaseTo(f.deadline);
      await expect(f.engine.refund(f.s.id, [f.s.legs[0]]))
        .to.be.revertedWithCustomError(f.engine, "SettlementLegsMismatch")
        .withArgs(f.s.id);
      const unknown = randomId();
      await expect(f.engine.refund(unknown, f.s.legs))
        .to.be.revertedWithCustomError(f.engine, "SettlementNotLocked")
        .withArgs(unknown, Status.None);
    });
  });

  describe("the deadline boundary: commit iff now < deadline, refund iff now ≥ deadline", function () {
    for (const offset of [-2n, -1n, 0n, 1n, 2n]) {
      const at = offset === 0n ? "deadline" : `deadline ${offset < 0n ? "−" : "+"} ${offset < 0n ? -offset : offset}`;
      const commitWins = offset < 0n;
      it(`at ${at}: only ${commitWins ? "commit" : "refund"} succeeds`, async function () {
        const f = await loadFixture(lockedFixture);
        const t = f.deadline + offset;

        await time.setNextBlockTimestamp(t);
        const commit = f.engine.connect(f.carol).commit(f.s.id, f.s.legs, PREIMAGE);
        if (commitWins) await expect(commit).to.emit(f.engine, "Committed").withArgs(f.s.id, PREIMAGE);
        else
          await expect(commit)
            .to.be.revertedWithCustomError(f.engine, "SettlementLockExpired")
            .withArgs(f.s.id, f.deadline);

        // Same second, from the same locked state.
        const g = await loadFixture(lockedFixture);
        await time.setNextBlockTimestamp(t);
        const refund = g.engine.connect(g.carol).refund(g.s.id, g.s.legs);
        if (commitWins)
          await expect(refund)
            .to.be.revertedWithCustomError(g.engine, "SettlementLockNotExpired")
            .withArgs(g.s.id, g.deadline);
        else await expect(refund).to.emit(g.engine, "Refunded").withArgs(g.s.id);
      });
    }

    it("a lock nobody touches is refundable forever after its deadline", async function () {
      const f = await loadFixture(lockedFixture);
      await time.increaseTo(f.deadline + 365n * DAY);
      await expect(f.engine.commit(f.s.id, f.s.legs, PREIMAGE))
        .to.be.revertedWithCustomError(f.engine, "SettlementLockExpired")
        .withArgs(f.s.id, f.deadline);
      await expect(f.engine.refund(f.s.id, f.s.legs)).to.emit(f.engine, "Refunded").withArgs(f.s.id);
      await expectReleased(f, f.before, f.s.legs, false);
    });
  });
});
