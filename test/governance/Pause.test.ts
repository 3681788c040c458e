import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseContract, ContractTransactionResponse } from "ethers";
import { ERA, ROLES, ScenarioClass, signPermit } from "../helpers/fixtures";
import { EpochKind } from "../../src/sdk/economy";
import { flowsFixture, pausables, pausedFixture, type FlowsFixture } from "./fixtures";

interface Flow {
  name: string;
  /** The contract whose pause stops the flow. */
  contract: (f: FlowsFixture) => BaseContract;
  send: (f: FlowsFixture) => Promise<ContractTransactionResponse>;
  /** The event proving the flow went through. */
  emits: (f: FlowsFixture) => [BaseContract, string];
}

async function deadline(): Promise<bigint> {
  return BigInt(await time.latest()) + 3_600n;
}

/** Everything that takes funds (or a new position) in: stopped by a pause. */
const INFLOWS: Flow[] = [
  {
    name: "nodeRegistry.register",
    contract: (f) => f.nodeRegistry,
    send: async (f) =>
      f.nodeRegistry
        .connect(f.alice)
        .register(ethers.Wallet.createRandom().address, "", await f.nodeRegistry.minBond()),
    emits: (f) => [f.nodeRegistry, "NodeRegistered"],
  },
  {
    name: "nodeRegistry.registerWithPermit",
    contract: (f) => f.nodeRegistry,
    send: async (f) => {
      const bond = await f.nodeRegistry.minBond();
      const d = await deadline();
      const sig = await signPermit(f.token, f.carol, await f.nodeRegistry.getAddress(), bond, d);
      return f.nodeRegistry
        .connect(f.carol)
        .registerWithPermit(ethers.Wallet.createRandom().address, "", bond, d, sig.v, sig.r, sig.s);
    },
    emits: (f) => [f.nodeRegistry, "NodeRegistered"],
  },
  {
    name: "nodeRegistry.topUp",
    contract: (f) => f.nodeRegistry,
    send: (f) => f.nodeRegistry.connect(f.operator2).topUp(2, ERA),
    emits: (f) => [f.nodeRegistry, "BondToppedUp"],
  },
  {
    name: "scenarioRegistry.registerScenario",
    contract: (f) => f.scenarioRegistry,
    send: (f) => f.scenarioRegistry.connect(f.alice).registerScenario(ScenarioClass.Lightweight, 2, ""),
    emits: (f) => [f.scenarioRegistry, "ScenarioRegistered"],
  },
  {
    name: "staking.delegate",
    contract: (f) => f.staking,
    send: (f) => f.staking.connect(f.bob).delegate(2, 1_000n * ERA),
    emits: (f) => [f.staking, "Delegated"],
  },
  {
    name: "staking.delegateWithPermit",
    contract: (f) => f.staking,
    send: async (f) => {
      const d = await deadline();
      const sig = await signPermit(f.token, f.bob, await f.staking.getAddress(), 1_000n * ERA, d);
      return f.staking.connect(f.bob).delegateWithPermit(2, 1_000n * ERA, d, sig.v, sig.r, sig.s);
    },
    emits: (f) => [f.staking, "Delegated"],
  },
  {
    name: "staking.delegateFor",
    contract: (f) => f.staking,
    send: (f) => f.staking.connect(f.carol).delegateFor(f.bob.address, 1, 1_000n * ERA),
    emits: (f) => [f.staking, "Delegated"],
  },
  {
    name: "staking.claimAndRedelegate",
    contract: (f) => f.staking,
    send: (f) => f.staking.connect(f.alice).claimAndRedelegate(1, 2),
    emits: (f) => [f.staking, "Delegated"],
  },
  {
    name: "revenueRouter.pay",
    contract: (f) => f.revenueRouter,
    send: (f) => f.revenueRouter.connect(f.developer).pay(2, 1_000n * ERA),
    emits: (f) => [f.revenueRouter, "RevenuePaid"],
  },
  {
    name: "revenueRouter.payWithPermit",
    contract: (f) => f.revenueRouter,
    send: async (f) => {
      const d = await deadline();
      const sig = await signPermit(f.token, f.bob, await f.revenueRouter.getAddress(), 1_000n * ERA, d);
      return f.revenueRouter.connect(f.bob).payWithPermit(3, 1_000n * ERA, d, sig.v, sig.r, sig.s);
    },
    emits: (f) => [f.revenueRouter, "RevenuePaid"],
  },
  {
    name: "distributor.fundSubsidies",
    contract: (f) => f.distributor,
    send: (f) => f.distributor.connect(f.treasury).fundSubsidies(1_000n * ERA),
    emits: (f) => [f.distributor, "Funded"],
  },
  {
    name: "distributor.claimRewardAndDelegate",
    contract: (f) => f.distributor,
    send: (f) => {
      const c = f.rewards.claim(0);
      return f.distributor.connect(f.alice).claimRewardAndDelegate(c.epochId, c.index, c.amount, c.proof, 2);
    },
    emits: (f) => [f.staking, "Delegated"],
  },
];

