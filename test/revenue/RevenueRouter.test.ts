import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ERA, ROLES, ScenarioClass, signPermit, type EconomyFixture } from "../helpers/fixtures";
import {
  BPS,
  CLASSES,
  DEFAULT_SHARES,
  SCENARIO,
  expectedSplit,
  owedBy,
  recoverViaTimelock,
  routerFixture,
  setSharesViaTimelock,
  type Shares,
} from "./helpers";
import { EpochKind } from "../../src/sdk/economy";

/** A deadline far enough in the future for every permit of these tests. */
async function permitDeadline(): Promise<bigint> {
  return BigInt(await time.latest()) + 3_600n;
}

async function deployRouter(
  f: EconomyFixture,
  overrides: Partial<{
    era: string;
    scenarios: string;
    nodes: string;
    staking: string;
    distributor: string;
    admin: string;
    financial: Shares;
  }> = {},
) {
  const factory = await ethers.getContractFactory("RevenueRouter");
  return factory.deploy(
    overrides.era ?? (await f.token.getAddress()),
    overrides.scenarios ?? (await f.scenarioRegistry.getAddress()),
    overrides.nodes ?? (await f.nodeRegistry.getAddress()),
    overrides.staking ?? (await f.staking.getAddress()),
    overrides.distributor ?? (await f.distributor.getAddress()),
    overrides.admin ?? f.deployer.address,
    overrides.financial ?? DEFAULT_SHARES[ScenarioClass.Financial],
    DEFAULT_SHARES[ScenarioClass.Enterprise],
    DEFAULT_SHARES[ScenarioClass.Lightweight],
  );
}

