import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { economyFixture, ERA } from "../helpers/fixtures";
import { runReferenceMonth, REFERENCE, type MonthReport } from "../../src/demo/referenceMonth";

/**
 * The reference month of DESIGN.md §3, end to end on the suite as the Ignition module deploys it. Every expected
 * figure below is written out from the design's text, not computed by the code under test.
 */
describe("reference month (DESIGN.md §3) on the deployed suite", function () {
  async function referenceMonthFixture() {
    const f = await economyFixture();
    const s = await ethers.getSigners();
    const cast = {
      treasury: f.treasury,
      publisher: f.publisher,
      scoreKeeper: f.scoreKeeper,
      financialOperator: s[13],
      lightweightOperator: s[14],
      enterpriseOperator: s[15],
      developer: s[16],
      payer: s[17],
      alice: s[18],
      bob: s[19],
      carol: f.carol,
    };
    const supplyBefore = await f.token.totalSupply();
    const report: MonthReport = await runReferenceMonth(f, cast, ethers.provider);
    return { f, cast, report, supplyBefore };
  }

  it("pays the financial node exactly 15,000 ERA of a 50,000 ERA month (30%)", async function () {
    const { report } = await loadFixture(referenceMonthFixture);
    expect(report.revenue[0].paid).to.equal(50_000n * ERA);
    expect(report.revenue[0].node).to.equal(15_000n * ERA);
    expect(report.financialNodeClaimed).to.equal(15_000n * ERA);
  });

  it("sets the lightweight node share to the financial one / 1.15, rounded to the nearest basis point", async function () {
    const { report } = await loadFixture(referenceMonthFixture);
    expect(report.financialNodeShareBps).to.equal(3_000n);
    // 3,000 / 1.15 = 2,608.695… → 2,609; the financial share is then 1.15 × lightweight within half a basis point.
    expect(report.lightweightNodeShareBps).to.equal(2_609n);
    const diffTimes100 = report.lightweightNodeShareBps * 115n - report.financialNodeShareBps * 100n;
    expect(diffTimes100 < 0n ? -diffTimes100 : diffTimes100).to.be.lte(50n); // |2,609 × 1.15 − 3,000| = 0.35 bps ≤ 0.5
    expect(report.revenue[1].node).to.equal(13_045n * ERA);
    expect(report.lightweightNodeClaimed).to.equal(13_045n * ERA);
  });

  it("yields exactly 80 ERA at 9.6% and 100 ERA at 12% on 10,000 ERA for 365/12 days", async function () {
    const { report } = await loadFixture(referenceMonthFixture);
    expect(report.yieldAt9_6.aprBps).to.equal(960n);
    expect(report.yieldAt9_6.claimed).to.equal(80n * ERA);
    expect(report.yieldAt12.aprBps).to.equal(1_200n);
    expect(report.yieldAt12.claimed).to.equal(100n * ERA);
  });

  it("keeps APR inside 8–12% at scores 0 and 1", async function () {
    const { report } = await loadFixture(referenceMonthFixture);
    expect(report.aprAtScore0).to.equal(800n);
    expect(report.aprAtScore1).to.equal(1_200n);
  });

  it("pays 1.1 × base to a developer with 100,001 MAU and base to one with 100,000", async function () {
    const { report } = await loadFixture(referenceMonthFixture);
    expect(report.subsidyAboveThreshold.base).to.equal(REFERENCE.baseSubsidy);
    expect(report.subsidyAboveThreshold.paid).to.equal(11_000n * ERA);
    expect(report.subsidyAtThreshold.paid).to.equal(10_000n * ERA);
  });

  it("splits every payment into parts that add up to exactly what was paid", async function () {
    const { report } = await loadFixture(referenceMonthFixture);
    for (const r of report.revenue) {
      expect(r.node + r.userPool + r.protocol + r.developer).to.equal(r.paid);
    }
    // Developer parts: 55% / 60.91% / 57% of 50,000 / 50,000 / 20,000.
    expect(report.revenue.map((r) => r.developer)).to.deep.equal([27_500n * ERA, 29_455n * ERA, 11_400n * ERA]);
  });

  it("closes the loop: the protocol share funds the staking reserve and the user pool funds the rewards", async function () {
    const { f, report } = await loadFixture(referenceMonthFixture);
    // 5% of 120,000 ERA of revenue.
    expect(report.reserveFundedByProtocolShare).to.equal(6_000n * ERA);
    // 10% of 120,000 ERA, all claimed.
    expect(report.rewardsClaimed).to.equal(12_000n * ERA);
    expect(await f.distributor.available(1)).to.equal(0n);
    expect(await f.revenueRouter.protocolPool()).to.equal(0n);
    expect(await f.revenueRouter.userPool()).to.equal(0n);
  });

  it("lets a user claim a reward and delegate it to a node in one transaction", async function () {
    const { report } = await loadFixture(referenceMonthFixture);
    expect(report.rewardDelegated.amount).to.equal(2_400n * ERA);
    expect(report.rewardDelegated.stakeAfter).to.equal(2_400n * ERA);
  });

  it("conserves ERA: no mint, and every contract holds at least what it owes", async function () {
    const { f, supplyBefore } = await loadFixture(referenceMonthFixture);
    expect(await f.token.totalSupply()).to.equal(supplyBefore);
    expect(await f.token.balanceOf(f.addresses.revenueRouter)).to.equal(
      (await f.revenueRouter.totalClaimable()) +
        (await f.revenueRouter.protocolPool()) +
        (await f.revenueRouter.userPool()),
    );
    const status = await f.staking.reserveStatus();
    let stakes = 0n;
    for (const id of [1n, 2n, 3n]) {
      const pool = await f.staking.nodePool(id);
      stakes += pool.stake + pool.unbondingStake;
    }
    expect(await f.token.balanceOf(f.addresses.staking)).to.be.gte(stakes + status.reserve + status.yieldOwed);
  });
});
