import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DAY } from "../../helpers/fixtures";
import { domainOf } from "../../../src/sdk/execution";
import { now } from "../../helpers/execution";
import { inOneBlock } from "../../helpers/blocks";
import {
  Failure,
  SCENARIO,
  Status,
  hashlockOf,
  ledgerOf,
  leg,
  lock,
  quirkyFixture,
  settle,
  settlementFixture,
  settlementOf,
  signByPayers,
  users,
  type SettlementFixture,
} from "./helpers";
import type { SettlementQuirkyToken, SettlementReentrant } from "../../../typechain-types";

type QuirkyFixture = SettlementFixture & { quirky: SettlementQuirkyToken; quirkyAddress: string };

/** Σ free + Σ frozen of the quirky token over every account that ever held it in the engine. */
async function owed(f: QuirkyFixture, accounts: readonly { address: string }[]): Promise<bigint> {
  let total = 0n;
  for (const a of accounts) {
    total += await f.engine.freeBalance(a.address, f.quirkyAddress);
    total += await f.engine.frozenBalance(a.address, f.quirkyAddress);
  }
  return total;
}

/** The quirky fixture plus an attacker contract holding 1,000 quirky tokens, 500 of them deposited. */
async function reentrantFixture(): Promise<QuirkyFixture & { evil: SettlementReentrant; evilAddress: string }> {
  const f = await quirkyFixture();
  const evil = await ethers.deployContract("SettlementReentrant", [f.engineAddress]);
  const evilAddress = await evil.getAddress();
  await f.quirky.mint(evilAddress, 1_000n);
  await evil.approveEngine(f.quirkyAddress);
  await evil.deposit(f.quirkyAddress, 500n);
  return { ...f, evil, evilAddress };
}

