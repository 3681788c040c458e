import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ERA, MONTH } from "../helpers/fixtures";
import {
  MAX_APR_BPS,
  MAX_SCORE_BPS,
  MIN_APR_BPS,
  RESERVE,
  aprOfScore,
  at,
  expectSolvent,
  nodeYield,
  reserveCharge,
  stakingFixture,
  timestampOf,
} from "./helpers";

const NODE_1 = 1n;
const NODE_2 = 2n;
const STAKE = 10_000n * ERA;

describe("DelegatedStaking — yield (DESIGN.md §3 reference figures)", function () {
  describe("10,000 ERA delegated for one month", function () {
    async function monthAtScore(score: bigint) {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_1, score);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + MONTH); // MONTH = 365/12 days = 2,628,000 s
      const tx = f.staking.connect(f.alice).claim(NODE_1);
      return { f, tx };
    }

    it("earns exactly 80 ERA at a 9.6% node (score 4,000)", async function () {
      const { f, tx } = await monthAtScore(4_000n);
      expect(await f.staking.aprOf(NODE_1)).to.equal(960n);
      await expect(tx)
        .to.emit(f.staking, "YieldClaimed")
        .withArgs(f.alice.address, 80n * ERA);
      await expect(tx).to.changeTokenBalance(f.token, f.alice, 80n * ERA);
      // The reserve paid exactly that, no rounding either way.
      const [reserve, yieldOwed] = await f.staking.reserveStatus();
      expect([reserve, yieldOwed]).to.deep.equal([RESERVE - 80n * ERA, 0n]);
    });

    it("earns exactly 100 ERA at a 12% node (score 10,000)", async function () {
      const { f, tx } = await monthAtScore(MAX_SCORE_BPS);
      expect(await f.staking.aprOf(NODE_1)).to.equal(MAX_APR_BPS);
      await expect(tx)
        .to.emit(f.staking, "YieldClaimed")
        .withArgs(f.alice.address, 100n * ERA);
      await expect(tx).to.changeTokenBalance(f.token, f.alice, 100n * ERA);
    });

    it("earns 8% / 12, rounded down to the wei, at an unscored node (score 0)", async function () {
      const { f, tx } = await monthAtScore(0n);
      const expected = nodeYield(STAKE, MIN_APR_BPS, MONTH);
      expect(expected).to.equal(66_666_666_666_666_666_666n); // 66.666… ERA
      await expect(tx).to.emit(f.staking, "YieldClaimed").withArgs(f.alice.address, expected);
    });

    it("pays both figures at once to delegators of two nodes, from a reserve charged exactly 180 ERA", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_1, 4_000n);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_2, MAX_SCORE_BPS);
      const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, STAKE));
      await at(t0 + 1n);
      await f.staking.connect(f.bob).delegate(NODE_2, STAKE);
      await at(t0 + MONTH);
      await expect(f.staking.connect(f.alice).claim(NODE_1))
        .to.emit(f.staking, "YieldClaimed")
        .withArgs(f.alice.address, 80n * ERA);
      await at(t0 + 1n + MONTH);
      await expect(f.staking.connect(f.bob).claim(NODE_2))
        .to.emit(f.staking, "YieldClaimed")
        .withArgs(f.bob.address, 100n * ERA);
      // Charges: 1 s of node 1 alone, then MONTH − 1 s and 1 s of both (alice stays delegated after claiming).
      const charged =
        reserveCharge(STAKE * 960n, 1n) +
        reserveCharge(STAKE * (960n + MAX_APR_BPS), MONTH - 1n) +
        reserveCharge(STAKE * (960n + MAX_APR_BPS), 1n);
      const [reserve, yieldOwed] = await f.staking.reserveStatus();
      expect(reserve).to.equal(RESERVE - charged);
      expect(yieldOwed).to.equal(charged - 180n * ERA);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], [f.alice, f.bob]);
    });
  });

  describe("APR band", function () {
    it("is 800 bps at score 0 and 1,200 bps at score 10,000", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_1, 0n);
      expect(await f.staking.aprOf(NODE_1)).to.equal(800n);
      await f.staking.connect(f.scoreKeeper).setScore(NODE_1, 10_000n);
      expect(await f.staking.aprOf(NODE_1)).to.equal(1_200n);
    });

    it("is 8% + 4% × score rounded down to a basis point, never outside [800, 1200], over a sweep of scores", async function () {
      const f = await loadFixture(stakingFixture);
      const scores = new Set<bigint>([0n, 1n, 24n, 25n, 26n, 49n, 50n, 4_000n, 9_974n, 9_975n, 9_999n, 10_000n]);
      for (let s = 0n; s <= MAX_SCORE_BPS; s += 137n) scores.add(s);
      let previous = 0n;
      for (const score of [...scores].sort((a, b) => (a < b ? -1 : 1))) {
        await f.staking.connect(f.scoreKeeper).setScore(NODE_1, score);
        const apr = await f.staking.aprOf(NODE_1);
        expect(apr, `score ${score}`).to.equal(aprOfScore(score));
        expect(apr, `score ${score}`).to.be.gte(MIN_APR_BPS).and.lte(MAX_APR_BPS);
        expect(apr, `monotone at score ${score}`).to.be.gte(previous);
        previous = apr;
      }
    });
  });
});
