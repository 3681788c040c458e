import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ExecutionMode, ScenarioClass } from "../../helpers/fixtures";
import { deterministicWallet } from "../../helpers/execution";
import {
  ALLOWED_MODES,
  CLASSES,
  DEFAULT_MODE,
  MAX_SERVING_NODES,
  MODES,
  SCENARIO,
  SCENARIO_OF_CLASS,
  hubFixture,
  registerNode,
  type HubFixture,
} from "./helpers";

const UNKNOWN = 99n;

/** Node ids 3 … 2 + count, freshly registered and active. */
async function registerNodes(f: HubFixture, count: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let i = 0; i < count; ++i) ids.push((await registerNode(f, `extra-node-${i}`)).nodeId);
  return ids;
}

describe("ScenarioRegistry — execution modes", function () {
  describe("registerScenario", function () {
    for (const cls of CLASSES) {
      it(`starts a new ${ScenarioClass[cls]} scenario in ${ExecutionMode[DEFAULT_MODE[cls]]} mode, served by its node alone, with quorum 1`, async function () {
        const f = await loadFixture(hubFixture);
        const id = (await f.scenarioRegistry.scenarioCount()) + 1n;
        await expect(f.scenarioRegistry.connect(f.alice).registerScenario(cls, 2, "ipfs://new"))
          .to.emit(f.scenarioRegistry, "ModeSwitched")
          .withArgs(id, ExecutionMode.Standard, DEFAULT_MODE[cls], f.alice.address)
          .and.to.emit(f.scenarioRegistry, "ServingNodeChanged")
          .withArgs(id, 2n, true)
          .and.to.emit(f.scenarioRegistry, "QuorumChanged")
          .withArgs(id, 1n);
        expect(await f.scenarioRegistry.modeOf(id)).to.equal(BigInt(DEFAULT_MODE[cls]));
        expect(await f.scenarioRegistry.servingNodes(id)).to.deep.equal([2n]);
        expect(await f.scenarioRegistry.quorumOf(id)).to.equal(1n);
        expect(await f.scenarioRegistry.isServing(id, 2)).to.equal(true);
        expect(await f.scenarioRegistry.isServing(id, 1)).to.equal(false);
        const s = await f.scenarioRegistry.getScenario(id);
        expect([s.mode, s.quorum, s.servingCount]).to.deep.equal([BigInt(DEFAULT_MODE[cls]), 1n, 1n]);
      });
    }
  });

  describe("isModeAllowed", function () {
    for (const cls of CLASSES) {
      for (const mode of MODES) {
        const allowed = ALLOWED_MODES[cls].includes(mode);
        it(`${allowed ? "allows" : "forbids"} ${ExecutionMode[mode]} for the ${ScenarioClass[cls]} class`, async function () {
          const f = await loadFixture(hubFixture);
          expect(await f.scenarioRegistry.isModeAllowed(cls, mode)).to.equal(allowed);
        });
      }
    }
  });

  describe("setMode", function () {
    for (const cls of CLASSES) {
      const id = SCENARIO_OF_CLASS[cls];
      for (const mode of MODES) {
        if (ALLOWED_MODES[cls].includes(mode)) {
          const other = ALLOWED_MODES[cls].find((m) => m !== mode) as ExecutionMode;
          it(`switches the ${ScenarioClass[cls]} scenario from ${ExecutionMode[other]} to ${ExecutionMode[mode]} and emits ModeSwitched`, async function () {
            const f = await loadFixture(hubFixture);
            if ((await f.scenarioRegistry.modeOf(id)) !== BigInt(other)) {
              await f.scenarioRegistry.connect(f.developer).setMode(id, other);
            }
            await expect(f.scenarioRegistry.connect(f.developer).setMode(id, mode))
              .to.emit(f.scenarioRegistry, "ModeSwitched")
              .withArgs(id, other, mode, f.developer.address);
            expect(await f.scenarioRegistry.modeOf(id)).to.equal(BigInt(mode));
            expect((await f.scenarioRegistry.getScenario(id)).mode).to.equal(BigInt(mode));
            const [current, serving, quorum] = await f.scenarioRegistry.executionOf(id, 1);
            expect([current, serving, quorum]).to.deep.equal([BigInt(mode), true, 1n]);
          });
        } else {
          it(`reverts with ScenarioModeNotAllowed when the ${ScenarioClass[cls]} scenario is switched to ${ExecutionMode[mode]}, whatever its current mode`, async function () {
            const f = await loadFixture(hubFixture);
            for (const from of ALLOWED_MODES[cls]) {
              if ((await f.scenarioRegistry.modeOf(id)) !== BigInt(from)) {
                await f.scenarioRegistry.connect(f.developer).setMode(id, from);
              }
              await expect(f.scenarioRegistry.connect(f.developer).setMode(id, mode))
                .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioModeNotAllowed")
                .withArgs(cls, mode);
              expect(await f.scenarioRegistry.modeOf(id)).to.equal(BigInt(from));
            }
          });
        }
      }
    }

    it("reverts with ScenarioModeUnchanged when the scenario already runs in that mode", async function () {
      const f = await loadFixture(hubFixture);
      await expect(f.scenarioRegistry.connect(f.developer).setMode(SCENARIO.lightweight, ExecutionMode.Lightweight))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioModeUnchanged")
        .withArgs(SCENARIO.lightweight, ExecutionMode.Lightweight);
      await f.scenarioRegistry.connect(f.developer).setMode(SCENARIO.lightweight, ExecutionMode.Standard);
      await expect(f.scenarioRegistry.connect(f.developer).setMode(SCENARIO.lightweight, ExecutionMode.Standard))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioModeUnchanged")
        .withArgs(SCENARIO.lightweight, ExecutionMode.Standard);
    });

    it("reverts with ScenarioNotModeOperator for a caller who is neither the owner nor a mode operator", async function () {
      const f = await loadFixture(hubFixture);
      // Neither a stranger nor the operator of the node serving the scenario may switch it.
      for (const caller of [f.attacker, f.operator1]) {
        await expect(f.scenarioRegistry.connect(caller).setMode(SCENARIO.lightweight, ExecutionMode.Standard))
          .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotModeOperator")
          .withArgs(SCENARIO.lightweight, caller.address);
      }
      expect(await f.scenarioRegistry.modeOf(SCENARIO.lightweight)).to.equal(BigInt(ExecutionMode.Lightweight));
    });

    it("checks the caller before the class rules (a stranger learns nothing from a forbidden mode)", async function () {
      const f = await loadFixture(hubFixture);
      await expect(f.scenarioRegistry.connect(f.attacker).setMode(SCENARIO.financial, ExecutionMode.Lightweight))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotModeOperator")
        .withArgs(SCENARIO.financial, f.attacker.address);
    });

    it("reverts with ScenarioUnknown for a scenario that does not exist", async function () {
      const f = await loadFixture(hubFixture);
      for (const id of [0n, UNKNOWN]) {
        await expect(f.scenarioRegistry.connect(f.developer).setMode(id, ExecutionMode.Standard))
          .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
          .withArgs(id);
      }
    });

    it("lets the new owner switch after an ownership transfer, and no longer the old one", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).transferScenarioOwnership(SCENARIO.lightweight, f.bob.address);
      await expect(f.scenarioRegistry.connect(f.developer).setMode(SCENARIO.lightweight, ExecutionMode.Standard))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotModeOperator")
        .withArgs(SCENARIO.lightweight, f.developer.address);
      await expect(f.scenarioRegistry.connect(f.bob).setMode(SCENARIO.lightweight, ExecutionMode.Standard))
        .to.emit(f.scenarioRegistry, "ModeSwitched")
        .withArgs(SCENARIO.lightweight, ExecutionMode.Lightweight, ExecutionMode.Standard, f.bob.address);
    });
  });

  describe("setModeOperator", function () {
    it("authorises an operator, who can then switch the mode (ModeSwitched names the operator)", async function () {
      const f = await loadFixture(hubFixture);
      const executor = deterministicWallet("executor").address;
      await expect(f.scenarioRegistry.connect(f.developer).setModeOperator(SCENARIO.lightweight, f.carol.address, true))
        .to.emit(f.scenarioRegistry, "ModeOperatorChanged")
        .withArgs(SCENARIO.lightweight, f.carol.address, true);
      expect(await f.scenarioRegistry.isModeOperator(SCENARIO.lightweight, f.carol.address)).to.equal(true);
      expect(await f.scenarioRegistry.isModeOperator(SCENARIO.lightweight, executor)).to.equal(false);
      await expect(f.scenarioRegistry.connect(f.carol).setMode(SCENARIO.lightweight, ExecutionMode.Standard))
        .to.emit(f.scenarioRegistry, "ModeSwitched")
        .withArgs(SCENARIO.lightweight, ExecutionMode.Lightweight, ExecutionMode.Standard, f.carol.address);
      await expect(f.scenarioRegistry.connect(f.carol).setMode(SCENARIO.lightweight, ExecutionMode.Lightweight))
        .to.emit(f.scenarioRegistry, "ModeSwitched")
        .withArgs(SCENARIO.lightweight, ExecutionMode.Standard, ExecutionMode.Lightweight, f.carol.address);
      expect(await f.scenarioRegistry.modeOf(SCENARIO.lightweight)).to.equal(BigInt(ExecutionMode.Lightweight));
    });

    it("holds an operator to the class rules", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).setModeOperator(SCENARIO.financial, f.carol.address, true);
      await expect(f.scenarioRegistry.connect(f.carol).setMode(SCENARIO.financial, ExecutionMode.Lightweight))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioModeNotAllowed")
        .withArgs(ScenarioClass.Financial, ExecutionMode.Lightweight);
    });

    it("authorises an operator for one scenario only", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).setModeOperator(SCENARIO.lightweight, f.carol.address, true);
      await expect(f.scenarioRegistry.connect(f.carol).setMode(SCENARIO.enterprise, ExecutionMode.Standard))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotModeOperator")
        .withArgs(SCENARIO.enterprise, f.carol.address);
    });

    it("revokes an operator, who then reverts with ScenarioNotModeOperator", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).setModeOperator(SCENARIO.lightweight, f.carol.address, true);
      await expect(
        f.scenarioRegistry.connect(f.developer).setModeOperator(SCENARIO.lightweight, f.carol.address, false),
      )
        .to.emit(f.scenarioRegistry, "ModeOperatorChanged")
        .withArgs(SCENARIO.lightweight, f.carol.address, false);
      expect(await f.scenarioRegistry.isModeOperator(SCENARIO.lightweight, f.carol.address)).to.equal(false);
      await expect(f.scenarioRegistry.connect(f.carol).setMode(SCENARIO.lightweight, ExecutionMode.Standard))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotModeOperator")
        .withArgs(SCENARIO.lightweight, f.carol.address);
      expect(await f.scenarioRegistry.modeOf(SCENARIO.lightweight)).to.equal(BigInt(ExecutionMode.Lightweight));
    });

    it("drops the previous owner's operators when the scenario changes hands (attack: a seller keeps a hidden switch)", async function () {
      const f = await loadFixture(hubFixture);
      // The seller appoints its own second account as operator, then sells the scenario.
      await f.scenarioRegistry.connect(f.developer).setModeOperator(SCENARIO.lightweight, f.attacker.address, true);
      await f.scenarioRegistry.connect(f.developer).transferScenarioOwnership(SCENARIO.lightweight, f.bob.address);
      expect(await f.scenarioRegistry.isModeOperator(SCENARIO.lightweight, f.attacker.address)).to.equal(false);
      await expect(f.scenarioRegistry.connect(f.attacker).setMode(SCENARIO.lightweight, ExecutionMode.Standard))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotModeOperator")
        .withArgs(SCENARIO.lightweight, f.attacker.address);
      // The buyer appoints its own operators.
      await f.scenarioRegistry.connect(f.bob).setModeOperator(SCENARIO.lightweight, f.carol.address, true);
      expect(await f.scenarioRegistry.isModeOperator(SCENARIO.lightweight, f.carol.address)).to.equal(true);
      await expect(f.scenarioRegistry.connect(f.carol).setMode(SCENARIO.lightweight, ExecutionMode.Standard))
        .to.emit(f.scenarioRegistry, "ModeSwitched")
        .withArgs(SCENARIO.lightweight, ExecutionMode.Lightweight, ExecutionMode.Standard, f.carol.address);
    });

    it("reverts with ScenarioNotOwner for anyone but the owner, a mode operator included", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).setModeOperator(SCENARIO.lightweight, f.carol.address, true);
      for (const caller of [f.attacker, f.carol]) {
        await expect(f.scenarioRegistry.connect(caller).setModeOperator(SCENARIO.lightweight, caller.address, true))
          .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotOwner")
          .withArgs(SCENARIO.lightweight, caller.address);
      }
      expect(await f.scenarioRegistry.isModeOperator(SCENARIO.lightweight, f.attacker.address)).to.equal(false);
    });

    it("reverts with AdminGuardedZeroAddress for the zero address", async function () {
      const f = await loadFixture(hubFixture);
      await expect(
        f.scenarioRegistry.connect(f.developer).setModeOperator(SCENARIO.lightweight, ethers.ZeroAddress, true),
      ).to.be.revertedWithCustomError(f.scenarioRegistry, "AdminGuardedZeroAddress");
    });

    it("reverts with ScenarioUnknown for a scenario that does not exist", async function () {
      const f = await loadFixture(hubFixture);
      await expect(f.scenarioRegistry.connect(f.developer).setModeOperator(UNKNOWN, f.carol.address, true))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
        .withArgs(UNKNOWN);
    });
  });

  describe("addServingNode", function () {
    it("adds an active node to the serving set and emits ServingNodeChanged", async function () {
      const f = await loadFixture(hubFixture);
      await expect(f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, 2))
        .to.emit(f.scenarioRegistry, "ServingNodeChanged")
        .withArgs(SCENARIO.enterprise, 2n, true);
      expect(await f.scenarioRegistry.servingNodes(SCENARIO.enterprise)).to.deep.equal([1n, 2n]);
      expect(await f.scenarioRegistry.isServing(SCENARIO.enterprise, 2)).to.equal(true);
      expect((await f.scenarioRegistry.getScenario(SCENARIO.enterprise)).servingCount).to.equal(2n);
      const [, serving] = await f.scenarioRegistry.executionOf(SCENARIO.enterprise, 2);
      expect(serving).to.equal(true);
      // The revenue node is unchanged, and other scenarios are untouched.
      expect((await f.scenarioRegistry.getScenario(SCENARIO.enterprise)).nodeId).to.equal(1n);
      expect(await f.scenarioRegistry.isServing(SCENARIO.financial, 2)).to.equal(false);
    });

    it("reverts with ScenarioNodeNotActive for an unknown or an exiting node", async function () {
      const f = await loadFixture(hubFixture);
      await expect(f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, UNKNOWN))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNodeNotActive")
        .withArgs(UNKNOWN);
      await f.nodeRegistry.connect(f.operator2).unbond(2, await f.nodeRegistry.minBond());
      expect(await f.nodeRegistry.isActive(2)).to.equal(false);
      await expect(f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, 2))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNodeNotActive")
        .withArgs(2n);
      expect(await f.scenarioRegistry.servingNodes(SCENARIO.enterprise)).to.deep.equal([1n]);
    });

    it("reverts with ScenarioServingUnchanged for a node already serving", async function () {
      const f = await loadFixture(hubFixture);
      await expect(f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, 1))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioServingUnchanged")
        .withArgs(SCENARIO.enterprise, 1n, true);
      expect(await f.scenarioRegistry.servingNodes(SCENARIO.enterprise)).to.deep.equal([1n]);
    });

    it(`takes up to ${MAX_SERVING_NODES} nodes, then reverts with ScenarioTooManyServingNodes (also through setNode)`, async function () {
      const f = await loadFixture(hubFixture);
      const extra = await registerNodes(f, Number(MAX_SERVING_NODES) - 1);
      const seventeenth = (await registerNode(f, "node-17")).nodeId;
      for (const id of [2n, ...extra.slice(0, -1)]) {
        await f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, id);
      }
      expect((await f.scenarioRegistry.getScenario(SCENARIO.enterprise)).servingCount).to.equal(MAX_SERVING_NODES);
      const expected = [1n, 2n, ...extra.slice(0, -1)];
      expect(await f.scenarioRegistry.servingNodes(SCENARIO.enterprise)).to.deep.equal(expected);
      expect(expected.length).to.equal(Number(MAX_SERVING_NODES));
      await expect(f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, seventeenth))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioTooManyServingNodes")
        .withArgs(SCENARIO.enterprise, MAX_SERVING_NODES);
      await expect(f.scenarioRegistry.connect(f.developer).setNode(SCENARIO.enterprise, seventeenth))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioTooManyServingNodes")
        .withArgs(SCENARIO.enterprise, MAX_SERVING_NODES);
      // Removing one frees a place.
      await f.scenarioRegistry.connect(f.developer).removeServingNode(SCENARIO.enterprise, 2);
      await expect(f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, seventeenth))
        .to.emit(f.scenarioRegistry, "ServingNodeChanged")
        .withArgs(SCENARIO.enterprise, seventeenth, true);
    });

    it("reverts with ScenarioNotOwner for anyone but the owner and ScenarioUnknown for an unknown scenario", async function () {
      const f = await loadFixture(hubFixture);
      await expect(f.scenarioRegistry.connect(f.operator2).addServingNode(SCENARIO.enterprise, 2))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotOwner")
        .withArgs(SCENARIO.enterprise, f.operator2.address);
      await expect(f.scenarioRegistry.connect(f.developer).addServingNode(UNKNOWN, 2))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
        .withArgs(UNKNOWN);
    });
  });

  describe("removeServingNode", function () {
    it("removes a serving node and emits ServingNodeChanged (the last node takes its place in the list)", async function () {
      const f = await loadFixture(hubFixture);
      const [n3, n4] = await registerNodes(f, 2);
      for (const id of [2n, n3, n4])
        await f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, id);
      await expect(f.scenarioRegistry.connect(f.developer).removeServingNode(SCENARIO.enterprise, 2))
        .to.emit(f.scenarioRegistry, "ServingNodeChanged")
        .withArgs(SCENARIO.enterprise, 2n, false);
      expect(await f.scenarioRegistry.servingNodes(SCENARIO.enterprise)).to.deep.equal([1n, n4, n3]);
      expect(await f.scenarioRegistry.isServing(SCENARIO.enterprise, 2)).to.equal(false);
      expect((await f.scenarioRegistry.getScenario(SCENARIO.enterprise)).servingCount).to.equal(3n);
      // Removing the last of the list.
      await f.scenarioRegistry.connect(f.developer).removeServingNode(SCENARIO.enterprise, n3);
      expect(await f.scenarioRegistry.servingNodes(SCENARIO.enterprise)).to.deep.equal([1n, n4]);
    });

    it("can add a removed node back", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, 2);
      await f.scenarioRegistry.connect(f.developer).removeServingNode(SCENARIO.enterprise, 2);
      await expect(f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, 2))
        .to.emit(f.scenarioRegistry, "ServingNodeChanged")
        .withArgs(SCENARIO.enterprise, 2n, true);
      expect(await f.scenarioRegistry.servingNodes(SCENARIO.enterprise)).to.deep.equal([1n, 2n]);
    });

    it("removes a node that is no longer active", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, 2);
      await f.nodeRegistry.connect(f.operator2).unbond(2, await f.nodeRegistry.minBond());
      await expect(f.scenarioRegistry.connect(f.developer).removeServingNode(SCENARIO.enterprise, 2))
        .to.emit(f.scenarioRegistry, "ServingNodeChanged")
        .withArgs(SCENARIO.enterprise, 2n, false);
    });

    it("reverts with ScenarioServingUnchanged for a node that does not serve", async function () {
      const f = await loadFixture(hubFixture);
      await expect(f.scenarioRegistry.connect(f.developer).removeServingNode(SCENARIO.enterprise, 2))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioServingUnchanged")
        .withArgs(SCENARIO.enterprise, 2n, false);
    });

    it("reverts with ScenarioCannotRemoveRevenueNode for the revenue node", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, 2);
      await expect(f.scenarioRegistry.connect(f.developer).removeServingNode(SCENARIO.enterprise, 1))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioCannotRemoveRevenueNode")
        .withArgs(SCENARIO.enterprise, 1n);
      expect(await f.scenarioRegistry.servingNodes(SCENARIO.enterprise)).to.deep.equal([1n, 2n]);
    });

    it("reverts with ScenarioBadQuorum when the quorum would no longer fit", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, 2);
      await f.scenarioRegistry.connect(f.developer).setQuorum(SCENARIO.enterprise, 2);
      await expect(f.scenarioRegistry.connect(f.developer).removeServingNode(SCENARIO.enterprise, 2))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioBadQuorum")
        .withArgs(SCENARIO.enterprise, 2n, 1n);
      expect(await f.scenarioRegistry.isServing(SCENARIO.enterprise, 2)).to.equal(true);
      // Lowering the quorum first makes it possible.
      await f.scenarioRegistry.connect(f.developer).setQuorum(SCENARIO.enterprise, 1);
      await f.scenarioRegistry.connect(f.developer).removeServingNode(SCENARIO.enterprise, 2);
      expect(await f.scenarioRegistry.servingNodes(SCENARIO.enterprise)).to.deep.equal([1n]);
    });

    it("reverts with ScenarioNotOwner for anyone but the owner and ScenarioUnknown for an unknown scenario", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, 2);
      await expect(f.scenarioRegistry.connect(f.operator2).removeServingNode(SCENARIO.enterprise, 2))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotOwner")
        .withArgs(SCENARIO.enterprise, f.operator2.address);
      await expect(f.scenarioRegistry.connect(f.developer).removeServingNode(UNKNOWN, 2))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
        .withArgs(UNKNOWN);
    });
  });

  describe("setQuorum", function () {
    it("sets the quorum between 1 and the serving nodes and emits QuorumChanged", async function () {
      const f = await loadFixture(hubFixture);
      const [n3] = await registerNodes(f, 1);
      for (const id of [2n, n3]) await f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, id);
      for (const quorum of [3n, 2n, 1n]) {
        await expect(f.scenarioRegistry.connect(f.developer).setQuorum(SCENARIO.enterprise, quorum))
          .to.emit(f.scenarioRegistry, "QuorumChanged")
          .withArgs(SCENARIO.enterprise, quorum);
        expect(await f.scenarioRegistry.quorumOf(SCENARIO.enterprise)).to.equal(quorum);
        const [, , q] = await f.scenarioRegistry.executionOf(SCENARIO.enterprise, 1);
        expect(q).to.equal(quorum);
      }
    });

    it("reverts with ScenarioBadQuorum for 0 or more than the serving nodes", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, 2);
      for (const quorum of [0n, 3n]) {
        await expect(f.scenarioRegistry.connect(f.developer).setQuorum(SCENARIO.enterprise, quorum))
          .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioBadQuorum")
          .withArgs(SCENARIO.enterprise, quorum, 2n);
      }
      expect(await f.scenarioRegistry.quorumOf(SCENARIO.enterprise)).to.equal(1n);
    });

    it("reverts with ScenarioNotOwner for anyone but the owner and ScenarioUnknown for an unknown scenario", async function () {
      const f = await loadFixture(hubFixture);
      await expect(f.scenarioRegistry.connect(f.attacker).setQuorum(SCENARIO.enterprise, 1))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioNotOwner")
        .withArgs(SCENARIO.enterprise, f.attacker.address);
      await expect(f.scenarioRegistry.connect(f.developer).setQuorum(UNKNOWN, 1))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
        .withArgs(UNKNOWN);
    });
  });

  describe("setNode and the serving set", function () {
    it("adds the new revenue node to the serving set; the old one keeps serving and can then be removed", async function () {
      const f = await loadFixture(hubFixture);
      await expect(f.scenarioRegistry.connect(f.developer).setNode(SCENARIO.lightweight, 2))
        .to.emit(f.scenarioRegistry, "ServingNodeChanged")
        .withArgs(SCENARIO.lightweight, 2n, true);
      expect(await f.scenarioRegistry.servingNodes(SCENARIO.lightweight)).to.deep.equal([1n, 2n]);
      expect((await f.scenarioRegistry.getScenario(SCENARIO.lightweight)).servingCount).to.equal(2n);
      await expect(f.scenarioRegistry.connect(f.developer).removeServingNode(SCENARIO.lightweight, 2))
        .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioCannotRemoveRevenueNode")
        .withArgs(SCENARIO.lightweight, 2n);
      await f.scenarioRegistry.connect(f.developer).removeServingNode(SCENARIO.lightweight, 1);
      expect(await f.scenarioRegistry.servingNodes(SCENARIO.lightweight)).to.deep.equal([2n]);
    });

    it("does not add a node that already serves a second time", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.lightweight, 2);
      await expect(f.scenarioRegistry.connect(f.developer).setNode(SCENARIO.lightweight, 2)).not.to.emit(
        f.scenarioRegistry,
        "ServingNodeChanged",
      );
      expect(await f.scenarioRegistry.servingNodes(SCENARIO.lightweight)).to.deep.equal([1n, 2n]);
      expect((await f.scenarioRegistry.getScenario(SCENARIO.lightweight)).servingCount).to.equal(2n);
    });

    it("keeps the mode and the quorum", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).setMode(SCENARIO.lightweight, ExecutionMode.Standard);
      await f.scenarioRegistry.connect(f.developer).setNode(SCENARIO.lightweight, 2);
      expect(await f.scenarioRegistry.modeOf(SCENARIO.lightweight)).to.equal(BigInt(ExecutionMode.Standard));
      expect(await f.scenarioRegistry.quorumOf(SCENARIO.lightweight)).to.equal(1n);
    });
  });

  describe("views", function () {
    it("executionOf returns the mode, whether the node serves and the quorum in one call", async function () {
      const f = await loadFixture(hubFixture);
      for (const cls of CLASSES) {
        const id = SCENARIO_OF_CLASS[cls];
        expect(await f.scenarioRegistry.executionOf(id, 1)).to.deep.equal([BigInt(DEFAULT_MODE[cls]), true, 1n]);
        expect(await f.scenarioRegistry.executionOf(id, 2)).to.deep.equal([BigInt(DEFAULT_MODE[cls]), false, 1n]);
        expect(await f.scenarioRegistry.executionOf(id, 0)).to.deep.equal([BigInt(DEFAULT_MODE[cls]), false, 1n]);
      }
    });

    it("modeOf, quorumOf and executionOf revert with ScenarioUnknown for a scenario that does not exist", async function () {
      const f = await loadFixture(hubFixture);
      for (const id of [0n, UNKNOWN]) {
        await expect(f.scenarioRegistry.modeOf(id))
          .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
          .withArgs(id);
        await expect(f.scenarioRegistry.quorumOf(id))
          .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
          .withArgs(id);
        await expect(f.scenarioRegistry.executionOf(id, 1))
          .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
          .withArgs(id);
      }
    });

    it("isServing and servingNodes answer false and an empty list for a scenario that does not exist", async function () {
      const f = await loadFixture(hubFixture);
      expect(await f.scenarioRegistry.isServing(UNKNOWN, 1)).to.equal(false);
      expect(await f.scenarioRegistry.servingNodes(UNKNOWN)).to.deep.equal([]);
    });

    it("keeps mode switching open while the registry is paused (a pause stops registrations only)", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.guardian).pause();
      await expect(f.scenarioRegistry.connect(f.developer).setMode(SCENARIO.lightweight, ExecutionMode.Standard))
        .to.emit(f.scenarioRegistry, "ModeSwitched")
        .withArgs(SCENARIO.lightweight, ExecutionMode.Lightweight, ExecutionMode.Standard, f.developer.address);
      await expect(
        f.scenarioRegistry.connect(f.developer).registerScenario(ScenarioClass.Lightweight, 1, ""),
      ).to.be.revertedWithCustomError(f.scenarioRegistry, "EnforcedPause");
    });
  });
});
