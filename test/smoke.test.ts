import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { fundedEconomyFixture, ROLES } from "./helpers/fixtures";

describe("deployment (Ignition module Economy)", function () {
  it("hands admin of every contract to the timelock and leaves the deployer powerless", async function () {
    const f = await loadFixture(fundedEconomyFixture);
    for (const c of [f.token, f.nodeRegistry, f.staking, f.scenarioRegistry, f.distributor, f.revenueRouter]) {
      expect(await c.hasRole(ROLES.DEFAULT_ADMIN, await f.timelock.getAddress())).to.equal(true);
      expect(await c.hasRole(ROLES.DEFAULT_ADMIN, f.deployer.address)).to.equal(false);
      expect(await c.getRoleMemberCount(ROLES.DEFAULT_ADMIN)).to.equal(1n);
    }
    expect(await f.nodeRegistry.staking()).to.equal(await f.staking.getAddress());
    expect(await f.nodeRegistry.isActive(1)).to.equal(true);
  });
});
