import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ERA } from "../helpers/fixtures";
import { claimSubsidy, distributorFixture, proposeSubsidies } from "./helpers";

/** DESIGN.md §3, "subsidies → developers": +10% on top above 100,000 monthly active users, enforced on-chain. */
describe("EpochDistributor: reference figures of DESIGN.md §3", function () {
  // A base subsidy whose tenth is a whole number of wei, so that 1.1 × S is exact.
  const S = 4_321n * ERA + 10n;

  async function referenceMonth() {
    const f = await distributorFixture();
    const p = await proposeSubsidies(f, [
      { account: f.developer.address, scenarioId: 1n, baseAmount: S, mau: 100_001n },
      { account: f.carol.address, scenarioId: 2n, baseAmount: S, mau: 100_000n },
    ]);
    await time.increaseTo(p.opensAt);
    return { ...f, p };
  }

  it("a scenario with 100,001 MAU and base subsidy S receives exactly 1.1 × S", async function () {
    const { p, ...f } = await loadFixture(referenceMonth);
    expect((S * 11n) % 10n).to.equal(0n);
    const tx = claimSubsidy(f.distributor, f.developer, p.tree.claim(0));
    await expect(tx).to.changeTokenBalance(f.token, f.developer, (S * 11n) / 10n);
    await expect(tx)
      .to.emit(f.distributor, "MauBonusApplied")
      .withArgs(p.epochId, 1n, 100_001n, S / 10n);
  });

  it("a scenario with 100,000 MAU and base subsidy S receives exactly S", async function () {
    const { p, ...f } = await loadFixture(referenceMonth);
    const tx = claimSubsidy(f.distributor, f.carol, p.tree.claim(1));
    await expect(tx).to.changeTokenBalance(f.token, f.carol, S);
    await expect(tx).not.to.emit(f.distributor, "MauBonusApplied");
  });

  it("the month's budget is 2.1 × S and both claims use it up exactly", async function () {
    const { p, ...f } = await loadFixture(referenceMonth);
    expect(p.tree.budget).to.equal((S * 21n) / 10n);
    await claimSubsidy(f.distributor, f.developer, p.tree.claim(0));
    await claimSubsidy(f.distributor, f.carol, p.tree.claim(1));
    const epoch = await f.distributor.getEpoch(p.epochId);
    expect(epoch.claimed).to.equal(epoch.budget);
  });
});