describe("Emergency pause (Governed)", function () {
  describe("pause and unpause", function () {
    for (const name of [
      "nodeRegistry",
      "staking",
      "scenarioRegistry",
      "distributor",
      "revenueRouter",
      "settlementEngine",
    ] as const) {
      it(`lets the guardian pause and unpause the ${name}, with Paused and Unpaused`, async function () {
        const f = await loadFixture(flowsFixture);
        const c = pausables(f)[name];
        expect(await c.PAUSER_ROLE()).to.equal(ROLES.PAUSER);
        expect(await c.getRoleMemberCount(ROLES.PAUSER)).to.equal(1n);
        expect(await c.hasRole(ROLES.PAUSER, f.guardian.address)).to.equal(true);
        expect(await c.paused()).to.equal(false);
        await expect(c.connect(f.guardian).pause()).to.emit(c, "Paused").withArgs(f.guardian.address);
        expect(await c.paused()).to.equal(true);
        await expect(c.connect(f.guardian).pause()).to.be.revertedWithCustomError(c, "EnforcedPause");
        await expect(c.connect(f.guardian).unpause()).to.emit(c, "Unpaused").withArgs(f.guardian.address);
        expect(await c.paused()).to.equal(false);
        await expect(c.connect(f.guardian).unpause()).to.be.revertedWithCustomError(c, "ExpectedPause");
      });
    }

    it("pauses each contract on its own", async function () {
      const f = await loadFixture(flowsFixture);
      await f.staking.connect(f.guardian).pause();
      expect(await f.staking.paused()).to.equal(true);
      for (const c of [f.nodeRegistry, f.scenarioRegistry, f.distributor, f.revenueRouter, f.settlementEngine]) {
        expect(await c.paused()).to.equal(false);
      }
      await expect(f.revenueRouter.connect(f.developer).pay(1, ERA)).to.emit(f.revenueRouter, "RevenuePaid");
    });
  });

  describe("while paused, inflows revert with EnforcedPause", function () {
    for (const flow of INFLOWS) {
      it(`${flow.name} reverts`, async function () {
        const f = await loadFixture(pausedFixture);
        await expect(flow.send(f)).to.be.revertedWithCustomError(flow.contract(f), "EnforcedPause");
      });
    }

    it("claimRewardAndDelegate also stops when only the staking contract is paused (it delegates)", async function () {
      const f = await loadFixture(flowsFixture);
      await f.staking.connect(f.guardian).pause();
      const c = f.rewards.claim(0);
      await expect(
        f.distributor.connect(f.alice).claimRewardAndDelegate(c.epochId, c.index, c.amount, c.proof, 1),
      ).to.be.revertedWithCustomError(f.staking, "EnforcedPause");
      // The plain claim goes on.
      await expect(f.distributor.claimReward(c.epochId, c.index, c.account, c.amount, c.proof))
        .to.emit(f.distributor, "Claimed")
        .withArgs(c.epochId, c.index, f.alice.address, c.amount);
    });
  });

  describe("attack 10: while paused, outflows keep working (a pause never blocks withdrawals or claims of what is owed)", function () {
    it("nodeRegistry.unbond starts an exit", async function () {
      const f = await loadFixture(pausedFixture);
      const minBond = await f.nodeRegistry.minBond();
      await expect(f.nodeRegistry.connect(f.operator2).unbond(2, minBond))
        .to.emit(f.nodeRegistry, "NodeExiting")
        .withArgs(2n);
    });

    it("nodeRegistry.withdrawBond pays the matured bond", async function () {
      const f = await loadFixture(pausedFixture);
      const tx = f.nodeRegistry.connect(f.operator1).withdrawBond(1);
      await expect(tx)
        .to.emit(f.nodeRegistry, "BondWithdrawn")
        .withArgs(1n, f.operator1.address, 1_000n * ERA);
      await expect(tx).to.changeTokenBalance(f.token, f.operator1, 1_000n * ERA);
    });

    it("staking.undelegate starts an undelegation", async function () {
      const f = await loadFixture(pausedFixture);
      await expect(f.staking.connect(f.alice).undelegate(1, 1_000n * ERA)).to.emit(f.staking, "UndelegationStarted");
      expect(await f.staking.stakeOf(f.alice.address, 1)).to.equal(14_000n * ERA);
    });

    it("staking.withdraw pays the matured undelegation", async function () {
      const f = await loadFixture(pausedFixture);
      const tx = f.staking.connect(f.alice).withdraw(1);
      await expect(tx)
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.alice.address, 1n, 5_000n * ERA, 1n);
      await expect(tx).to.changeTokenBalance(f.token, f.alice, 5_000n * ERA);
    });

    it("staking.claim pays the accrued yield", async function () {
      const f = await loadFixture(pausedFixture);
      const before = await f.token.balanceOf(f.alice.address);
      const receipt = await (await f.staking.connect(f.alice).claim(1)).wait();
      const claimed = receipt!.logs.map((l) => f.staking.interface.parseLog(l)).find((e) => e?.name === "YieldClaimed");
      const amount = claimed!.args.amount as bigint;
      expect(amount).to.be.greaterThan(0n);
      expect(await f.token.balanceOf(f.alice.address)).to.equal(before + amount);
      // Nothing is left to claim in the block of the claim.
      expect(await f.staking.claimableYield(f.alice.address, 1)).to.equal(0n);
    });

    it("staking.fundReserve adds to the reserve", async function () {
      const f = await loadFixture(pausedFixture);
      await expect(f.staking.connect(f.treasury).fundReserve(1_000n * ERA)).to.emit(f.staking, "ReserveFunded");
    });

    it("revenueRouter.claim pays the developer's balance", async function () {
      const f = await loadFixture(pausedFixture);
      const owed = await f.revenueRouter.claimable(f.developer.address);
      expect(owed).to.be.greaterThan(0n);
      const tx = f.revenueRouter.connect(f.developer).claim(f.developer.address);
      await expect(tx)
        .to.emit(f.revenueRouter, "RevenueClaimed")
        .withArgs(f.developer.address, f.developer.address, owed);
      await expect(tx).to.changeTokenBalance(f.token, f.developer, owed);
    });

    it("revenueRouter.flushPools funds the (paused) staking reserve and distributor", async function () {
      const f = await loadFixture(pausedFixture);
      const protocol = await f.revenueRouter.protocolPool();
      const users = await f.revenueRouter.userPool();
      const rewardsBefore = await f.distributor.available(EpochKind.UserReward);
      const tx = f.revenueRouter.flushPools();
      await expect(tx).to.emit(f.revenueRouter, "PoolsFlushed").withArgs(protocol, users);
      await expect(tx).to.changeTokenBalances(f.token, [f.staking, f.distributor], [protocol, users]);
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(rewardsBefore + users);
    });

    it("distributor.claimReward pays a reward leaf", async function () {
      const f = await loadFixture(pausedFixture);
      const c = f.rewards.claim(1);
      const tx = f.distributor.connect(f.attacker).claimReward(c.epochId, c.index, c.account, c.amount, c.proof);
      await expect(tx).to.emit(f.distributor, "Claimed").withArgs(c.epochId, c.index, f.bob.address, c.amount);
      await expect(tx).to.changeTokenBalance(f.token, f.bob, c.amount);
    });

    it("distributor.claimSubsidy pays a subsidy leaf with its MAU bonus", async function () {
      const f = await loadFixture(pausedFixture);
      const c = f.subsidies.claim(0);
      const paid = c.baseAmount + c.baseAmount / 10n; // MAU 100,001 > 100,000: +10%
      const tx = f.distributor.claimSubsidy(c.epochId, c.index, c.account, c.scenarioId, c.baseAmount, c.mau, c.proof);
      await expect(tx).to.emit(f.distributor, "Claimed").withArgs(c.epochId, c.index, f.developer.address, paid);
      await expect(tx).to.changeTokenBalance(f.token, f.developer, paid);
    });

    it("distributor.sweep returns an expired epoch's rest to its pool", async function () {
      const f = await loadFixture(pausedFixture);
      await expect(f.distributor.sweep(0)).to.emit(f.distributor, "EpochSwept").withArgs(0n, f.expired.budget);
    });

    it("distributor.fundUserRewards adds to the user-reward pool", async function () {
      const f = await loadFixture(pausedFixture);
      await expect(f.distributor.connect(f.treasury).fundUserRewards(1_000n * ERA))
        .to.emit(f.distributor, "Funded")
        .withArgs(EpochKind.UserReward, f.treasury.address, 1_000n * ERA);
    });
  });

  describe("unpause restores inflows", function () {
    async function unpausedFixture() {
      const f = await pausedFixture();
      for (const c of Object.values(pausables(f))) await c.connect(f.guardian).unpause();
      return f;
    }

    for (const flow of INFLOWS) {
      it(`${flow.name} works again`, async function () {
        const f = await loadFixture(unpausedFixture);
        const [contract, event] = flow.emits(f);
        await expect(flow.send(f)).to.emit(contract, event);
      });
    }
  });
});
