import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ROLES, ScenarioClass, economyFixture, fundedEconomyFixture } from "../helpers/fixtures";

const CLASSES = [ScenarioClass.Financial, ScenarioClass.Enterprise, ScenarioClass.Lightweight] as const;

describe("ScenarioRegistry", function () {
  describe("constructor", function () {
    it("points at the node registry and hands admin to the timelock in the deployment", async function () {
      const f = await loadFixture(economyFixture);
      expect(await f.scenarioRegistry.nodes()).to.equal(await f.nodeRegistry.getAddress());
      expect(await f.scenarioRegistry.hasRole(ROLES.DEFAULT_ADMIN, await f.timelock.getAddress())).to.equal(true);
      expect(await f.scenarioRegistry.scenarioCount()).to.equal(0n);
    });

    it("reverts with AdminGuardedZeroAddress for a zero node registry or a zero admin", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("ScenarioRegistry");
      await expect(factory.deploy(ethers.ZeroAddress, admin.address)).to.be.revertedWithCustomError(
        factory,
        "AdminGuardedZeroAddress",
      );
      await expect(factory.deploy(admin.address, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        factory,
        "AdminGuardedZeroAddress",
      );
    });
  });

  describe("registerScenario", function () {
    for (const cls of CLASSES) {
      it(`registers a scenario of class ${ScenarioClass[cls]} owned by the caller and emits ScenarioRegistered`, async function () {
        const f = await loadFixture(fundedEconomyFixture);
        const before = await f.scenarioRegistry.scenarioCount();
        const id = before + 1n;
        const uri = `ipfs://${ScenarioClass[cls]}`;
        expect(await f.scenarioRegistry.connect(f.alice).registerScenario.staticCall(cls, 2, uri)).to.equal(id);
        await expect(f.scenarioRegistry.connect(f.alice).registerScenario(cls, 2, uri))
          .to.emit(f.scenarioRegistry, "ScenarioRegistered")
          .withArgs(id, f.alice.address, cls, 2n, uri);
        expect(await f.scenarioRegistry.scenarioCount()).to.equal(id);
        const s = await f.scenarioRegistry.getScenario(id);
        expect(s.owner).to.equal(f.alice.address);
        expect(s.scenarioClass).to.equal(BigInt(cls));
        expect(s.nodeId).to.equal(2n);
        expect(s.metadataURI).to.equal(uri);
        const [owner, scenarioClass, nodeId] = await f.scenarioRegistry.routingOf(id);
        expect([owner, scenarioClass, nodeId]).to.deep.equal([f.alice.address, BigInt(cls), 2n]);
      });
    }

    it("numbers scenarios from 1", async function () {
      const f = await loadFixture(economyFixture);
      const bond = await f.nodeRegistry.minBond();
      await f.token.connect(f.treasury).transfer(f.operator1.address, bond);
      await f.token.connect(f.operator1).approve(await f.nodeRegistry.getAddress(), bond);
      await f.nodeRegistry.connect(f.operator1).register(f.operator1.address, "", bond);
      await expect(f.scenarioRegistry.connect(f.developer).registerScenario(ScenarioClass.Financial, 1, ""))
        .to.emit(f.scenarioRegistry, "ScenarioRegistered")
        .withArgs(1n, f.developer.address, ScenarioClass.Financial, 1n, "");
      expect(await f.scenarioRegistry.scenarioCount()).to.equal(1n);
    });

    it("holds the three scenarios of the funded economy", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      expect(await f.scenarioRegistry.scenarioCount()).to.equal(3n);
      for (const [i, cls] of CLASSES.entries()) {
        const [owner, scenarioClass, nodeId] = await f.scenarioRegistry.routingOf(i + 1);
        expect([owner, scenarioClass, nodeId]).to.deep.equal([f.developer.address, BigInt(cls), 1n]);
      }
    });

    it("reverts with ScenarioNodeNotActive for an unknown node", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      for (const id of [0n, 3n]) {
        await expect(f.scenarioRegistry.connect(f.alice).registerScenario(ScenarioClass.Financial, id, ""))
          .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNodeNotActive")
          .withArgs(id);
      }
    });

    it("reverts with ScenarioNodeNotActive for an Exiting node", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      await f.nodeRegistry.connect(f.operator2).unbond(2, await f.nodeRegistry.minBond());
      await expect(f.scenarioRegistry.connect(f.alice).registerScenario(ScenarioClass.Lightweight, 2, ""))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNodeNotActive")
        .withArgs(2n);
    });

    it("reverts for a class outside the enum (ABI decoding)", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const data = f.scenarioRegistry.interface.encodeFunctionData("registerScenario", [CLASSES.length, 1, ""]);
      await expect(
        f.alice.sendTransaction({ to: await f.scenarioRegistry.getAddress(), data }),
      ).to.be.revertedWithoutReason();
      expect(await f.scenarioRegistry.scenarioCount()).to.equal(3n);
    });

    it("reverts with EnforcedPause while paused", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      await f.scenarioRegistry.connect(f.guardian).pause();
      await expect(
        f.scenarioRegistry.connect(f.alice).registerScenario(ScenarioClass.Enterprise, 1, ""),
      ).to.be.revertedWithCustomError(f.scenarioRegistry, "EnforcedPause");
    });
  });

  describe("setNode", function () {
    it("moves the scenario to another active node and emits ScenarioNodeChanged", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      await expect(f.scenarioRegistry.connect(f.developer).setNode(1, 2))
        .to.emit(f.scenarioRegistry, "ScenarioNodeChanged")
        .withArgs(1n, 1n, 2n);
      expect((await f.scenarioRegistry.getScenario(1)).nodeId).to.equal(2n);
      expect((await f.scenarioRegistry.routingOf(1)).nodeId).to.equal(2n);
      // The other scenarios are untouched.
      expect((await f.scenarioRegistry.getScenario(2)).nodeId).to.equal(1n);
    });

    it("works while paused (it takes no funds in)", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      await f.scenarioRegistry.connect(f.guardian).pause();
      await expect(f.scenarioRegistry.connect(f.developer).setNode(1, 2))
        .to.emit(f.scenarioRegistry, "ScenarioNodeChanged")
        .withArgs(1n, 1n, 2n);
    });

    it("reverts with ScenarioNodeNotActive for an unknown or Exiting node", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      await expect(f.scenarioRegistry.connect(f.developer).setNode(1, 3))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNodeNotActive")
        .withArgs(3n);
      await f.nodeRegistry.connect(f.operator2).unbond(2, await f.nodeRegistry.minBond());
      await expect(f.scenarioRegistry.connect(f.developer).setNode(1, 2))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNodeNotActive")
        .withArgs(2n);
    });

    it("an attacker cannot move someone else's scenario to their node", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      await expect(f.scenarioRegistry.connect(f.attacker).setNode(1, 2))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotOwner")
        .withArgs(1n, f.attacker.address);
    });

    it("reverts with ScenarioUnknown for an unknown scenario", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      for (const id of [0n, 4n]) {
        await expect(f.scenarioRegistry.connect(f.developer).setNode(id, 2))
          .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
          .withArgs(id);
      }
    });
  });

  describe("transferScenarioOwnership", function () {
    it("hands the scenario over and emits ScenarioOwnershipTransferred; only the new owner acts then", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      await expect(f.scenarioRegistry.connect(f.developer).transferScenarioOwnership(2, f.carol.address))
        .to.emit(f.scenarioRegistry, "ScenarioOwnershipTransferred")
        .withArgs(2n, f.developer.address, f.carol.address);
      expect((await f.scenarioRegistry.getScenario(2)).owner).to.equal(f.carol.address);
      expect((await f.scenarioRegistry.routingOf(2)).owner).to.equal(f.carol.address);
      await expect(f.scenarioRegistry.connect(f.developer).setNode(2, 2))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotOwner")
        .withArgs(2n, f.developer.address);
      await expect(f.scenarioRegistry.connect(f.carol).setNode(2, 2))
        .to.emit(f.scenarioRegistry, "ScenarioNodeChanged")
        .withArgs(2n, 1n, 2n);
    });

    it("reverts with ScenarioZeroOwner for the zero address", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      await expect(
        f.scenarioRegistry.connect(f.developer).transferScenarioOwnership(1, ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioZeroOwner");
    });

    it("an attacker cannot take over someone else's scenario", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      await expect(f.scenarioRegistry.connect(f.attacker).transferScenarioOwnership(1, f.attacker.address))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotOwner")
        .withArgs(1n, f.attacker.address);
      expect((await f.scenarioRegistry.getScenario(1)).owner).to.equal(f.developer.address);
    });

    it("reverts with ScenarioUnknown for an unknown scenario", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      await expect(f.scenarioRegistry.connect(f.developer).transferScenarioOwnership(9, f.carol.address))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
        .withArgs(9n);
    });
  });

  describe("getScenario and routingOf", function () {
    it("revert with ScenarioUnknown for an unknown id", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      for (const id of [0n, 4n, 2n ** 64n]) {
        await expect(f.scenarioRegistry.getScenario(id))
          .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
          .withArgs(id);
        await expect(f.scenarioRegistry.routingOf(id))
          .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
          .withArgs(id);
      }
    });
  });
});