describe("SettlementEngine — hostile tokens", function () {
  describe("re-entrancy through a token hook", function () {
    it("blocks a deposit re-entered from inside its own transferFrom (the balance-diff double credit)", async function () {
      const f = await loadFixture(reentrantFixture);
      // Unguarded, the inner deposit would credit 100 and the outer one would count the inner 100 again: 300 credited
      // for 200 paid.
      await f.evil.setReentry(f.engine.interface.encodeFunctionData("deposit", [f.quirkyAddress, 100n]));
      await f.quirky.setHook(f.evilAddress, f.evil.interface.encodeFunctionData("onTokenHook"));
      const engineBalance = await f.quirky.balanceOf(f.engineAddress);
      await expect(f.evil.deposit(f.quirkyAddress, 100n)).to.be.revertedWithCustomError(
        f.engine,
        "ReentrancyGuardReentrantCall",
      );
      expect(await f.engine.freeBalance(f.evilAddress, f.quirkyAddress)).to.equal(500n);
      expect(await f.quirky.balanceOf(f.engineAddress)).to.equal(engineBalance);
      expect(await f.quirky.balanceOf(f.evilAddress)).to.equal(500n);
    });

    it("blocks a withdraw re-entered from inside the payout: nothing is paid twice", async function () {
      const f = await loadFixture(reentrantFixture);
      await f.evil.setReentry(
        f.engine.interface.encodeFunctionData("withdraw", [f.quirkyAddress, 300n, f.evilAddress]),
      );
      await f.quirky.setHook(f.evilAddress, f.evil.interface.encodeFunctionData("onTokenHook"));
      await expect(f.evil.withdraw(f.quirkyAddress, 300n)).to.be.revertedWithCustomError(
        f.engine,
        "ReentrancyGuardReentrantCall",
      );
      expect(await f.engine.freeBalance(f.evilAddress, f.quirkyAddress)).to.equal(500n);
      expect(await f.quirky.balanceOf(f.engineAddress)).to.equal(500n);
      expect(await f.quirky.balanceOf(f.evilAddress)).to.equal(500n);

      // Without the hook the same withdraw pays exactly once.
      await f.quirky.setHook(ethers.ZeroAddress, "0x");
      await f.evil.withdraw(f.quirkyAddress, 300n);
      expect(await f.engine.freeBalance(f.evilAddress, f.quirkyAddress)).to.equal(200n);
      expect(await f.quirky.balanceOf(f.evilAddress)).to.equal(800n);
    });

    it("blocks a deposit re-entered from a withdraw and a withdraw re-entered from a deposit", async function () {
      const f = await loadFixture(reentrantFixture);
      const hook = f.evil.interface.encodeFunctionData("onTokenHook");
      await f.evil.setReentry(f.engine.interface.encodeFunctionData("deposit", [f.quirkyAddress, 1n]));
      await f.quirky.setHook(f.evilAddress, hook);
      await expect(f.evil.withdraw(f.quirkyAddress, 1n)).to.be.revertedWithCustomError(
        f.engine,
        "ReentrancyGuardReentrantCall",
      );
      await f.evil.setReentry(f.engine.interface.encodeFunctionData("withdraw", [f.quirkyAddress, 1n, f.evilAddress]));
      await f.quirky.setHook(f.evilAddress, hook);
      await expect(f.evil.deposit(f.quirkyAddress, 1n)).to.be.revertedWithCustomError(
        f.engine,
        "ReentrancyGuardReentrantCall",
      );
      expect(await f.engine.freeBalance(f.evilAddress, f.quirkyAddress)).to.equal(500n);
      expect(await f.quirky.balanceOf(f.engineAddress)).to.equal(500n);
    });

    it("blocks depositWithPermit re-entered from a deposit", async function () {
      const f = await loadFixture(reentrantFixture);
      const deadline = (await now()) + DAY;
      await f.evil.setReentry(
        f.engine.interface.encodeFunctionData("depositWithPermit", [
          f.quirkyAddress,
          1n,
          deadline,
          27,
          ethers.ZeroHash,
          ethers.ZeroHash,
        ]),
      );
      await f.quirky.setHook(f.evilAddress, f.evil.interface.encodeFunctionData("onTokenHook"));
      await expect(f.evil.deposit(f.quirkyAddress, 1n)).to.be.revertedWithCustomError(
        f.engine,
        "ReentrancyGuardReentrantCall",
      );
      expect(await f.engine.freeBalance(f.evilAddress, f.quirkyAddress)).to.equal(500n);
    });

    it("blocks even the hub from settling or locking inside a token callback", async function () {
      const f = await loadFixture(quirkyFixture);
      // A separate engine whose hub is the attacker contract, so that the re-entrant settle passes onlyHub.
      const engine = await ethers.deployContract("SettlementEngine", [f.deployer.address, [f.quirkyAddress]]);
      const engineAddress = await engine.getAddress();
      const evil = await ethers.deployContract("SettlementReentrant", [engineAddress]);
      const evilAddress = await evil.getAddress();
      await engine.setHub(evilAddress);
      await f.quirky.mint(evilAddress, 100n);
      await evil.approveEngine(f.quirkyAddress);
      await f.quirky.connect(f.alice).approve(engineAddress, ethers.MaxUint256);
      await engine.connect(f.alice).deposit(f.quirkyAddress, 20n);

      const domain = domainOf("ERA SettlementEngine", f.chainId, engineAddress);
      const atomic = settlementOf([leg(f.alice, f.bob, f.quirkyAddress, 10n)], (await now()) + DAY);
      const locked = settlementOf(
        [leg(f.alice, f.bob, f.quirkyAddress, 10n)],
        (await now()) + DAY,
        hashlockOf(ethers.id("s")),
      );
      const settleCall = engine.interface.encodeFunctionData("settle", [
        atomic,
        await signByPayers(domain, atomic, [f.alice]),
      ]);
      const lockCall = engine.interface.encodeFunctionData("lock", [
        locked,
        await signByPayers(domain, locked, [f.alice]),
      ]);
      const hook = evil.interface.encodeFunctionData("onTokenHook");
      for (const reentry of [settleCall, lockCall]) {
        await evil.setReentry(reentry);
        await f.quirky.setHook(evilAddress, hook);
        await expect(evil.deposit(f.quirkyAddress, 1n)).to.be.revertedWithCustomError(
          engine,
          "ReentrancyGuardReentrantCall",
        );
      }
      expect(await engine.statusOf(atomic.id)).to.equal(Status.None);
      expect(await engine.statusOf(locked.id)).to.equal(Status.None);

      // Outside a token call the same hub calls go through: the guard was the only obstacle.
      await f.quirky.setHook(ethers.ZeroAddress, "0x");
      for (const reentry of [settleCall, lockCall]) {
        await evil.setReentry(reentry);
        await evil.onTokenHook();
      }
      expect(await engine.statusOf(atomic.id)).to.equal(Status.Settled);
      expect(await engine.statusOf(locked.id)).to.equal(Status.Locked);
      expect(await engine.freeBalance(f.bob.address, f.quirkyAddress)).to.equal(10n);
      expect(await engine.frozenBalance(f.alice.address, f.quirkyAddress)).to.equal(10n);
    });

    it("blocks commit and refund re-entered from a withdraw", async function () {
      const f = await loadFixture(reentrantFixture);
      const preimage = ethers.id("p");
      await f.engine.connect(f.alice).deposit(f.quirkyAddress, 10n);
      const s = settlementOf([leg(f.alice, f.bob, f.quirkyAddress, 10n)], (await now()) + DAY, hashlockOf(preimage));
      await lock(f, s);
      const hook = f.evil.interface.encodeFunctionData("onTokenHook");
      for (const reentry of [
        f.engine.interface.encodeFunctionData("commit", [s.id, s.legs, preimage]),
        f.engine.interface.encodeFunctionData("refund", [s.id, s.legs]),
      ]) {
        await f.evil.setReentry(reentry);
        await f.quirky.setHook(f.evilAddress, hook);
        await expect(f.evil.withdraw(f.quirkyAddress, 1n)).to.be.revertedWithCustomError(
          f.engine,
          "ReentrancyGuardReentrantCall",
        );
      }
      expect(await f.engine.statusOf(s.id)).to.equal(Status.Locked);
    });
  });

  describe("tokens that fail", function () {
    it("deposit reverts cleanly when transferFrom returns false", async function () {
      const f = await loadFixture(quirkyFixture);
      await f.quirky.setFailure(Failure.ReturnFalse);
      await expect(f.engine.connect(f.alice).deposit(f.quirkyAddress, 100n))
        .to.be.revertedWithCustomError(f.engine, "SafeERC20FailedOperation")
        .withArgs(f.quirkyAddress);
      expect(await f.engine.freeBalance(f.alice.address, f.quirkyAddress)).to.equal(0n);
    });

    it("deposit reverts cleanly when transferFrom reverts", async function () {
      const f = await loadFixture(quirkyFixture);
      await f.quirky.setFailure(Failure.Revert);
      await expect(f.engine.connect(f.alice).deposit(f.quirkyAddress, 100n)).to.be.revertedWithCustomError(
        f.quirky,
        "SettlementQuirkyTokenFailure",
      );
      expect(await f.engine.freeBalance(f.alice.address, f.quirkyAddress)).to.equal(0n);
    });

    it("withdraw reverts cleanly when transfer returns false or reverts, and works once the token recovers", async function () {
      const f = await loadFixture(quirkyFixture);
      await f.engine.connect(f.alice).deposit(f.quirkyAddress, 100n);
      const walletBefore = await f.quirky.balanceOf(f.alice.address);

      await f.quirky.setFailure(Failure.ReturnFalse);
      await expect(f.engine.connect(f.alice).withdraw(f.quirkyAddress, 100n, f.alice.address))
        .to.be.revertedWithCustomError(f.engine, "SafeERC20FailedOperation")
        .withArgs(f.quirkyAddress);
      await f.quirky.setFailure(Failure.Revert);
      await expect(
        f.engine.connect(f.alice).withdraw(f.quirkyAddress, 100n, f.alice.address),
      ).to.be.revertedWithCustomError(f.quirky, "SettlementQuirkyTokenFailure");
      expect(await f.engine.freeBalance(f.alice.address, f.quirkyAddress)).to.equal(100n);
      expect(await f.quirky.balanceOf(f.engineAddress)).to.equal(100n);

      await f.quirky.setFailure(Failure.None);
      await f.engine.connect(f.alice).withdraw(f.quirkyAddress, 100n, f.alice.address);
      expect(await f.quirky.balanceOf(f.alice.address)).to.equal(walletBefore + 100n);
    });

    it("settles, locks and commits with a broken token: no token call happens inside a settlement", async function () {
      const f = await loadFixture(quirkyFixture);
      const accounts = [f.alice, f.bob, f.carol];
      await f.engine.connect(f.alice).deposit(f.quirkyAddress, 100n);
      await f.engine.connect(f.bob).deposit(f.quirkyAddress, 50n);
      // Break the token every way at once: any call into it would revert.
      await f.quirky.setFailure(Failure.Revert);
      await f.quirky.setHook(f.quirkyAddress, f.quirky.interface.encodeFunctionData("transfer", [f.alice.address, 1n]));

      const atomic = settlementOf(
        [leg(f.alice, f.bob, f.quirkyAddress, 70n), leg(f.bob, f.carol, f.quirkyAddress, 90n)],
        (await now()) + DAY,
      );
      await expect(settle(f, atomic)).to.emit(f.engine, "Settled");
      const preimage = ethers.id("q");
      const locked = settlementOf(
        [leg(f.carol, f.alice, f.quirkyAddress, 90n)],
        (await now()) + DAY,
        hashlockOf(preimage),
      );
      await expect(lock(f, locked)).to.emit(f.engine, "Locked");
      await expect(f.engine.commit(locked.id, locked.legs, preimage)).to.emit(f.engine, "Committed");

      // The hook is still armed: the token was never touched.
      expect(await f.quirky.hookTarget()).to.equal(f.quirkyAddress);
      expect(await f.engine.freeBalance(f.alice.address, f.quirkyAddress)).to.equal(100n - 70n + 90n);
      expect(await f.engine.freeBalance(f.bob.address, f.quirkyAddress)).to.equal(50n + 70n - 90n);
      expect(await f.engine.freeBalance(f.carol.address, f.quirkyAddress)).to.equal(0n);
      // The engine still holds exactly what it owes.
      expect(await owed(f, accounts)).to.equal(await f.quirky.balanceOf(f.engineAddress));
      expect(await owed(f, accounts)).to.equal(150n);
    });

    it("keeps holdings equal to what is owed with a fee-on-transfer token through deposit, settle, refund and withdraw", async function () {
      const f = await loadFixture(quirkyFixture);
      const accounts = [f.alice, f.bob, f.carol];
      await f.quirky.setFeeBps(1_000n);
      await f.engine.connect(f.alice).deposit(f.quirkyAddress, 1_000n); // 900 arrive
      await f.engine.connect(f.bob).deposit(f.quirkyAddress, 500n); // 450 arrive
      expect(await owed(f, accounts)).to.equal(await f.quirky.balanceOf(f.engineAddress));

      await settle(f, settlementOf([leg(f.alice, f.carol, f.quirkyAddress, 300n)], (await now()) + DAY));
      const deadline = (await now()) + DAY;
      const locked = settlementOf([leg(f.bob, f.carol, f.quirkyAddress, 200n)], deadline, hashlockOf(ethers.id("r")));
      await lock(f, locked);
      expect(await owed(f, accounts)).to.equal(await f.quirky.balanceOf(f.engineAddress));

      const carolWallet = await f.quirky.balanceOf(f.carol.address);
      await f.engine.connect(f.carol).withdraw(f.quirkyAddress, 300n, f.carol.address);
      // The engine pays 300; the token's fee comes out of what carol receives.
      expect(await f.quirky.balanceOf(f.carol.address)).to.equal(carolWallet + 300n - 30n);
      await time.increaseTo(deadline);
      await f.engine.refund(locked.id, locked.legs);
      expect(await owed(f, accounts)).to.equal(await f.quirky.balanceOf(f.engineAddress));
      expect(await owed(f, accounts)).to.equal(900n + 450n - 300n);
    });
  });

  describe("attack 8: commit against refund at the deadline, and a failing token in the middle of a netting", function () {
    const PREIMAGE = ethers.id("attack 8");
    const gas = { gasLimit: 1_000_000n };

    /** A live lock: alice pays bob 100 ERA and carol 30 USD; deadline one day ahead. */
    async function raceFixture() {
      const f = await settlementFixture();
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      await f.engine.connect(f.alice).deposit(f.usdAddress, 30n);
      const s = settlementOf(
        [leg(f.alice, f.bob, f.era, 100n), leg(f.alice, f.carol, f.usdAddress, 30n)],
        (await now()) + DAY,
        hashlockOf(PREIMAGE),
      );
      await lock(f, s);
      return { ...f, s };
    }

    for (const [offset, winner] of [
      [0n, "refund"],
      [-1n, "commit"],
    ] as const) {
      it(`${offset === 0n ? "at exactly the deadline" : "one second before it"}, commit and refund in one block: only the ${winner} succeeds, and the other then reverts with SettlementNotLocked`, async function () {
        const f = await loadFixture(raceFixture);
        const commit = () => f.engine.connect(f.bob).commit(f.s.id, f.s.legs, PREIMAGE, gas);
        const refund = () => f.engine.connect(f.alice).refund(f.s.id, f.s.legs, gas);
        // Both orders within the block: the winner is decided by the timestamp, not by who comes first.
        const statuses = await inOneBlock(f.s.deadline + offset, [commit, refund, commit, refund]);
        expect(statuses).to.deep.equal(winner === "refund" ? [0, 1, 0, 0] : [1, 0, 0, 0]);
        const final = winner === "refund" ? Status.Refunded : Status.Committed;
        expect(await f.engine.statusOf(f.s.id)).to.equal(final);
        expect(await f.engine.frozenBalance(f.alice.address, f.era)).to.equal(0n);
        expect(await f.engine.freeBalance(f.bob.address, f.era)).to.equal(winner === "commit" ? 100n : 0n);
        expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(winner === "refund" ? 100n : 0n);
        // Later, the loser reverts with the status that beat it, and the winner cannot run twice.
        await time.increaseTo(f.s.deadline + 1n);
        for (const again of [commit, refund]) {
          await expect(again()).to.be.revertedWithCustomError(f.engine, "SettlementNotLocked").withArgs(f.s.id, final);
        }
      });
    }

    for (const failure of [Failure.ReturnFalse, Failure.Revert]) {
      const how = failure === Failure.ReturnFalse ? "returns false" : "reverts";
      it(`a leg in a token that ${how}, in the middle of a netting, leaves nothing changed when the netting fails and is never called when it succeeds`, async function () {
        const f = await loadFixture(quirkyFixture);
        const tokens = [f.era, f.usdAddress, f.quirkyAddress];
        await f.engine.connect(f.alice).deposit(f.era, 50n);
        await f.engine.connect(f.alice).deposit(f.quirkyAddress, 40n);
        await f.engine.connect(f.bob).deposit(f.usdAddress, 30n);
        await f.quirky.setFailure(failure);
        await f.quirky.setHook(f.quirkyAddress, f.quirky.interface.encodeFunctionData("transfer", [f.bob.address, 1n]));
        const held = await f.quirky.balanceOf(f.engineAddress);
        const legsOf = (quirkyAmount: bigint) => [
          leg(f.alice, f.bob, f.era, 50n),
          leg(f.alice, f.carol, f.quirkyAddress, quirkyAmount), // the broken token, in the middle
          leg(f.bob, f.alice, f.usdAddress, 30n),
        ];
        const before = await ledgerOf(f.engine, users(f), tokens);

        // One wei more than alice holds of the broken token: the whole netting reverts, the ERA leg before it too.
        const short = settlementOf(legsOf(41n), (await now()) + DAY);
        await expect(settle(f, short))
          .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
          .withArgs(f.alice.address, f.quirkyAddress, 41n, 40n);
        expect(await ledgerOf(f.engine, users(f), tokens)).to.deep.equal(before);
        expect(await f.engine.statusOf(short.id)).to.equal(Status.None);

        // Netted in full, it settles on the engine's books alone: the broken token is never called.
        const ok = settlementOf(legsOf(40n), (await now()) + DAY);
        await expect(settle(f, ok)).to.emit(f.engine, "Settled").withArgs(ok.id, SCENARIO, 3n);
        expect(await f.quirky.hookTarget()).to.equal(f.quirkyAddress); // still armed: no transfer happened
        expect(await f.quirky.balanceOf(f.engineAddress)).to.equal(held);
        expect(await f.engine.freeBalance(f.carol.address, f.quirkyAddress)).to.equal(40n);
        expect(await f.engine.freeBalance(f.bob.address, f.era)).to.equal(50n);
        expect(await f.engine.freeBalance(f.alice.address, f.usdAddress)).to.equal(30n);
      });
    }
  });
});
