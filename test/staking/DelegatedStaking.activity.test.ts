import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ERA, viaTimelock } from "../helpers/fixtures";
import { freshRegistryFixture } from "../staking-registry/fixtures";
import { deployStaking, reactivate, stakingFixture, type StakingFixture } from "./helpers";

const NODE_1 = 1n;
const NODE_2 = 2n;
const UNKNOWN_NODE = 99n;
const STAKE = 1_000n * ERA;
const REASON = ethers.encodeBytes32String("test");

/** Sets the registry's minimum bond through the timelock. */
const setMinBond = (f: StakingFixture, minBond: bigint) =>
  viaTimelock(f, f.nodeRegistry, f.nodeRegistry.interface.encodeFunctionData("setMinBond", [minBond]));

/** `alice` delegates `STAKE` to `nodeId` (expected to succeed). */
const delegates = (f: StakingFixture, nodeId: bigint) =>
  expect(f.staking.connect(f.alice).delegate(nodeId, STAKE)).to.emit(f.staking, "Delegated");

/** `alice`'s delegation of `STAKE` to `nodeId` reverts with `StakingNodeNotActive(nodeId)`. */
const refused = (f: StakingFixture, nodeId: bigint) =>
  expect(f.staking.connect(f.alice).delegate(nodeId, STAKE))
    .to.be.revertedWithCustomError(f.staking, "StakingNodeNotActive")
    .withArgs(nodeId);