describe("RevenueRouter", function () {
  describe("deployment", function () {
    it("stores the default split of every class and the wiring of the Ignition module", async function () {
      const f = await loadFixture(routerFixture);
      for (const cls of CLASSES) {
        const s = await f.revenueRouter.sharesOf(cls);
        expect([s.nodeBps, s.userPoolBps, s.protocolBps]).to.deep.equal([
          DEFAULT_SHARES[cls].nodeBps,
          DEFAULT_SHARES[cls].userPoolBps,
          DEFAULT_SHARES[cls].protocolBps,
        ]);
      }
      expect(await f.revenueRouter.era()).to.equal(await f.token.getAddress());
      expect(await f.revenueRouter.scenarios()).to.equal(await f.scenarioRegistry.getAddress());
      expect(await f.revenueRouter.nodes()).to.equal(await f.nodeRegistry.getAddress());
      expect(await f.revenueRouter.staking()).to.equal(await f.staking.getAddress());
      expect(await f.revenueRouter.distributor()).to.equal(await f.distributor.getAddress());
      expect(await f.revenueRouter.hasRole(ROLES.PAUSER, f.guardian.address)).to.equal(true);
      expect(await f.revenueRouter.totalClaimable()).to.equal(0n);
      expect(await f.revenueRouter.userPool()).to.equal(0n);
      expect(await f.revenueRouter.protocolPool()).to.equal(0n);
    });

    it("emits ClassSharesChanged for each class at construction", async function () {
      const f = await loadFixture(routerFixture);
      const router = await deployRouter(f);
      const tx = router.deploymentTransaction();
      for (const cls of CLASSES) {
        const s = DEFAULT_SHARES[cls];
        await expect(tx).to.emit(router, "ClassSharesChanged").withArgs(cls, [s.nodeBps, s.userPoolBps, s.protocolBps]);
      }
    });

    for (const field of ["era", "scenarios", "nodes", "staking", "distributor", "admin"] as const) {
      it(`reverts with AdminGuardedZeroAddress when ${field} is the zero address`, async function () {
        const f = await loadFixture(routerFixture);
        const factory = await ethers.getContractFactory("RevenueRouter");
        await expect(deployRouter(f, { [field]: ethers.ZeroAddress })).to.be.revertedWithCustomError(
          factory,
          "AdminGuardedZeroAddress",
        );
      });
    }

    it("reverts with RevenueSharesOutOfBounds when an initial split is out of bounds", async function () {
      const f = await loadFixture(routerFixture);
      const factory = await ethers.getContractFactory("RevenueRouter");
      await expect(deployRouter(f, { financial: { nodeBps: 5_001n, userPoolBps: 0n, protocolBps: 0n } }))
        .to.be.revertedWithCustomError(factory, "RevenueSharesOutOfBounds")
        .withArgs(5_001n, 0n, 0n);
    });
  });

  describe("pay", function () {
    for (const cls of CLASSES) {
      it(`splits a payment to a ${ScenarioClass[cls]} scenario by its class and emits RevenuePaid`, async function () {
        const f = await loadFixture(routerFixture);
        const amount = 12_345n * ERA + 6_789n; // not a round number: exercises the rounding
        const split = expectedSplit(amount, DEFAULT_SHARES[cls]);
        const router = f.revenueRouter;

        const tx = router.connect(f.alice).pay(SCENARIO[cls], amount);
        await expect(tx)
          .to.emit(router, "RevenuePaid")
          .withArgs(
            SCENARIO[cls],
            f.alice.address,
            amount,
            f.operator1.address,
            split.node,
            split.pool,
            split.protocol,
            f.developer.address,
            split.developer,
          );
        await expect(tx).to.changeTokenBalances(f.token, [f.alice, router], [-amount, amount]);

        expect(await router.claimable(f.operator1.address)).to.equal(split.node);
        expect(await router.claimable(f.developer.address)).to.equal(split.developer);
        expect(await router.totalClaimable()).to.equal(split.node + split.developer);
        expect(await router.userPool()).to.equal(split.pool);
        expect(await router.protocolPool()).to.equal(split.protocol);
        expect(split.node + split.pool + split.protocol + split.developer).to.equal(amount);
      });
    }

    it("accumulates several payments from several payers", async function () {
      const f = await loadFixture(routerFixture);
      const a = expectedSplit(1_000n * ERA, DEFAULT_SHARES[ScenarioClass.Financial]);
      const b = expectedSplit(777n * ERA + 1n, DEFAULT_SHARES[ScenarioClass.Lightweight]);
      await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], 1_000n * ERA);
      await f.revenueRouter.connect(f.bob).pay(SCENARIO[ScenarioClass.Lightweight], 777n * ERA + 1n);
      expect(await f.revenueRouter.claimable(f.operator1.address)).to.equal(a.node + b.node);
      expect(await f.revenueRouter.claimable(f.developer.address)).to.equal(a.developer + b.developer);
      expect(await f.revenueRouter.userPool()).to.equal(a.pool + b.pool);
      expect(await f.revenueRouter.protocolPool()).to.equal(a.protocol + b.protocol);
      expect(await f.token.balanceOf(await f.revenueRouter.getAddress())).to.equal(1_777n * ERA + 1n);
    });

    it("pays the node share to the operator of the node serving the scenario now", async function () {
      const f = await loadFixture(routerFixture);
      const id = SCENARIO[ScenarioClass.Financial];
      await f.scenarioRegistry.connect(f.developer).setNode(id, 2);
      const split = expectedSplit(100n * ERA, DEFAULT_SHARES[ScenarioClass.Financial]);
      await expect(f.revenueRouter.connect(f.alice).pay(id, 100n * ERA))
        .to.emit(f.revenueRouter, "RevenuePaid")
        .withArgs(
          id,
          f.alice.address,
          100n * ERA,
          f.operator2.address,
          split.node,
          split.pool,
          split.protocol,
          f.developer.address,
          split.developer,
        );
      expect(await f.revenueRouter.claimable(f.operator2.address)).to.equal(split.node);
      expect(await f.revenueRouter.claimable(f.operator1.address)).to.equal(0n);
    });

    it("pays the developer share to the scenario's current owner", async function () {
      const f = await loadFixture(routerFixture);
      const id = SCENARIO[ScenarioClass.Enterprise];
      await f.scenarioRegistry.connect(f.developer).transferScenarioOwnership(id, f.carol.address);
      const split = expectedSplit(100n * ERA, DEFAULT_SHARES[ScenarioClass.Enterprise]);
      await f.revenueRouter.connect(f.alice).pay(id, 100n * ERA);
      expect(await f.revenueRouter.claimable(f.carol.address)).to.equal(split.developer);
      expect(await f.revenueRouter.claimable(f.developer.address)).to.equal(0n);
    });

    it("reverts with RevenueZeroAmount when the amount is zero", async function () {
      const f = await loadFixture(routerFixture);
      await expect(
        f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], 0n),
      ).to.be.revertedWithCustomError(f.revenueRouter, "RevenueZeroAmount");
    });

    it("reverts with the registry's ScenarioUnknown when the scenario does not exist", async function () {
      const f = await loadFixture(routerFixture);
      await expect(f.revenueRouter.connect(f.alice).pay(99n, ERA))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
        .withArgs(99n);
      await expect(f.revenueRouter.connect(f.alice).pay(0n, ERA))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
        .withArgs(0n);
    });

    it("reverts with RevenueUnknownNode when the scenario's node has no operator", async function () {
      const f = await loadFixture(routerFixture);
      const mock = await (await ethers.getContractFactory("RevenueScenarioRegistryMock")).deploy();
      const router = await deployRouter(f, { scenarios: await mock.getAddress() });
      await f.token.connect(f.alice).approve(await router.getAddress(), 2n * ERA);
      await mock.setRouting(7n, f.developer.address, ScenarioClass.Financial, 99n);
      await expect(router.connect(f.alice).pay(7n, ERA))
        .to.be.revertedWithCustomError(router, "RevenueUnknownNode")
        .withArgs(99n);
      // The same router pays normally once the node exists.
      await mock.setRouting(7n, f.developer.address, ScenarioClass.Financial, 1n);
      await router.connect(f.alice).pay(7n, ERA);
      expect(await router.claimable(f.operator1.address)).to.equal(
        expectedSplit(ERA, DEFAULT_SHARES[ScenarioClass.Financial]).node,
      );
    });

    it("reverts with the token's ERC20InsufficientAllowance when the payer has not approved the amount", async function () {
      const f = await loadFixture(routerFixture);
      const router = await f.revenueRouter.getAddress();
      await expect(f.revenueRouter.connect(f.developer).pay(SCENARIO[ScenarioClass.Financial], ERA))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(router, 0n, ERA);
    });

    it("reverts with EnforcedPause while paused, and works again after unpause", async function () {
      const f = await loadFixture(routerFixture);
      await f.revenueRouter.connect(f.guardian).pause();
      await expect(
        f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], ERA),
      ).to.be.revertedWithCustomError(f.revenueRouter, "EnforcedPause");
      await f.revenueRouter.connect(f.guardian).unpause();
      await expect(f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], ERA)).to.emit(
        f.revenueRouter,
        "RevenuePaid",
      );
    });
  });

  describe("payWithPermit", function () {
    it("pays with a permit instead of an approval, in one transaction", async function () {
      const f = await loadFixture(routerFixture);
      const router = await f.revenueRouter.getAddress();
      const amount = 500n * ERA;
      const deadline = await permitDeadline();
      const sig = await signPermit(f.token, f.developer, router, amount, deadline);
      const split = expectedSplit(amount, DEFAULT_SHARES[ScenarioClass.Enterprise]);
      const tx = f.revenueRouter
        .connect(f.developer)
        .payWithPermit(SCENARIO[ScenarioClass.Enterprise], amount, deadline, sig.v, sig.r, sig.s);
      await expect(tx)
        .to.emit(f.revenueRouter, "RevenuePaid")
        .withArgs(
          SCENARIO[ScenarioClass.Enterprise],
          f.developer.address,
          amount,
          f.operator1.address,
          split.node,
          split.pool,
          split.protocol,
          f.developer.address,
          split.developer,
        );
      await expect(tx).to.changeTokenBalances(f.token, [f.developer, f.revenueRouter], [-amount, amount]);
      expect(await f.token.allowance(f.developer.address, router)).to.equal(0n);
      expect(await f.token.nonces(f.developer.address)).to.equal(1n);
    });

    it("attack: a front-runner who submits the permit first cannot make the payment fail", async function () {
      const f = await loadFixture(routerFixture);
      const router = await f.revenueRouter.getAddress();
      const amount = 500n * ERA;
      const deadline = await permitDeadline();
      const sig = await signPermit(f.token, f.developer, router, amount, deadline);
      // The attacker copies the permit from the mempool and uses it first.
      await f.token.connect(f.attacker).permit(f.developer.address, router, amount, deadline, sig.v, sig.r, sig.s);
      expect(await f.token.allowance(f.developer.address, router)).to.equal(amount);

      const tx = f.revenueRouter
        .connect(f.developer)
        .payWithPermit(SCENARIO[ScenarioClass.Financial], amount, deadline, sig.v, sig.r, sig.s);
      await expect(tx).to.emit(f.revenueRouter, "RevenuePaid");
      await expect(tx).to.changeTokenBalances(f.token, [f.developer, f.revenueRouter], [-amount, amount]);
      expect(await f.token.allowance(f.developer.address, router)).to.equal(0n);
    });

    it("reverts with ERC20InsufficientAllowance when the permit is invalid and there is no allowance", async function () {
      const f = await loadFixture(routerFixture);
      const router = await f.revenueRouter.getAddress();
      const deadline = await permitDeadline();
      // Signed for another amount than the one paid: the permit fails and nothing was approved.
      const sig = await signPermit(f.token, f.developer, router, ERA, deadline);
      await expect(
        f.revenueRouter
          .connect(f.developer)
          .payWithPermit(SCENARIO[ScenarioClass.Financial], 2n * ERA, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(router, 0n, 2n * ERA);
    });

    it("reverts with RevenueZeroAmount when the amount is zero", async function () {
      const f = await loadFixture(routerFixture);
      const router = await f.revenueRouter.getAddress();
      const deadline = await permitDeadline();
      const sig = await signPermit(f.token, f.developer, router, 0n, deadline);
      await expect(
        f.revenueRouter
          .connect(f.developer)
          .payWithPermit(SCENARIO[ScenarioClass.Financial], 0n, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(f.revenueRouter, "RevenueZeroAmount");
    });

    it("reverts with EnforcedPause while paused", async function () {
      const f = await loadFixture(routerFixture);
      const router = await f.revenueRouter.getAddress();
      const deadline = await permitDeadline();
      const sig = await signPermit(f.token, f.developer, router, ERA, deadline);
      await f.revenueRouter.connect(f.guardian).pause();
      await expect(
        f.revenueRouter
          .connect(f.developer)
          .payWithPermit(SCENARIO[ScenarioClass.Financial], ERA, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(f.revenueRouter, "EnforcedPause");
    });
  });

  describe("claim", function () {
    async function paidFixture() {
      const f = await routerFixture();
      await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], 10_000n * ERA + 3n);
      return f;
    }

    it("pays the caller's whole balance to another address and emits RevenueClaimed", async function () {
      const f = await loadFixture(paidFixture);
      const owed = await f.revenueRouter.claimable(f.operator1.address);
      const totalBefore = await f.revenueRouter.totalClaimable();
      expect(owed).to.equal(expectedSplit(10_000n * ERA + 3n, DEFAULT_SHARES[ScenarioClass.Financial]).node);
      expect(await f.revenueRouter.connect(f.operator1).claim.staticCall(f.carol.address)).to.equal(owed);

      const tx = f.revenueRouter.connect(f.operator1).claim(f.carol.address);
      await expect(tx).to.emit(f.revenueRouter, "RevenueClaimed").withArgs(f.operator1.address, f.carol.address, owed);
      await expect(tx).to.changeTokenBalances(f.token, [f.revenueRouter, f.carol, f.operator1], [-owed, owed, 0n]);
      expect(await f.revenueRouter.claimable(f.operator1.address)).to.equal(0n);
      expect(await f.revenueRouter.totalClaimable()).to.equal(totalBefore - owed);
    });

    it("pays the developer to itself", async function () {
      const f = await loadFixture(paidFixture);
      const owed = await f.revenueRouter.claimable(f.developer.address);
      await expect(f.revenueRouter.connect(f.developer).claim(f.developer.address)).to.changeTokenBalances(
        f.token,
        [f.revenueRouter, f.developer],
        [-owed, owed],
      );
      expect(await f.revenueRouter.totalClaimable()).to.equal(await f.revenueRouter.claimable(f.operator1.address));
    });

    it("reverts with RevenueNothingToClaim when the caller has no balance, and on a second claim", async function () {
      const f = await loadFixture(paidFixture);
      await expect(f.revenueRouter.connect(f.bob).claim(f.bob.address))
        .to.be.revertedWithCustomError(f.revenueRouter, "RevenueNothingToClaim")
        .withArgs(f.bob.address);
      await f.revenueRouter.connect(f.operator1).claim(f.operator1.address);
      await expect(f.revenueRouter.connect(f.operator1).claim(f.operator1.address))
        .to.be.revertedWithCustomError(f.revenueRouter, "RevenueNothingToClaim")
        .withArgs(f.operator1.address);
    });

    it("reverts with AdminGuardedZeroAddress when paying to the zero address", async function () {
      const f = await loadFixture(paidFixture);
      await expect(f.revenueRouter.connect(f.operator1).claim(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.revenueRouter,
        "AdminGuardedZeroAddress",
      );
    });

    it("keeps working while the router is paused (a pause never locks funds in)", async function () {
      const f = await loadFixture(paidFixture);
      const owed = await f.revenueRouter.claimable(f.operator1.address);
      await f.revenueRouter.connect(f.guardian).pause();
      await expect(f.revenueRouter.connect(f.operator1).claim(f.operator1.address)).to.changeTokenBalance(
        f.token,
        f.operator1,
        owed,
      );
    });
  });

  describe("flushPools", function () {
    it("moves the protocol pool into the staking reserve and the user pool into the distributor", async function () {
      const f = await loadFixture(routerFixture);
      const amount = 40_000n * ERA + 7n;
      await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], amount);
      const split = expectedSplit(amount, DEFAULT_SHARES[ScenarioClass.Financial]);
      const router = await f.revenueRouter.getAddress();
      const [reserveBefore] = await f.staking.reserveStatus();
      const availableBefore = await f.distributor.available(EpochKind.UserReward);

      const tx = f.revenueRouter.connect(f.bob).flushPools();
      await expect(tx).to.emit(f.revenueRouter, "PoolsFlushed").withArgs(split.protocol, split.pool);
      await expect(tx)
        .to.emit(f.staking, "ReserveFunded")
        .withArgs(router, split.protocol, reserveBefore + split.protocol);
      await expect(tx).to.emit(f.distributor, "Funded").withArgs(EpochKind.UserReward, router, split.pool);
      await expect(tx).to.changeTokenBalances(
        f.token,
        [f.revenueRouter, f.staking, f.distributor],
        [-(split.protocol + split.pool), split.protocol, split.pool],
      );

      const [reserveAfter] = await f.staking.reserveStatus();
      expect(reserveAfter).to.equal(reserveBefore + split.protocol);
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(availableBefore + split.pool);
      expect(await f.revenueRouter.protocolPool()).to.equal(0n);
      expect(await f.revenueRouter.userPool()).to.equal(0n);
      // Claimable balances are untouched and still fully backed.
      expect(await f.token.balanceOf(router)).to.equal(await f.revenueRouter.totalClaimable());
      expect(await f.token.allowance(router, await f.staking.getAddress())).to.equal(0n);
      expect(await f.token.allowance(router, await f.distributor.getAddress())).to.equal(0n);
    });

    it("funds only the staking reserve when the user pool is empty", async function () {
      const f = await loadFixture(routerFixture);
      const shares = { nodeBps: 3_000n, userPoolBps: 0n, protocolBps: 500n };
      await setSharesViaTimelock(f, ScenarioClass.Financial, shares);
      await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], 1_000n * ERA);
      const split = expectedSplit(1_000n * ERA, shares);
      expect(split.pool).to.equal(0n);
      const availableBefore = await f.distributor.available(EpochKind.UserReward);

      const tx = f.revenueRouter.flushPools();
      await expect(tx).to.emit(f.revenueRouter, "PoolsFlushed").withArgs(split.protocol, 0n);
      await expect(tx).to.emit(f.staking, "ReserveFunded");
      await expect(tx).not.to.emit(f.distributor, "Funded");
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(availableBefore);
    });

    it("funds only the user-reward pool when the protocol pool is empty", async function () {
      const f = await loadFixture(routerFixture);
      const shares = { nodeBps: 3_000n, userPoolBps: 1_000n, protocolBps: 0n };
      await setSharesViaTimelock(f, ScenarioClass.Financial, shares);
      // A multiple of 10,000 wei leaves no rounding remainder for the protocol share.
      await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], 1_000n * ERA);
      const split = expectedSplit(1_000n * ERA, shares);
      expect(split.protocol).to.equal(0n);
      const [reserveBefore] = await f.staking.reserveStatus();

      const tx = f.revenueRouter.flushPools();
      await expect(tx).to.emit(f.revenueRouter, "PoolsFlushed").withArgs(0n, split.pool);
      await expect(tx)
        .to.emit(f.distributor, "Funded")
        .withArgs(EpochKind.UserReward, await f.revenueRouter.getAddress(), split.pool);
      await expect(tx).not.to.emit(f.staking, "ReserveFunded");
      const [reserveAfter] = await f.staking.reserveStatus();
      expect(reserveAfter).to.equal(reserveBefore);
    });

    it("reverts with RevenueNothingToClaim(router) when both pools are empty, also right after a flush", async function () {
      const f = await loadFixture(routerFixture);
      const router = await f.revenueRouter.getAddress();
      await expect(f.revenueRouter.flushPools())
        .to.be.revertedWithCustomError(f.revenueRouter, "RevenueNothingToClaim")
        .withArgs(router);
      await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Lightweight], ERA);
      await f.revenueRouter.flushPools();
      await expect(f.revenueRouter.flushPools())
        .to.be.revertedWithCustomError(f.revenueRouter, "RevenueNothingToClaim")
        .withArgs(router);
    });

    it("keeps working while the router, the staking contract and the distributor are paused", async function () {
      const f = await loadFixture(routerFixture);
      await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], ERA);
      const split = expectedSplit(ERA, DEFAULT_SHARES[ScenarioClass.Financial]);
      await f.revenueRouter.connect(f.guardian).pause();
      await f.staking.connect(f.guardian).pause();
      await f.distributor.connect(f.guardian).pause();
      await expect(f.revenueRouter.flushPools())
        .to.emit(f.revenueRouter, "PoolsFlushed")
        .withArgs(split.protocol, split.pool);
    });
  });

  describe("setClassShares", function () {
    it("changes a class's split through the timelock and emits ClassSharesChanged", async function () {
      const f = await loadFixture(routerFixture);
      const shares = { nodeBps: 4_000n, userPoolBps: 1_500n, protocolBps: 700n };
      await expect(setSharesViaTimelock(f, ScenarioClass.Enterprise, shares))
        .to.emit(f.revenueRouter, "ClassSharesChanged")
        .withArgs(ScenarioClass.Enterprise, [shares.nodeBps, shares.userPoolBps, shares.protocolBps]);
      const s = await f.revenueRouter.sharesOf(ScenarioClass.Enterprise);
      expect([s.nodeBps, s.userPoolBps, s.protocolBps]).to.deep.equal([4_000n, 1_500n, 700n]);
      // The other classes are untouched.
      const fin = await f.revenueRouter.sharesOf(ScenarioClass.Financial);
      expect(fin.nodeBps).to.equal(DEFAULT_SHARES[ScenarioClass.Financial].nodeBps);

      // The next payment uses the new split.
      const amount = 1_234n * ERA + 5n;
      const split = expectedSplit(amount, shares);
      await expect(f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Enterprise], amount))
        .to.emit(f.revenueRouter, "RevenuePaid")
        .withArgs(
          SCENARIO[ScenarioClass.Enterprise],
          f.alice.address,
          amount,
          f.operator1.address,
          split.node,
          split.pool,
          split.protocol,
          f.developer.address,
          split.developer,
        );
    });

    it("accepts every bound exactly (node 5,000, pool 2,500, developer 2,000; protocol 2,500)", async function () {
      const f = await loadFixture(routerFixture);
      const maxNode = { nodeBps: 5_000n, userPoolBps: 2_500n, protocolBps: 500n };
      await setSharesViaTimelock(f, ScenarioClass.Financial, maxNode);
      const s = await f.revenueRouter.sharesOf(ScenarioClass.Financial);
      expect(BPS - s.nodeBps - s.userPoolBps - s.protocolBps).to.equal(await f.revenueRouter.MIN_DEVELOPER_BPS());
      const maxProtocol = { nodeBps: 3_000n, userPoolBps: 2_500n, protocolBps: 2_500n };
      await setSharesViaTimelock(f, ScenarioClass.Lightweight, maxProtocol);
      expect((await f.revenueRouter.sharesOf(ScenarioClass.Lightweight)).protocolBps).to.equal(
        await f.revenueRouter.MAX_PROTOCOL_BPS(),
      );
      const allDeveloper = { nodeBps: 0n, userPoolBps: 0n, protocolBps: 0n };
      await setSharesViaTimelock(f, ScenarioClass.Enterprise, allDeveloper);
      await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Enterprise], 999n);
      expect(await f.revenueRouter.claimable(f.developer.address)).to.equal(999n);
    });

    const outOfBounds: [string, Shares][] = [
      ["the node share exceeds 5,000", { nodeBps: 5_001n, userPoolBps: 1_000n, protocolBps: 500n }],
      ["the user-pool share exceeds 2,500", { nodeBps: 3_000n, userPoolBps: 2_501n, protocolBps: 500n }],
      ["the protocol share exceeds 2,500", { nodeBps: 3_000n, userPoolBps: 1_000n, protocolBps: 2_501n }],
      ["the developer would get less than 2,000", { nodeBps: 5_000n, userPoolBps: 2_500n, protocolBps: 501n }],
      ["the shares exceed 10,000 altogether", { nodeBps: 5_000n, userPoolBps: 2_500n, protocolBps: 2_500n }],
    ];
    for (const [what, shares] of outOfBounds) {
      it(`reverts with RevenueSharesOutOfBounds when ${what}`, async function () {
        const f = await loadFixture(routerFixture);
        await expect(setSharesViaTimelock(f, ScenarioClass.Financial, shares))
          .to.be.revertedWithCustomError(f.revenueRouter, "RevenueSharesOutOfBounds")
          .withArgs(shares.nodeBps, shares.userPoolBps, shares.protocolBps);
        const s = await f.revenueRouter.sharesOf(ScenarioClass.Financial);
        expect(s.nodeBps).to.equal(DEFAULT_SHARES[ScenarioClass.Financial].nodeBps);
      });
    }

    it("reverts with AccessControlUnauthorizedAccount for anyone but the timelock, the governor included", async function () {
      const f = await loadFixture(routerFixture);
      const shares = { nodeBps: 1n, userPoolBps: 1n, protocolBps: 1n };
      for (const caller of [f.attacker, f.governor, f.deployer]) {
        await expect(f.revenueRouter.connect(caller).setClassShares(ScenarioClass.Financial, shares))
          .to.be.revertedWithCustomError(f.revenueRouter, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, ROLES.DEFAULT_ADMIN);
      }
    });
  });

  describe("previewSplit", function () {
    it("matches the documented rounding for every class and amount, and adds up to the amount", async function () {
      const f = await loadFixture(routerFixture);
      const amounts = [0n, 1n, 3n, 9_999n, 10_000n, 10_001n, 50_000n * ERA, 12_345_678_901_234_567_891n];
      for (const cls of CLASSES) {
        for (const amount of amounts) {
          const [node, pool, protocol, developer] = await f.revenueRouter.previewSplit(cls, amount);
          const want = expectedSplit(amount, DEFAULT_SHARES[cls]);
          expect([node, pool, protocol, developer]).to.deep.equal([
            want.node,
            want.pool,
            want.protocol,
            want.developer,
          ]);
          expect(node + pool + protocol + developer).to.equal(amount);
          // The protocol share is its own rounded-down part plus the dust of the four roundings: four fractions
          // below one wei that add up to a whole number, so at most 3 wei.
          const protocolFloor = (amount * DEFAULT_SHARES[cls].protocolBps) / BPS;
          expect(protocol - protocolFloor).to.be.within(0n, 3n);
        }
      }
    });

    it("is what pay books", async function () {
      const f = await loadFixture(routerFixture);
      const amount = 31_337n * ERA + 11n;
      const [node, pool, protocol, developer] = await f.revenueRouter.previewSplit(ScenarioClass.Lightweight, amount);
      await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Lightweight], amount);
      expect(await f.revenueRouter.claimable(f.operator1.address)).to.equal(node);
      expect(await f.revenueRouter.userPool()).to.equal(pool);
      expect(await f.revenueRouter.protocolPool()).to.equal(protocol);
      expect(await f.revenueRouter.claimable(f.developer.address)).to.equal(developer);
    });
  });

  describe("recover", function () {
    async function strayFixture() {
      const f = await routerFixture();
      await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], 1_000n * ERA + 1n);
      const stray = await (await ethers.getContractFactory("RevenueStrayToken")).deploy(f.bob.address, 1_000n * ERA);
      return { ...f, stray };
    }

    it("lets governance take ERA sent here by mistake, up to the excess, and emits Recovered", async function () {
      const f = await loadFixture(strayFixture);
      const router = await f.revenueRouter.getAddress();
      const mistake = 77n * ERA + 5n;
      await f.token.connect(f.bob).transfer(router, mistake);
      const owed = await owedBy(f.revenueRouter);
      expect(await f.token.balanceOf(router)).to.equal(owed + mistake);

      const tx = recoverViaTimelock(f, await f.token.getAddress(), f.bob.address, mistake);
      await expect(tx)
        .to.emit(f.revenueRouter, "Recovered")
        .withArgs(await f.token.getAddress(), f.bob.address, mistake);
      await expect(tx).to.changeTokenBalances(f.token, [f.revenueRouter, f.bob], [-mistake, mistake]);
      expect(await f.token.balanceOf(router)).to.equal(owed);
      expect(await owedBy(f.revenueRouter)).to.equal(owed);
    });

    it("reverts with RevenueRecoverExceedsExcess when governance asks for one wei of what is owed", async function () {
      const f = await loadFixture(strayFixture);
      const router = await f.revenueRouter.getAddress();
      const mistake = 10n * ERA;
      await f.token.connect(f.bob).transfer(router, mistake);
      await expect(recoverViaTimelock(f, await f.token.getAddress(), f.bob.address, mistake + 1n))
        .to.be.revertedWithCustomError(f.revenueRouter, "RevenueRecoverExceedsExcess")
        .withArgs(mistake + 1n, mistake);
    });

    it("reverts with RevenueRecoverExceedsExcess(amount, 0) when there is no excess at all", async function () {
      const f = await loadFixture(strayFixture);
      await expect(recoverViaTimelock(f, await f.token.getAddress(), f.bob.address, 1n))
        .to.be.revertedWithCustomError(f.revenueRouter, "RevenueRecoverExceedsExcess")
        .withArgs(1n, 0n);
    });

    it("recovers another token in full", async function () {
      const f = await loadFixture(strayFixture);
      const router = await f.revenueRouter.getAddress();
      const all = await f.stray.balanceOf(f.bob.address);
      await f.stray.connect(f.bob).transfer(router, all);
      const tx = recoverViaTimelock(f, await f.stray.getAddress(), f.carol.address, all);
      await expect(tx)
        .to.emit(f.revenueRouter, "Recovered")
        .withArgs(await f.stray.getAddress(), f.carol.address, all);
      await expect(tx).to.changeTokenBalances(f.stray, [f.revenueRouter, f.carol], [-all, all]);
      // ERA accounting is untouched.
      expect(await f.token.balanceOf(router)).to.equal(await owedBy(f.revenueRouter));
    });

    it("reverts with AdminGuardedZeroAddress when sending to the zero address", async function () {
      const f = await loadFixture(strayFixture);
      await f.stray.connect(f.bob).transfer(await f.revenueRouter.getAddress(), ERA);
      await expect(
        recoverViaTimelock(f, await f.stray.getAddress(), ethers.ZeroAddress, ERA),
      ).to.be.revertedWithCustomError(f.revenueRouter, "AdminGuardedZeroAddress");
    });

    it("reverts with AccessControlUnauthorizedAccount for anyone but the timelock", async function () {
      const f = await loadFixture(strayFixture);
      await f.stray.connect(f.bob).transfer(await f.revenueRouter.getAddress(), ERA);
      for (const caller of [f.attacker, f.governor, f.guardian]) {
        await expect(f.revenueRouter.connect(caller).recover(await f.stray.getAddress(), caller.address, ERA))
          .to.be.revertedWithCustomError(f.revenueRouter, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, ROLES.DEFAULT_ADMIN);
      }
    });
  });

  describe("pause and unpause", function () {
    it("are reserved to PAUSER_ROLE", async function () {
      const f = await loadFixture(routerFixture);
      await expect(f.revenueRouter.connect(f.attacker).pause())
        .to.be.revertedWithCustomError(f.revenueRouter, "AccessControlUnauthorizedAccount")
        .withArgs(f.attacker.address, ROLES.PAUSER);
      await f.revenueRouter.connect(f.guardian).pause();
      await expect(f.revenueRouter.connect(f.attacker).unpause())
        .to.be.revertedWithCustomError(f.revenueRouter, "AccessControlUnauthorizedAccount")
        .withArgs(f.attacker.address, ROLES.PAUSER);
      expect(await f.revenueRouter.paused()).to.equal(true);
    });
  });
});
