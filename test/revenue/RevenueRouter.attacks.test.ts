import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ERA, ScenarioClass, type EconomyFixture } from "../helpers/fixtures";
import { EpochKind } from "../../src/sdk/economy";
import {
  CLASSES,
  DEFAULT_SHARES,
  SCENARIO,
  expectedSplit,
  owedBy,
  recoverViaTimelock,
  routerFixture,
  setSharesViaTimelock,
  type Shares,
  type Split,
} from "./helpers";

/** Share tables chosen to make every rounding bite: parts of 1 bps, parts just under their bounds. */
const AWKWARD: Record<ScenarioClass, Shares> = {
  [ScenarioClass.Financial]: { nodeBps: 4_999n, userPoolBps: 2_499n, protocolBps: 1n }, // developer 2,501
  [ScenarioClass.Enterprise]: { nodeBps: 1n, userPoolBps: 1n, protocolBps: 1n }, // developer 9,997
  [ScenarioClass.Lightweight]: { nodeBps: 3_333n, userPoolBps: 2_499n, protocolBps: 2_167n }, // developer 2,001
};

async function awkwardFixture() {
  const f = await routerFixture();
  for (const cls of CLASSES) await setSharesViaTimelock(f, cls, AWKWARD[cls]);
  return f;
}

describe("RevenueRouter: attacks and properties", function () {
  describe("attack 4: 500 awkward payments and ERA sent straight to the router", function () {
    it("500 payments of 1…500 wei with awkward share tables: paid out + held = received, to the wei", async function () {
      const f = await loadFixture(awkwardFixture);
      const router = f.revenueRouter;
      const routerAddress = await router.getAddress();
      const payers: HardhatEthersSigner[] = [f.alice, f.bob, f.carol];
      const watched = [
        ...payers.map((p) => p.address),
        f.attacker.address,
        f.operator1.address,
        f.developer.address,
        routerAddress,
        await f.staking.getAddress(),
        await f.distributor.getAddress(),
      ];
      const sumOfBalances = async () => {
        let sum = 0n;
        for (const a of watched) sum += await f.token.balanceOf(a);
        return sum;
      };
      const supplyBefore = await f.token.totalSupply();
      const balancesBefore = await sumOfBalances();
      const [reserveBefore] = await f.staking.reserveStatus();
      const rewardsBefore = await f.distributor.available(EpochKind.UserReward);

      const booked: Split = { node: 0n, pool: 0n, protocol: 0n, developer: 0n };
      let received = 0n;
      let stray = 0n;
      let claimedOut = 0n;
      let flushedOut = 0n;

      for (let i = 1n; i <= 500n; i++) {
        const cls = CLASSES[Number(i % 3n)];
        const payer = payers[Number((i * 7n) % 3n)];
        const receipt = await (await router.connect(payer).pay(SCENARIO[cls], i)).wait();
        const event = receipt!.logs.map((l) => router.interface.parseLog(l)).find((e) => e?.name === "RevenuePaid");
        const { nodeAmount, userPoolAmount, protocolAmount, developerAmount } = event!.args;
        // Every single payment adds up, and follows the documented rounding.
        expect(nodeAmount + userPoolAmount + protocolAmount + developerAmount).to.equal(i);
        const want = expectedSplit(i, AWKWARD[cls]);
        expect([nodeAmount, userPoolAmount, protocolAmount, developerAmount]).to.deep.equal([
          want.node,
          want.pool,
          want.protocol,
          want.developer,
        ]);
        booked.node += want.node;
        booked.pool += want.pool;
        booked.protocol += want.protocol;
        booked.developer += want.developer;
        received += i;

        // Interleave everything else that moves ERA in or out of the router.
        if (i % 97n === 0n) {
          await f.token.connect(f.attacker).transfer(routerAddress, i);
          stray += i;
        }
        if (i % 50n === 0n) {
          const [toReserve, toRewards] = [await router.protocolPool(), await router.userPool()];
          await router.flushPools();
          flushedOut += toReserve + toRewards;
        }
        if (i % 120n === 0n && (await router.claimable(f.operator1.address)) > 0n) {
          claimedOut += await router.claimable(f.operator1.address);
          await router.connect(f.operator1).claim(f.operator1.address);
        }
        if (i % 175n === 0n) {
          claimedOut += await router.claimable(f.developer.address);
          await router.connect(f.developer).claim(f.carol.address);
        }
        // Invariant after every step: the router holds what it owes plus the stray ERA, to the wei.
        expect(await f.token.balanceOf(routerAddress)).to.equal((await owedBy(router)) + stray);
      }

      expect(received).to.equal((500n * 501n) / 2n);
      expect(booked.node + booked.pool + booked.protocol + booked.developer).to.equal(received);
      const held = await f.token.balanceOf(routerAddress);
      expect(claimedOut + flushedOut + held).to.equal(received + stray);

      // Pay everything out: what each party gets over the whole run is exactly what was booked for it.
      const nodeLeft = await router.claimable(f.operator1.address);
      const devLeft = await router.claimable(f.developer.address);
      if (nodeLeft > 0n) await router.connect(f.operator1).claim(f.operator1.address);
      if (devLeft > 0n) await router.connect(f.developer).claim(f.carol.address);
      claimedOut += nodeLeft + devLeft;
      const poolsLeft = (await router.protocolPool()) + (await router.userPool());
      if (poolsLeft > 0n) await router.flushPools();
      flushedOut += poolsLeft;
      expect(claimedOut).to.equal(booked.node + booked.developer);
      expect(flushedOut).to.equal(booked.pool + booked.protocol);
      const [reserveAfter] = await f.staking.reserveStatus();
      expect(reserveAfter - reserveBefore).to.equal(booked.protocol);
      expect((await f.distributor.available(EpochKind.UserReward)) - rewardsBefore).to.equal(booked.pool);
      expect(await owedBy(router)).to.equal(0n);
      expect(await f.token.balanceOf(routerAddress)).to.equal(stray);

      // Governance takes back the stray ERA, and not one wei more.
      await recoverViaTimelock(f, await f.token.getAddress(), f.attacker.address, stray);
      expect(await f.token.balanceOf(routerAddress)).to.equal(0n);
      await expect(recoverViaTimelock(f, await f.token.getAddress(), f.attacker.address, 1n))
        .to.be.revertedWithCustomError(router, "RevenueRecoverExceedsExcess")
        .withArgs(1n, 0n);

      // Nothing was created or destroyed anywhere.
      expect(await f.token.totalSupply()).to.equal(supplyBefore);
      expect(await sumOfBalances()).to.equal(balancesBefore);
    });

    it("ERA sent straight to the router breaks no accounting, is claimable by nobody, and is recovered by governance alone", async function () {
      const f = await loadFixture(routerFixture);
      const router = f.revenueRouter;
      const routerAddress = await router.getAddress();
      const amount = 20_000n * ERA + 9n;
      await router.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], amount);
      const split = expectedSplit(amount, DEFAULT_SHARES[ScenarioClass.Financial]);

      const gift = 5_000n * ERA + 1n;
      await f.token.connect(f.attacker).transfer(routerAddress, gift);
      expect(await owedBy(router)).to.equal(amount);
      await expect(router.connect(f.attacker).claim(f.attacker.address))
        .to.be.revertedWithCustomError(router, "RevenueNothingToClaim")
        .withArgs(f.attacker.address);

      // Governance cannot take a single wei of what is owed, even with the stray ERA present.
      await expect(recoverViaTimelock(f, await f.token.getAddress(), f.treasury.address, gift + 1n))
        .to.be.revertedWithCustomError(router, "RevenueRecoverExceedsExcess")
        .withArgs(gift + 1n, gift);
      // Only through the timelock: the recovery is an admin call.
      await expect(router.connect(f.attacker).recover(await f.token.getAddress(), f.attacker.address, gift))
        .to.be.revertedWithCustomError(router, "AccessControlUnauthorizedAccount")
        .withArgs(f.attacker.address, ethers.ZeroHash);
      await expect(recoverViaTimelock(f, await f.token.getAddress(), f.treasury.address, gift))
        .to.emit(router, "Recovered")
        .withArgs(await f.token.getAddress(), f.treasury.address, gift);
      expect(await f.token.balanceOf(routerAddress)).to.equal(amount);

      // Everyone owed is still paid in full afterwards.
      await expect(router.connect(f.operator1).claim(f.operator1.address)).to.changeTokenBalance(
        f.token,
        f.operator1,
        split.node,
      );
      await expect(router.connect(f.developer).claim(f.developer.address)).to.changeTokenBalance(
        f.token,
        f.developer,
        split.developer,
      );
      await expect(router.flushPools()).to.emit(router, "PoolsFlushed").withArgs(split.protocol, split.pool);
      expect(await f.token.balanceOf(routerAddress)).to.equal(0n);
    });
  });

  it("attack: governance cannot drain owed ERA by recovering in several small steps", async function () {
    const f = await loadFixture(routerFixture);
    const router = f.revenueRouter;
    await router.connect(f.alice).pay(SCENARIO[ScenarioClass.Enterprise], 1_000n * ERA);
    await f.token.connect(f.attacker).transfer(await router.getAddress(), 3n);
    const era = await f.token.getAddress();
    await recoverViaTimelock(f, era, f.treasury.address, 1n);
    await recoverViaTimelock(f, era, f.treasury.address, 2n);
    await expect(recoverViaTimelock(f, era, f.treasury.address, 1n))
      .to.be.revertedWithCustomError(router, "RevenueRecoverExceedsExcess")
      .withArgs(1n, 0n);
    expect(await f.token.balanceOf(await router.getAddress())).to.equal(await owedBy(router));
  });

  it("attack: an allowance given to the router can only be spent by its owner's own payments", async function () {
    const f = await loadFixture(routerFixture);
    // alice approved the router in the fixture; the attacker pays and only the attacker's ERA moves.
    await expect(
      f.revenueRouter.connect(f.attacker).pay(SCENARIO[ScenarioClass.Financial], 100n * ERA),
    ).to.changeTokenBalances(f.token, [f.attacker, f.alice], [-100n * ERA, 0n]);
  });

  describe("attack: a hostile token recovered by governance cannot re-enter the router", function () {
    async function hostileFixture() {
      const f = await routerFixture();
      await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], 1_000n * ERA);
      const hostile = await ethers.deployContract("HookToken");
      await hostile.mint(f.attacker.address, 1_000n * ERA);
      await hostile.connect(f.attacker).transfer(await f.revenueRouter.getAddress(), 1_000n * ERA);
      return { ...f, hostile };
    }

    const reentries: [string, (f: EconomyFixture, token: string) => string][] = [
      ["pay", (f) => f.revenueRouter.interface.encodeFunctionData("pay", [SCENARIO[ScenarioClass.Financial], ERA])],
      [
        "payWithPermit",
        (f) =>
          f.revenueRouter.interface.encodeFunctionData("payWithPermit", [
            SCENARIO[ScenarioClass.Financial],
            ERA,
            0n,
            0,
            ethers.ZeroHash,
            ethers.ZeroHash,
          ]),
      ],
      ["claim", (f) => f.revenueRouter.interface.encodeFunctionData("claim", [f.attacker.address])],
      ["flushPools", (f) => f.revenueRouter.interface.encodeFunctionData("flushPools")],
    ];
    for (const [fn, calldata] of reentries) {
      it(`${fn} from inside recover reverts with ReentrancyGuardReentrantCall`, async function () {
        const f = await loadFixture(hostileFixture);
        const token = await f.hostile.getAddress();
        await f.hostile.arm(await f.revenueRouter.getAddress(), calldata(f, token));
        await expect(recoverViaTimelock(f, token, f.treasury.address, ERA)).to.be.revertedWithCustomError(
          f.revenueRouter,
          "ReentrancyGuardReentrantCall",
        );
        expect(await owedBy(f.revenueRouter)).to.equal(1_000n * ERA);
      });
    }

    it("a second recover executed by the timelock from inside the first reverts with ReentrancyGuardReentrantCall", async function () {
      const f = await loadFixture(hostileFixture);
      const token = await f.hostile.getAddress();
      const router = await f.revenueRouter.getAddress();
      const ops = [1n, 2n].map((n) => ({
        data: f.revenueRouter.interface.encodeFunctionData("recover", [token, f.treasury.address, n]),
        salt: ethers.zeroPadValue(ethers.toBeHex(n), 32),
      }));
      const delay = await f.timelock.getMinDelay();
      for (const op of ops) {
        await f.timelock.connect(f.governor).schedule(router, 0, op.data, ethers.ZeroHash, op.salt, delay);
      }
      await time.increase(delay);
      // The hostile token's transfer executes the second (ready) operation while the first is running.
      const inner = f.timelock.interface.encodeFunctionData("execute", [
        router,
        0,
        ops[1].data,
        ethers.ZeroHash,
        ops[1].salt,
      ]);
      await f.hostile.arm(await f.timelock.getAddress(), inner);
      await expect(
        f.timelock.connect(f.governor).execute(router, 0, ops[0].data, ethers.ZeroHash, ops[0].salt),
      ).to.be.revertedWithCustomError(f.revenueRouter, "ReentrancyGuardReentrantCall");
      expect(await f.hostile.balanceOf(router)).to.equal(1_000n * ERA);
    });
  });
});
