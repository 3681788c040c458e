import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DAY, ECONOMY_DEFAULTS, ERA, ROLES } from "../helpers/fixtures";
import { RewardTree, SubsidyTree, subsidyFor } from "../../src/sdk/merkle";
import {
  EpochKind,
  POOL,
  claimReward,
  claimSubsidy,
  deployDistributor,
  distributorFixture,
  nextScope,
  proposeRewards,
  proposeSubsidies,
  rewardEntries,
  setWindowsViaTimelock,
  subsidyEntries,
} from "./helpers";

const HOUR = 3_600n;
const REASON = ethers.encodeBytes32String("root does not match records");

describe("EpochDistributor", function () {
  describe("deployment", function () {
    it("is wired and parameterised as the Ignition module deploys it", async function () {
      const f = await loadFixture(distributorFixture);
      expect(await f.distributor.era()).to.equal(await f.token.getAddress());
      expect(await f.distributor.staking()).to.equal(await f.staking.getAddress());
      expect(await f.distributor.disputeWindow()).to.equal(ECONOMY_DEFAULTS.disputeWindow);
      expect(await f.distributor.claimPeriod()).to.equal(ECONOMY_DEFAULTS.claimPeriod);
      expect(await f.distributor.hasRole(ROLES.PUBLISHER, f.publisher.address)).to.equal(true);
      expect(await f.distributor.hasRole(ROLES.GUARDIAN, f.guardian.address)).to.equal(true);
      expect(await f.distributor.hasRole(ROLES.PAUSER, f.guardian.address)).to.equal(true);
      expect(await f.distributor.PUBLISHER_ROLE()).to.equal(ROLES.PUBLISHER);
      expect(await f.distributor.GUARDIAN_ROLE()).to.equal(ROLES.GUARDIAN);
      expect(await f.distributor.MAU_BONUS_THRESHOLD()).to.equal(100_000n);
      expect(await f.distributor.MAU_BONUS_BPS()).to.equal(1_000n);
      expect(await f.distributor.epochCount()).to.equal(0n);
    });

    it("emits WindowsChanged at construction", async function () {
      const f = await loadFixture(distributorFixture);
      const d = await deployDistributor(f, f.deployer, { disputeWindow: HOUR, claimPeriod: 7n * DAY });
      await expect(d.deploymentTransaction())
        .to.emit(d, "WindowsChanged")
        .withArgs(HOUR, 7n * DAY);
    });

    for (const field of ["era", "staking", "admin"] as const) {
      it(`reverts with AdminGuardedZeroAddress when ${field} is the zero address`, async function () {
        const f = await loadFixture(distributorFixture);
        const factory = await ethers.getContractFactory("EpochDistributor");
        await expect(deployDistributor(f, f.deployer, { [field]: ethers.ZeroAddress })).to.be.revertedWithCustomError(
          factory,
          "AdminGuardedZeroAddress",
        );
      });
    }

    it("reverts with DistributorParameterOutOfBounds when a window is out of bounds", async function () {
      const f = await loadFixture(distributorFixture);
      const factory = await ethers.getContractFactory("EpochDistributor");
      await expect(deployDistributor(f, f.deployer, { disputeWindow: HOUR - 1n }))
        .to.be.revertedWithCustomError(factory, "DistributorParameterOutOfBounds")
        .withArgs(HOUR - 1n, HOUR, 14n * DAY);
      await expect(deployDistributor(f, f.deployer, { claimPeriod: 731n * DAY }))
        .to.be.revertedWithCustomError(factory, "DistributorParameterOutOfBounds")
        .withArgs(731n * DAY, 7n * DAY, 730n * DAY);
    });
  });

  describe("fundSubsidies and fundUserRewards", function () {
    for (const [fn, kind] of [
      ["fundSubsidies", EpochKind.DeveloperSubsidy],
      ["fundUserRewards", EpochKind.UserReward],
    ] as const) {
      it(`${fn} pulls the ERA, grows only its own pool and emits Funded`, async function () {
        const f = await loadFixture(distributorFixture);
        const other = kind === EpochKind.DeveloperSubsidy ? EpochKind.UserReward : EpochKind.DeveloperSubsidy;
        const amount = 12_345n * ERA + 1n;
        await f.token.connect(f.bob).approve(await f.distributor.getAddress(), amount);
        const tx = f.distributor.connect(f.bob)[fn](amount);
        await expect(tx).to.emit(f.distributor, "Funded").withArgs(kind, f.bob.address, amount);
        await expect(tx).to.changeTokenBalances(f.token, [f.bob, f.distributor], [-amount, amount]);
        expect(await f.distributor.available(kind)).to.equal(POOL + amount);
        expect(await f.distributor.available(other)).to.equal(POOL);
      });

      it(`${fn} reverts with DistributorZeroAmount when the amount is zero`, async function () {
        const f = await loadFixture(distributorFixture);
        await expect(f.distributor.connect(f.bob)[fn](0n)).to.be.revertedWithCustomError(
          f.distributor,
          "DistributorZeroAmount",
        );
      });

      it(`${fn} reverts with the token's ERC20InsufficientAllowance without an approval`, async function () {
        const f = await loadFixture(distributorFixture);
        await expect(f.distributor.connect(f.bob)[fn](ERA))
          .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
          .withArgs(await f.distributor.getAddress(), 0n, ERA);
      });
    }

    it("fundSubsidies reverts with EnforcedPause while paused; fundUserRewards keeps working", async function () {
      const f = await loadFixture(distributorFixture);
      await f.token.connect(f.bob).approve(await f.distributor.getAddress(), 2n * ERA);
      await f.distributor.connect(f.guardian).pause();
      await expect(f.distributor.connect(f.bob).fundSubsidies(ERA)).to.be.revertedWithCustomError(
        f.distributor,
        "EnforcedPause",
      );
      await expect(f.distributor.connect(f.bob).fundUserRewards(ERA))
        .to.emit(f.distributor, "Funded")
        .withArgs(EpochKind.UserReward, f.bob.address, ERA);
    });
  });

  describe("proposeEpoch", function () {
    it("reserves the budget, records the epoch and emits EpochProposed with opensAt and claimDeadline", async function () {
      const f = await loadFixture(distributorFixture);
      const scope = await nextScope(f);
      const entries = subsidyEntries(f);
      const tree = new SubsidyTree(scope, entries);
      const tx = await f.distributor
        .connect(f.publisher)
        .proposeEpoch(EpochKind.DeveloperSubsidy, tree.root, tree.budget, "ipfs://month-1");
      const proposedAt = BigInt((await tx.getBlock())!.timestamp);
      const opensAt = proposedAt + ECONOMY_DEFAULTS.disputeWindow;
      const claimDeadline = opensAt + ECONOMY_DEFAULTS.claimPeriod;
      await expect(tx)
        .to.emit(f.distributor, "EpochProposed")
        .withArgs(0n, EpochKind.DeveloperSubsidy, tree.root, tree.budget, opensAt, claimDeadline, "ipfs://month-1");

      const epoch = await f.distributor.getEpoch(0n);
      expect(epoch.root).to.equal(tree.root);
      expect(epoch.kind).to.equal(BigInt(EpochKind.DeveloperSubsidy));
      expect(epoch.vetoed).to.equal(false);
      expect(epoch.swept).to.equal(false);
      expect(epoch.opensAt).to.equal(opensAt);
      expect(epoch.claimDeadline).to.equal(claimDeadline);
      expect(epoch.budget).to.equal(tree.budget);
      expect(epoch.claimed).to.equal(0n);
      expect(await f.distributor.epochCount()).to.equal(1n);
      expect(await f.distributor.available(EpochKind.DeveloperSubsidy)).to.equal(POOL - tree.budget);
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(POOL);
      expect(
        await f.distributor.connect(f.publisher).proposeEpoch.staticCall(EpochKind.UserReward, tree.root, 1n, ""),
      ).to.equal(1n);
    });

    it("numbers epochs 0, 1, 2 … across kinds", async function () {
      const f = await loadFixture(distributorFixture);
      expect((await proposeSubsidies(f)).epochId).to.equal(0n);
      expect((await proposeRewards(f)).epochId).to.equal(1n);
      expect((await proposeSubsidies(f)).epochId).to.equal(2n);
      expect(await f.distributor.epochCount()).to.equal(3n);
    });

    it("accepts a budget equal to everything available", async function () {
      const f = await loadFixture(distributorFixture);
      await proposeRewards(f, rewardEntries(f), { budget: POOL });
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(0n);
    });

    it("reverts with DistributorZeroRoot when the root is zero", async function () {
      const f = await loadFixture(distributorFixture);
      await expect(
        f.distributor.connect(f.publisher).proposeEpoch(EpochKind.UserReward, ethers.ZeroHash, ERA, ""),
      ).to.be.revertedWithCustomError(f.distributor, "DistributorZeroRoot");
    });

    it("reverts with DistributorZeroAmount when the budget is zero", async function () {
      const f = await loadFixture(distributorFixture);
      await expect(
        f.distributor.connect(f.publisher).proposeEpoch(EpochKind.UserReward, ethers.id("root"), 0n, ""),
      ).to.be.revertedWithCustomError(f.distributor, "DistributorZeroAmount");
    });

    it("reverts with DistributorInsufficientFunds when the pool of its kind holds less than the budget", async function () {
      const f = await loadFixture(distributorFixture);
      const root = ethers.id("root");
      await expect(f.distributor.connect(f.publisher).proposeEpoch(EpochKind.UserReward, root, POOL + 1n, ""))
        .to.be.revertedWithCustomError(f.distributor, "DistributorInsufficientFunds")
        .withArgs(EpochKind.UserReward, POOL + 1n, POOL);
      // What an earlier epoch reserved is no longer available, and the other pool does not help.
      await f.distributor.connect(f.publisher).proposeEpoch(EpochKind.DeveloperSubsidy, root, POOL - 10n, "");
      await expect(f.distributor.connect(f.publisher).proposeEpoch(EpochKind.DeveloperSubsidy, root, 11n, ""))
        .to.be.revertedWithCustomError(f.distributor, "DistributorInsufficientFunds")
        .withArgs(EpochKind.DeveloperSubsidy, 11n, 10n);
    });

    it("reverts with AccessControlUnauthorizedAccount for anyone but the publisher", async function () {
      const f = await loadFixture(distributorFixture);
      for (const caller of [f.attacker, f.guardian, f.governor]) {
        await expect(f.distributor.connect(caller).proposeEpoch(EpochKind.UserReward, ethers.id("root"), ERA, ""))
          .to.be.revertedWithCustomError(f.distributor, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, ROLES.PUBLISHER);
      }
    });
  });

  describe("vetoEpoch", function () {
    it("vetoes during the dispute window, returns the budget to its pool and emits EpochVetoed", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeSubsidies(f);
      expect(await f.distributor.available(EpochKind.DeveloperSubsidy)).to.equal(POOL - p.tree.budget);
      await expect(f.distributor.connect(f.guardian).vetoEpoch(p.epochId, REASON))
        .to.emit(f.distributor, "EpochVetoed")
        .withArgs(p.epochId, REASON);
      expect((await f.distributor.getEpoch(p.epochId)).vetoed).to.equal(true);
      expect(await f.distributor.available(EpochKind.DeveloperSubsidy)).to.equal(POOL);
    });

    it("still vetoes one second before opensAt", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.setNextBlockTimestamp(p.opensAt - 1n);
      await expect(f.distributor.connect(f.guardian).vetoEpoch(p.epochId, REASON)).to.emit(
        f.distributor,
        "EpochVetoed",
      );
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(POOL);
    });

    it("reverts with DistributorVetoClosed at opensAt and after", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.setNextBlockTimestamp(p.opensAt);
      await expect(f.distributor.connect(f.guardian).vetoEpoch(p.epochId, REASON))
        .to.be.revertedWithCustomError(f.distributor, "DistributorVetoClosed")
        .withArgs(p.epochId);
      await time.increaseTo(p.claimDeadline + 1n);
      await expect(f.distributor.connect(f.guardian).vetoEpoch(p.epochId, REASON))
        .to.be.revertedWithCustomError(f.distributor, "DistributorVetoClosed")
        .withArgs(p.epochId);
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(POOL - p.tree.budget);
    });

    it("reverts with DistributorVetoClosed on a second veto (the budget is returned once)", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await f.distributor.connect(f.guardian).vetoEpoch(p.epochId, REASON);
      await expect(f.distributor.connect(f.guardian).vetoEpoch(p.epochId, REASON))
        .to.be.revertedWithCustomError(f.distributor, "DistributorVetoClosed")
        .withArgs(p.epochId);
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(POOL);
    });

    it("reverts with DistributorUnknownEpoch for an epoch that does not exist", async function () {
      const f = await loadFixture(distributorFixture);
      await expect(f.distributor.connect(f.guardian).vetoEpoch(0n, REASON))
        .to.be.revertedWithCustomError(f.distributor, "DistributorUnknownEpoch")
        .withArgs(0n);
    });

    it("reverts with AccessControlUnauthorizedAccount for anyone but the guardian", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      for (const caller of [f.attacker, f.publisher, f.governor]) {
        await expect(f.distributor.connect(caller).vetoEpoch(p.epochId, REASON))
          .to.be.revertedWithCustomError(f.distributor, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, ROLES.GUARDIAN);
      }
    });
  });

  describe("claimSubsidy", function () {
    it("pays base + 10% to the leaf's account above 100,000 MAU, whoever submits, and emits Claimed and MauBonusApplied", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeSubsidies(f);
      await time.increaseTo(p.opensAt);
      const c = p.tree.claim(0);
      const paid = subsidyFor(c.baseAmount, c.mau);
      expect(paid).to.equal(c.baseAmount + c.baseAmount / 10n);
      expect(
        await f.distributor
          .connect(f.bob)
          .claimSubsidy.staticCall(c.epochId, c.index, c.account, c.scenarioId, c.baseAmount, c.mau, c.proof),
      ).to.equal(paid);

      const tx = claimSubsidy(f.distributor, f.bob, c);
      await expect(tx).to.emit(f.distributor, "Claimed").withArgs(p.epochId, c.index, f.developer.address, paid);
      await expect(tx)
        .to.emit(f.distributor, "MauBonusApplied")
        .withArgs(p.epochId, c.scenarioId, c.mau, paid - c.baseAmount);
      await expect(tx).to.changeTokenBalances(f.token, [f.distributor, f.developer, f.bob], [-paid, paid, 0n]);
      expect(await f.distributor.isClaimed(p.epochId, c.index)).to.equal(true);
      expect((await f.distributor.getEpoch(p.epochId)).claimed).to.equal(paid);
    });

    it("pays the base alone at 100,000 MAU, without MauBonusApplied", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeSubsidies(f);
      await time.increaseTo(p.opensAt);
      const c = p.tree.claim(1);
      const tx = claimSubsidy(f.distributor, f.developer, c);
      await expect(tx).to.emit(f.distributor, "Claimed").withArgs(p.epochId, 1n, f.developer.address, c.baseAmount);
      await expect(tx).not.to.emit(f.distributor, "MauBonusApplied");
      await expect(tx).to.changeTokenBalance(f.token, f.developer, c.baseAmount);
    });

    it("pays every leaf of the tree, exhausting exactly the budget the SDK computed", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeSubsidies(f);
      await time.increaseTo(p.opensAt);
      for (let i = 0; i < p.tree.entries.length; i++) await claimSubsidy(f.distributor, f.alice, p.tree.claim(i));
      const epoch = await f.distributor.getEpoch(p.epochId);
      expect(epoch.claimed).to.equal(epoch.budget);
    });

    it("reverts with DistributorEpochNotOpen one second before opensAt and works at exactly opensAt", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeSubsidies(f);
      const c = p.tree.claim(0);
      await time.setNextBlockTimestamp(p.opensAt - 1n);
      await expect(claimSubsidy(f.distributor, f.developer, c))
        .to.be.revertedWithCustomError(f.distributor, "DistributorEpochNotOpen")
        .withArgs(p.epochId, p.opensAt);
      await time.setNextBlockTimestamp(p.opensAt);
      await expect(claimSubsidy(f.distributor, f.developer, c)).to.emit(f.distributor, "Claimed");
    });

    it("works at exactly claimDeadline and reverts with DistributorClaimExpired one second later", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeSubsidies(f);
      await time.setNextBlockTimestamp(p.claimDeadline);
      await expect(claimSubsidy(f.distributor, f.developer, p.tree.claim(0))).to.emit(f.distributor, "Claimed");
      await time.setNextBlockTimestamp(p.claimDeadline + 1n);
      await expect(claimSubsidy(f.distributor, f.developer, p.tree.claim(1)))
        .to.be.revertedWithCustomError(f.distributor, "DistributorClaimExpired")
        .withArgs(p.epochId, p.claimDeadline);
    });

    it("reverts with DistributorWrongKind on a user-reward epoch", async function () {
      const f = await loadFixture(distributorFixture);
      const rewards = await proposeRewards(f);
      const subsidies = await proposeSubsidies(f);
      await time.increaseTo(subsidies.opensAt);
      await expect(claimSubsidy(f.distributor, f.developer, subsidies.tree.claim(0), rewards.epochId))
        .to.be.revertedWithCustomError(f.distributor, "DistributorWrongKind")
        .withArgs(rewards.epochId, EpochKind.UserReward);
    });

    it("reverts with DistributorEpochVetoed on a vetoed epoch", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeSubsidies(f);
      await f.distributor.connect(f.guardian).vetoEpoch(p.epochId, REASON);
      await time.increaseTo(p.opensAt);
      await expect(claimSubsidy(f.distributor, f.developer, p.tree.claim(0)))
        .to.be.revertedWithCustomError(f.distributor, "DistributorEpochVetoed")
        .withArgs(p.epochId);
    });

    it("reverts with DistributorUnknownEpoch for an epoch that does not exist", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeSubsidies(f);
      await expect(claimSubsidy(f.distributor, f.developer, p.tree.claim(0), 1n))
        .to.be.revertedWithCustomError(f.distributor, "DistributorUnknownEpoch")
        .withArgs(1n);
    });

    it("reverts with DistributorZeroAmount for a leaf with a zero base", async function () {
      const f = await loadFixture(distributorFixture);
      const entries = [...subsidyEntries(f), { account: f.bob.address, scenarioId: 9n, baseAmount: 0n, mau: 200_000n }];
      const p = await proposeSubsidies(f, entries);
      await time.increaseTo(p.opensAt);
      await expect(claimSubsidy(f.distributor, f.bob, p.tree.claim(3))).to.be.revertedWithCustomError(
        f.distributor,
        "DistributorZeroAmount",
      );
      expect(await f.distributor.isClaimed(p.epochId, 3n)).to.equal(false);
    });

    it("reverts with DistributorBudgetExceeded when a leaf would pay more than what is left of the budget", async function () {
      const f = await loadFixture(distributorFixture);
      // The publisher reserved one wei less than the tree needs.
      const entries = subsidyEntries(f);
      const full = entries.reduce((s, e) => s + subsidyFor(e.baseAmount, e.mau), 0n);
      const p = await proposeSubsidies(f, entries, { budget: full - 1n });
      await time.increaseTo(p.opensAt);
      await claimSubsidy(f.distributor, f.developer, p.tree.claim(0));
      await claimSubsidy(f.distributor, f.developer, p.tree.claim(1));
      const last = p.tree.claim(2);
      const owed = subsidyFor(last.baseAmount, last.mau);
      await expect(claimSubsidy(f.distributor, f.carol, last))
        .to.be.revertedWithCustomError(f.distributor, "DistributorBudgetExceeded")
        .withArgs(p.epochId, owed, owed - 1n);
      expect(await f.distributor.isClaimed(p.epochId, 2n)).to.equal(false);
    });

    it("reverts with DistributorInvalidProof when a field of the leaf is changed", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeSubsidies(f);
      await time.increaseTo(p.opensAt);
      const c = p.tree.claim(1);
      for (const forged of [
        { ...c, mau: 100_001n },
        { ...c, baseAmount: c.baseAmount + 1n },
        { ...c, scenarioId: 1n },
        { ...c, account: f.attacker.address },
        { ...c, index: 0n },
      ]) {
        await expect(claimSubsidy(f.distributor, f.attacker, forged))
          .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
          .withArgs(p.epochId, forged.index, forged.account);
      }
    });

    it("reverts with DistributorAlreadyClaimed on a second claim of the same leaf", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeSubsidies(f);
      await time.increaseTo(p.opensAt);
      await claimSubsidy(f.distributor, f.developer, p.tree.claim(2));
      await expect(claimSubsidy(f.distributor, f.developer, p.tree.claim(2)))
        .to.be.revertedWithCustomError(f.distributor, "DistributorAlreadyClaimed")
        .withArgs(p.epochId, 2n);
    });

    it("keeps working while the distributor is paused", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeSubsidies(f);
      await f.distributor.connect(f.guardian).pause();
      await time.increaseTo(p.opensAt);
      await expect(claimSubsidy(f.distributor, f.developer, p.tree.claim(0))).to.emit(f.distributor, "Claimed");
    });
  });

  describe("claimReward", function () {
    it("pays the leaf's account, whoever submits, and emits Claimed", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.increaseTo(p.opensAt);
      const c = p.tree.claim(1);
      const tx = claimReward(f.distributor, f.carol, c);
      await expect(tx).to.emit(f.distributor, "Claimed").withArgs(p.epochId, 1n, f.bob.address, c.amount);
      await expect(tx).to.changeTokenBalances(f.token, [f.distributor, f.bob, f.carol], [-c.amount, c.amount, 0n]);
      expect(await f.distributor.isClaimed(p.epochId, 1n)).to.equal(true);
      expect(await f.distributor.isClaimed(p.epochId, 0n)).to.equal(false);
      expect((await f.distributor.getEpoch(p.epochId)).claimed).to.equal(c.amount);
    });

    it("reverts with DistributorEpochNotOpen one second before opensAt and works at exactly opensAt", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.setNextBlockTimestamp(p.opensAt - 1n);
      await expect(claimReward(f.distributor, f.alice, p.tree.claim(0)))
        .to.be.revertedWithCustomError(f.distributor, "DistributorEpochNotOpen")
        .withArgs(p.epochId, p.opensAt);
      await time.setNextBlockTimestamp(p.opensAt);
      await expect(claimReward(f.distributor, f.alice, p.tree.claim(0))).to.emit(f.distributor, "Claimed");
    });

    it("works at exactly claimDeadline and reverts with DistributorClaimExpired one second later", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.setNextBlockTimestamp(p.claimDeadline);
      await expect(claimReward(f.distributor, f.alice, p.tree.claim(0))).to.emit(f.distributor, "Claimed");
      await time.setNextBlockTimestamp(p.claimDeadline + 1n);
      await expect(claimReward(f.distributor, f.bob, p.tree.claim(1)))
        .to.be.revertedWithCustomError(f.distributor, "DistributorClaimExpired")
        .withArgs(p.epochId, p.claimDeadline);
    });

    it("reverts with DistributorWrongKind on a developer-subsidy epoch", async function () {
      const f = await loadFixture(distributorFixture);
      const subsidies = await proposeSubsidies(f);
      const rewards = await proposeRewards(f);
      await time.increaseTo(rewards.opensAt);
      await expect(claimReward(f.distributor, f.alice, rewards.tree.claim(0), subsidies.epochId))
        .to.be.revertedWithCustomError(f.distributor, "DistributorWrongKind")
        .withArgs(subsidies.epochId, EpochKind.DeveloperSubsidy);
    });

    it("reverts with DistributorEpochVetoed on a vetoed epoch", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await f.distributor.connect(f.guardian).vetoEpoch(p.epochId, REASON);
      await time.increaseTo(p.opensAt);
      await expect(claimReward(f.distributor, f.alice, p.tree.claim(0)))
        .to.be.revertedWithCustomError(f.distributor, "DistributorEpochVetoed")
        .withArgs(p.epochId);
    });

    it("reverts with DistributorUnknownEpoch for an epoch that does not exist", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await expect(claimReward(f.distributor, f.alice, p.tree.claim(0), 5n))
        .to.be.revertedWithCustomError(f.distributor, "DistributorUnknownEpoch")
        .withArgs(5n);
    });

    it("reverts with DistributorZeroAmount for a leaf of zero", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f, [...rewardEntries(f), { account: f.bob.address, amount: 0n }]);
      await time.increaseTo(p.opensAt);
      await expect(claimReward(f.distributor, f.bob, p.tree.claim(3))).to.be.revertedWithCustomError(
        f.distributor,
        "DistributorZeroAmount",
      );
    });

    it("reverts with DistributorBudgetExceeded when a leaf would pay more than what is left of the budget", async function () {
      const f = await loadFixture(distributorFixture);
      const entries = rewardEntries(f);
      const p = await proposeRewards(f, entries, { budget: entries[0].amount + 10n });
      await time.increaseTo(p.opensAt);
      await claimReward(f.distributor, f.alice, p.tree.claim(0));
      await expect(claimReward(f.distributor, f.bob, p.tree.claim(1)))
        .to.be.revertedWithCustomError(f.distributor, "DistributorBudgetExceeded")
        .withArgs(p.epochId, entries[1].amount, 10n);
      // A smaller leaf still fits.
      await expect(claimReward(f.distributor, f.carol, p.tree.claim(2))).to.emit(f.distributor, "Claimed");
      expect((await f.distributor.getEpoch(p.epochId)).claimed).to.equal(entries[0].amount + entries[2].amount);
    });

    it("reverts with DistributorInvalidProof for a forged amount", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.increaseTo(p.opensAt);
      const c = p.tree.claim(2);
      await expect(claimReward(f.distributor, f.carol, { ...c, amount: c.amount + 1n }))
        .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
        .withArgs(p.epochId, c.index, c.account);
    });

    it("keeps working while the distributor is paused", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await f.distributor.connect(f.guardian).pause();
      await time.increaseTo(p.opensAt);
      await expect(claimReward(f.distributor, f.alice, p.tree.claim(0))).to.changeTokenBalance(
        f.token,
        f.alice,
        p.tree.entries[0].amount,
      );
    });
  });

  describe("claimRewardAndDelegate", function () {
    it("claims the caller's leaf and delegates it to the node in DelegatedStaking, in one transaction", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.increaseTo(p.opensAt);
      const c = p.tree.claim(0);
      const distributor = await f.distributor.getAddress();
      expect(await f.staking.stakeOf(f.alice.address, 2n)).to.equal(0n);

      const tx = f.distributor.connect(f.alice).claimRewardAndDelegate(c.epochId, c.index, c.amount, c.proof, 2n);
      await expect(tx).to.emit(f.distributor, "Claimed").withArgs(p.epochId, c.index, f.alice.address, c.amount);
      // First delegation to node 2: one share per wei.
      await expect(tx).to.emit(f.staking, "Delegated").withArgs(f.alice.address, 2n, distributor, c.amount, c.amount);
      await expect(tx).to.changeTokenBalances(f.token, [f.distributor, f.staking, f.alice], [-c.amount, c.amount, 0n]);
      expect(await f.staking.stakeOf(f.alice.address, 2n)).to.equal(c.amount);
      expect(await f.distributor.isClaimed(p.epochId, c.index)).to.equal(true);
      expect(await f.token.allowance(distributor, await f.staking.getAddress())).to.equal(0n);
      // The leaf is spent for both paths.
      await expect(claimReward(f.distributor, f.alice, c))
        .to.be.revertedWithCustomError(f.distributor, "DistributorAlreadyClaimed")
        .withArgs(p.epochId, c.index);
    });

    it("attack: another account cannot use the leaf's proof (DistributorInvalidProof)", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.increaseTo(p.opensAt);
      const c = p.tree.claim(0); // alice's leaf
      await expect(f.distributor.connect(f.attacker).claimRewardAndDelegate(c.epochId, c.index, c.amount, c.proof, 1n))
        .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
        .withArgs(p.epochId, c.index, f.attacker.address);
      expect(await f.staking.stakeOf(f.attacker.address, 1n)).to.equal(0n);
      expect(await f.distributor.isClaimed(p.epochId, c.index)).to.equal(false);
    });

    it("reverts with EnforcedPause while paused, while claimReward of the same leaf works", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.increaseTo(p.opensAt);
      const c = p.tree.claim(0);
      await f.distributor.connect(f.guardian).pause();
      await expect(
        f.distributor.connect(f.alice).claimRewardAndDelegate(c.epochId, c.index, c.amount, c.proof, 1n),
      ).to.be.revertedWithCustomError(f.distributor, "EnforcedPause");
      await expect(claimReward(f.distributor, f.alice, c)).to.changeTokenBalance(f.token, f.alice, c.amount);
    });

    it("reverts with the staking contract's StakingNodeNotActive for an unknown node, leaving the leaf unspent", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.increaseTo(p.opensAt);
      const c = p.tree.claim(1); // bob's leaf
      await expect(f.distributor.connect(f.bob).claimRewardAndDelegate(c.epochId, c.index, c.amount, c.proof, 99n))
        .to.be.revertedWithCustomError(f.staking, "StakingNodeNotActive")
        .withArgs(99n);
      expect(await f.distributor.isClaimed(p.epochId, c.index)).to.equal(false);
    });

    it("reverts with DistributorWrongKind on a developer-subsidy epoch", async function () {
      const f = await loadFixture(distributorFixture);
      const s = await proposeSubsidies(f);
      const r = await proposeRewards(f);
      await time.increaseTo(r.opensAt);
      const c = r.tree.claim(0);
      await expect(f.distributor.connect(f.alice).claimRewardAndDelegate(s.epochId, c.index, c.amount, c.proof, 1n))
        .to.be.revertedWithCustomError(f.distributor, "DistributorWrongKind")
        .withArgs(s.epochId, EpochKind.DeveloperSubsidy);
    });
  });

  describe("sweep", function () {
    it("reverts with DistributorNotSweepable before and at the claim deadline", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await expect(f.distributor.sweep(p.epochId))
        .to.be.revertedWithCustomError(f.distributor, "DistributorNotSweepable")
        .withArgs(p.epochId);
      await time.setNextBlockTimestamp(p.claimDeadline);
      await expect(f.distributor.sweep(p.epochId))
        .to.be.revertedWithCustomError(f.distributor, "DistributorNotSweepable")
        .withArgs(p.epochId);
    });

    it("returns budget − claimed to the pool after the deadline and emits EpochSwept", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.increaseTo(p.opensAt);
      await claimReward(f.distributor, f.bob, p.tree.claim(1));
      const left = p.tree.budget - p.tree.entries[1].amount;
      const availableBefore = await f.distributor.available(EpochKind.UserReward);
      await time.setNextBlockTimestamp(p.claimDeadline + 1n);
      const tx = f.distributor.connect(f.attacker).sweep(p.epochId); // anyone may sweep
      await expect(tx).to.emit(f.distributor, "EpochSwept").withArgs(p.epochId, left);
      await expect(tx).to.changeTokenBalance(f.token, f.distributor, 0n); // the ERA stays, back in the pool
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(availableBefore + left);
      expect((await f.distributor.getEpoch(p.epochId)).swept).to.equal(true);
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(POOL - p.tree.entries[1].amount);
    });

    it("returns the amount it swept", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeSubsidies(f);
      await time.increaseTo(p.claimDeadline + 1n);
      expect(await f.distributor.sweep.staticCall(p.epochId)).to.equal(p.tree.budget);
    });

    it("sweeps zero from a fully claimed epoch", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.increaseTo(p.opensAt);
      for (let i = 0; i < p.tree.entries.length; i++) await claimReward(f.distributor, f.alice, p.tree.claim(i));
      await time.increaseTo(p.claimDeadline + 1n);
      await expect(f.distributor.sweep(p.epochId)).to.emit(f.distributor, "EpochSwept").withArgs(p.epochId, 0n);
    });

    it("reverts with DistributorNotSweepable on a second sweep", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.increaseTo(p.claimDeadline + 1n);
      await f.distributor.sweep(p.epochId);
      await expect(f.distributor.sweep(p.epochId))
        .to.be.revertedWithCustomError(f.distributor, "DistributorNotSweepable")
        .withArgs(p.epochId);
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(POOL);
    });

    it("reverts with DistributorNotSweepable on a vetoed epoch (its budget went back at the veto)", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await f.distributor.connect(f.guardian).vetoEpoch(p.epochId, REASON);
      await time.increaseTo(p.claimDeadline + 1n);
      await expect(f.distributor.sweep(p.epochId))
        .to.be.revertedWithCustomError(f.distributor, "DistributorNotSweepable")
        .withArgs(p.epochId);
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(POOL);
    });

    it("reverts with DistributorUnknownEpoch for an epoch that does not exist", async function () {
      const f = await loadFixture(distributorFixture);
      await expect(f.distributor.sweep(3n))
        .to.be.revertedWithCustomError(f.distributor, "DistributorUnknownEpoch")
        .withArgs(3n);
    });

    it("lets the swept ERA fund a later epoch", async function () {
      const f = await loadFixture(distributorFixture);
      const first = await proposeRewards(f, rewardEntries(f), { budget: POOL });
      await expect(proposeRewards(f))
        .to.be.revertedWithCustomError(f.distributor, "DistributorInsufficientFunds")
        .withArgs(
          EpochKind.UserReward,
          rewardEntries(f).reduce((s, e) => s + e.amount, 0n),
          0n,
        );
      await time.increaseTo(first.claimDeadline + 1n);
      await f.distributor.sweep(first.epochId);
      const second = await proposeRewards(f);
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(POOL - second.tree.budget);
    });
  });

  describe("setWindows", function () {
    it("changes the windows through the timelock, emits WindowsChanged, and applies to later epochs only", async function () {
      const f = await loadFixture(distributorFixture);
      const before = await proposeRewards(f);
      await expect(setWindowsViaTimelock(f, 3n * DAY, 30n * DAY))
        .to.emit(f.distributor, "WindowsChanged")
        .withArgs(3n * DAY, 30n * DAY);
      expect(await f.distributor.disputeWindow()).to.equal(3n * DAY);
      expect(await f.distributor.claimPeriod()).to.equal(30n * DAY);
      const unchanged = await f.distributor.getEpoch(before.epochId);
      expect(unchanged.opensAt).to.equal(before.opensAt);
      expect(unchanged.claimDeadline).to.equal(before.claimDeadline);

      const after = await proposeRewards(f);
      const proposedAt = BigInt((await after.tx.getBlock())!.timestamp);
      expect(after.opensAt).to.equal(proposedAt + 3n * DAY);
      expect(after.claimDeadline).to.equal(after.opensAt + 30n * DAY);
    });

    it("accepts the bounds exactly", async function () {
      const f = await loadFixture(distributorFixture);
      await setWindowsViaTimelock(f, HOUR, 7n * DAY);
      expect(await f.distributor.disputeWindow()).to.equal(await f.distributor.MIN_DISPUTE_WINDOW());
      expect(await f.distributor.claimPeriod()).to.equal(await f.distributor.MIN_CLAIM_PERIOD());
      await setWindowsViaTimelock(f, 14n * DAY, 730n * DAY);
      expect(await f.distributor.disputeWindow()).to.equal(await f.distributor.MAX_DISPUTE_WINDOW());
      expect(await f.distributor.claimPeriod()).to.equal(await f.distributor.MAX_CLAIM_PERIOD());
    });

    const cases: [string, bigint, bigint, bigint, bigint, bigint][] = [
      // what, dispute window, claim period, offending value, min, max
      ["the dispute window is under 1 hour", HOUR - 1n, 30n * DAY, HOUR - 1n, HOUR, 14n * DAY],
      ["the dispute window is over 14 days", 14n * DAY + 1n, 30n * DAY, 14n * DAY + 1n, HOUR, 14n * DAY],
      ["the claim period is under 7 days", DAY, 7n * DAY - 1n, 7n * DAY - 1n, 7n * DAY, 730n * DAY],
      ["the claim period is over 730 days", DAY, 730n * DAY + 1n, 730n * DAY + 1n, 7n * DAY, 730n * DAY],
    ];
    for (const [what, dispute, claim, value, min, max] of cases) {
      it(`reverts with DistributorParameterOutOfBounds when ${what}`, async function () {
        const f = await loadFixture(distributorFixture);
        await expect(setWindowsViaTimelock(f, dispute, claim))
          .to.be.revertedWithCustomError(f.distributor, "DistributorParameterOutOfBounds")
          .withArgs(value, min, max);
        expect(await f.distributor.disputeWindow()).to.equal(ECONOMY_DEFAULTS.disputeWindow);
        expect(await f.distributor.claimPeriod()).to.equal(ECONOMY_DEFAULTS.claimPeriod);
      });
    }

    it("reverts with AccessControlUnauthorizedAccount for anyone but the timelock", async function () {
      const f = await loadFixture(distributorFixture);
      for (const caller of [f.attacker, f.governor, f.publisher, f.guardian]) {
        await expect(f.distributor.connect(caller).setWindows(DAY, 30n * DAY))
          .to.be.revertedWithCustomError(f.distributor, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, ROLES.DEFAULT_ADMIN);
      }
    });
  });

  describe("views", function () {
    it("subsidyFor adds 10%, rounded down, strictly above 100,000 MAU", async function () {
      const f = await loadFixture(distributorFixture);
      const cases: [bigint, bigint, bigint][] = [
        // base, mau, expected: base + base × 1,000 / 10,000 rounded down above the threshold
        [1_000n * ERA, 0n, 1_000n * ERA],
        [1_000n * ERA, 100_000n, 1_000n * ERA],
        [1_000n * ERA, 100_001n, 1_000n * ERA + 100n * ERA],
        [19n, 100_001n, 20n], // 1.9 wei of bonus → 1
        [9n, 10n ** 9n, 9n], // 0.9 wei of bonus → 0
        [0n, 200_000n, 0n],
      ];
      for (const [base, mau, want] of cases) {
        expect(await f.distributor.subsidyFor(base, mau)).to.equal(want);
        expect(subsidyFor(base, mau)).to.equal(want); // the SDK agrees
      }
    });

    it("isClaimed tracks each index on its own bit, across bitmap words and per epoch", async function () {
      const f = await loadFixture(distributorFixture);
      const people = [f.alice, f.bob, f.carol];
      const entries = Array.from({ length: 300 }, (_, i) => ({
        account: people[i % 3].address,
        amount: BigInt(i + 1),
      }));
      const a = await proposeRewards(f, entries);
      const b = await proposeRewards(f, entries);
      await time.increaseTo(b.opensAt);
      for (const i of [0, 255, 256, 299]) await claimReward(f.distributor, f.attacker, a.tree.claim(i));
      for (const i of [0, 1, 254, 255, 256, 257, 298, 299, 300, 511, 512]) {
        expect(await f.distributor.isClaimed(a.epochId, BigInt(i))).to.equal([0, 255, 256, 299].includes(i));
        expect(await f.distributor.isClaimed(b.epochId, BigInt(i))).to.equal(false);
      }
      // Neighbouring indices are still claimable.
      await expect(claimReward(f.distributor, f.attacker, a.tree.claim(254))).to.emit(f.distributor, "Claimed");
      await expect(claimReward(f.distributor, f.attacker, a.tree.claim(257))).to.emit(f.distributor, "Claimed");
      expect(await f.distributor.isClaimed(a.epochId, 254n)).to.equal(true);
    });

    it("getEpoch reverts with DistributorUnknownEpoch past the last epoch; epochCount counts them", async function () {
      const f = await loadFixture(distributorFixture);
      await expect(f.distributor.getEpoch(0n))
        .to.be.revertedWithCustomError(f.distributor, "DistributorUnknownEpoch")
        .withArgs(0n);
      await proposeRewards(f);
      expect(await f.distributor.epochCount()).to.equal(1n);
      expect((await f.distributor.getEpoch(0n)).kind).to.equal(BigInt(EpochKind.UserReward));
      await expect(f.distributor.getEpoch(1n))
        .to.be.revertedWithCustomError(f.distributor, "DistributorUnknownEpoch")
        .withArgs(1n);
    });

    it("the SDK refuses an empty tree and an index outside it", async function () {
      const f = await loadFixture(distributorFixture);
      const scope = await nextScope(f);
      expect(() => new RewardTree(scope, [])).to.throw("at least one entry");
      expect(() => new RewardTree(scope, rewardEntries(f)).claim(3)).to.throw(RangeError);
    });
  });

  describe("pause and unpause", function () {
    it("are reserved to PAUSER_ROLE", async function () {
      const f = await loadFixture(distributorFixture);
      await expect(f.distributor.connect(f.publisher).pause())
        .to.be.revertedWithCustomError(f.distributor, "AccessControlUnauthorizedAccount")
        .withArgs(f.publisher.address, ROLES.PAUSER);
      await f.distributor.connect(f.guardian).pause();
      await expect(f.distributor.connect(f.attacker).unpause())
        .to.be.revertedWithCustomError(f.distributor, "AccessControlUnauthorizedAccount")
        .withArgs(f.attacker.address, ROLES.PAUSER);
      await f.distributor.connect(f.guardian).unpause();
      expect(await f.distributor.paused()).to.equal(false);
    });
  });
});