describe("DelegatedStaking: node activity pushed by the registry", function () {
  describe("node actions", function () {
    it("a registration pushes the new node active (NodeActivitySet), and it takes delegations at once", async function () {
      const f = await loadFixture(stakingFixture);
      expect(await f.staking.nodeActive(NODE_1)).to.equal(true);
      expect(await f.staking.nodeActive(NODE_2)).to.equal(true);
      const minBond = await f.nodeRegistry.minBond();
      await f.token.connect(f.carol).approve(await f.nodeRegistry.getAddress(), minBond);
      await expect(f.nodeRegistry.connect(f.carol).register(ethers.Wallet.createRandom().address, "", minBond))
        .to.emit(f.staking, "NodeActivitySet")
        .withArgs(3n, true);
      expect(await f.staking.nodeActive(3n)).to.equal(true);
      await delegates(f, 3n);
    });

    it("an unknown node is inactive", async function () {
      const f = await loadFixture(stakingFixture);
      expect(await f.staking.nodeActive(UNKNOWN_NODE)).to.equal(false);
      await refused(f, UNKNOWN_NODE);
    });

    it("unbonding the whole bond pushes the node inactive; a top-up to the minimum pushes it active again", async function () {
      const f = await loadFixture(stakingFixture);
      const bond = (await f.nodeRegistry.getNode(NODE_2)).bond;
      await expect(f.nodeRegistry.connect(f.operator2).unbond(NODE_2, bond))
        .to.emit(f.staking, "NodeActivitySet")
        .withArgs(NODE_2, false);
      expect(await f.staking.nodeActive(NODE_2)).to.equal(false);
      await refused(f, NODE_2);
      await f.token.connect(f.operator2).approve(await f.nodeRegistry.getAddress(), bond);
      await expect(f.nodeRegistry.connect(f.operator2).topUp(NODE_2, bond))
        .to.emit(f.staking, "NodeActivitySet")
        .withArgs(NODE_2, true);
      expect(await f.staking.nodeActive(NODE_2)).to.equal(true);
      await delegates(f, NODE_2);
    });

    it("a partial unbond, a top-up of an active node and a top-up still below the minimum push nothing", async function () {
      const f = await loadFixture(stakingFixture);
      const registry = await f.nodeRegistry.getAddress();
      await f.token.connect(f.operator1).approve(registry, ethers.MaxUint256);
      await expect(f.nodeRegistry.connect(f.operator1).topUp(NODE_1, 2n * ERA)).not.to.emit(
        f.staking,
        "NodeActivitySet",
      );
      await expect(f.nodeRegistry.connect(f.operator1).unbond(NODE_1, ERA)).not.to.emit(f.staking, "NodeActivitySet");
      const bond = (await f.nodeRegistry.getNode(NODE_1)).bond;
      await f.nodeRegistry.connect(f.operator1).unbond(NODE_1, bond);
      await expect(f.nodeRegistry.connect(f.operator1).topUp(NODE_1, ERA)).not.to.emit(f.staking, "NodeActivitySet");
      expect(await f.staking.nodeActive(NODE_1)).to.equal(false);
      await refused(f, NODE_1);
    });

    it("a slash below the minimum bond pushes the node inactive; one that leaves it at the minimum pushes nothing", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      await f.token.connect(f.operator1).approve(await f.nodeRegistry.getAddress(), ERA);
      await f.nodeRegistry.connect(f.operator1).topUp(NODE_1, ERA);
      await expect(f.nodeRegistry.connect(f.slasher).slash(NODE_1, ERA, f.slashRecipient.address, REASON)).not.to.emit(
        f.staking,
        "NodeActivitySet",
      );
      await delegates(f, NODE_1);
      await expect(f.nodeRegistry.connect(f.slasher).slash(NODE_1, 1n, f.slashRecipient.address, REASON))
        .to.emit(f.staking, "NodeActivitySet")
        .withArgs(NODE_1, false);
      expect(await f.staking.nodeActive(NODE_1)).to.equal(false);
      await refused(f, NODE_1);
      // The delegators can still leave.
      await expect(f.staking.connect(f.alice).undelegate(NODE_1, STAKE)).to.emit(f.staking, "UndelegationStarted");
      await reactivate(f, NODE_1, f.operator1);
      expect(await f.staking.nodeActive(NODE_1)).to.equal(true);
      await delegates(f, NODE_1);
    });

    it("a slash that also reaches the delegators pushes the node inactive", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, STAKE);
      const bond = (await f.nodeRegistry.getNode(NODE_1)).bond;
      const tx = f.nodeRegistry.connect(f.slasher).slash(NODE_1, bond + ERA, f.slashRecipient.address, REASON);
      await expect(tx).to.emit(f.staking, "NodeActivitySet").withArgs(NODE_1, false);
      await expect(tx).to.emit(f.staking, "DelegationsSlashed");
      await refused(f, NODE_1);
    });
  });

  describe("setNodeActive", function () {
    it("is refused to anyone but the registry with StakingOnlyRegistry(caller), the admin and the timelock included", async function () {
      const f = await loadFixture(stakingFixture);
      for (const who of [f.alice, f.operator1, f.governor]) {
        await expect(f.staking.connect(who).setNodeActive(UNKNOWN_NODE, true))
          .to.be.revertedWithCustomError(f.staking, "StakingOnlyRegistry")
          .withArgs(who.address);
      }
      const data = f.staking.interface.encodeFunctionData("setNodeActive", [UNKNOWN_NODE, true]);
      await expect(viaTimelock(f, f.staking, data)).to.be.revertedWithCustomError(f.staking, "StakingOnlyRegistry");
      expect(await f.staking.nodeActive(UNKNOWN_NODE)).to.equal(false);
    });
  });

  describe("syncActivity", function () {
    it("after a minimum-bond raise: staking lags until the sync, which makes delegations revert", async function () {
      const f = await loadFixture(stakingFixture);
      const minBond = await f.nodeRegistry.minBond();
      await setMinBond(f, minBond * 2n);
      expect(await f.nodeRegistry.isActive(NODE_1)).to.equal(false);
      // The documented lag: the raise is not pushed.
      expect(await f.staking.nodeActive(NODE_1)).to.equal(true);
      await delegates(f, NODE_1);
      await expect(f.nodeRegistry.connect(f.bob).syncActivity(NODE_1))
        .to.emit(f.staking, "NodeActivitySet")
        .withArgs(NODE_1, false);
      await refused(f, NODE_1);
    });

    it("after a lowering: the sync makes delegations work again", async function () {
      const f = await loadFixture(stakingFixture);
      const minBond = await f.nodeRegistry.minBond();
      await setMinBond(f, minBond * 2n);
      await f.nodeRegistry.syncActivity(NODE_1);
      await refused(f, NODE_1);
      await setMinBond(f, minBond);
      expect(await f.nodeRegistry.isActive(NODE_1)).to.equal(true);
      await refused(f, NODE_1);
      await expect(f.nodeRegistry.connect(f.attacker).syncActivity(NODE_1))
        .to.emit(f.staking, "NodeActivitySet")
        .withArgs(NODE_1, true);
      await delegates(f, NODE_1);
    });

    it("a top-up past a raised minimum pushes the node active without a sync", async function () {
      const f = await loadFixture(stakingFixture);
      const minBond = await f.nodeRegistry.minBond();
      await setMinBond(f, minBond * 2n);
      await f.nodeRegistry.syncActivity(NODE_1);
      await f.token.connect(f.operator1).approve(await f.nodeRegistry.getAddress(), minBond);
      await expect(f.nodeRegistry.connect(f.operator1).topUp(NODE_1, minBond))
        .to.emit(f.staking, "NodeActivitySet")
        .withArgs(NODE_1, true);
      await delegates(f, NODE_1);
    });

    it("an exit below a raised minimum is pushed even though isActive was already false", async function () {
      const f = await loadFixture(stakingFixture);
      await setMinBond(f, (await f.nodeRegistry.minBond()) * 2n);
      expect(await f.staking.nodeActive(NODE_2)).to.equal(true); // not synced
      const bond = (await f.nodeRegistry.getNode(NODE_2)).bond;
      await expect(f.nodeRegistry.connect(f.operator2).unbond(NODE_2, bond))
        .to.emit(f.staking, "NodeActivitySet")
        .withArgs(NODE_2, false);
      await expect(f.nodeRegistry.connect(f.slasher).slash(NODE_1, ERA, f.slashRecipient.address, REASON))
        .to.emit(f.staking, "NodeActivitySet")
        .withArgs(NODE_1, false);
    });

    it("pushes a no-op, and false for an unknown node; returns what it pushed", async function () {
      const f = await loadFixture(stakingFixture);
      expect(await f.nodeRegistry.syncActivity.staticCall(NODE_1)).to.equal(true);
      await expect(f.nodeRegistry.syncActivity(NODE_1)).to.emit(f.staking, "NodeActivitySet").withArgs(NODE_1, true);
      expect(await f.nodeRegistry.syncActivity.staticCall(UNKNOWN_NODE)).to.equal(false);
      await expect(f.nodeRegistry.syncActivity(UNKNOWN_NODE))
        .to.emit(f.staking, "NodeActivitySet")
        .withArgs(UNKNOWN_NODE, false);
      await delegates(f, NODE_1);
    });

    it("brings in a node registered before the staking contract was wired; refused before the wiring", async function () {
      const { registry, token, admin, operator, stranger } = await loadFixture(freshRegistryFixture);
      const bond = await registry.minBond();
      await token.connect(operator).approve(await registry.getAddress(), bond);
      await registry.connect(operator).register(operator.address, "", bond);
      await expect(registry.syncActivity(1)).to.be.revertedWithCustomError(registry, "NodeRegistryStakingNotSet");
      const staking = await deployStaking(token, registry, admin.address);
      await registry.setStaking(await staking.getAddress());
      expect(await staking.nodeActive(1)).to.equal(false);
      await token.connect(operator).approve(await staking.getAddress(), ERA);
      await expect(staking.connect(operator).delegate(1, ERA))
        .to.be.revertedWithCustomError(staking, "StakingNodeNotActive")
        .withArgs(1n);
      await expect(registry.connect(stranger).syncActivity(1)).to.emit(staking, "NodeActivitySet").withArgs(1n, true);
      await expect(staking.connect(operator).delegate(1, ERA)).to.emit(staking, "Delegated");
    });
  });
});
