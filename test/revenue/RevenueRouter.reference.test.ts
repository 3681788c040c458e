import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ERA, ScenarioClass } from "../helpers/fixtures";
import { BPS, CLASSES, SCENARIO, routerFixture } from "./helpers";

/** DESIGN.md §3, "scenario revenue → node" and "scenario revenue → rest". */
describe("RevenueRouter: reference figures of DESIGN.md §3", function () {
  const MONTHLY_REVENUE = 50_000n * ERA;

  it("a financial scenario earning 50,000 ERA pays its node's operator exactly 15,000 ERA", async function () {
    const f = await loadFixture(routerFixture);
    await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Financial], MONTHLY_REVENUE);
    expect(await f.revenueRouter.claimable(f.operator1.address)).to.equal(15_000n * ERA);
    await expect(f.revenueRouter.connect(f.operator1).claim(f.operator1.address)).to.changeTokenBalance(
      f.token,
      f.operator1,
      15_000n * ERA,
    );
  });

  it("the financial node share is 30% and the lightweight one is 30% / 1.15 rounded to the nearest basis point", async function () {
    const f = await loadFixture(routerFixture);
    const financial = (await f.revenueRouter.sharesOf(ScenarioClass.Financial)).nodeBps;
    const lightweight = (await f.revenueRouter.sharesOf(ScenarioClass.Lightweight)).nodeBps;
    expect(financial * 10n).to.equal(3n * BPS); // 30%
    // "15% higher": |lightweight × 1.15 − financial| ≤ 0.5 bps, i.e. |lightweight × 115 − financial × 100| ≤ 50.
    const gap = lightweight * 115n - financial * 100n;
    expect(gap < 0n ? -gap : gap).to.be.at.most(50n);
    // And it is the nearest basis point to financial / 1.15: |lightweight − financial / 1.15| ≤ 1/2.
    expect(2n * (gap < 0n ? -gap : gap)).to.be.at.most(115n);
  });

  it("a lightweight scenario earning 50,000 ERA pays its node's operator 13,045 ERA", async function () {
    const f = await loadFixture(routerFixture);
    await f.revenueRouter.connect(f.alice).pay(SCENARIO[ScenarioClass.Lightweight], MONTHLY_REVENUE);
    expect(await f.revenueRouter.claimable(f.operator1.address)).to.equal(13_045n * ERA);
    // The financial figure divided by 1.15 is 13,043.48 ERA: within the half basis point of rounding (2.5 ERA).
    const exact = (15_000n * ERA * 100n) / 115n;
    expect(13_045n * ERA - exact).to.be.at.most((MONTHLY_REVENUE * 5n) / (10n * BPS));
  });

  it("node + user pool + protocol + developer = the amount paid, for every payment of every class", async function () {
    const f = await loadFixture(routerFixture);
    const amounts = [1n, 2n, 3n, 7n, 9_999n, 10_001n, MONTHLY_REVENUE, MONTHLY_REVENUE + 1n, 123_456_789_012_345_678n];
    for (const cls of CLASSES) {
      for (const amount of amounts) {
        const receipt = await (await f.revenueRouter.connect(f.bob).pay(SCENARIO[cls], amount)).wait();
        const paid = receipt!.logs
          .map((log) => f.revenueRouter.interface.parseLog(log))
          .find((e) => e?.name === "RevenuePaid");
        expect(paid, "RevenuePaid").to.not.equal(undefined);
        const { nodeAmount, userPoolAmount, protocolAmount, developerAmount } = paid!.args;
        expect(paid!.args.amount).to.equal(amount);
        expect(nodeAmount + userPoolAmount + protocolAmount + developerAmount).to.equal(amount);
      }
    }
    // And the router holds exactly what it booked.
    const total = amounts.reduce((a, b) => a + b, 0n) * BigInt(CLASSES.length);
    expect(await f.token.balanceOf(await f.revenueRouter.getAddress())).to.equal(total);
    expect(
      (await f.revenueRouter.totalClaimable()) +
        (await f.revenueRouter.userPool()) +
        (await f.revenueRouter.protocolPool()),
    ).to.equal(total);
  });
});
