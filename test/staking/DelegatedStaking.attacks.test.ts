import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { DAY, ERA, MONTH } from "../helpers/fixtures";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { DelegatedStaking } from "../../typechain-types";
import {
  BPS,
  MAX_APR_BPS,
  MAX_SCORE_BPS,
  MIN_APR_BPS,
  RESERVE,
  UNBONDING_PERIOD,
  WAD,
  YEAR,
  YIELD_DENOMINATOR,
  accIncrement,
  accIncrementEff,
  aprOfScore,
  at,
  ceilDiv,
  expectSolvent,
  isolatedFixture,
  nodeYield,
  nodeYieldEff,
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
const STAKE = 10_000n * ERA;

const everyone = (f: StakingFixture) => [f.alice, f.bob, f.carol, f.attacker, f.developer];

describe("DelegatedStaking — attacks", function () {
  describe("flash stake", function () {
    async function poolWithPendingYield() {
      const f = await loadFixture(stakingFixture);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      const flash = await ethers.deployContract("StakingFlashStaker", [f.stakingAddress, await f.token.getAddress()]);
      const big = 90_000n * ERA; // 9× alice's stake
      await f.token.connect(f.attacker).transfer(await flash.getAddress(), big);
      return { f, t0, flash, big };
    }

    it("delegating and undelegating in one transaction earns exactly 0", async function () {
      const { f, t0, flash, big } = await poolWithPendingYield();
      const flashAddress = await flash.getAddress();
      // 30 days of yield are pending in alice's pool, not yet checkpointed, when the attacker strikes.
      await at(t0 + 30n * DAY);
      const tx = flash.flashStake(NODE_1, big);
      await expect(tx).to.emit(f.staking, "Delegated").withArgs(flashAddress, NODE_1, flashAddress, big, big);
      await expect(tx).to.emit(f.staking, "UndelegationStarted");
      expect(await f.staking.settledYield(flashAddress)).to.equal(0n);
      await time.increase(30n * DAY);
      expect(await f.staking.claimableYield(flashAddress, NODE_1)).to.equal(0n);
      // alice keeps all of it, as if the attacker had never come.
      expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(
        positionYield(STAKE, accIncrement(STAKE, STAKE, MIN_APR_BPS, BigInt(await time.latest()) - t0)),
      );
      // The attacker gets back exactly the principal.
      await expect(flash.withdraw(NODE_1)).to.emit(f.staking, "Withdrawn").withArgs(flashAddress, NODE_1, big, 1n);
      expect(await f.token.balanceOf(flashAddress)).to.equal(big);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], [...everyone(f), flash]);
    });

    it("cannot claim anything in the same transaction (StakingNothingToClaim)", async function () {
      const { f, t0, flash, big } = await poolWithPendingYield();
      await at(t0 + 30n * DAY);
      await expect(flash.flashStakeAndClaim(NODE_1, big))
        .to.be.revertedWithCustomError(f.staking, "StakingNothingToClaim")
        .withArgs(await flash.getAddress());
    });

    it("delegating and undelegating in two transactions of the same block earns exactly 0", async function () {
      const { f, t0, big } = await poolWithPendingYield();
      await network.provider.send("evm_setAutomine", [false]);
      try {
        const d = await f.staking.connect(f.attacker).delegate(NODE_1, big, { gasLimit: 1_000_000 });
        const u = await f.staking.connect(f.attacker).undelegate(NODE_1, ethers.MaxUint256, { gasLimit: 1_000_000 });
        await at(t0 + 30n * DAY);
        await mine();
        const [rd, ru] = [await d.wait(), await u.wait()];
        expect(rd?.status).to.equal(1);
        expect(ru?.status).to.equal(1);
        expect(rd?.blockNumber).to.equal(ru?.blockNumber);
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
      expect(await f.staking.sharesOf(f.attacker.address, NODE_1)).to.equal(0n);
      expect(await f.staking.settledYield(f.attacker.address)).to.equal(0n);
      expect(await f.staking.unbondingValue(f.attacker.address, NODE_1, 0)).to.equal(big);
      await time.increase(DAY);
      expect(await f.staking.claimableYield(f.attacker.address, NODE_1)).to.equal(0n);
      await expect(f.staking.connect(f.attacker).claim(NODE_1))
        .to.be.revertedWithCustomError(f.staking, "StakingNothingToClaim")
        .withArgs(f.attacker.address);
    });
  });

  describe("stale APR", function () {
    async function scoreChangeAfter(oldScore: bigint, newScore: bigint, t1: bigint, t2: bigint) {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_1, oldScore);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + t1);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_1, newScore);
      await at(t0 + t1 + t2);
      return { f, claim: f.staking.connect(f.alice).claim(NODE_1) };
    }

    it("a raised score pays the old rate up to the change and the new rate after it, exactly", async function () {
      const [t1, t2] = [10n * DAY + 17n, 20n * DAY + 3n];
      const { f, claim } = await scoreChangeAfter(0n, MAX_SCORE_BPS, t1, t2);
      const acc = accIncrement(STAKE, STAKE, MIN_APR_BPS, t1) + accIncrement(STAKE, STAKE, MAX_APR_BPS, t2);
      const expected = positionYield(STAKE, acc);
      // stake = shares, so the accumulator grows by exactly aprBps × wad-seconds: the yield is the sum of the two node
      // accruals, rounded down once.
      expect(expected).to.equal((STAKE * (MIN_APR_BPS * t1 + MAX_APR_BPS * t2) * WAD) / YIELD_DENOMINATOR);
      expect(expected - (nodeYield(STAKE, MIN_APR_BPS, t1) + nodeYield(STAKE, MAX_APR_BPS, t2))).to.be.within(0n, 1n);
      // Not the new rate back-dated over the whole period.
      expect(expected).to.be.lt(nodeYield(STAKE, MAX_APR_BPS, t1 + t2));
      await expect(claim).to.emit(f.staking, "YieldClaimed").withArgs(f.alice.address, expected);
    });

    it("a lowered score keeps what was earned at the old rate, exactly", async function () {
      const [t1, t2] = [15n * DAY, 15n * DAY];
      const { f, claim } = await scoreChangeAfter(MAX_SCORE_BPS, 2_500n, t1, t2);
      // The two node accruals, rounded down once (stake = shares).
      const expected = (STAKE * (MAX_APR_BPS * t1 + aprOfScore(2_500n) * t2) * WAD) / YIELD_DENOMINATOR;
      expect(expected).to.be.gt(nodeYield(STAKE, aprOfScore(2_500n), t1 + t2));
      await expect(claim).to.emit(f.staking, "YieldClaimed").withArgs(f.alice.address, expected);
    });
  });

  describe("reserve exhaustion", function () {
    const FUNDED = 10n * ERA;
    const RATE_1 = STAKE * MIN_APR_BPS; // alice at node 1
    const RATE_2 = (STAKE / 2n) * MAX_APR_BPS; // bob at node 2

    /**
     * A 10 ERA reserve for alice (10,000 ERA at 8%) and bob (5,000 ERA at 12%), who together earn 116.67 ERA a
     * month; one month later someone pokes.
     */
    async function exhausted() {
      const f = await loadFixture(unfundedStakingFixture);
      await f.staking.connect(f.treasury).fundReserve(FUNDED);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_2, MAX_SCORE_BPS);
      const ta = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      const tb = await timestampOf(await f.staking.connect(f.bob).delegate(NODE_2, STAKE / 2n));
      const charged1 = reserveCharge(RATE_1, tb - ta);
      const rate = RATE_1 + RATE_2;
      const reserveLeft = FUNDED - charged1;
      // The effective clock advances only as far as what is left pays for.
      const dEff = (reserveLeft * YIELD_DENOMINATOR) / rate;
      const paid = ceilDiv(rate * dEff, YIELD_DENOMINATOR);
      const required = reserveCharge(rate, MONTH);
      await at(tb + MONTH);
      const poke = f.staking.connect(f.carol).poke();
      const effA = (tb - ta) * WAD + dEff; // alice's node: since her delegation
      return { f, tb, poke, rate, charged1, dEff, paid, required, effA };
    }

    it("accrues no more than was funded, emits ReserveShortfall and shows it in reserveStatus", async function () {
      const { f, poke, rate, charged1, dEff, paid, required, effA } = await exhausted();
      expect(required).to.be.gt(FUNDED);
      await expect(poke).to.emit(f.staking, "ReserveShortfall").withArgs(required, paid);
      const [reserve, yieldOwed, perSecond, covered, unfunded] = await f.staking.reserveStatus();
      expect(reserve).to.equal(0n);
      expect(yieldOwed).to.equal(charged1 + paid);
      expect(yieldOwed).to.equal(FUNDED);
      expect(perSecond).to.equal(ceilDiv(rate, 10_000n * 365n * DAY));
      expect(covered).to.equal(0n);
      expect(unfunded).to.equal(MONTH * WAD - dEff);
      expect(unfunded).to.be.gt(0n);

      const aliceYield = positionYield(STAKE, accIncrementEff(STAKE, STAKE, MIN_APR_BPS, effA));
      const bobYield = positionYield(STAKE / 2n, accIncrementEff(STAKE / 2n, STAKE / 2n, MAX_APR_BPS, dEff));
      expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(aliceYield);
      expect(await f.staking.claimableYield(f.bob.address, NODE_2)).to.equal(bobYield);
      expect(aliceYield + bobYield).to.be.lte(FUNDED);
      // Both nodes were slowed down alike: each got the same fraction of the month.
      expect(bobYield).to.equal(nodeYieldEff(STAKE / 2n, MAX_APR_BPS, dEff));
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });

    it("stops accruing while the reserve is empty", async function () {
      const { f, tb, poke, rate, dEff } = await exhausted();
      await poke;
      const aliceBefore = await f.staking.claimableYield(f.alice.address, NODE_1);
      const bobBefore = await f.staking.claimableYield(f.bob.address, NODE_2);
      await at(tb + 2n * MONTH);
      await expect(f.staking.connect(f.carol).poke())
        .to.emit(f.staking, "ReserveShortfall")
        .withArgs(reserveCharge(rate, MONTH), 0n);
      expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(aliceBefore);
      expect(await f.staking.claimableYield(f.bob.address, NODE_2)).to.equal(bobBefore);
      const [reserve, yieldOwed, , , unfunded] = await f.staking.reserveStatus();
      expect([reserve, yieldOwed]).to.deep.equal([0n, FUNDED]);
      expect(unfunded).to.equal(2n * MONTH * WAD - dEff);
    });

    it("never touches principal: every delegator undelegates and withdraws its full stake, and claims ≤ funded", async function () {
      const { f, poke } = await exhausted();
      await poke;
      let claimed = 0n;
      for (const [who, node, stake] of [
        [f.alice, NODE_1, STAKE],
        [f.bob, NODE_2, STAKE / 2n],
      ] as const) {
        await expect(f.staking.connect(who).undelegate(node, ethers.MaxUint256))
          .to.emit(f.staking, "UndelegationStarted")
          .withArgs(who.address, node, stake, stake, stake, (x: bigint) => x > 0n);
        const before = await f.token.balanceOf(who.address);
        await f.staking.connect(who).claim(node);
        claimed += (await f.token.balanceOf(who.address)) - before;
      }
      expect(claimed).to.be.lte(FUNDED);
      await time.increase(UNBONDING_PERIOD);
      await expect(f.staking.connect(f.alice).withdraw(NODE_1)).to.changeTokenBalance(f.token, f.alice, STAKE);
      await expect(f.staking.connect(f.bob).withdraw(NODE_2)).to.changeTokenBalance(f.token, f.bob, STAKE / 2n);
      const [reserve, yieldOwed] = await f.staking.reserveStatus();
      expect(await f.token.balanceOf(f.stakingAddress)).to.equal(reserve + yieldOwed);
      expect(yieldOwed).to.equal(FUNDED - claimed); // rounding dust, owed to nobody
    });

    it("resumes accrual once funded again, without back pay for the unfunded time", async function () {
      const { f, tb, poke, rate, effA, dEff } = await exhausted();
      await poke;
      const tf = tb + MONTH + 10n * DAY;
      await at(tf);
      // Funding accrues the elapsed (unfunded) interval first: it stays unpaid.
      const tx = f.staking.connect(f.treasury).fundReserve(RESERVE);
      await expect(tx)
        .to.emit(f.staking, "ReserveShortfall")
        .withArgs(reserveCharge(rate, 10n * DAY), 0n);
      await expect(tx).to.emit(f.staking, "ReserveFunded").withArgs(f.treasury.address, RESERVE, RESERVE);
      await at(tf + 5n * DAY);
      await f.staking.connect(f.carol).poke();
      const [reserve, yieldOwed, , , unfunded] = await f.staking.reserveStatus();
      expect(reserve).to.equal(RESERVE - reserveCharge(rate, 5n * DAY));
      expect(yieldOwed).to.equal(FUNDED + reserveCharge(rate, 5n * DAY));
      expect(unfunded).to.equal((MONTH + 10n * DAY) * WAD - dEff);
      expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(
        positionYield(STAKE, accIncrementEff(STAKE, STAKE, MIN_APR_BPS, effA + 5n * DAY * WAD)),
      );
      expect(await f.staking.claimableYield(f.bob.address, NODE_2)).to.equal(
        positionYield(STAKE / 2n, accIncrementEff(STAKE / 2n, STAKE / 2n, MAX_APR_BPS, dEff + 5n * DAY * WAD)),
      );
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });
  });

  describe("empty node", function () {
    it("does not consume the reserve while it has no delegators, nor pay the gap to the next one", async function () {
      const f = await loadFixture(stakingFixture);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + DAY);
      await f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256);
      const charged = reserveCharge(STAKE * MIN_APR_BPS, DAY);
      await at(t0 + 31n * DAY);
      await expect(f.staking.connect(f.carol).poke()).not.to.emit(f.staking, "ReserveShortfall");
      let [reserve, yieldOwed] = await f.staking.reserveStatus();
      expect([reserve, yieldOwed]).to.deep.equal([RESERVE - charged, charged]);
      await expect(f.staking.connect(f.alice).claim(NODE_1))
        .to.emit(f.staking, "YieldClaimed")
        .withArgs(f.alice.address, nodeYield(STAKE, MIN_APR_BPS, DAY));

      // bob joins after the 30-day gap: he earns from his delegation on, nothing of the gap.
      const tb = await timestampOf(await f.staking.connect(f.bob).delegate(NODE_1, STAKE));
      await at(tb + DAY);
      await expect(f.staking.connect(f.bob).claim(NODE_1))
        .to.emit(f.staking, "YieldClaimed")
        .withArgs(f.bob.address, nodeYield(STAKE, MIN_APR_BPS, DAY));
      // All that was taken from the reserve was paid out, but for the rounding up of the two charges.
      [reserve, yieldOwed] = await f.staking.reserveStatus();
      const totalCharged = 2n * reserveCharge(STAKE * MIN_APR_BPS, DAY);
      expect(reserve).to.equal(RESERVE - totalCharged);
      expect(yieldOwed).to.equal(totalCharged - 2n * nodeYield(STAKE, MIN_APR_BPS, DAY));
      expect(yieldOwed).to.be.lte(2n);
    });

    it("an empty node beside a busy one costs nothing: the reserve pays exactly the busy node's yield", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_2, MAX_SCORE_BPS);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + MONTH);
      await f.staking.connect(f.carol).poke();
      expect(await f.staking.globalRate()).to.equal(STAKE * MIN_APR_BPS);
      const [reserve, yieldOwed] = await f.staking.reserveStatus();
      expect(reserve).to.equal(RESERVE - reserveCharge(STAKE * MIN_APR_BPS, MONTH));
      expect(yieldOwed).to.equal(reserveCharge(STAKE * MIN_APR_BPS, MONTH));
      expect(yieldOwed - (await f.staking.claimableYield(f.alice.address, NODE_1))).to.be.lte(1n);
    });
  });

  describe("attack 2: delegate-for griefing", function () {
    it("a third party delegating 1 wei on someone's behalf never extends or changes their unbonding entries", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      const t1 = await timestampOf(await f.staking.connect(f.alice).undelegate(NODE_1, 1_000n * ERA));
      await at(t1 + DAY);
      await f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256);
      const before = (await f.staking.unbondingsOf(f.alice.address, NODE_1)).map((e) => [e.shares, e.releaseAt]);

      for (let i = 0; i < 5; i++) {
        await expect(f.staking.connect(f.attacker).delegateFor(f.alice.address, NODE_1, 1n))
          .to.emit(f.staking, "Delegated")
          .withArgs(f.alice.address, NODE_1, f.attacker.address, 1n, 1n);
      }
      await f.staking.connect(f.attacker).delegateFor(f.alice.address, NODE_2, 1n);
      const after = (await f.staking.unbondingsOf(f.alice.address, NODE_1)).map((e) => [e.shares, e.releaseAt]);
      expect(after).to.deep.equal(before);

      // The entries mature when they always would have.
      await at(t1 + UNBONDING_PERIOD);
      await expect(f.staking.connect(f.alice).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.alice.address, NODE_1, 1_000n * ERA, 1n);
      await at(t1 + DAY + UNBONDING_PERIOD);
      await expect(f.staking.connect(f.alice).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.alice.address, NODE_1, STAKE - 1_000n * ERA, 1n);
      // The gifted wei are alice's, and she alone can take them out.
      expect(await f.staking.stakeOf(f.alice.address, NODE_1)).to.equal(5n);
      await expect(f.staking.connect(f.attacker).undelegate(NODE_1, 1n))
        .to.be.revertedWithCustomError(f.staking, "StakingInsufficientStake")
        .withArgs(f.attacker.address, NODE_1, 1n, 0n);
    });
  });

  describe("attack 1: extreme amounts and poke frequency", function () {
    it("a 1-wei delegation mints 1 share, earns 0, and returns its 1 wei", async function () {
      const f = await loadFixture(stakingFixture);
      await expect(f.staking.connect(f.alice).delegate(NODE_1, 1n))
        .to.emit(f.staking, "Delegated")
        .withArgs(f.alice.address, NODE_1, f.alice.address, 1n, 1n);
      await time.increase(365n * DAY);
      // 8% of 1 wei is 0.08 wei: rounded down to 0 for the delegator, while the reserve charge is rounded up.
      expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(0n);
      await expect(f.staking.connect(f.alice).claim(NODE_1))
        .to.be.revertedWithCustomError(f.staking, "StakingNothingToClaim")
        .withArgs(f.alice.address);
      const t = await timestampOf(await f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256));
      await at(t + UNBONDING_PERIOD);
      await expect(f.staking.connect(f.alice).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.alice.address, NODE_1, 1n, 1n);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });

    it("a 1e27-wei delegation earns exactly 1% a month at 12% and returns in full", async function () {
      const { staking, token, scoreKeeper, alice, admin } = await loadFixture(isolatedFixture);
      const whale = 10n ** 27n;
      await token.mint(alice.address, whale);
      await token.mint(admin.address, whale);
      await staking.connect(admin).fundReserve(whale / 10n);
      await staking.connect(scoreKeeper).setScore(1, MAX_SCORE_BPS);
      const t0 = await timestampOf(await staking.connect(alice).delegate(1, whale));
      expect(await staking.globalRate()).to.equal(whale * MAX_APR_BPS);
      await at(t0 + MONTH);
      await expect(staking.connect(alice).claim(1))
        .to.emit(staking, "YieldClaimed")
        .withArgs(alice.address, whale / 100n);
      const t = await timestampOf(await staking.connect(alice).undelegate(1, ethers.MaxUint256));
      await at(t + UNBONDING_PERIOD);
      await expect(staking.connect(alice).withdraw(1))
        .to.emit(staking, "Withdrawn")
        .withArgs(alice.address, 1, whale, 1n);
      expect(await token.balanceOf(alice.address)).to.equal(whale + whale / 100n);
      await expectSolvent(staking, token, [1], [alice]);
    });
    describe("1,000 one-second pokes against one 1,000-second jump (1-wei and 1e27-wei delegations)", function () {
      const WHALE = 10n ** 27n;
      const STEPS = 1_000n;
      const FUNDED = WHALE / 10n;
      const APR = aprOfScore(3_333n); // 933 bps: nothing divides evenly

      /** Runs the 1,000 seconds either poked every second or in one jump, then both delegators claim what they can. */
      async function run(poked: boolean) {
        const { staking, token, scoreKeeper, admin, alice, bob, recipient } = await loadFixture(isolatedFixture);
        await token.mint(alice.address, 1n);
        await token.mint(bob.address, WHALE);
        await token.mint(admin.address, FUNDED);
        await staking.connect(admin).fundReserve(FUNDED);
        await staking.connect(scoreKeeper).setScore(1, 3_333n);
        const t0 = await timestampOf(await staking.connect(alice).delegate(1, 1n));
        await at(t0 + 1n);
        await staking.connect(bob).delegate(1, WHALE);
        for (let i = poked ? 2n : STEPS; i <= STEPS; i++) {
          await at(t0 + i);
          await staking.connect(recipient).poke();
        }
        const [reserve, yieldOwed] = await staking.reserveStatus();
        const claimable = [
          await staking.claimableYield(alice.address, 1),
          await staking.claimableYield(bob.address, 1),
        ];
        await at(t0 + STEPS + 1n);
        await expect(staking.connect(alice).claim(1))
          .to.be.revertedWithCustomError(staking, "StakingNothingToClaim")
          .withArgs(alice.address);
        const paid = (await staking.connect(bob).claim.staticCall(1)) as bigint;
        await staking.connect(bob).claim(1);
        await expectSolvent(staking, token, [1], [alice, bob]);
        return { reserve, yieldOwed, claimable, paid, taken: FUNDED - (await staking.reserveStatus())[0] };
      }

      it("pay the same yield to the wei; the reserve is charged at most 1 wei more per poke; total paid ≤ total funded", async function () {
        const jump = await run(false);
        const poked = await run(true);
        // The 1-wei delegation earns nothing either way (0.93 wei a year), the 1e27 one exactly the same amount.
        expect(jump.claimable[0]).to.equal(0n);
        expect(poked.claimable).to.deep.equal(jump.claimable);
        expect(poked.paid).to.equal(jump.paid);
        // Bob's yield: the node's (1e27 + 1 wei) × 9.33% over his 1,000 s, rounded down, less Alice's 0 — never more than
        // the exact real-number yield of his stake plus one wei (Alice's unpaid fraction).
        const exact = (WHALE * APR * STEPS) / (BPS * YEAR); // bob: from t0 + 1 to his claim at t0 + 1,001
        expect(jump.paid).to.be.within(exact - 1n, exact + 1n);
        // Every reserve charge is rounded up: the pokes cost the reserve ≥ the jump, by less than 1 wei each.
        expect(jump.reserve - poked.reserve).to.be.within(0n, STEPS - 1n);
        expect(poked.yieldOwed - jump.yieldOwed).to.equal(jump.reserve - poked.reserve);
        for (const r of [jump, poked]) {
          expect(r.yieldOwed).to.be.gte(r.claimable[0] + r.claimable[1]);
          expect(r.paid).to.be.lte(r.taken);
          expect(r.taken).to.be.lte(FUNDED);
        }
      });
    });
  });

  describe("attack 1: rounding in the protocol's favour", function () {
    it("is in the protocol's favour: Σ claimable ≤ owed yield, Σ paid ≤ yield taken from the reserve", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_1, 3_333n);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_2, 6_667n);
      await f.staking.connect(f.alice).delegate(NODE_1, ERA + 1n);
      await f.staking.connect(f.bob).delegate(NODE_1, 333_333_333_333_333_333_333n);
      await f.staking.connect(f.carol).delegate(NODE_1, 7n);
      await f.staking.connect(f.attacker).delegate(NODE_2, STAKE + 12_345n);
      await f.staking.connect(f.carol).delegate(NODE_2, 999_999_999_999_999_999n);
      const nodes = [NODE_1, NODE_2];
      let paid = 0n;
      const claim = async (who: HardhatEthersSigner) => {
        const before = await f.token.balanceOf(who.address);
        await f.staking.connect(who).claim(NODE_1);
        paid += (await f.token.balanceOf(who.address)) - before;
      };
      for (const [i, dt] of [1n, 17n, 3_601n, DAY + 7n, 29n * DAY + 13n, 3n, 11n * DAY + 1n].entries()) {
        await time.increase(dt);
        if (i % 2 === 0) await f.staking.connect(f.bob).undelegate(NODE_1, 1_234_567_891n + BigInt(i));
        if (i % 3 === 0) await f.staking.connect(f.carol).delegate(NODE_1, 3n);
        if (i === 4) await f.staking.connect(f.attacker).undelegate(NODE_2, STAKE / 3n);
        if (i === 5) await slashThroughRegistry(f, NODE_2, 777_777n);
        if (i % 2 === 1) await claim(f.alice);
        await expectSolvent(f.staking, f.token, nodes, everyone(f));
      }
      // Everyone leaves (which settles everything and stops accrual), then takes everything there is to take.
      await time.increase(DAY);
      for (const who of everyone(f)) {
        for (const node of nodes) {
          if ((await f.staking.sharesOf(who.address, node)) > 0n) {
            await f.staking.connect(who).undelegate(node, ethers.MaxUint256);
          }
        }
        if ((await f.staking.settledYield(who.address)) > 0n) await claim(who);
      }
      const s = await expectSolvent(f.staking, f.token, nodes, everyone(f));
      const taken = RESERVE - s.reserve;
      expect(s.claimable).to.equal(0n);
      expect(paid).to.be.lte(taken);
      expect(s.yieldOwed).to.equal(taken - paid);
    });

    it("burns shares rounded up, so a leaver never takes more than its shares are worth", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      await slashThroughRegistry(f, NODE_1, 1_000n * ERA); // 9,000 ERA for 10,000 shares
      const { stake, shares } = await f.staking.nodePool(NODE_1);
      const amount = ERA + 1n;
      const burned = ceilDiv(amount * shares, stake);
      expect(burned * stake).to.be.gt(amount * shares); // strictly above the exact share count
      await expect(f.staking.connect(f.alice).undelegate(NODE_1, amount))
        .to.emit(f.staking, "UndelegationStarted")
        .withArgs(f.alice.address, NODE_1, amount, burned, amount, (x: bigint) => x > 0n);
      // 1 wei at a time: each burns ⌈10/9⌉ = 2 shares, worth 1.8 wei.
      const valueBefore = await f.staking.stakeOf(f.alice.address, NODE_1);
      const sharesBefore = await f.staking.sharesOf(f.alice.address, NODE_1);
      for (let i = 0; i < 10; i++) await f.staking.connect(f.alice).undelegate(NODE_1, 1n);
      expect(await f.staking.sharesOf(f.alice.address, NODE_1)).to.equal(sharesBefore - 20n);
      expect(await f.staking.stakeOf(f.alice.address, NODE_1)).to.be.lte(valueBefore - 10n);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });
  });

  describe("attack 3: re-entrancy through a token with transfer hooks", function () {
    /** Every nonReentrant entry point, called back from inside the token transfer of a delegation. */
    const reentries = (staking: DelegatedStaking, who: string, recipient: string): [string, string][] => [
      ["delegate", staking.interface.encodeFunctionData("delegate", [1, 1])],
      [
        "delegateWithPermit",
        staking.interface.encodeFunctionData("delegateWithPermit", [1, 1, 0, 0, ethers.ZeroHash, ethers.ZeroHash]),
      ],
      ["delegateFor", staking.interface.encodeFunctionData("delegateFor", [who, 1, 1])],
      ["undelegate", staking.interface.encodeFunctionData("undelegate", [1, 1])],
      ["withdraw", staking.interface.encodeFunctionData("withdraw", [1])],
      ["claim", staking.interface.encodeFunctionData("claim", [1])],
      ["claimAndRedelegate", staking.interface.encodeFunctionData("claimAndRedelegate", [1, 1])],
      ["fundReserve", staking.interface.encodeFunctionData("fundReserve", [1])],
      ["slashDelegations", staking.interface.encodeFunctionData("slashDelegations", [1, 1, recipient])],
    ];

    it("refuses every nonReentrant entry point with ReentrancyGuardReentrantCall", async function () {
      const { staking, token, alice, recipient, stakingAddress } = await loadFixture(isolatedFixture);
      await token.mint(alice.address, STAKE);
      for (const [name, data] of reentries(staking, alice.address, recipient.address)) {
        await token.arm(stakingAddress, data);
        await expect(staking.connect(alice).delegate(1, ERA), name).to.be.revertedWithCustomError(
          staking,
          "ReentrancyGuardReentrantCall",
        );
      }
    });

    it("guards every outgoing transfer too (withdraw, claim, fundReserve, slashDelegations)", async function () {
      const { staking, token, registry, admin, alice, recipient, stakingAddress } = await loadFixture(isolatedFixture);
      await token.mint(alice.address, STAKE);
      await token.mint(admin.address, 2n * RESERVE);
      await staking.connect(admin).fundReserve(RESERVE);
      const t0 = await timestampOf(await staking.connect(alice).delegate(1, STAKE));
      await at(t0 + DAY);
      await staking.connect(alice).undelegate(1, ERA);
      await time.increase(UNBONDING_PERIOD);
      const claimData = staking.interface.encodeFunctionData("claim", [1]);
      const outer = [
        () => staking.connect(alice).withdraw(1),
        () => staking.connect(alice).claim(1),
        () => staking.connect(admin).fundReserve(ERA),
        () => registry.slash(stakingAddress, 1, ERA, recipient.address),
      ];
      for (const call of outer) {
        await token.arm(stakingAddress, claimData);
        await expect(call()).to.be.revertedWithCustomError(staking, "ReentrancyGuardReentrantCall");
      }
      // Without the hook, the same calls go through.
      await token.arm(ethers.ZeroAddress, "0x");
      for (const call of outer) await expect(call()).not.to.be.reverted;
    });

    describe("a delegator contract re-entering from the token hook of its own payout is paid once", function () {
      const REENTRIES = { claim: 0n, withdraw: 1n, undelegate: 2n } as const;

      /**
       * A reentrant delegator that held 10,000 HOOK at node 1 for a day and unbonded all of it (matured now, its
       * yield settled), and holds 1,000 HOOK at node 2; the hook re-enters against node 2.
       */
      async function armedDelegator() {
        const f = await loadFixture(isolatedFixture);
        await f.registry.setActive(2, true);
        const attacker = await ethers.deployContract("StakingReentrantDelegator", [f.stakingAddress, f.token]);
        const attackerAddress = await attacker.getAddress();
        await f.token.mint(attackerAddress, STAKE + 1_000n * ERA);
        await f.token.mint(f.admin.address, RESERVE);
        await f.staking.connect(f.admin).fundReserve(RESERVE);
        const t0 = await timestampOf(await attacker.delegate(1, STAKE));
        await at(t0 + DAY);
        await attacker.undelegate(1, ethers.MaxUint256);
        await attacker.delegate(2, 1_000n * ERA);
        await time.increase(UNBONDING_PERIOD);
        const arm = (what: keyof typeof REENTRIES) =>
          f.token.arm(attackerAddress, attacker.interface.encodeFunctionData("reenter", [REENTRIES[what], 2]));
        return { ...f, attacker, attackerAddress, arm };
      }

      for (const outer of ["claim", "withdraw"] as const) {
        for (const inner of Object.keys(REENTRIES) as (keyof typeof REENTRIES)[]) {
          it(`${inner} from inside the ${outer} payout is refused (ReentrancyGuardReentrantCall); the ${outer} pays exactly once`, async function () {
            const { staking, token, attacker, attackerAddress, arm } = await loadFixture(armedDelegator);
            await arm(inner);
            // Node 1's yield was settled when the attacker left it: a day of 10,000 at 8%, exactly.
            const owed = outer === "claim" ? nodeYield(STAKE, MIN_APR_BPS, DAY) : STAKE;
            expect(await staking.settledYield(attackerAddress)).to.equal(nodeYield(STAKE, MIN_APR_BPS, DAY));
            const tx = outer === "claim" ? attacker.claim(1) : attacker.withdraw(1);
            const refusal = staking.interface.encodeErrorResult("ReentrancyGuardReentrantCall", []);
            await expect(tx).to.emit(attacker, "ReentryRefused").withArgs(REENTRIES[inner], refusal);
            await expect(tx).to.changeTokenBalances(
              token,
              [attackerAddress, await staking.getAddress()],
              [owed, -owed],
            );
            if (outer === "claim") await expect(tx).to.emit(staking, "YieldClaimed").withArgs(attackerAddress, owed);
            else await expect(tx).to.emit(staking, "Withdrawn").withArgs(attackerAddress, 1n, owed, 1n);
            expect(await token.hookCalls()).to.equal(1n);
            expect(await attacker.reentriesSucceeded()).to.equal(0n);
            // The inner call changed nothing at node 2: same shares, no unbonding, no withdrawal.
            expect(await staking.sharesOf(attackerAddress, 2)).to.equal(1_000n * ERA);
            expect(await staking.unbondingsOf(attackerAddress, 2)).to.have.length(0);
            expect(await staking.unbondingsOf(attackerAddress, 1)).to.have.length(outer === "withdraw" ? 0 : 1);
            // Asked again, the contract has nothing more to pay for the same thing.
            if (outer === "claim") {
              await expect(attacker.claim(1))
                .to.be.revertedWithCustomError(staking, "StakingNothingToClaim")
                .withArgs(attackerAddress);
            } else {
              await expect(attacker.withdraw(1))
                .to.be.revertedWithCustomError(staking, "StakingNothingToWithdraw")
                .withArgs(attackerAddress, 1n);
            }
          });
        }
      }
    });
  });
});
