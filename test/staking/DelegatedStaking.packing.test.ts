import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DAY, ERA } from "../helpers/fixtures";
import {
  MAX_APR_BPS,
  MAX_SCORE_BPS,
  MAX_UNBONDING_ENTRIES,
  MIN_APR_BPS,
  UNBONDING_PERIOD,
  WAD,
  accIncrement,
  at,
  expectSolvent,
  isolatedFixture,
  nodeYield,
  positionYield,
  reactivate,
  slashThroughRegistry,
  stakingFixture,
  timestampOf,
  type StakingFixture,
} from "./helpers";

const NODE_1 = 1n;
const NODE_2 = 2n;
const STAKE = 10_000n * ERA;
/** Capacity of the global rate (Σ stake × aprBps): 2^104 − 1. */
const MAX_GLOBAL_RATE = 2n ** 104n - 1n;
/** Capacity of the reserve and of the yield funds: 2^96 − 1 wei. */
const MAX_BALANCE = 2n ** 96n - 1n;

const everyone = (f: StakingFixture) => [f.alice, f.bob, f.carol, f.attacker, f.developer];

describe("DelegatedStaking — packed state", function () {
  describe("capacity (StakingCapacityExceeded instead of truncation)", function () {
    it("exposes the capacities", async function () {
      const { staking } = await loadFixture(isolatedFixture);
      expect(await staking.MAX_GLOBAL_RATE()).to.equal(MAX_GLOBAL_RATE);
      expect(await staking.MAX_BALANCE()).to.equal(MAX_BALANCE);
    });

    it("takes a delegation up to the global rate's capacity, exactly, and refuses one wei more", async function () {
      const { staking, token, registry, scoreKeeper, alice, bob } = await loadFixture(isolatedFixture);
      await staking.connect(scoreKeeper).setScore(1, MAX_SCORE_BPS); // 12%
      const room = MAX_GLOBAL_RATE / MAX_APR_BPS;
      await token.mint(alice.address, room + 1n);
      await token.mint(bob.address, ERA);
      await expect(staking.connect(alice).delegate(1, room + 1n))
        .to.be.revertedWithCustomError(staking, "StakingCapacityExceeded")
        .withArgs(room + 1n, room);
      await expect(staking.connect(alice).delegate(1, room - ERA))
        .to.emit(staking, "Delegated")
        .withArgs(alice.address, 1, alice.address, room - ERA, room - ERA);
      // The room is shared by every node, at each node's APR.
      await registry.setActive(2, true);
      const left = MAX_GLOBAL_RATE - (room - ERA) * MAX_APR_BPS;
      await expect(staking.connect(bob).delegate(2, left / MIN_APR_BPS + 1n))
        .to.be.revertedWithCustomError(staking, "StakingCapacityExceeded")
        .withArgs(left / MIN_APR_BPS + 1n, left / MIN_APR_BPS);
      await staking.connect(alice).delegate(1, ERA);
      expect(await staking.globalRate()).to.equal(room * MAX_APR_BPS);
      await expect(staking.connect(bob).delegate(1, 1n))
        .to.be.revertedWithCustomError(staking, "StakingCapacityExceeded")
        .withArgs(1n, 0n);
      expect((await staking.nodePool(1)).stake).to.equal(room);
      expect(room).to.be.lt(2n ** 96n); // the rate's capacity keeps a pool's stake within its 96 bits
    });

    it("refuses a score raise that would take the global rate past its capacity, and keeps the old score", async function () {
      const { staking, token, scoreKeeper, alice } = await loadFixture(isolatedFixture);
      const stake = MAX_GLOBAL_RATE / MIN_APR_BPS; // the whole room at 8%
      await token.mint(alice.address, stake);
      await staking.connect(alice).delegate(1, stake);
      // Score 25 is 8.01%: the node's stake no longer fits.
      await expect(staking.connect(scoreKeeper).setScore(1, 25n))
        .to.be.revertedWithCustomError(staking, "StakingCapacityExceeded")
        .withArgs(stake, MAX_GLOBAL_RATE / 801n);
      await expect(staking.connect(scoreKeeper).setScore(1, MAX_SCORE_BPS))
        .to.be.revertedWithCustomError(staking, "StakingCapacityExceeded")
        .withArgs(stake, MAX_GLOBAL_RATE / MAX_APR_BPS);
      expect(await staking.aprOf(1)).to.equal(MIN_APR_BPS);
      expect(await staking.globalRate()).to.equal(stake * MIN_APR_BPS);
    });

    it("never refuses an exit: the whole capacity undelegates, unbonds and withdraws", async function () {
      const { staking, token, scoreKeeper, alice } = await loadFixture(isolatedFixture);
      await staking.connect(scoreKeeper).setScore(1, MAX_SCORE_BPS);
      const stake = MAX_GLOBAL_RATE / MAX_APR_BPS;
      await token.mint(alice.address, stake);
      await staking.connect(alice).delegate(1, stake);
      await staking.connect(alice).undelegate(1, stake / 2n);
      await staking.connect(alice).undelegate(1, ethers.MaxUint256);
      expect(await staking.globalRate()).to.equal(0n);
      await time.increase(UNBONDING_PERIOD);
      await expect(staking.connect(alice).withdraw(1))
        .to.emit(staking, "Withdrawn")
        .withArgs(alice.address, 1, stake, 2n);
    });

    it("funds the reserve up to 2^96 − 1 wei of yield funds and refuses one wei more", async function () {
      const { staking, token, admin } = await loadFixture(isolatedFixture);
      await token.mint(admin.address, MAX_BALANCE + 1n);
      await staking.connect(admin).fundReserve(MAX_BALANCE - 5n);
      await expect(staking.connect(admin).fundReserve(6n))
        .to.be.revertedWithCustomError(staking, "StakingCapacityExceeded")
        .withArgs(6n, 5n);
      await expect(staking.connect(admin).fundReserve(5n))
        .to.emit(staking, "ReserveFunded")
        .withArgs(admin.address, 5n, MAX_BALANCE);
      await expect(staking.connect(admin).fundReserve(1n))
        .to.be.revertedWithCustomError(staking, "StakingCapacityExceeded")
        .withArgs(1n, 0n);
      const [reserve, yieldOwed] = await staking.reserveStatus();
      expect([reserve, yieldOwed]).to.deep.equal([MAX_BALANCE, 0n]);
    });
  });

  describe("the accumulator (exact while a pool's price is one)", function () {
    it("pays staggered delegations exactly stake × APR × time, settled at each change", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_1, 3_000n); // 9.2%
      const apr = 920n;
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + DAY + 7n);
      await f.staking.connect(f.bob).delegate(NODE_1, 3n * STAKE + 11n);
      await at(t0 + 5n * DAY);
      await f.staking.connect(f.alice).delegate(NODE_1, 2n * STAKE);
      // Alice's first 5 days were settled by her second delegation, exactly.
      expect(await f.staking.settledYield(f.alice.address)).to.equal(nodeYield(STAKE, apr, 5n * DAY));
      await at(t0 + 9n * DAY + 1n);
      await f.staking.connect(f.bob).undelegate(NODE_1, STAKE);
      await at(t0 + 30n * DAY);
      await expect(f.staking.connect(f.alice).claim(NODE_1))
        .to.emit(f.staking, "YieldClaimed")
        .withArgs(f.alice.address, nodeYield(STAKE, apr, 5n * DAY) + nodeYield(3n * STAKE, apr, 25n * DAY));
      await at(t0 + 30n * DAY + 1n);
      await expect(f.staking.connect(f.bob).claim(NODE_1))
        .to.emit(f.staking, "YieldClaimed")
        .withArgs(
          f.bob.address,
          nodeYield(3n * STAKE + 11n, apr, 8n * DAY - 6n) + nodeYield(2n * STAKE + 11n, apr, 21n * DAY),
        );
      // The pool never left a price of one, and its accumulator is aprBps × wad-seconds since the first delegation.
      const pool = await f.staking.nodePool(NODE_1);
      expect(pool.stake).to.equal(pool.shares);
      expect(pool.accYieldPerShare).to.equal(apr * (30n * DAY + 1n) * WAD);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });

    it("does not accrue while a pool is empty, and starts again from the next delegation", async function () {
      const f = await loadFixture(stakingFixture);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + DAY);
      await f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256);
      const frozen = accIncrement(STAKE, STAKE, MIN_APR_BPS, DAY);
      await time.increase(10n * DAY);
      expect((await f.staking.nodePool(NODE_1)).accYieldPerShare).to.equal(frozen);
      const t1 = await timestampOf(await f.staking.connect(f.bob).delegate(NODE_1, STAKE));
      await at(t1 + DAY);
      await f.staking.poke();
      expect((await f.staking.nodePool(NODE_1)).accYieldPerShare).to.equal(
        frozen + accIncrement(STAKE, STAKE, MIN_APR_BPS, DAY),
      );
      expect(await f.staking.claimableYield(f.bob.address, NODE_1)).to.equal(nodeYield(STAKE, MIN_APR_BPS, DAY));
      // Alice, who left, keeps exactly her one day.
      expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(nodeYield(STAKE, MIN_APR_BPS, DAY));
    });

    it("after a slash, accrues stake × APR / shares per share, checkpointed at every join and leave", async function () {
      const f = await loadFixture(stakingFixture);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + DAY);
      await slashThroughRegistry(f, NODE_1, 1_000n * ERA); // 9,000 ERA for 10,000 shares
      await reactivate(f, NODE_1, f.operator1);
      const tJoin = await timestampOf(await f.staking.connect(f.bob).delegate(NODE_1, 900n * ERA + 7n));
      const shares1 = STAKE + ((900n * ERA + 7n) * STAKE) / (9_000n * ERA);
      const stake1 = 9_900n * ERA + 7n;
      const pool1 = await f.staking.nodePool(NODE_1);
      expect([pool1.stake, pool1.shares]).to.deep.equal([stake1, shares1]);
      const accJoin = pool1.accYieldPerShare;
      await at(tJoin + 3n * DAY);
      await f.staking.connect(f.alice).undelegate(NODE_1, 100n * ERA); // a leave at a price below one
      const acc2 = accJoin + accIncrement(stake1, shares1, MIN_APR_BPS, 3n * DAY);
      expect((await f.staking.nodePool(NODE_1)).accYieldPerShare).to.equal(acc2);
      const bobShares = await f.staking.sharesOf(f.bob.address, NODE_1);
      expect(await f.staking.claimableYield(f.bob.address, NODE_1)).to.equal(positionYield(bobShares, acc2 - accJoin));
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });
  });

  describe("unbonding entries (fixed slots, reused)", function () {
    it("lists only pending entries after a swap-and-pop, and refills the freed slots", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      // Entries of 1,000, 2,000 and 3,000 ERA, a day apart.
      const t1 = (await time.latest()) + 1;
      for (const day of [0n, 1n, 2n]) {
        await at(BigInt(t1) + day * DAY);
        await f.staking.connect(f.alice).undelegate(NODE_1, (day + 1n) * 1_000n * ERA);
      }
      await at(BigInt(t1) + UNBONDING_PERIOD);
      // Only the first matured: the last entry moves into its slot.
      await expect(f.staking.connect(f.alice).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.alice.address, NODE_1, 1_000n * ERA, 1n);
      const listed = async () =>
        (await f.staking.unbondingsOf(f.alice.address, NODE_1)).map((e) => [e.shares, e.releaseAt - BigInt(t1)]);
      expect(await listed()).to.deep.equal([
        [3_000n * ERA, 2n * DAY + UNBONDING_PERIOD],
        [2_000n * ERA, DAY + UNBONDING_PERIOD],
      ]);
      // The slot the last entry left is stale, not pending: it is neither listed nor valued.
      await expect(f.staking.unbondingValue(f.alice.address, NODE_1, 2)).to.be.revertedWithPanic(0x32);
      const t2 = await timestampOf(await f.staking.connect(f.alice).undelegate(NODE_1, 4_000n * ERA));
      expect(await listed()).to.deep.equal([
        [3_000n * ERA, 2n * DAY + UNBONDING_PERIOD],
        [2_000n * ERA, DAY + UNBONDING_PERIOD],
        [4_000n * ERA, t2 - BigInt(t1) + UNBONDING_PERIOD],
      ]);
      expect(await f.staking.unbondingValue(f.alice.address, NODE_1, 2)).to.equal(4_000n * ERA);
      await at(t2 + UNBONDING_PERIOD);
      await expect(f.staking.connect(f.alice).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.alice.address, NODE_1, 9_000n * ERA, 3n);
      expect(await listed()).to.deep.equal([]);
    });

    it("cycles MAX_UNBONDING_ENTRIES entries through the same slots twice", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      for (const round of [1n, 2n]) {
        for (let i = 0n; i < MAX_UNBONDING_ENTRIES; i++) await f.staking.connect(f.alice).undelegate(NODE_1, round);
        expect(await f.staking.unbondingsOf(f.alice.address, NODE_1)).to.have.length(Number(MAX_UNBONDING_ENTRIES));
        await time.increase(UNBONDING_PERIOD);
        await expect(f.staking.connect(f.alice).withdraw(NODE_1))
          .to.emit(f.staking, "Withdrawn")
          .withArgs(f.alice.address, NODE_1, round * MAX_UNBONDING_ENTRIES, MAX_UNBONDING_ENTRIES);
        expect(await f.staking.unbondingsOf(f.alice.address, NODE_1)).to.have.length(0);
      }
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });
  });

  describe("settled yield", function () {
    it("reads 0 once claimed, though the delegator's account slot stays open", async function () {
      const f = await loadFixture(stakingFixture);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      expect(await f.staking.settledYield(f.alice.address)).to.equal(0n);
      await at(t0 + DAY);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      const earned = nodeYield(STAKE, MIN_APR_BPS, DAY);
      expect(await f.staking.settledYield(f.alice.address)).to.equal(earned);
      await expect(f.staking.connect(f.alice).claim(NODE_2))
        .to.emit(f.staking, "YieldClaimed")
        .withArgs(f.alice.address, earned);
      expect(await f.staking.settledYield(f.alice.address)).to.equal(0n);
      expect(await f.staking.claimableYield(f.alice.address, NODE_2)).to.equal(0n);
    });
  });
});
