import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DAY, ERA, viaTimelock } from "../../helpers/fixtures";
import { domainOf, signSettlement } from "../../../src/sdk/execution";
import { malleate, now } from "../../helpers/execution";
import {
  MAX_LEGS,
  SCENARIO,
  Status,
  digestOf,
  directFixture,
  hashlockOf,
  ledgerOf,
  leg,
  lock,
  netOf,
  payersOf,
  randomId,
  settle,
  settlementFixture,
  settlementOf,
  signByPayers,
  submitSettlements,
  users,
  type Leg,
  type SettlementFixture,
} from "./helpers";

/** Every user's free and frozen balance in both tokens, and the engine's token holdings. */
async function snapshot(f: SettlementFixture) {
  return {
    ledger: await ledgerOf(f.engine, users(f), [f.era, f.usdAddress]),
    era: await f.token.balanceOf(f.engineAddress),
    usd: await f.usd.balanceOf(f.engineAddress),
  };
}

describe("SettlementEngine — atomic path (settle through the hub)", function () {
  describe("freeze → net → update", function () {
    it("moves every account by its net position only, across several payers, payees and two tokens", async function () {
      const f = await loadFixture(settlementFixture);
      const { alice, bob, carol, dave, era, usdAddress: usd } = f;
      await f.engine.connect(alice).deposit(era, 500n);
      await f.engine.connect(carol).deposit(usd, 50n);
      await f.engine.connect(dave).deposit(usd, 200n);
      const legs: Leg[] = [
        leg(alice, bob, era, 100n),
        leg(bob, carol, era, 100n), // bob holds no ERA: he only passes alice's 100 on
        leg(carol, dave, usd, 30n),
        leg(dave, alice, usd, 200n),
        leg(alice, carol, era, 40n),
        leg(dave, bob, usd, 10n), // dave pays 210 gross from 200 free, but receives 30: net −180
      ];
      const s = settlementOf(legs, (await now()) + DAY);
      expect(payersOf(legs)).to.deep.equal([alice.address, bob.address, carol.address, dave.address]);
      const before = await snapshot(f);

      await expect(settle(f, s)).to.emit(f.engine, "Settled").withArgs(s.id, SCENARIO, BigInt(legs.length));

      const after = await snapshot(f);
      const net = netOf(legs);
      for (const [key, b] of before.ledger) {
        const a = after.ledger.get(key);
        expect(a?.free, key).to.equal(b.free + (net.get(key) ?? 0n));
        expect(a?.frozen, key).to.equal(b.frozen);
      }
      // The positions named in the legs' comments, read directly.
      expect(await f.engine.freeBalance(bob.address, era)).to.equal(0n);
      expect(await f.engine.freeBalance(dave.address, usd)).to.equal(200n - 210n + 30n);
      expect(await f.engine.freeBalance(carol.address, era)).to.equal(140n);
      // No token moved: settlements only rewrite internal balances.
      expect(after.era).to.equal(before.era);
      expect(after.usd).to.equal(before.usd);
      expect(await f.engine.statusOf(s.id)).to.equal(Status.Settled);
      expect(await f.engine.lockDeadline(s.id)).to.equal(0n);
    });

    it("lets an intermediary with no balance pass a payment on (A→B 100, B→C 100)", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      const s = settlementOf([leg(f.alice, f.bob, f.era, 100n), leg(f.bob, f.carol, f.era, 100n)], (await now()) + DAY);
      await settle(f, s);
      expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(0n);
      expect(await f.engine.freeBalance(f.bob.address, f.era)).to.equal(0n);
      expect(await f.engine.freeBalance(f.carol.address, f.era)).to.equal(100n);
    });

    it("settles a circle that nets every account to zero without any balance", async function () {
      const f = await loadFixture(settlementFixture);
      const s = settlementOf(
        [leg(f.alice, f.bob, f.era, 100n), leg(f.bob, f.carol, f.era, 100n), leg(f.carol, f.alice, f.era, 100n)],
        (await now()) + DAY,
      );
      const before = await snapshot(f);
      await expect(settle(f, s)).to.emit(f.engine, "Settled").withArgs(s.id, SCENARIO, 3n);
      expect(await snapshot(f)).to.deep.equal(before);
      expect(await f.engine.statusOf(s.id)).to.equal(Status.Settled);
    });

    it("reverts with SettlementInsufficientFree naming the first short account in the order its legs touch it", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 40n);
      await f.engine.connect(f.carol).deposit(f.usdAddress, 10n);
      const deadline = (await now()) + DAY;
      const aliceFirst = settlementOf(
        [leg(f.alice, f.bob, f.era, 100n), leg(f.carol, f.bob, f.usdAddress, 100n)],
        deadline,
      );
      await expect(settle(f, aliceFirst))
        .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
        .withArgs(f.alice.address, f.era, 100n, 40n);
      const carolFirst = settlementOf(
        [leg(f.carol, f.bob, f.usdAddress, 100n), leg(f.alice, f.bob, f.era, 100n)],
        deadline,
      );
      await expect(settle(f, carolFirst))
        .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
        .withArgs(f.carol.address, f.usdAddress, 100n, 10n);
    });

    it("reports the NET shortfall, not the gross debit", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.bob).deposit(f.era, 10n);
      // bob pays 100 and receives 60: short by net 40 against 10 free.
      const s = settlementOf([leg(f.alice, f.bob, f.era, 60n), leg(f.bob, f.carol, f.era, 100n)], (await now()) + DAY);
      await f.engine.connect(f.alice).deposit(f.era, 60n);
      await expect(settle(f, s))
        .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
        .withArgs(f.bob.address, f.era, 40n, 10n);
    });

    it("cannot spend frozen funds", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      await lock(f, settlementOf([leg(f.alice, f.carol, f.era, 100n)], (await now()) + DAY, hashlockOf(randomId())));
      const s = settlementOf([leg(f.alice, f.bob, f.era, 1n)], (await now()) + DAY);
      await expect(settle(f, s))
        .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
        .withArgs(f.alice.address, f.era, 1n, 0n);
    });

    it("nets every settlement of a batch on its own (transient positions are cleared between them)", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 200n);
      const deadline = (await now()) + DAY;
      const first = settlementOf([leg(f.alice, f.bob, f.era, 100n)], deadline);
      const second = settlementOf([leg(f.alice, f.bob, f.era, 100n)], deadline);
      const third = settlementOf([leg(f.bob, f.carol, f.era, 150n)], deadline);
      const sigs = [
        await signByPayers(f.engineDomain, first, users(f)),
        await signByPayers(f.engineDomain, second, users(f)),
        await signByPayers(f.engineDomain, third, users(f)),
      ];
      await expect(submitSettlements(f, [first, second, third], sigs))
        .to.emit(f.engine, "Settled")
        .withArgs(first.id, SCENARIO, 1n)
        .and.to.emit(f.engine, "Settled")
        .withArgs(second.id, SCENARIO, 1n)
        .and.to.emit(f.engine, "Settled")
        .withArgs(third.id, SCENARIO, 1n);
      expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(0n);
      expect(await f.engine.freeBalance(f.bob.address, f.era)).to.equal(50n);
      expect(await f.engine.freeBalance(f.carol.address, f.era)).to.equal(150n);
    });
  });

  describe("all-or-nothing", function () {
    const PAYERS = 5;
    for (let failing = 0; failing < PAYERS; failing++) {
      const where = failing === 0 ? "first" : failing === PAYERS - 1 ? "last" : `middle (#${failing})`;
      it(`leaves every balance and the status unchanged when the ${where} leg of five is short`, async function () {
        const f = await loadFixture(settlementFixture);
        const payers = [f.alice, f.bob, f.carol, f.dave, f.erin];
        const tokens = [f.era, f.usdAddress, f.era, f.usdAddress, f.era];
        const funded = 100n;
        for (let i = 0; i < PAYERS; i++) await f.engine.connect(payers[i]).deposit(tokens[i], funded);
        // Legs before the short one are already written to storage when it reverts: all must roll back.
        const legs = payers.map((p, i) => leg(p, f.frank, tokens[i], i === failing ? funded + 1n : funded));
        const s = settlementOf(legs, (await now()) + DAY);
        const before = await snapshot(f);

        await expect(settle(f, s))
          .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
          .withArgs(payers[failing].address, tokens[failing], funded + 1n, funded);

        expect(await snapshot(f)).to.deep.equal(before);
        expect(await f.engine.statusOf(s.id)).to.equal(Status.None);

        // The id is not burnt: the corrected settlement goes through under it.
        const fixed = { ...s, legs: legs.map((l) => ({ ...l, amount: funded })) };
        await expect(settle(f, fixed)).to.emit(f.engine, "Settled").withArgs(s.id, SCENARIO, BigInt(PAYERS));
        expect(await f.engine.freeBalance(f.frank.address, f.era)).to.equal(3n * funded);
        expect(await f.engine.freeBalance(f.frank.address, f.usdAddress)).to.equal(2n * funded);
      });
    }

    it("rolls back the earlier settlements of a batch when a later one fails", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      const deadline = (await now()) + DAY;
      const good = settlementOf([leg(f.alice, f.bob, f.era, 100n)], deadline);
      const bad = settlementOf([leg(f.carol, f.bob, f.era, 1n)], deadline);
      const before = await snapshot(f);
      await expect(
        submitSettlements(
          f,
          [good, bad],
          [await signByPayers(f.engineDomain, good, users(f)), await signByPayers(f.engineDomain, bad, users(f))],
        ),
      )
        .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
        .withArgs(f.carol.address, f.era, 1n, 0n);
      expect(await snapshot(f)).to.deep.equal(before);
      expect(await f.engine.statusOf(good.id)).to.equal(Status.None);
    });
  });

  describe("signatures", function () {
    async function twoPayers(f: SettlementFixture) {
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      await f.engine.connect(f.carol).deposit(f.usdAddress, 100n);
      const s = settlementOf(
        [leg(f.alice, f.bob, f.era, 10n), leg(f.carol, f.bob, f.usdAddress, 5n), leg(f.alice, f.dave, f.era, 1n)],
        (await now()) + DAY,
      );
      const aliceSig = await signSettlement(f.alice, f.engineDomain, s);
      const carolSig = await signSettlement(f.carol, f.engineDomain, s);
      return { s, aliceSig, carolSig };
    }

    it("takes one signature per distinct payer, in order of first appearance", async function () {
      const f = await loadFixture(settlementFixture);
      const { s, aliceSig, carolSig } = await twoPayers(f);
      expect(payersOf(s.legs)).to.deep.equal([f.alice.address, f.carol.address]);
      await expect(submitSettlements(f, [s], [[aliceSig, carolSig]]))
        .to.emit(f.engine, "Settled")
        .withArgs(s.id, SCENARIO, 3n);
    });

    it("reverts with SettlementSignatureCount when signatures are missing or extra", async function () {
      const f = await loadFixture(settlementFixture);
      const { s, aliceSig, carolSig } = await twoPayers(f);
      for (const sigs of [[], [aliceSig], [aliceSig, carolSig, carolSig]]) {
        await expect(submitSettlements(f, [s], [sigs]))
          .to.be.revertedWithCustomError(f.engine, "SettlementSignatureCount")
          .withArgs(BigInt(sigs.length), 2n);
      }
    });

    it("reverts with SettlementBadSignature when the signatures are in the wrong order", async function () {
      const f = await loadFixture(settlementFixture);
      const { s, aliceSig, carolSig } = await twoPayers(f);
      await expect(submitSettlements(f, [s], [[carolSig, aliceSig]]))
        .to.be.revertedWithCustomError(f.engine, "SettlementBadSignature")
        .withArgs(f.alice.address, f.carol.address);
    });

    it("reverts with SettlementBadSignature when someone else signs for a payer", async function () {
      const f = await loadFixture(settlementFixture);
      const { s, aliceSig } = await twoPayers(f);
      const forged = await signSettlement(f.attacker, f.engineDomain, s);
      await expect(submitSettlements(f, [s], [[aliceSig, forged]]))
        .to.be.revertedWithCustomError(f.engine, "SettlementBadSignature")
        .withArgs(f.carol.address, f.attacker.address);
      // A payer's signature cannot stand in for another payer's either.
      await expect(submitSettlements(f, [s], [[aliceSig, aliceSig]]))
        .to.be.revertedWithCustomError(f.engine, "SettlementBadSignature")
        .withArgs(f.carol.address, f.alice.address);
    });

    it("rejects a malleated (high-s) signature", async function () {
      const f = await loadFixture(settlementFixture);
      const { s, aliceSig, carolSig } = await twoPayers(f);
      await expect(submitSettlements(f, [s], [[malleate(aliceSig), carolSig]]))
        .to.be.revertedWithCustomError(f.engine, "SettlementBadSignature")
        .withArgs(f.alice.address, ethers.ZeroAddress);
    });

    it("rejects a 64-byte (EIP-2098) signature and garbage", async function () {
      const f = await loadFixture(settlementFixture);
      const { s, aliceSig, carolSig } = await twoPayers(f);
      const compact = ethers.Signature.from(aliceSig).compactSerialized;
      for (const bad of [compact, "0x", ethers.concat([aliceSig, "0x00"])]) {
        await expect(submitSettlements(f, [s], [[bad, carolSig]]))
          .to.be.revertedWithCustomError(f.engine, "SettlementBadSignature")
          .withArgs(f.alice.address, ethers.ZeroAddress);
      }
    });

    it("rejects a signature made for another chain id (replay across chains)", async function () {
      const f = await loadFixture(settlementFixture);
      const { s, carolSig } = await twoPayers(f);
      const otherChain = domainOf("ERA SettlementEngine", f.chainId + 1n, f.engineAddress);
      const replayed = await signSettlement(f.alice, otherChain, s);
      const recovered = ethers.recoverAddress(digestOf(f.engineDomain, s), replayed);
      expect(recovered).to.not.equal(f.alice.address);
      await expect(submitSettlements(f, [s], [[replayed, carolSig]]))
        .to.be.revertedWithCustomError(f.engine, "SettlementBadSignature")
        .withArgs(f.alice.address, recovered);
    });

    it("rejects a signature made for another engine (replay across deployments)", async function () {
      const f = await loadFixture(directFixture);
      const { s, carolSig } = await twoPayers(f);
      const replayed = await signSettlement(f.alice, f.directDomain, s);
      const recovered = ethers.recoverAddress(digestOf(f.engineDomain, s), replayed);
      expect(recovered).to.not.equal(f.alice.address);
      await expect(submitSettlements(f, [s], [[replayed, carolSig]]))
        .to.be.revertedWithCustomError(f.engine, "SettlementBadSignature")
        .withArgs(f.alice.address, recovered);
    });

    it("rejects signatures over different legs, id or deadline (every field is signed)", async function () {
      const f = await loadFixture(settlementFixture);
      const { s, aliceSig, carolSig } = await twoPayers(f);
      const tampered = [
        { ...s, legs: [{ ...s.legs[0], amount: 11n }, s.legs[1], s.legs[2]] },
        { ...s, legs: [{ ...s.legs[0], payee: f.attacker.address }, s.legs[1], s.legs[2]] },
        { ...s, id: randomId() },
        { ...s, deadline: s.deadline + 1n },
      ];
      for (const t of tampered) {
        const recovered = ethers.recoverAddress(digestOf(f.engineDomain, t), aliceSig);
        await expect(submitSettlements(f, [t], [[aliceSig, carolSig]]))
          .to.be.revertedWithCustomError(f.engine, "SettlementBadSignature")
          .withArgs(f.alice.address, recovered);
      }
    });
  });

  describe("deadline, hashlock and id", function () {
    it("applies at exactly the deadline and reverts with SettlementExpired one second after", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      const deadline = (await now()) + 1_000n;
      const onTime = settlementOf([leg(f.alice, f.bob, f.era, 1n)], deadline);
      const late = settlementOf([leg(f.alice, f.bob, f.era, 1n)], deadline);
      const lateSigs = await signByPayers(f.engineDomain, late, users(f));
      const onTimeSigs = await signByPayers(f.engineDomain, onTime, users(f));

      await time.setNextBlockTimestamp(deadline);
      await expect(submitSettlements(f, [onTime], [onTimeSigs])).to.emit(f.engine, "Settled");
      expect(await now()).to.equal(deadline);

      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(submitSettlements(f, [late], [lateSigs]))
        .to.be.revertedWithCustomError(f.engine, "SettlementExpired")
        .withArgs(late.id, deadline, deadline + 1n);
    });

    it("reverts with SettlementBadHashlock for a non-zero hashlock", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      const s = settlementOf([leg(f.alice, f.bob, f.era, 1n)], (await now()) + DAY, hashlockOf(randomId()));
      await expect(settle(f, s)).to.be.revertedWithCustomError(f.engine, "SettlementBadHashlock").withArgs(s.id);
    });

    it("reverts with SettlementIdUsed when an id repeats in the same batch", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      const s = settlementOf([leg(f.alice, f.bob, f.era, 1n)], (await now()) + DAY);
      const sigs = await signByPayers(f.engineDomain, s, users(f));
      await expect(submitSettlements(f, [s, s], [sigs, sigs]))
        .to.be.revertedWithCustomError(f.engine, "SettlementIdUsed")
        .withArgs(s.id, Status.Settled);
      expect(await f.engine.statusOf(s.id)).to.equal(Status.None);
    });

    it("reverts with SettlementIdUsed when a settled id is replayed in a later batch", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      const s = settlementOf([leg(f.alice, f.bob, f.era, 1n)], (await now()) + DAY);
      const sigs = await signByPayers(f.engineDomain, s, users(f));
      await submitSettlements(f, [s], [sigs]);
      await expect(submitSettlements(f, [s], [sigs]))
        .to.be.revertedWithCustomError(f.engine, "SettlementIdUsed")
        .withArgs(s.id, Status.Settled);
      expect(await f.engine.freeBalance(f.bob.address, f.era)).to.equal(1n);
    });

    it("reverts with SettlementIdUsed for the id of a lock", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      const locked = settlementOf([leg(f.alice, f.bob, f.era, 1n)], (await now()) + DAY, hashlockOf(randomId()));
      await lock(f, locked);
      const s = settlementOf([leg(f.alice, f.bob, f.era, 1n)], (await now()) + DAY, ethers.ZeroHash, locked.id);
      await expect(settle(f, s))
        .to.be.revertedWithCustomError(f.engine, "SettlementIdUsed")
        .withArgs(s.id, Status.Locked);
    });
  });

  describe("legs", function () {
    const cases: { name: string; bad: (f: SettlementFixture, other: string) => Leg }[] = [
      { name: "a zero amount", bad: (f) => leg(f.alice, f.bob, f.era, 0n) },
      { name: "payer = payee", bad: (f) => leg(f.alice, f.alice, f.era, 1n) },
      { name: "a zero payer", bad: (f) => leg({ address: ethers.ZeroAddress }, f.bob, f.era, 1n) },
      { name: "a zero payee", bad: (f) => leg(f.alice, { address: ethers.ZeroAddress }, f.era, 1n) },
      { name: "a token not allow-listed", bad: (f, other) => leg(f.alice, f.bob, other, 1n) },
      { name: "the zero token", bad: (f) => leg(f.alice, f.bob, ethers.ZeroAddress, 1n) },
    ];
    for (const c of cases) {
      it(`reverts with SettlementBadLeg(index) for ${c.name}`, async function () {
        const f = await loadFixture(settlementFixture);
        await f.engine.connect(f.alice).deposit(f.era, 100n);
        const other = await ethers.deployContract("SettlementToken", ["Other", "OTH"]);
        const good = leg(f.alice, f.bob, f.era, 1n);
        const bad = c.bad(f, await other.getAddress());
        // Legs are checked before signatures: the bad one is named by its index whatever follows.
        for (const [legs, index] of [
          [[bad, good, good], 0n],
          [[good, good, bad], 2n],
        ] as const) {
          const s = settlementOf([...legs], (await now()) + DAY);
          await expect(submitSettlements(f, [s], [[]]))
            .to.be.revertedWithCustomError(f.engine, "SettlementBadLeg")
            .withArgs(index);
        }
      });
    }

    it("reverts with SettlementBadLeg for a token de-listed by governance", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.usdAddress, 100n);
      await viaTimelock(f, f.engine, f.engine.interface.encodeFunctionData("setTokenAllowed", [f.usdAddress, false]));
      const s = settlementOf([leg(f.alice, f.bob, f.usdAddress, 1n)], (await now()) + DAY);
      await expect(settle(f, s)).to.be.revertedWithCustomError(f.engine, "SettlementBadLeg").withArgs(0n);
    });

    it("reverts with SettlementBadLegCount for no legs", async function () {
      const f = await loadFixture(settlementFixture);
      const s = settlementOf([], (await now()) + DAY);
      await expect(submitSettlements(f, [s], [[]]))
        .to.be.revertedWithCustomError(f.engine, "SettlementBadLegCount")
        .withArgs(0n, MAX_LEGS);
    });

    it("applies MAX_LEGS legs and reverts with SettlementBadLegCount for one more", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 1_000n);
      const legsOf = (n: bigint) =>
        Array.from({ length: Number(n) }, (_, i) => leg(f.alice, i % 2 === 0 ? f.bob : f.carol, f.era, 1n));
      const tooMany = settlementOf(legsOf(MAX_LEGS + 1n), (await now()) + DAY);
      await expect(settle(f, tooMany))
        .to.be.revertedWithCustomError(f.engine, "SettlementBadLegCount")
        .withArgs(MAX_LEGS + 1n, MAX_LEGS);
      const max = settlementOf(legsOf(MAX_LEGS), (await now()) + DAY);
      await expect(settle(f, max)).to.emit(f.engine, "Settled").withArgs(max.id, SCENARIO, MAX_LEGS);
      expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(1_000n - MAX_LEGS);
      expect(await f.engine.freeBalance(f.bob.address, f.era)).to.equal(MAX_LEGS / 2n);
      expect(await f.engine.freeBalance(f.carol.address, f.era)).to.equal(MAX_LEGS / 2n);
    });

    it("reverts with SettlementAmountTooLarge beyond 2^255 − 1, and with the shortfall just below", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      const tooLarge = 2n ** 255n;
      const s = settlementOf([leg(f.alice, f.bob, f.era, tooLarge)], (await now()) + DAY);
      await expect(settle(f, s)).to.be.revertedWithCustomError(f.engine, "SettlementAmountTooLarge").withArgs(tooLarge);
      const largest = settlementOf([leg(f.alice, f.bob, f.era, tooLarge - 1n)], (await now()) + DAY);
      await expect(settle(f, largest))
        .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
        .withArgs(f.alice.address, f.era, tooLarge - 1n, 100n);
    });

    it("reverts (checked arithmetic, never a wrap) when a payee's net position would exceed int256", async function () {
      const f = await loadFixture(settlementFixture);
      const huge = 2n ** 255n - 1n;
      const s = settlementOf([leg(f.alice, f.bob, f.era, huge), leg(f.carol, f.bob, f.era, huge)], (await now()) + DAY);
      await expect(settle(f, s)).to.be.revertedWithPanic(0x11);
    });
  });
});
