import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DAY, ERA, ROLES, signPermit, viaTimelock } from "../helpers/fixtures";
import {
  BPS,
  MAX_APR_BPS,
  MAX_SCORE_BPS,
  MAX_UNBONDING_ENTRIES,
  MAX_UNBONDING_PERIOD,
  MIN_APR_BPS,
  MIN_UNBONDING_PERIOD,
  RESERVE,
  UNBONDING_PERIOD,
  YEAR,
  accIncrement,
  aprOfScore,
  at,
  ceilDiv,
  expectSolvent,
  isolatedFixture,
  now,
  reactivate,
  positionYield,
  reserveCharge,
  slashThroughRegistry,
  stakingFixture,
  timestampOf,
  unfundedStakingFixture,
  type StakingFixture,
} from "./helpers";

const NODE_1 = 1n;
const NODE_2 = 2n;
const UNKNOWN_NODE = 99n;
const STAKE = 10_000n * ERA;

/** Every delegator the tests use, for the solvency check. */
const everyone = (f: StakingFixture) => [f.alice, f.bob, f.carol, f.attacker, f.developer];

describe("DelegatedStaking", function () {
  describe("deployment", function () {
    it("is wired as the Ignition module deploys it", async function () {
      const f = await loadFixture(unfundedStakingFixture);
      expect(await f.staking.era()).to.equal(await f.token.getAddress());
      expect(await f.staking.registry()).to.equal(await f.nodeRegistry.getAddress());
      expect(await f.staking.unbondingPeriod()).to.equal(UNBONDING_PERIOD);
      expect(await f.staking.hasRole(ROLES.SCORE_KEEPER, f.scoreKeeper.address)).to.equal(true);
      expect(await f.staking.hasRole(ROLES.PAUSER, f.guardian.address)).to.equal(true);
      expect(await f.staking.hasRole(ROLES.DEFAULT_ADMIN, await f.timelock.getAddress())).to.equal(true);
    });

    it("exposes the APR band, score scale, year, entry cap and unbonding bounds", async function () {
      const f = await loadFixture(unfundedStakingFixture);
      expect(await f.staking.SCORE_KEEPER_ROLE()).to.equal(ROLES.SCORE_KEEPER);
      expect(await f.staking.MIN_APR_BPS()).to.equal(MIN_APR_BPS);
      expect(await f.staking.MAX_APR_BPS()).to.equal(MAX_APR_BPS);
      expect(await f.staking.MAX_SCORE_BPS()).to.equal(MAX_SCORE_BPS);
      expect(await f.staking.YEAR()).to.equal(YEAR);
      expect(await f.staking.MAX_UNBONDING_ENTRIES()).to.equal(MAX_UNBONDING_ENTRIES);
      expect(await f.staking.MIN_UNBONDING_PERIOD()).to.equal(MIN_UNBONDING_PERIOD);
      expect(await f.staking.MAX_UNBONDING_PERIOD()).to.equal(MAX_UNBONDING_PERIOD);
    });

    it("emits UnbondingPeriodChanged from 0 to the initial period", async function () {
      const { token, registry, admin } = await loadFixture(isolatedFixture);
      const staking = await ethers.deployContract("DelegatedStaking", [
        await token.getAddress(),
        await registry.getAddress(),
        admin.address,
        MIN_UNBONDING_PERIOD,
      ]);
      await expect(staking.deploymentTransaction())
        .to.emit(staking, "UnbondingPeriodChanged")
        .withArgs(0n, MIN_UNBONDING_PERIOD);
    });

    it("reverts with AdminGuardedZeroAddress for a zero token, registry or admin", async function () {
      const { staking, token, registry, admin } = await loadFixture(isolatedFixture);
      const factory = await ethers.getContractFactory("DelegatedStaking");
      const [t, r] = [await token.getAddress(), await registry.getAddress()];
      for (const args of [
        [ethers.ZeroAddress, r, admin.address],
        [t, ethers.ZeroAddress, admin.address],
        [t, r, ethers.ZeroAddress],
      ] as const) {
        await expect(factory.deploy(args[0], args[1], args[2], UNBONDING_PERIOD)).to.be.revertedWithCustomError(
          staking,
          "AdminGuardedZeroAddress",
        );
      }
    });

    it("reverts with StakingParameterOutOfBounds for an initial period outside [1 day, 60 days]", async function () {
      const { staking, token, registry, admin } = await loadFixture(isolatedFixture);
      const factory = await ethers.getContractFactory("DelegatedStaking");
      const [t, r] = [await token.getAddress(), await registry.getAddress()];
      for (const period of [MIN_UNBONDING_PERIOD - 1n, MAX_UNBONDING_PERIOD + 1n]) {
        await expect(factory.deploy(t, r, admin.address, period))
          .to.be.revertedWithCustomError(staking, "StakingParameterOutOfBounds")
          .withArgs(period, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD);
      }
    });
  });

  describe("delegate", function () {
    it("mints shares 1:1 into an empty pool, pulls the ERA and emits Delegated", async function () {
      const f = await loadFixture(stakingFixture);
      expect(await f.staking.connect(f.alice).delegate.staticCall(NODE_1, STAKE)).to.equal(STAKE);
      const tx = f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      await expect(tx).to.emit(f.staking, "Delegated").withArgs(f.alice.address, NODE_1, f.alice.address, STAKE, STAKE);
      await expect(tx).to.changeTokenBalances(f.token, [f.alice, f.staking], [-STAKE, STAKE]);

      expect(await f.staking.stakeOf(f.alice.address, NODE_1)).to.equal(STAKE);
      expect(await f.staking.sharesOf(f.alice.address, NODE_1)).to.equal(STAKE);
      const pool = await f.staking.nodePool(NODE_1);
      expect([pool.stake, pool.shares, pool.unbondingStake, pool.unbondingShares]).to.deep.equal([
        STAKE,
        STAKE,
        0n,
        0n,
      ]);
      expect([pool.scoreBps, pool.aprBps, pool.accYieldPerShare]).to.deep.equal([0n, MIN_APR_BPS, 0n]);
      expect(await f.staking.globalRate()).to.equal(STAKE * MIN_APR_BPS);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });

    it("adds to an existing position and settles its yield first", async function () {
      const f = await loadFixture(stakingFixture);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + DAY);
      await expect(f.staking.connect(f.alice).delegate(NODE_1, STAKE))
        .to.emit(f.staking, "Delegated")
        .withArgs(f.alice.address, NODE_1, f.alice.address, STAKE, STAKE);
      const earned = positionYield(STAKE, accIncrement(STAKE, STAKE, MIN_APR_BPS, DAY));
      expect(earned).to.be.gt(0n);
      expect(await f.staking.settledYield(f.alice.address)).to.equal(earned);
      expect(await f.staking.sharesOf(f.alice.address, NODE_1)).to.equal(2n * STAKE);
      expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(earned);
    });

    it("mints shares at the pool's price, rounded down, after a slash", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      await slashThroughRegistry(f, NODE_1, 1_000n * ERA);
      await reactivate(f, NODE_1, f.operator1);
      const pool = await f.staking.nodePool(NODE_1);
      expect([pool.stake, pool.shares]).to.deep.equal([9_000n * ERA, STAKE]);
      const amount = ERA + 1n;
      const minted = (amount * pool.shares) / pool.stake;
      expect(minted * pool.stake).to.be.lt(amount * pool.shares); // a real rounding, not an exact division
      await expect(f.staking.connect(f.bob).delegate(NODE_1, amount))
        .to.emit(f.staking, "Delegated")
        .withArgs(f.bob.address, NODE_1, f.bob.address, amount, minted);
      expect(await f.staking.sharesOf(f.bob.address, NODE_1)).to.equal(minted);
      expect(await f.staking.stakeOf(f.bob.address, NODE_1)).to.be.lte(amount);
    });

    it("reverts with StakingZeroAmount for a zero amount", async function () {
      const f = await loadFixture(stakingFixture);
      await expect(f.staking.connect(f.alice).delegate(NODE_1, 0n)).to.be.revertedWithCustomError(
        f.staking,
        "StakingZeroAmount",
      );
    });

    it("reverts with StakingNodeNotActive for an unknown node and for an exiting node", async function () {
      const f = await loadFixture(stakingFixture);
      await expect(f.staking.connect(f.alice).delegate(UNKNOWN_NODE, STAKE))
        .to.be.revertedWithCustomError(f.staking, "StakingNodeNotActive")
        .withArgs(UNKNOWN_NODE);
      await f.nodeRegistry.connect(f.operator2).unbond(NODE_2, (await f.nodeRegistry.getNode(NODE_2)).bond);
      expect(await f.nodeRegistry.isActive(NODE_2)).to.equal(false);
      await expect(f.staking.connect(f.alice).delegate(NODE_2, STAKE))
        .to.be.revertedWithCustomError(f.staking, "StakingNodeNotActive")
        .withArgs(NODE_2);
    });

    it("reverts with the token's ERC20InsufficientAllowance without an approval", async function () {
      const f = await loadFixture(stakingFixture);
      await expect(f.staking.connect(f.developer).delegate(NODE_1, STAKE))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(f.stakingAddress, 0n, STAKE);
    });

    it("reverts with EnforcedPause while paused", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.guardian).pause();
      await expect(f.staking.connect(f.alice).delegate(NODE_1, STAKE)).to.be.revertedWithCustomError(
        f.staking,
        "EnforcedPause",
      );
    });
  });

  describe("delegateWithPermit", function () {
    it("delegates in one call with a permit and no prior allowance", async function () {
      const f = await loadFixture(stakingFixture);
      const deadline = (await now()) + DAY;
      const sig = await signPermit(f.token, f.developer, f.stakingAddress, STAKE, deadline);
      const tx = f.staking.connect(f.developer).delegateWithPermit(NODE_1, STAKE, deadline, sig.v, sig.r, sig.s);
      await expect(tx)
        .to.emit(f.staking, "Delegated")
        .withArgs(f.developer.address, NODE_1, f.developer.address, STAKE, STAKE);
      await expect(tx).to.changeTokenBalances(f.token, [f.developer, f.staking], [-STAKE, STAKE]);
      expect(await f.staking.stakeOf(f.developer.address, NODE_1)).to.equal(STAKE);
      expect(await f.token.allowance(f.developer.address, f.stakingAddress)).to.equal(0n);
      expect(await f.token.nonces(f.developer.address)).to.equal(1n);
    });

    it("still succeeds when the permit was front-run", async function () {
      const f = await loadFixture(stakingFixture);
      const deadline = (await now()) + DAY;
      const sig = await signPermit(f.token, f.developer, f.stakingAddress, STAKE, deadline);
      // Someone watching the mempool submits the permit first: the nonce is spent, the allowance is in place.
      await f.token
        .connect(f.attacker)
        .permit(f.developer.address, f.stakingAddress, STAKE, deadline, sig.v, sig.r, sig.s);
      await expect(f.staking.connect(f.developer).delegateWithPermit(NODE_1, STAKE, deadline, sig.v, sig.r, sig.s))
        .to.emit(f.staking, "Delegated")
        .withArgs(f.developer.address, NODE_1, f.developer.address, STAKE, STAKE);
      expect(await f.staking.stakeOf(f.developer.address, NODE_1)).to.equal(STAKE);
      expect(await f.token.allowance(f.developer.address, f.stakingAddress)).to.equal(0n);
    });

    it("reverts with ERC20InsufficientAllowance when the permit is invalid and nothing is approved", async function () {
      const f = await loadFixture(stakingFixture);
      const deadline = (await now()) + DAY;
      const sig = await signPermit(f.token, f.developer, f.stakingAddress, STAKE - 1n, deadline);
      await expect(f.staking.connect(f.developer).delegateWithPermit(NODE_1, STAKE, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(f.stakingAddress, 0n, STAKE);
    });

    it("reverts with EnforcedPause while paused", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.guardian).pause();
      const deadline = (await now()) + DAY;
      const sig = await signPermit(f.token, f.developer, f.stakingAddress, STAKE, deadline);
      await expect(
        f.staking.connect(f.developer).delegateWithPermit(NODE_1, STAKE, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(f.staking, "EnforcedPause");
    });
  });

  describe("delegateFor", function () {
    it("takes the ERA from the caller and credits the stake to the delegator", async function () {
      const f = await loadFixture(stakingFixture);
      expect(await f.staking.connect(f.bob).delegateFor.staticCall(f.alice.address, NODE_1, STAKE)).to.equal(STAKE);
      const tx = f.staking.connect(f.bob).delegateFor(f.alice.address, NODE_1, STAKE);
      await expect(tx).to.emit(f.staking, "Delegated").withArgs(f.alice.address, NODE_1, f.bob.address, STAKE, STAKE);
      await expect(tx).to.changeTokenBalances(f.token, [f.bob, f.alice, f.staking], [-STAKE, 0n, STAKE]);
      expect(await f.staking.stakeOf(f.alice.address, NODE_1)).to.equal(STAKE);
      expect(await f.staking.sharesOf(f.bob.address, NODE_1)).to.equal(0n);
      // The stake is the delegator's: she, not the payer, can undelegate it.
      await expect(f.staking.connect(f.bob).undelegate(NODE_1, STAKE))
        .to.be.revertedWithCustomError(f.staking, "StakingInsufficientStake")
        .withArgs(f.bob.address, NODE_1, STAKE, 0n);
      await expect(f.staking.connect(f.alice).undelegate(NODE_1, STAKE)).to.emit(f.staking, "UndelegationStarted");
    });

    it("reverts with AdminGuardedZeroAddress for a zero delegator", async function () {
      const f = await loadFixture(stakingFixture);
      await expect(
        f.staking.connect(f.bob).delegateFor(ethers.ZeroAddress, NODE_1, STAKE),
      ).to.be.revertedWithCustomError(f.staking, "AdminGuardedZeroAddress");
    });

    it("reverts with StakingZeroAmount and StakingNodeNotActive like delegate", async function () {
      const f = await loadFixture(stakingFixture);
      await expect(f.staking.connect(f.bob).delegateFor(f.alice.address, NODE_1, 0n)).to.be.revertedWithCustomError(
        f.staking,
        "StakingZeroAmount",
      );
      await expect(f.staking.connect(f.bob).delegateFor(f.alice.address, UNKNOWN_NODE, STAKE))
        .to.be.revertedWithCustomError(f.staking, "StakingNodeNotActive")
        .withArgs(UNKNOWN_NODE);
    });

    it("reverts with EnforcedPause while paused", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.guardian).pause();
      await expect(f.staking.connect(f.bob).delegateFor(f.alice.address, NODE_1, STAKE)).to.be.revertedWithCustomError(
        f.staking,
        "EnforcedPause",
      );
    });
  });

  describe("undelegate", function () {
    async function delegated() {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      return f;
    }

    it("moves part of the stake into unbonding and emits UndelegationStarted", async function () {
      const f = await delegated();
      const part = 4_000n * ERA;
      const t = (await now()) + 100n;
      await at(t);
      const tx = f.staking.connect(f.alice).undelegate(NODE_1, part);
      await expect(tx)
        .to.emit(f.staking, "UndelegationStarted")
        .withArgs(f.alice.address, NODE_1, part, part, part, t + UNBONDING_PERIOD);
      await expect(tx).to.changeTokenBalances(f.token, [f.alice, f.staking], [0n, 0n]);

      expect(await f.staking.stakeOf(f.alice.address, NODE_1)).to.equal(STAKE - part);
      expect(await f.staking.sharesOf(f.alice.address, NODE_1)).to.equal(STAKE - part);
      const entries = await f.staking.unbondingsOf(f.alice.address, NODE_1);
      expect(entries.map((e) => [e.shares, e.releaseAt])).to.deep.equal([[part, t + UNBONDING_PERIOD]]);
      expect(await f.staking.unbondingValue(f.alice.address, NODE_1, 0)).to.equal(part);
      const pool = await f.staking.nodePool(NODE_1);
      expect([pool.stake, pool.shares, pool.unbondingStake, pool.unbondingShares]).to.deep.equal([
        STAKE - part,
        STAKE - part,
        part,
        part,
      ]);
      expect(await f.staking.globalRate()).to.equal((STAKE - part) * MIN_APR_BPS);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });

    it("returns the amount that entered unbonding", async function () {
      const f = await delegated();
      expect(await f.staking.connect(f.alice).undelegate.staticCall(NODE_1, 123n)).to.equal(123n);
      expect(await f.staking.connect(f.alice).undelegate.staticCall(NODE_1, ethers.MaxUint256)).to.equal(STAKE);
    });

    it("undelegates everything for type(uint256).max", async function () {
      const f = await delegated();
      const t = (await now()) + 10n;
      await at(t);
      await expect(f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256))
        .to.emit(f.staking, "UndelegationStarted")
        .withArgs(f.alice.address, NODE_1, STAKE, STAKE, STAKE, t + UNBONDING_PERIOD);
      expect(await f.staking.stakeOf(f.alice.address, NODE_1)).to.equal(0n);
      expect(await f.staking.sharesOf(f.alice.address, NODE_1)).to.equal(0n);
      expect(await f.staking.globalRate()).to.equal(0n);
      const pool = await f.staking.nodePool(NODE_1);
      expect([pool.stake, pool.shares, pool.unbondingStake]).to.deep.equal([0n, 0n, STAKE]);
    });

    it("settles the yield earned up to the undelegation, and the unbonding stake earns no more", async function () {
      const f = await delegated();
      const t0 = await now();
      await at(t0 + 10n * DAY);
      await f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256);
      const earned = positionYield(STAKE, accIncrement(STAKE, STAKE, MIN_APR_BPS, 10n * DAY));
      expect(await f.staking.settledYield(f.alice.address)).to.equal(earned);
      await time.increase(30n * DAY);
      expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(earned);
    });

    it("reverts with StakingZeroAmount for a zero amount", async function () {
      const f = await delegated();
      await expect(f.staking.connect(f.alice).undelegate(NODE_1, 0n)).to.be.revertedWithCustomError(
        f.staking,
        "StakingZeroAmount",
      );
    });

    it("reverts with StakingInsufficientStake when the amount exceeds the stake", async function () {
      const f = await delegated();
      await f.staking.connect(f.bob).delegate(NODE_1, STAKE);
      await expect(f.staking.connect(f.alice).undelegate(NODE_1, STAKE + 1n))
        .to.be.revertedWithCustomError(f.staking, "StakingInsufficientStake")
        .withArgs(f.alice.address, NODE_1, STAKE + 1n, STAKE);
    });

    it("reverts with StakingInsufficientStake for a caller without a position", async function () {
      const f = await delegated();
      // All of nothing: zero shares to burn.
      await expect(f.staking.connect(f.bob).undelegate(NODE_1, ethers.MaxUint256))
        .to.be.revertedWithCustomError(f.staking, "StakingInsufficientStake")
        .withArgs(f.bob.address, NODE_1, 0n, 0n);
      // A node nobody delegated to: no price, so no amount can be unbonded.
      await expect(f.staking.connect(f.bob).undelegate(NODE_2, 1n))
        .to.be.revertedWithCustomError(f.staking, "StakingInsufficientStake")
        .withArgs(f.bob.address, NODE_2, ethers.MaxUint256, 0n);
      await expect(f.staking.connect(f.bob).undelegate(NODE_2, ethers.MaxUint256))
        .to.be.revertedWithCustomError(f.staking, "StakingInsufficientStake")
        .withArgs(f.bob.address, NODE_2, 0n, 0n);
    });

    it("caps pending entries at MAX_UNBONDING_ENTRIES with StakingTooManyUnbondings", async function () {
      const f = await delegated();
      for (let i = 0n; i < MAX_UNBONDING_ENTRIES; i++) await f.staking.connect(f.alice).undelegate(NODE_1, ERA);
      expect(await f.staking.unbondingsOf(f.alice.address, NODE_1)).to.have.length(Number(MAX_UNBONDING_ENTRIES));
      await expect(f.staking.connect(f.alice).undelegate(NODE_1, ERA))
        .to.be.revertedWithCustomError(f.staking, "StakingTooManyUnbondings")
        .withArgs(f.alice.address, NODE_1, MAX_UNBONDING_ENTRIES);
      // The cap is per node: another node still takes entries.
      await f.staking.connect(f.alice).delegate(NODE_2, ERA);
      await expect(f.staking.connect(f.alice).undelegate(NODE_2, ERA)).to.emit(f.staking, "UndelegationStarted");
      // Withdrawing frees the slots.
      await time.increase(UNBONDING_PERIOD);
      await f.staking.connect(f.alice).withdraw(NODE_1);
      await expect(f.staking.connect(f.alice).undelegate(NODE_1, ERA)).to.emit(f.staking, "UndelegationStarted");
    });

    it("works while paused, and from a node that stopped being active", async function () {
      const f = await delegated();
      await f.staking.connect(f.guardian).pause();
      await f.nodeRegistry.connect(f.operator1).unbond(NODE_1, (await f.nodeRegistry.getNode(NODE_1)).bond);
      expect(await f.nodeRegistry.isActive(NODE_1)).to.equal(false);
      await expect(f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256)).to.emit(
        f.staking,
        "UndelegationStarted",
      );
    });
  });

  describe("withdraw", function () {
    async function unbonding() {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      const t = await timestampOf(await f.staking.connect(f.alice).undelegate(NODE_1, STAKE));
      return { f, releaseAt: t + UNBONDING_PERIOD };
    }

    it("reverts with StakingNothingToWithdraw one second before releaseAt", async function () {
      const { f, releaseAt } = await unbonding();
      await at(releaseAt - 1n);
      await expect(f.staking.connect(f.alice).withdraw(NODE_1))
        .to.be.revertedWithCustomError(f.staking, "StakingNothingToWithdraw")
        .withArgs(f.alice.address, NODE_1);
    });

    it("pays in the block whose timestamp equals releaseAt, and emits Withdrawn", async function () {
      const { f, releaseAt } = await unbonding();
      await at(releaseAt);
      const tx = f.staking.connect(f.alice).withdraw(NODE_1);
      await expect(tx).to.emit(f.staking, "Withdrawn").withArgs(f.alice.address, NODE_1, STAKE, 1n);
      await expect(tx).to.changeTokenBalances(f.token, [f.alice, f.staking], [STAKE, -STAKE]);
      expect(await f.staking.unbondingsOf(f.alice.address, NODE_1)).to.have.length(0);
      const pool = await f.staking.nodePool(NODE_1);
      expect([pool.unbondingStake, pool.unbondingShares]).to.deep.equal([0n, 0n]);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });

    it("pays any time after releaseAt", async function () {
      const { f, releaseAt } = await unbonding();
      await time.increaseTo(releaseAt + 365n * DAY);
      expect(await f.staking.connect(f.alice).withdraw.staticCall(NODE_1)).to.equal(STAKE);
      await expect(f.staking.connect(f.alice).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.alice.address, NODE_1, STAKE, 1n);
    });

    it("pays only the matured entries and keeps the others", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      const t1 = await timestampOf(await f.staking.connect(f.alice).undelegate(NODE_1, 1_000n * ERA));
      await at(t1 + DAY);
      await f.staking.connect(f.alice).undelegate(NODE_1, 2_000n * ERA);
      await at(t1 + 2n * DAY);
      await f.staking.connect(f.alice).undelegate(NODE_1, 3_000n * ERA);

      await at(t1 + DAY + UNBONDING_PERIOD);
      await expect(f.staking.connect(f.alice).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.alice.address, NODE_1, 3_000n * ERA, 2n);
      const left = await f.staking.unbondingsOf(f.alice.address, NODE_1);
      expect(left.map((e) => [e.shares, e.releaseAt])).to.deep.equal([
        [3_000n * ERA, t1 + 2n * DAY + UNBONDING_PERIOD],
      ]);
      await expect(f.staking.connect(f.alice).withdraw(NODE_1))
        .to.be.revertedWithCustomError(f.staking, "StakingNothingToWithdraw")
        .withArgs(f.alice.address, NODE_1);
      await at(t1 + 2n * DAY + UNBONDING_PERIOD);
      await expect(f.staking.connect(f.alice).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.alice.address, NODE_1, 3_000n * ERA, 1n);
    });

    it("reverts with StakingNothingToWithdraw without entries", async function () {
      const f = await loadFixture(stakingFixture);
      await expect(f.staking.connect(f.bob).withdraw(NODE_1))
        .to.be.revertedWithCustomError(f.staking, "StakingNothingToWithdraw")
        .withArgs(f.bob.address, NODE_1);
    });

    it("works while paused", async function () {
      const { f, releaseAt } = await unbonding();
      await f.staking.connect(f.guardian).pause();
      await time.increaseTo(releaseAt);
      await expect(f.staking.connect(f.alice).withdraw(NODE_1)).to.changeTokenBalance(f.token, f.alice, STAKE);
    });
  });

  describe("claim", function () {
    it("pays the settled and unsettled yield of the node, emits YieldClaimed, and empties it", async function () {
      const f = await loadFixture(stakingFixture);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + 30n * DAY);
      const expected = positionYield(STAKE, accIncrement(STAKE, STAKE, MIN_APR_BPS, 30n * DAY));
      const [, owedBefore] = await f.staking.reserveStatus();
      const tx = f.staking.connect(f.alice).claim(NODE_1);
      await expect(tx).to.emit(f.staking, "YieldClaimed").withArgs(f.alice.address, expected);
      await expect(tx).to.changeTokenBalances(f.token, [f.alice, f.staking], [expected, -expected]);
      expect(await f.staking.settledYield(f.alice.address)).to.equal(0n);
      expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(0n);
      // yieldOwed took the 30 days' charge and paid the claim out of it.
      const [reserve, owedAfter] = await f.staking.reserveStatus();
      const charged = reserveCharge(STAKE * MIN_APR_BPS, 30n * DAY);
      expect(reserve).to.equal(RESERVE - charged);
      expect(owedAfter).to.equal(owedBefore + charged - expected);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });

    it("pays the settled yield of every node, whichever node it names", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_2, MAX_SCORE_BPS);
      const t1 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      const t2 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_2, STAKE));
      await at(t2 + 20n * DAY);
      await f.staking.connect(f.alice).undelegate(NODE_2, ethers.MaxUint256); // settles node 2
      const fromNode2 = positionYield(STAKE, accIncrement(STAKE, STAKE, MAX_APR_BPS, 20n * DAY));
      await at(t2 + 30n * DAY);
      const fromNode1 = positionYield(STAKE, accIncrement(STAKE, STAKE, MIN_APR_BPS, t2 + 30n * DAY - t1));
      await expect(f.staking.connect(f.alice).claim(NODE_1))
        .to.emit(f.staking, "YieldClaimed")
        .withArgs(f.alice.address, fromNode1 + fromNode2);
      expect(await f.staking.claimableYield(f.alice.address, NODE_2)).to.equal(0n);
    });

    it("reverts with StakingNothingToClaim without yield", async function () {
      const f = await loadFixture(stakingFixture);
      await expect(f.staking.connect(f.bob).claim(NODE_1))
        .to.be.revertedWithCustomError(f.staking, "StakingNothingToClaim")
        .withArgs(f.bob.address);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      await time.increase(DAY);
      await f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256);
      await f.staking.connect(f.alice).claim(NODE_1);
      await expect(f.staking.connect(f.alice).claim(NODE_1))
        .to.be.revertedWithCustomError(f.staking, "StakingNothingToClaim")
        .withArgs(f.alice.address);
    });

    it("works while paused", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      await time.increase(DAY);
      await f.staking.connect(f.guardian).pause();
      await expect(f.staking.connect(f.alice).claim(NODE_1)).to.emit(f.staking, "YieldClaimed");
    });
  });

  describe("claimAndRedelegate", function () {
    async function earning() {
      const f = await loadFixture(stakingFixture);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      return { f, t0 };
    }

    it("redelegates the yield to the same node without moving tokens", async function () {
      const { f, t0 } = await earning();
      await at(t0 + 30n * DAY);
      const earned = positionYield(STAKE, accIncrement(STAKE, STAKE, MIN_APR_BPS, 30n * DAY));
      const [, owedBefore] = await f.staking.reserveStatus();
      const tx = f.staking.connect(f.alice).claimAndRedelegate(NODE_1, NODE_1);
      await expect(tx).to.emit(f.staking, "YieldClaimed").withArgs(f.alice.address, earned);
      await expect(tx)
        .to.emit(f.staking, "Delegated")
        .withArgs(f.alice.address, NODE_1, f.alice.address, earned, earned);
      await expect(tx).to.changeTokenBalances(f.token, [f.alice, f.staking], [0n, 0n]);
      expect(await f.staking.stakeOf(f.alice.address, NODE_1)).to.equal(STAKE + earned);
      expect(await f.staking.settledYield(f.alice.address)).to.equal(0n);
      const [, owedAfter] = await f.staking.reserveStatus();
      expect(owedAfter).to.equal(owedBefore + reserveCharge(STAKE * MIN_APR_BPS, 30n * DAY) - earned);
      expect(await f.staking.globalRate()).to.equal((STAKE + earned) * MIN_APR_BPS);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });

    it("redelegates the yield to another node", async function () {
      const { f, t0 } = await earning();
      await at(t0 + 30n * DAY);
      const earned = positionYield(STAKE, accIncrement(STAKE, STAKE, MIN_APR_BPS, 30n * DAY));
      await expect(f.staking.connect(f.alice).claimAndRedelegate(NODE_1, NODE_2))
        .to.emit(f.staking, "Delegated")
        .withArgs(f.alice.address, NODE_2, f.alice.address, earned, earned);
      expect(await f.staking.stakeOf(f.alice.address, NODE_1)).to.equal(STAKE);
      expect(await f.staking.stakeOf(f.alice.address, NODE_2)).to.equal(earned);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });

    it("reverts with EnforcedPause while paused, while claim still works", async function () {
      const { f } = await earning();
      await time.increase(DAY);
      await f.staking.connect(f.guardian).pause();
      await expect(f.staking.connect(f.alice).claimAndRedelegate(NODE_1, NODE_1)).to.be.revertedWithCustomError(
        f.staking,
        "EnforcedPause",
      );
      await expect(f.staking.connect(f.alice).claim(NODE_1)).to.emit(f.staking, "YieldClaimed");
    });

    it("reverts with StakingNothingToClaim without yield, and StakingNodeNotActive for an inactive target", async function () {
      const { f } = await earning();
      await expect(f.staking.connect(f.bob).claimAndRedelegate(NODE_1, NODE_1))
        .to.be.revertedWithCustomError(f.staking, "StakingNothingToClaim")
        .withArgs(f.bob.address);
      await time.increase(DAY);
      await expect(f.staking.connect(f.alice).claimAndRedelegate(NODE_1, UNKNOWN_NODE))
        .to.be.revertedWithCustomError(f.staking, "StakingNodeNotActive")
        .withArgs(UNKNOWN_NODE);
    });
  });

  describe("fundReserve", function () {
    it("adds to the reserve, pulls the ERA and emits ReserveFunded", async function () {
      const f = await loadFixture(stakingFixture);
      const amount = 5_000n * ERA;
      const tx = f.staking.connect(f.bob).fundReserve(amount);
      await expect(tx)
        .to.emit(f.staking, "ReserveFunded")
        .withArgs(f.bob.address, amount, RESERVE + amount);
      await expect(tx).to.changeTokenBalances(f.token, [f.bob, f.staking], [-amount, amount]);
      const [reserve, yieldOwed] = await f.staking.reserveStatus();
      expect([reserve, yieldOwed]).to.deep.equal([RESERVE + amount, 0n]);
    });

    it("works while paused", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.guardian).pause();
      await expect(f.staking.connect(f.bob).fundReserve(ERA)).to.emit(f.staking, "ReserveFunded");
    });

    it("reverts with StakingZeroAmount for a zero amount", async function () {
      const f = await loadFixture(stakingFixture);
      await expect(f.staking.connect(f.bob).fundReserve(0n)).to.be.revertedWithCustomError(
        f.staking,
        "StakingZeroAmount",
      );
    });
  });

  describe("setScore", function () {
    it("sets score and APR, emits ScoreUpdated and re-weights the global rate", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      await expect(f.staking.connect(f.scoreKeeper).setScore(NODE_1, 4_000n))
        .to.emit(f.staking, "ScoreUpdated")
        .withArgs(NODE_1, 0n, 4_000n, 960n);
      const pool = await f.staking.nodePool(NODE_1);
      expect([pool.scoreBps, pool.aprBps]).to.deep.equal([4_000n, 960n]);
      expect(await f.staking.aprOf(NODE_1)).to.equal(960n);
      expect(await f.staking.globalRate()).to.equal(STAKE * 960n);
      await expect(f.staking.connect(f.scoreKeeper).setScore(NODE_1, 0n))
        .to.emit(f.staking, "ScoreUpdated")
        .withArgs(NODE_1, 4_000n, 0n, MIN_APR_BPS);
      expect(await f.staking.globalRate()).to.equal(STAKE * MIN_APR_BPS);
    });

    it("checkpoints the accrual at the old rate before changing it", async function () {
      const f = await loadFixture(stakingFixture);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + DAY);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_1, MAX_SCORE_BPS);
      const pool = await f.staking.nodePool(NODE_1);
      expect(pool.accYieldPerShare).to.equal(accIncrement(STAKE, STAKE, MIN_APR_BPS, DAY));
    });

    it("prices future delegations of an empty node", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_2, 2_500n);
      expect(await f.staking.globalRate()).to.equal(0n);
      await f.staking.connect(f.alice).delegate(NODE_2, STAKE);
      expect(await f.staking.globalRate()).to.equal(STAKE * aprOfScore(2_500n));
    });

    it("reverts with StakingScoreOutOfRange above 10,000 bps", async function () {
      const f = await loadFixture(stakingFixture);
      await expect(f.staking.connect(f.scoreKeeper).setScore(NODE_1, MAX_SCORE_BPS + 1n))
        .to.be.revertedWithCustomError(f.staking, "StakingScoreOutOfRange")
        .withArgs(MAX_SCORE_BPS + 1n);
      await expect(f.staking.connect(f.scoreKeeper).setScore(NODE_1, ethers.MaxUint256))
        .to.be.revertedWithCustomError(f.staking, "StakingScoreOutOfRange")
        .withArgs(ethers.MaxUint256);
    });

    it("reverts with AccessControlUnauthorizedAccount for anyone but the score keeper", async function () {
      const f = await loadFixture(stakingFixture);
      for (const who of [f.alice, f.governor, f.guardian]) {
        await expect(f.staking.connect(who).setScore(NODE_1, 1n))
          .to.be.revertedWithCustomError(f.staking, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, ROLES.SCORE_KEEPER);
      }
    });
  });

  describe("slashDelegations", function () {
    it("reverts with StakingOnlyRegistry for any caller but the registry", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      for (const who of [f.attacker, f.slasher, f.operator1]) {
        await expect(f.staking.connect(who).slashDelegations(NODE_1, STAKE, who.address))
          .to.be.revertedWithCustomError(f.staking, "StakingOnlyRegistry")
          .withArgs(who.address);
      }
    });

    it("takes nothing and emits nothing for a zero amount or an empty pool", async function () {
      const { staking, token, registry, alice, recipient, stakingAddress } = await loadFixture(isolatedFixture);
      await token.mint(alice.address, STAKE);
      expect(await registry.slash.staticCall(stakingAddress, 1, STAKE, recipient.address)).to.equal(0n);
      await expect(registry.slash(stakingAddress, 1, STAKE, recipient.address)).not.to.emit(
        staking,
        "DelegationsSlashed",
      );
      await staking.connect(alice).delegate(1, STAKE);
      expect(await registry.slash.staticCall(stakingAddress, 1, 0, recipient.address)).to.equal(0n);
      await expect(registry.slash(stakingAddress, 1, 0, recipient.address)).not.to.emit(staking, "DelegationsSlashed");
      expect((await staking.nodePool(1)).stake).to.equal(STAKE);
    });
  });

  describe("setUnbondingPeriod", function () {
    const setPeriod = (f: StakingFixture, period: bigint) =>
      viaTimelock(f, f.staking, f.staking.interface.encodeFunctionData("setUnbondingPeriod", [period]));

    it("sets the period through the timelock and emits UnbondingPeriodChanged", async function () {
      const f = await loadFixture(stakingFixture);
      await expect(setPeriod(f, 14n * DAY))
        .to.emit(f.staking, "UnbondingPeriodChanged")
        .withArgs(UNBONDING_PERIOD, 14n * DAY);
      expect(await f.staking.unbondingPeriod()).to.equal(14n * DAY);
    });

    it("accepts both bounds and reverts with StakingParameterOutOfBounds outside them", async function () {
      const f = await loadFixture(stakingFixture);
      for (const period of [MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD]) {
        await setPeriod(f, period);
        expect(await f.staking.unbondingPeriod()).to.equal(period);
      }
      for (const period of [0n, MIN_UNBONDING_PERIOD - 1n, MAX_UNBONDING_PERIOD + 1n]) {
        await expect(setPeriod(f, period))
          .to.be.revertedWithCustomError(f.staking, "StakingParameterOutOfBounds")
          .withArgs(period, MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD);
      }
    });

    it("applies to new undelegations only", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      const t1 = await timestampOf(await f.staking.connect(f.alice).undelegate(NODE_1, ERA));
      await setPeriod(f, 30n * DAY);
      const t2 = await timestampOf(await f.staking.connect(f.alice).undelegate(NODE_1, ERA));
      const entries = await f.staking.unbondingsOf(f.alice.address, NODE_1);
      expect(entries.map((e) => e.releaseAt)).to.deep.equal([t1 + UNBONDING_PERIOD, t2 + 30n * DAY]);
    });

    it("reverts with AccessControlUnauthorizedAccount for anyone but the admin", async function () {
      const f = await loadFixture(stakingFixture);
      for (const who of [f.governor, f.alice]) {
        await expect(f.staking.connect(who).setUnbondingPeriod(14n * DAY))
          .to.be.revertedWithCustomError(f.staking, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, ROLES.DEFAULT_ADMIN);
      }
    });
  });

  describe("pause / unpause", function () {
    it("are reserved to the guardian", async function () {
      const f = await loadFixture(stakingFixture);
      await expect(f.staking.connect(f.alice).pause())
        .to.be.revertedWithCustomError(f.staking, "AccessControlUnauthorizedAccount")
        .withArgs(f.alice.address, ROLES.PAUSER);
      await f.staking.connect(f.guardian).pause();
      await expect(f.staking.connect(f.alice).unpause())
        .to.be.revertedWithCustomError(f.staking, "AccessControlUnauthorizedAccount")
        .withArgs(f.alice.address, ROLES.PAUSER);
      await f.staking.connect(f.guardian).unpause();
      await expect(f.staking.connect(f.alice).delegate(NODE_1, STAKE)).to.emit(f.staking, "Delegated");
    });
  });

  describe("poke", function () {
    it("charges the reserve for the elapsed interval and leaves the pools alone", async function () {
      const f = await loadFixture(stakingFixture);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + 7n * DAY);
      await expect(f.staking.connect(f.bob).poke()).not.to.emit(f.staking, "ReserveShortfall");
      const charged = reserveCharge(STAKE * MIN_APR_BPS, 7n * DAY);
      const [reserve, yieldOwed, , , unfunded] = await f.staking.reserveStatus();
      expect([reserve, yieldOwed, unfunded]).to.deep.equal([RESERVE - charged, charged, 0n]);
      // The pool is read live: its accumulator shows the 7 days, and the poke changed nothing about it.
      expect((await f.staking.nodePool(NODE_1)).accYieldPerShare).to.equal(
        accIncrement(STAKE, STAKE, MIN_APR_BPS, 7n * DAY),
      );
      expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(
        positionYield(STAKE, accIncrement(STAKE, STAKE, MIN_APR_BPS, 7n * DAY)),
      );
    });

    it("charges nothing while nothing is delegated", async function () {
      const f = await loadFixture(stakingFixture);
      await time.increase(30n * DAY);
      await f.staking.poke();
      const [reserve, yieldOwed] = await f.staking.reserveStatus();
      expect([reserve, yieldOwed]).to.deep.equal([RESERVE, 0n]);
    });
  });

  describe("views", function () {
    it("aprOf is 800 bps for a node never scored, known or not", async function () {
      const f = await loadFixture(stakingFixture);
      expect(await f.staking.aprOf(NODE_1)).to.equal(MIN_APR_BPS);
      expect(await f.staking.aprOf(UNKNOWN_NODE)).to.equal(MIN_APR_BPS);
      expect((await f.staking.nodePool(UNKNOWN_NODE)).aprBps).to.equal(MIN_APR_BPS);
    });

    it("stakeOf and sharesOf are 0 without a position and in an empty pool", async function () {
      const f = await loadFixture(stakingFixture);
      expect(await f.staking.stakeOf(f.alice.address, NODE_1)).to.equal(0n);
      expect(await f.staking.sharesOf(f.alice.address, NODE_1)).to.equal(0n);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      expect(await f.staking.stakeOf(f.bob.address, NODE_1)).to.equal(0n);
    });

    it("stakeOf rounds the position's value down", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, 3n);
      await f.staking.connect(f.bob).delegate(NODE_1, 7n);
      await slashThroughRegistry(f, NODE_1, 1n); // 10 wei → 9 wei for 10 shares
      expect(await f.staking.stakeOf(f.alice.address, NODE_1)).to.equal((3n * 9n) / 10n);
      expect(await f.staking.stakeOf(f.bob.address, NODE_1)).to.equal((7n * 9n) / 10n);
    });

    it("claimableYield follows the accrual second by second", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_1, 7_777n);
      const apr = aprOfScore(7_777n);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      for (const dt of [1n, 59n, 3_600n, 86_399n, 90n * DAY]) {
        await time.increaseTo(t0 + dt);
        expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(
          positionYield(STAKE, accIncrement(STAKE, STAKE, apr, dt)),
        );
      }
    });

    it("unbondingsOf lists the entries and unbondingValue values them; a missing index panics", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      const t = await timestampOf(await f.staking.connect(f.alice).undelegate(NODE_1, 1_000n * ERA));
      const entries = await f.staking.unbondingsOf(f.alice.address, NODE_1);
      expect(entries.map((e) => [e.shares, e.releaseAt])).to.deep.equal([[1_000n * ERA, t + UNBONDING_PERIOD]]);
      expect(await f.staking.unbondingValue(f.alice.address, NODE_1, 0)).to.equal(1_000n * ERA);
      await expect(f.staking.unbondingValue(f.alice.address, NODE_1, 1)).to.be.revertedWithPanic(0x32);
      expect(await f.staking.unbondingsOf(f.bob.address, NODE_1)).to.have.length(0);
    });

    it("nodePool reports every field", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_1, 5_000n);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + DAY);
      await f.staking.connect(f.alice).undelegate(NODE_1, 2_000n * ERA);
      const pool = await f.staking.nodePool(NODE_1);
      expect([...pool]).to.deep.equal([
        8_000n * ERA,
        8_000n * ERA,
        2_000n * ERA,
        2_000n * ERA,
        5_000n,
        1_000n,
        accIncrement(STAKE, STAKE, 1_000n, DAY),
      ]);
    });

    it("reserveStatus reports reserve, owed yield, yield per second, coverage and unfunded time", async function () {
      const f = await loadFixture(stakingFixture);
      let [reserve, yieldOwed, perSecond, covered, unfunded] = await f.staking.reserveStatus();
      expect([reserve, yieldOwed, perSecond, covered, unfunded]).to.deep.equal([
        RESERVE,
        0n,
        0n,
        ethers.MaxUint256,
        0n,
      ]);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_2, MAX_SCORE_BPS);
      const ta = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      const t0 = await timestampOf(await f.staking.connect(f.bob).delegate(NODE_2, 3n * STAKE));
      await time.increaseTo(t0 + 3n * DAY);
      const rate = STAKE * MIN_APR_BPS + 3n * STAKE * MAX_APR_BPS;
      expect(await f.staking.globalRate()).to.equal(rate);
      const charged = reserveCharge(STAKE * MIN_APR_BPS, t0 - ta) + reserveCharge(rate, 3n * DAY);
      [reserve, yieldOwed, perSecond, covered, unfunded] = await f.staking.reserveStatus();
      expect(reserve).to.equal(RESERVE - charged);
      expect(yieldOwed).to.equal(charged);
      expect(perSecond).to.equal(ceilDiv(rate, BPS * YEAR));
      expect(covered).to.equal(((RESERVE - charged) * BPS * YEAR) / rate);
      expect(unfunded).to.equal(0n);
    });

    it("globalRate is Σ stake × APR over the nodes", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_1, 1_234n);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      await f.staking.connect(f.bob).delegate(NODE_2, 2n * STAKE);
      await f.staking.connect(f.alice).undelegate(NODE_1, 1_000n * ERA);
      expect(await f.staking.globalRate()).to.equal(
        (STAKE - 1_000n * ERA) * aprOfScore(1_234n) + 2n * STAKE * MIN_APR_BPS,
      );
    });
  });
});
