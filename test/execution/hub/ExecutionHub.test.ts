import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { ContractTransactionResponse } from "ethers";
import { ERA, ExecutionMode, ROLES, viaTimelock } from "../../helpers/fixtures";
import {
  ACTION_TYPES,
  batchNotarizationIdOf,
  hashlockOf,
  notarizationIdOf,
  payersOf,
} from "../../../src/sdk/execution";
import type { ExecutionHub, HubReentrantCommitments } from "../../../typechain-types";
import { fundedWallet, malleate, rawEcrecover, deterministicWallet } from "../../helpers/execution";
import {
  FRAUD_WEIGHT,
  MAX_BATCH_SIZE,
  SCENARIO,
  SCORE_PRIOR,
  batchId,
  commitmentsSigner,
  depositEra,
  hubFixture,
  lightweightBatch,
  oneLegSettlement,
  packedSpecs,
  signActions,
  signedAttestation,
  signedBatchAttestation,
  specs,
  type HubFixture,
  type SignedAction,
} from "./helpers";

const S = SCENARIO.lightweight;

/** `hubFixture` with scenario 3 (lightweight class) switched to standard mode. */
async function standardFixture(): Promise<HubFixture> {
  const f = await hubFixture();
  await f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Standard);
  return f;
}

/** Everything a standard batch can change, for the actions and batch ids given. */
async function standardState(f: HubFixture, scenarioId: bigint, actions: readonly SignedAction[], ids: string[]) {
  return {
    count: await f.executionHub.actionCount(scenarioId),
    seq: await f.executionHub.batchSeq(),
    stats: await f.executionHub.nodeStats(1),
    records: await Promise.all(actions.map((a) => f.executionHub.actionRecord(scenarioId, a.user, a.nonce))),
    batches: await Promise.all(ids.map((id) => f.executionHub.batchOf(id))),
  };
}

/** A dummy call of each submit function for `scenarioId`; each reaches the hub's authorisation first. */
type Submit = (hub: ExecutionHub, scenarioId: bigint) => Promise<ContractTransactionResponse>;
const EMPTY_SETTLEMENT = (scenarioId: bigint) => ({
  id: ethers.ZeroHash,
  scenarioId,
  legs: [],
  deadline: 0n,
  hashlock: ethers.ZeroHash,
});
const SUBMITS: Record<string, { mode: ExecutionMode; call: Submit }> = {
  submitStandard: { mode: ExecutionMode.Standard, call: (hub, id) => hub.submitStandard(id, batchId("x"), []) },
  submitSettlements: {
    mode: ExecutionMode.AtomicSettlement,
    call: (hub, id) => hub.submitSettlements(id, batchId("x"), [], []),
  },
  submitLock: {
    mode: ExecutionMode.AtomicSettlement,
    call: (hub, id) => hub.submitLock(id, batchId("x"), EMPTY_SETTLEMENT(id), []),
  },
  submitNotarization: {
    mode: ExecutionMode.Notarized,
    call: (hub, id) =>
      hub.submitNotarization(
        {
          scenarioId: id,
          subjectId: ethers.ZeroHash,
          resultHash: ethers.ZeroHash,
          previous: ethers.ZeroHash,
          deadline: 0n,
        },
        [],
      ),
  },
  submitNotarizationBatch: {
    mode: ExecutionMode.Notarized,
    call: (hub, id) =>
      hub.submitNotarizationBatch(
        { scenarioId: id, salt: batchId("x"), root: ethers.ZeroHash, count: 0, deadline: 0n },
        [],
      ),
  },
  submitLightweight: {
    mode: ExecutionMode.Lightweight,
    call: (hub, id) => hub.submitLightweight(id, batchId("x"), "0x"),
  },
};

describe("ExecutionHub", function () {
  describe("deployment", function () {
    it("is wired as the suite deploys it", async function () {
      const f = await loadFixture(hubFixture);
      const hub = f.executionHub;
      const hubAddress = await hub.getAddress();
      expect(await hub.nodes()).to.equal(await f.nodeRegistry.getAddress());
      expect(await hub.scenarios()).to.equal(await f.scenarioRegistry.getAddress());
      expect(await hub.staking()).to.equal(await f.staking.getAddress());
      expect(await hub.settlement()).to.equal(await f.settlementEngine.getAddress());
      expect(await hub.notary()).to.equal(await f.notaryRegistry.getAddress());
      expect(await hub.commitments()).to.equal(await f.batchCommitments.getAddress());
      expect(await f.batchCommitments.hub()).to.equal(hubAddress);
      expect(await f.settlementEngine.hub()).to.equal(hubAddress);
      expect(await f.notaryRegistry.hub()).to.equal(hubAddress);
      expect(await f.staking.hasRole(ROLES.SCORE_KEEPER, hubAddress)).to.equal(true);
      expect(await hub.hasRole(ROLES.DEFAULT_ADMIN, await f.timelock.getAddress())).to.equal(true);
      expect(await hub.getRoleMemberCount(ROLES.DEFAULT_ADMIN)).to.equal(1n);
      expect([await hub.MAX_BATCH_SIZE(), await hub.FRAUD_WEIGHT(), await hub.SCORE_PRIOR()]).to.deep.equal([
        MAX_BATCH_SIZE,
        FRAUD_WEIGHT,
        SCORE_PRIOR,
      ]);
      expect(await hub.batchSeq()).to.equal(0n);
      const domain = await hub.eip712Domain();
      expect([domain.name, domain.version, domain.chainId, domain.verifyingContract]).to.deep.equal([
        "ERA ExecutionHub",
        "1",
        f.chainId,
        hubAddress,
      ]);
    });

    it("reverts with AdminGuardedZeroAddress when any dependency or the admin is the zero address", async function () {
      const f = await loadFixture(hubFixture);
      const factory = await ethers.getContractFactory("ExecutionHub");
      const deps = [
        await f.nodeRegistry.getAddress(),
        await f.scenarioRegistry.getAddress(),
        await f.staking.getAddress(),
        await f.settlementEngine.getAddress(),
        await f.notaryRegistry.getAddress(),
        f.deployer.address,
      ] as const;
      for (let i = 0; i < deps.length; ++i) {
        const args = deps.map((d, j) => (j === i ? ethers.ZeroAddress : d));
        await expect(
          factory.deploy(args[0], args[1], args[2], args[3], args[4], args[5]),
        ).to.be.revertedWithCustomError(factory, "AdminGuardedZeroAddress");
      }
      const hub = await factory.deploy(...deps);
      expect(await hub.commitments()).to.equal(ethers.ZeroAddress);
    });
  });

  describe("setCommitments", function () {
    it("reverts with AccessControlUnauthorizedAccount for anyone but the admin", async function () {
      const f = await loadFixture(hubFixture);
      for (const caller of [f.attacker, f.deployer, f.governor]) {
        await expect(f.executionHub.connect(caller).setCommitments(caller.address))
          .to.be.revertedWithCustomError(f.executionHub, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, ROLES.DEFAULT_ADMIN);
      }
      expect(await f.executionHub.commitments()).to.equal(await f.batchCommitments.getAddress());
    });

    it("reverts with AdminGuardedZeroAddress for the zero address", async function () {
      const f = await loadFixture(hubFixture);
      const data = f.executionHub.interface.encodeFunctionData("setCommitments", [ethers.ZeroAddress]);
      await expect(viaTimelock(f, f.executionHub, data)).to.be.revertedWithCustomError(
        f.executionHub,
        "AdminGuardedZeroAddress",
      );
    });

    it("lets governance replace the commitments, emits CommitmentsChanged and cuts the old one off", async function () {
      const f = await loadFixture(hubFixture);
      const replacement = deterministicWallet("new-commitments");
      const data = f.executionHub.interface.encodeFunctionData("setCommitments", [replacement.address]);
      await expect(viaTimelock(f, f.executionHub, data))
        .to.emit(f.executionHub, "CommitmentsChanged")
        .withArgs(replacement.address);
      expect(await f.executionHub.commitments()).to.equal(replacement.address);
      // The old commitments contract can no longer report to the hub.
      const old = await commitmentsSigner(f);
      await expect(f.executionHub.connect(old).onFraud(1))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionOnlyCommitments")
        .withArgs(old.address);
    });
  });

  describe("authentication", function () {
    for (const [name, { call }] of Object.entries(SUBMITS)) {
      it(`${name}: reverts with ExecutionNotServingNode for a key that belongs to no node`, async function () {
        const f = await loadFixture(hubFixture);
        const stranger = await fundedWallet("stranger-key");
        // The node is checked before the mode, so any scenario will do.
        const scenarioId = S;
        await expect(call(f.executionHub.connect(stranger), scenarioId))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionNotServingNode")
          .withArgs(scenarioId, stranger.address, 0n);
        // Nor may a node operator's own account submit: only the node's registered signing key.
        await expect(call(f.executionHub.connect(f.operator1), scenarioId))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionNotServingNode")
          .withArgs(scenarioId, f.operator1.address, 0n);
      });

      it(`${name}: reverts with ScenarioUnknown for a scenario that does not exist`, async function () {
        const f = await loadFixture(hubFixture);
        await expect(call(f.executionHub.connect(f.node1Key), 99n))
          .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioUnknown")
          .withArgs(99n);
      });
    }

    it("reverts with ExecutionNotServingNode for the key of an active node that does not serve the scenario", async function () {
      const f = await loadFixture(standardFixture);
      const actions = await signActions(f.hubDomain, S, specs(f.users, 2));
      expect(await f.nodeRegistry.isActive(2)).to.equal(true);
      await expect(f.executionHub.connect(f.node2Key).submitStandard(S, batchId("b"), actions))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionNotServingNode")
        .withArgs(S, f.node2Key.address, 2n);
    });

    it("accepts a second serving node's key once the owner adds it, and refuses it again once removed", async function () {
      const f = await loadFixture(standardFixture);
      await f.scenarioRegistry.connect(f.developer).addServingNode(S, 2);
      const first = await signActions(f.hubDomain, S, specs(f.users, 2));
      await expect(f.executionHub.connect(f.node2Key).submitStandard(S, batchId("b1"), first))
        .to.emit(f.executionHub, "BatchApplied")
        .withArgs(batchId("b1"), S, ExecutionMode.Standard, 2n, 1n, 2n);
      expect(await f.executionHub.actionRecord(S, first[0].user, first[0].nonce)).to.deep.equal([1n, 2n]);
      expect((await f.executionHub.nodeStats(2)).appliedBatches).to.equal(1n);
      expect((await f.executionHub.nodeStats(1)).appliedBatches).to.equal(0n);
      await f.scenarioRegistry.connect(f.developer).removeServingNode(S, 2);
      const second = await signActions(f.hubDomain, S, specs(f.users, 2, 2));
      await expect(f.executionHub.connect(f.node2Key).submitStandard(S, batchId("b2"), second))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionNotServingNode")
        .withArgs(S, f.node2Key.address, 2n);
    });

    it("reverts with ExecutionNotServingNode once the serving node has exited", async function () {
      const f = await loadFixture(standardFixture);
      await f.nodeRegistry.connect(f.operator1).unbond(1, await f.nodeRegistry.minBond());
      expect(await f.nodeRegistry.isActive(1)).to.equal(false);
      expect(await f.scenarioRegistry.isServing(S, 1)).to.equal(true);
      const actions = await signActions(f.hubDomain, S, specs(f.users, 1));
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), actions))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionNotServingNode")
        .withArgs(S, f.node1Key.address, 1n);
    });

    it("reverts with ExecutionNotServingNode while the serving node's bond is below the minimum, and accepts it after a top-up", async function () {
      const f = await loadFixture(standardFixture);
      const minBond = await f.nodeRegistry.minBond();
      await viaTimelock(f, f.nodeRegistry, f.nodeRegistry.interface.encodeFunctionData("setMinBond", [minBond + ERA]));
      expect(await f.nodeRegistry.isActive(1)).to.equal(false);
      const actions = await signActions(f.hubDomain, S, specs(f.users, 1));
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), actions))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionNotServingNode")
        .withArgs(S, f.node1Key.address, 1n);
      await f.token.connect(f.operator1).approve(await f.nodeRegistry.getAddress(), ERA);
      await f.nodeRegistry.connect(f.operator1).topUp(1, ERA);
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), actions)).to.emit(
        f.executionHub,
        "BatchApplied",
      );
    });

    it("reverts with ExecutionNotServingNode for the old key after a key rotation, and accepts the new one", async function () {
      const f = await loadFixture(standardFixture);
      const newKey = await fundedWallet("node-1-rotated-key");
      await f.nodeRegistry.connect(f.operator1).setSigningKey(1, newKey.address);
      const actions = await signActions(f.hubDomain, S, specs(f.users, 1));
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), actions))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionNotServingNode")
        .withArgs(S, f.node1Key.address, 0n);
      await expect(f.executionHub.connect(newKey).submitStandard(S, batchId("b"), actions))
        .to.emit(f.executionHub, "BatchApplied")
        .withArgs(batchId("b"), S, ExecutionMode.Standard, 1n, 1n, 1n);
    });

    it("checks the node before the mode (a stranger learns nothing about the scenario's mode)", async function () {
      const f = await loadFixture(hubFixture);
      await expect(f.executionHub.connect(f.node2Key).submitStandard(SCENARIO.financial, batchId("b"), []))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionNotServingNode")
        .withArgs(SCENARIO.financial, f.node2Key.address, 2n);
    });
  });

  describe("ExecutionModeMismatch", function () {
    const OTHER_MODE_SCENARIO: Record<string, bigint> = {
      submitStandard: SCENARIO.financial,
      submitSettlements: SCENARIO.enterprise,
      submitLock: SCENARIO.lightweight,
      submitNotarization: SCENARIO.financial,
      submitNotarizationBatch: SCENARIO.lightweight,
      submitLightweight: SCENARIO.enterprise,
    };
    for (const [name, { mode, call }] of Object.entries(SUBMITS)) {
      it(`${name} rejects a scenario in another mode, naming both modes`, async function () {
        const f = await loadFixture(hubFixture);
        const id = OTHER_MODE_SCENARIO[name];
        const current = await f.scenarioRegistry.modeOf(id);
        expect(current).not.to.equal(BigInt(mode));
        await expect(call(f.executionHub.connect(f.node1Key), id))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionModeMismatch")
          .withArgs(id, mode, current);
      });
    }

    it("rejects every class's own mode once its scenario has switched to standard", async function () {
      const f = await loadFixture(hubFixture);
      const own: [string, bigint, ExecutionMode][] = [
        ["submitSettlements", SCENARIO.financial, ExecutionMode.AtomicSettlement],
        ["submitLock", SCENARIO.financial, ExecutionMode.AtomicSettlement],
        ["submitNotarization", SCENARIO.enterprise, ExecutionMode.Notarized],
        ["submitNotarizationBatch", SCENARIO.enterprise, ExecutionMode.Notarized],
        ["submitLightweight", SCENARIO.lightweight, ExecutionMode.Lightweight],
      ];
      for (const id of Object.values(SCENARIO)) {
        await f.scenarioRegistry.connect(f.developer).setMode(id, ExecutionMode.Standard);
      }
      for (const [name, id, mode] of own) {
        await expect(SUBMITS[name].call(f.executionHub.connect(f.node1Key), id))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionModeMismatch")
          .withArgs(id, mode, ExecutionMode.Standard);
      }
    });
  });

  describe("submitStandard", function () {
    it("applies a batch of signed actions: counts them, records (seq, node) per (user, nonce) and emits BatchApplied", async function () {
      const f = await loadFixture(standardFixture);
      const first = await signActions(f.hubDomain, S, specs(f.users, 7));
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b1"), first))
        .to.emit(f.executionHub, "BatchApplied")
        .withArgs(batchId("b1"), S, ExecutionMode.Standard, 1n, 1n, 7n);
      expect(await f.executionHub.actionCount(S)).to.equal(7n);
      for (const a of first) expect(await f.executionHub.actionRecord(S, a.user, a.nonce)).to.deep.equal([1n, 1n]);
      expect(await f.executionHub.batchSeq()).to.equal(1n);
      expect(await f.executionHub.batchOf(batchId("b1"))).to.deep.equal([
        true,
        1n,
        S,
        1n,
        BigInt(ExecutionMode.Standard),
      ]);
      expect(await f.executionHub.nodeStats(1)).to.deep.equal([1n, 0n]);

      // A second batch continues the sequence and the count.
      const second = await signActions(f.hubDomain, S, specs(f.users, 3, 5));
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b2"), second))
        .to.emit(f.executionHub, "BatchApplied")
        .withArgs(batchId("b2"), S, ExecutionMode.Standard, 1n, 2n, 3n);
      expect(await f.executionHub.actionCount(S)).to.equal(10n);
      for (const a of second) expect(await f.executionHub.actionRecord(S, a.user, a.nonce)).to.deep.equal([2n, 1n]);
      expect(await f.executionHub.actionRecord(S, first[0].user, first[0].nonce)).to.deep.equal([1n, 1n]);
      expect(await f.executionHub.nodeStats(1)).to.deep.equal([2n, 0n]);
      // Nothing else moved: other scenarios and unused nonces are blank.
      expect(await f.executionHub.actionCount(SCENARIO.financial)).to.equal(0n);
      expect(await f.executionHub.actionRecord(S, first[0].user, 99)).to.deep.equal([0n, 0n]);
      expect(await f.executionHub.batchOf(batchId("unused"))).to.deep.equal([false, 0n, 0n, 0n, 0n]);
    });

    it("applies a batch of one action", async function () {
      const f = await loadFixture(standardFixture);
      const [a] = await signActions(f.hubDomain, S, specs(f.users, 1));
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), [a]))
        .to.emit(f.executionHub, "BatchApplied")
        .withArgs(batchId("b"), S, ExecutionMode.Standard, 1n, 1n, 1n);
      expect(await f.executionHub.actionRecord(S, a.user, a.nonce)).to.deep.equal([1n, 1n]);
    });

    it("actionDigest is the EIP-712 digest of Action(uint256 scenarioId,address user,uint32 nonce,uint64 payload) under the hub's domain", async function () {
      const f = await loadFixture(standardFixture);
      const [a] = await signActions(f.hubDomain, S, specs(f.users, 1));
      const value = { scenarioId: S, user: a.user, nonce: a.nonce, payload: a.payload };
      const digest = await f.executionHub.actionDigest(S, a.user, a.nonce, a.payload);
      expect(digest).to.equal(ethers.TypedDataEncoder.hash(f.hubDomain, ACTION_TYPES, value));
      expect(ethers.recoverAddress(digest, a.signature)).to.equal(a.user);
    });

    for (const [where, index] of [
      ["first", 0],
      ["middle", 2],
      ["last", 4],
    ] as const) {
      it(`reverts with ExecutionBadActionSignature for a forged signature at the ${where} position and applies nothing`, async function () {
        const f = await loadFixture(standardFixture);
        const actions = await signActions(f.hubDomain, S, specs(f.users, 5));
        // The forger signs the victim's action with its own key.
        const [forged] = await signActions(f.hubDomain, S, [
          { user: deterministicWallet("forger"), nonce: actions[index].nonce, payload: actions[index].payload },
        ]);
        actions[index] = { ...actions[index], signature: forged.signature };
        const before = await standardState(f, S, actions, [batchId("b")]);
        await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), actions))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionBadActionSignature")
          .withArgs(index, actions[index].user);
        expect(await standardState(f, S, actions, [batchId("b")])).to.deep.equal(before);
        expect(before.records.every(([seq]) => seq === 0n)).to.equal(true);
      });
    }

    it("reverts with ExecutionBadActionSignature for an action whose payload was changed after signing", async function () {
      const f = await loadFixture(standardFixture);
      const actions = await signActions(f.hubDomain, S, specs(f.users, 3));
      actions[1] = { ...actions[1], payload: actions[1].payload + 1n };
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), actions))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionBadActionSignature")
        .withArgs(1, actions[1].user);
    });

    it("reverts with ExecutionBadActionSignature for a malleated (high-s) signature that raw ecrecover accepts", async function () {
      const f = await loadFixture(standardFixture);
      const [a] = await signActions(f.hubDomain, S, specs(f.users, 1));
      const malleated = malleate(a.signature);
      const digest = await f.executionHub.actionDigest(S, a.user, a.nonce, a.payload);
      // The attack is real: the precompile alone recovers the user from the twin signature.
      expect(await rawEcrecover(digest, malleated)).to.equal(a.user);
      expect(malleated).not.to.equal(a.signature);
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), [{ ...a, signature: malleated }]))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionBadActionSignature")
        .withArgs(0, a.user);
      expect(await f.executionHub.actionCount(S)).to.equal(0n);
    });

    it("reverts with ExecutionBadActionSignature for malformed signatures (empty, 64 bytes, v = 29)", async function () {
      const f = await loadFixture(standardFixture);
      const [a] = await signActions(f.hubDomain, S, specs(f.users, 1));
      const sig = ethers.Signature.from(a.signature);
      for (const bad of ["0x", ethers.concat([sig.r, sig.s]), ethers.concat([sig.r, sig.s, "0x1d"])]) {
        await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), [{ ...a, signature: bad }]))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionBadActionSignature")
          .withArgs(0, a.user);
      }
    });

    it("rejects a signature made for another scenario, chain, hub address or domain version (replay across domains)", async function () {
      const f = await loadFixture(standardFixture);
      const spec = specs(f.users, 1);
      const forOtherScenario = await signActions(f.hubDomain, SCENARIO.financial, spec);
      const forOtherChain = await signActions({ ...f.hubDomain, chainId: f.chainId + 1n }, S, spec);
      const forOtherHub = await signActions(
        { ...f.hubDomain, verifyingContract: await f.notaryRegistry.getAddress() },
        S,
        spec,
      );
      const forOtherVersion = await signActions({ ...f.hubDomain, version: "2" }, S, spec);
      for (const replayed of [forOtherScenario, forOtherChain, forOtherHub, forOtherVersion]) {
        await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), replayed))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionBadActionSignature")
          .withArgs(0, replayed[0].user);
      }
      // The genuine signature of the same action goes through.
      const genuine = await signActions(f.hubDomain, S, spec);
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), genuine)).to.emit(
        f.executionHub,
        "BatchApplied",
      );
    });

    it("reverts with ExecutionNonceUsed for a (user, nonce) used twice in the same batch", async function () {
      const f = await loadFixture(standardFixture);
      const actions = await signActions(f.hubDomain, S, [
        { user: f.users[0], nonce: 1, payload: 1n },
        { user: f.users[1], nonce: 1, payload: 2n },
        { user: f.users[0], nonce: 1, payload: 3n },
      ]);
      const before = await standardState(f, S, actions, [batchId("b")]);
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), actions))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionNonceUsed")
        .withArgs(2, f.users[0].address, 1);
      expect(await standardState(f, S, actions, [batchId("b")])).to.deep.equal(before);
    });

    it("reverts with ExecutionNonceUsed for a (user, nonce) applied in an earlier batch (replay) and applies nothing of the batch", async function () {
      const f = await loadFixture(standardFixture);
      const first = await signActions(f.hubDomain, S, specs(f.users, 4));
      await f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b1"), first);
      const fresh = await signActions(f.hubDomain, S, specs(f.users, 2, 2));
      const replay = [...fresh, first[3]];
      const before = await standardState(f, S, replay, [batchId("b2")]);
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b2"), replay))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionNonceUsed")
        .withArgs(2, first[3].user, first[3].nonce);
      expect(await standardState(f, S, replay, [batchId("b2")])).to.deep.equal(before);
      expect(before.count).to.equal(4n);
    });

    it("keeps nonces per scenario: the same (user, nonce) applies once in each standard scenario", async function () {
      const f = await loadFixture(standardFixture);
      await f.scenarioRegistry.connect(f.developer).setMode(SCENARIO.financial, ExecutionMode.Standard);
      const spec = specs(f.users, 1);
      await f.executionHub
        .connect(f.node1Key)
        .submitStandard(S, batchId("b1"), await signActions(f.hubDomain, S, spec));
      const other = await signActions(f.hubDomain, SCENARIO.financial, spec);
      await expect(f.executionHub.connect(f.node1Key).submitStandard(SCENARIO.financial, batchId("b2"), other))
        .to.emit(f.executionHub, "BatchApplied")
        .withArgs(batchId("b2"), SCENARIO.financial, ExecutionMode.Standard, 1n, 2n, 1n);
      expect(await f.executionHub.actionRecord(S, other[0].user, other[0].nonce)).to.deep.equal([1n, 1n]);
      expect(await f.executionHub.actionRecord(SCENARIO.financial, other[0].user, other[0].nonce)).to.deep.equal([
        2n,
        1n,
      ]);
    });

    it("reverts with ExecutionBatchUsed for a batch id used before and never applies a batch twice", async function () {
      const f = await loadFixture(standardFixture);
      const actions = await signActions(f.hubDomain, S, specs(f.users, 4));
      await f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), actions);
      // Re-submitting the very same batch, and the same id with fresh actions, are both refused.
      const fresh = await signActions(f.hubDomain, S, specs(f.users, 4, 2));
      for (const again of [actions, fresh]) {
        const before = await standardState(f, S, fresh, [batchId("b")]);
        await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), again))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionBatchUsed")
          .withArgs(batchId("b"));
        expect(await standardState(f, S, fresh, [batchId("b")])).to.deep.equal(before);
      }
      expect(await f.executionHub.actionCount(S)).to.equal(4n);
      expect(await f.executionHub.nodeStats(1)).to.deep.equal([1n, 0n]);
    });

    it("reverts with ExecutionBadBatchSize for an empty batch", async function () {
      const f = await loadFixture(standardFixture);
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), []))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionBadBatchSize")
        .withArgs(0n, MAX_BATCH_SIZE);
    });

    it(`reverts with ExecutionBadBatchSize for a batch of ${MAX_BATCH_SIZE + 1n} actions`, async function () {
      const f = await loadFixture(standardFixture);
      const [a] = await signActions(f.hubDomain, S, specs(f.users, 1));
      const tooMany = Array.from({ length: Number(MAX_BATCH_SIZE) + 1 }, () => a);
      await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("b"), tooMany))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionBadBatchSize")
        .withArgs(MAX_BATCH_SIZE + 1n, MAX_BATCH_SIZE);
    });
  });

  describe("routing", function () {
    describe("submitSettlements → settlement engine", function () {
      it("settles a one-leg settlement signed by its payer and emits BatchApplied with the batch's size", async function () {
        const f = await loadFixture(hubFixture);
        const era = await f.token.getAddress();
        await depositEra(f, f.alice, 1_000n * ERA);
        const { settlement, signatures } = await oneLegSettlement(f, {
          id: batchId("s1"),
          scenarioId: SCENARIO.financial,
          payer: f.alice,
          payee: f.bob.address,
          amount: 100n * ERA,
        });
        expect(payersOf(settlement.legs)).to.deep.equal([f.alice.address]);
        await expect(
          f.executionHub
            .connect(f.node1Key)
            .submitSettlements(SCENARIO.financial, batchId("batch"), [settlement], [signatures]),
        )
          .to.emit(f.settlementEngine, "Settled")
          .withArgs(settlement.id, SCENARIO.financial, 1n)
          .and.to.emit(f.executionHub, "BatchApplied")
          .withArgs(batchId("batch"), SCENARIO.financial, ExecutionMode.AtomicSettlement, 1n, 0n, 1n);
        expect(await f.settlementEngine.freeBalance(f.alice.address, era)).to.equal(900n * ERA);
        expect(await f.settlementEngine.freeBalance(f.bob.address, era)).to.equal(100n * ERA);
        expect(await f.settlementEngine.statusOf(settlement.id)).to.equal(1n); // Settled
        expect(await f.executionHub.batchOf(batchId("batch"))).to.deep.equal([
          true,
          0n,
          SCENARIO.financial,
          1n,
          BigInt(ExecutionMode.AtomicSettlement),
        ]);
        expect(await f.executionHub.nodeStats(1)).to.deep.equal([1n, 0n]);
        // Settlement batches take no place in the standard/lightweight sequence and count no actions.
        expect(await f.executionHub.batchSeq()).to.equal(0n);
        expect(await f.executionHub.actionCount(SCENARIO.financial)).to.equal(0n);
      });

      it("settles several settlements in one batch", async function () {
        const f = await loadFixture(hubFixture);
        const era = await f.token.getAddress();
        await depositEra(f, f.alice, 1_000n * ERA);
        await depositEra(f, f.bob, 1_000n * ERA);
        const a = await oneLegSettlement(f, {
          id: batchId("s1"),
          scenarioId: SCENARIO.financial,
          payer: f.alice,
          payee: f.carol.address,
          amount: 10n * ERA,
        });
        const b = await oneLegSettlement(f, {
          id: batchId("s2"),
          scenarioId: SCENARIO.financial,
          payer: f.bob,
          payee: f.carol.address,
          amount: 20n * ERA,
        });
        await expect(
          f.executionHub
            .connect(f.node1Key)
            .submitSettlements(
              SCENARIO.financial,
              batchId("batch"),
              [a.settlement, b.settlement],
              [a.signatures, b.signatures],
            ),
        )
          .to.emit(f.executionHub, "BatchApplied")
          .withArgs(batchId("batch"), SCENARIO.financial, ExecutionMode.AtomicSettlement, 1n, 0n, 2n);
        expect(await f.settlementEngine.freeBalance(f.carol.address, era)).to.equal(30n * ERA);
      });

      it("reverts the whole batch when one settlement fails, and leaves the batch id unused", async function () {
        const f = await loadFixture(hubFixture);
        const era = await f.token.getAddress();
        await depositEra(f, f.alice, 1_000n * ERA);
        const ok = await oneLegSettlement(f, {
          id: batchId("s1"),
          scenarioId: SCENARIO.financial,
          payer: f.alice,
          payee: f.bob.address,
          amount: 10n * ERA,
        });
        const short = await oneLegSettlement(f, {
          id: batchId("s2"),
          scenarioId: SCENARIO.financial,
          payer: f.carol,
          payee: f.bob.address,
          amount: 10n * ERA,
        });
        await expect(
          f.executionHub
            .connect(f.node1Key)
            .submitSettlements(
              SCENARIO.financial,
              batchId("batch"),
              [ok.settlement, short.settlement],
              [ok.signatures, short.signatures],
            ),
        )
          .to.be.revertedWithCustomError(f.settlementEngine, "SettlementInsufficientFree")
          .withArgs(f.carol.address, era, 10n * ERA, 0n);
        expect(await f.settlementEngine.statusOf(ok.settlement.id)).to.equal(0n);
        expect(await f.settlementEngine.freeBalance(f.alice.address, era)).to.equal(1_000n * ERA);
        expect((await f.executionHub.batchOf(batchId("batch"))).used).to.equal(false);
        expect(await f.executionHub.nodeStats(1)).to.deep.equal([0n, 0n]);
      });

      it("reverts with ExecutionScenarioMismatch for a settlement of another scenario", async function () {
        const f = await loadFixture(hubFixture);
        await depositEra(f, f.alice, 1_000n * ERA);
        const ok = await oneLegSettlement(f, {
          id: batchId("s1"),
          scenarioId: SCENARIO.financial,
          payer: f.alice,
          payee: f.bob.address,
          amount: 10n * ERA,
        });
        const foreign = await oneLegSettlement(f, {
          id: batchId("s2"),
          scenarioId: SCENARIO.enterprise,
          payer: f.alice,
          payee: f.bob.address,
          amount: 10n * ERA,
        });
        await expect(
          f.executionHub
            .connect(f.node1Key)
            .submitSettlements(
              SCENARIO.financial,
              batchId("batch"),
              [ok.settlement, foreign.settlement],
              [ok.signatures, foreign.signatures],
            ),
        )
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionScenarioMismatch")
          .withArgs(SCENARIO.financial, SCENARIO.enterprise);
        expect(await f.settlementEngine.statusOf(ok.settlement.id)).to.equal(0n);
      });

      it("reverts with ExecutionBadBatchSize for no settlement, or signature lists that do not match the settlements", async function () {
        const f = await loadFixture(hubFixture);
        await depositEra(f, f.alice, 1_000n * ERA);
        const { settlement, signatures } = await oneLegSettlement(f, {
          id: batchId("s1"),
          scenarioId: SCENARIO.financial,
          payer: f.alice,
          payee: f.bob.address,
          amount: 10n * ERA,
        });
        const hub = f.executionHub.connect(f.node1Key);
        await expect(hub.submitSettlements(SCENARIO.financial, batchId("batch"), [], []))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionBadBatchSize")
          .withArgs(0n, MAX_BATCH_SIZE);
        for (const lists of [[], [signatures, signatures]]) {
          await expect(hub.submitSettlements(SCENARIO.financial, batchId("batch"), [settlement], lists))
            .to.be.revertedWithCustomError(f.executionHub, "ExecutionBadBatchSize")
            .withArgs(1n, MAX_BATCH_SIZE);
        }
      });

      it(`reverts with ExecutionBadBatchSize for ${MAX_BATCH_SIZE + 1n} settlements`, async function () {
        const f = await loadFixture(hubFixture);
        const n = Number(MAX_BATCH_SIZE) + 1;
        const item = EMPTY_SETTLEMENT(SCENARIO.financial);
        await expect(
          f.executionHub.connect(f.node1Key).submitSettlements(
            SCENARIO.financial,
            batchId("batch"),
            Array.from({ length: n }, () => item),
            Array.from({ length: n }, () => []),
          ),
        )
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionBadBatchSize")
          .withArgs(BigInt(n), MAX_BATCH_SIZE);
      });

      it("reverts with ExecutionBatchUsed for a batch id used before, by a settlement or a standard batch alike", async function () {
        const f = await loadFixture(hubFixture);
        await depositEra(f, f.alice, 1_000n * ERA);
        const first = await oneLegSettlement(f, {
          id: batchId("s1"),
          scenarioId: SCENARIO.financial,
          payer: f.alice,
          payee: f.bob.address,
          amount: 10n * ERA,
        });
        await f.executionHub
          .connect(f.node1Key)
          .submitSettlements(SCENARIO.financial, batchId("batch"), [first.settlement], [first.signatures]);
        const second = await oneLegSettlement(f, {
          id: batchId("s2"),
          scenarioId: SCENARIO.financial,
          payer: f.alice,
          payee: f.bob.address,
          amount: 10n * ERA,
        });
        await expect(
          f.executionHub
            .connect(f.node1Key)
            .submitSettlements(SCENARIO.financial, batchId("batch"), [second.settlement], [second.signatures]),
        )
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionBatchUsed")
          .withArgs(batchId("batch"));
        await expect(
          f.executionHub
            .connect(f.node1Key)
            .submitLock(SCENARIO.financial, batchId("batch"), second.settlement, second.signatures),
        )
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionBatchUsed")
          .withArgs(batchId("batch"));
        expect(await f.settlementEngine.statusOf(second.settlement.id)).to.equal(0n);
        // Standard and settlement batches share one id store.
        await f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Standard);
        const actions = await signActions(f.hubDomain, S, specs(f.users, 1));
        await expect(f.executionHub.connect(f.node1Key).submitStandard(S, batchId("batch"), actions))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionBatchUsed")
          .withArgs(batchId("batch"));
      });
    });

    describe("submitLock → settlement engine", function () {
      it("locks a settlement (frozen until commit) and emits BatchApplied of size 1", async function () {
        const f = await loadFixture(hubFixture);
        const era = await f.token.getAddress();
        await depositEra(f, f.alice, 1_000n * ERA);
        const preimage = ethers.id("secret");
        const deadline = BigInt(await time.latest()) + 3_600n;
        const { settlement, signatures } = await oneLegSettlement(f, {
          id: batchId("lock"),
          scenarioId: SCENARIO.financial,
          payer: f.alice,
          payee: f.bob.address,
          amount: 100n * ERA,
          deadline,
          hashlock: hashlockOf(preimage),
        });
        await expect(
          f.executionHub.connect(f.node1Key).submitLock(SCENARIO.financial, batchId("batch"), settlement, signatures),
        )
          .to.emit(f.settlementEngine, "Locked")
          .withArgs(settlement.id, SCENARIO.financial, 1n, deadline, settlement.hashlock)
          .and.to.emit(f.executionHub, "BatchApplied")
          .withArgs(batchId("batch"), SCENARIO.financial, ExecutionMode.AtomicSettlement, 1n, 0n, 1n);
        expect(await f.settlementEngine.frozenBalance(f.alice.address, era)).to.equal(100n * ERA);
        expect(await f.settlementEngine.freeBalance(f.alice.address, era)).to.equal(900n * ERA);
        expect(await f.settlementEngine.statusOf(settlement.id)).to.equal(2n); // Locked
        expect(await f.executionHub.batchOf(batchId("batch"))).to.deep.equal([
          true,
          0n,
          SCENARIO.financial,
          1n,
          BigInt(ExecutionMode.AtomicSettlement),
        ]);
        expect(await f.executionHub.nodeStats(1)).to.deep.equal([1n, 0n]);
        // Anyone who knows the preimage commits it before the deadline.
        await f.settlementEngine.connect(f.carol).commit(settlement.id, settlement.legs, preimage);
        expect(await f.settlementEngine.freeBalance(f.bob.address, era)).to.equal(100n * ERA);
      });

      it("reverts with ExecutionScenarioMismatch for a lock of another scenario", async function () {
        const f = await loadFixture(hubFixture);
        await depositEra(f, f.alice, 1_000n * ERA);
        const { settlement, signatures } = await oneLegSettlement(f, {
          id: batchId("lock"),
          scenarioId: SCENARIO.lightweight,
          payer: f.alice,
          payee: f.bob.address,
          amount: 100n * ERA,
          hashlock: hashlockOf(ethers.id("secret")),
        });
        await expect(
          f.executionHub.connect(f.node1Key).submitLock(SCENARIO.financial, batchId("batch"), settlement, signatures),
        )
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionScenarioMismatch")
          .withArgs(SCENARIO.financial, SCENARIO.lightweight);
      });
    });

    describe("submitNotarization → notary registry", function () {
      it("notarizes a result signed by the executing node (quorum 1) and emits BatchApplied under the derived notarization id", async function () {
        const f = await loadFixture(hubFixture);
        const { attestation, signatures } = await signedAttestation(f, SCENARIO.enterprise, "r1");
        const id = notarizationIdOf(SCENARIO.enterprise, attestation.subjectId, ethers.ZeroHash);
        const tx = f.executionHub.connect(f.node1Key).submitNotarization(attestation, signatures);
        await expect(tx)
          .to.emit(f.notaryRegistry, "Notarized")
          .withArgs(
            id,
            SCENARIO.enterprise,
            attestation.subjectId,
            attestation.resultHash,
            anyValue,
            ethers.ZeroHash,
            anyValue,
            [f.node1Key.address],
          )
          .and.to.emit(f.executionHub, "BatchApplied")
          .withArgs(id, SCENARIO.enterprise, ExecutionMode.Notarized, 1n, 0n, 1n);
        expect(await f.notaryRegistry.headOf(SCENARIO.enterprise, attestation.subjectId)).not.to.equal(ethers.ZeroHash);
        expect(await f.executionHub.nodeStats(1)).to.deep.equal([1n, 0n]);
        expect(await f.executionHub.batchSeq()).to.equal(0n);
      });

      it("names the submitting node as the executing node: another node's signature alone does not do", async function () {
        const f = await loadFixture(hubFixture);
        await f.scenarioRegistry.connect(f.developer).addServingNode(SCENARIO.enterprise, 2);
        const { attestation, signatures } = await signedAttestation(f, SCENARIO.enterprise, "r1", f.node2Key);
        await expect(f.executionHub.connect(f.node1Key).submitNotarization(attestation, signatures))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryExecutorMissing")
          .withArgs(1n);
        // Node 2, which signed, may submit it itself.
        await expect(f.executionHub.connect(f.node2Key).submitNotarization(attestation, signatures))
          .to.emit(f.executionHub, "BatchApplied")
          .withArgs(
            notarizationIdOf(SCENARIO.enterprise, attestation.subjectId, ethers.ZeroHash),
            SCENARIO.enterprise,
            ExecutionMode.Notarized,
            2n,
            0n,
            1n,
          );
        expect(await f.executionHub.nodeStats(2)).to.deep.equal([1n, 0n]);
        expect(await f.executionHub.nodeStats(1)).to.deep.equal([0n, 0n]);
      });

      it("refuses a replayed attestation (NotaryStaleHead) and counts nothing", async function () {
        const f = await loadFixture(hubFixture);
        const { attestation, signatures } = await signedAttestation(f, SCENARIO.enterprise, "r1");
        await f.executionHub.connect(f.node1Key).submitNotarization(attestation, signatures);
        const head = await f.notaryRegistry.headOf(SCENARIO.enterprise, attestation.subjectId);
        await expect(f.executionHub.connect(f.node1Key).submitNotarization(attestation, signatures))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryStaleHead")
          .withArgs(SCENARIO.enterprise, attestation.subjectId, head, ethers.ZeroHash);
        expect(await f.executionHub.nodeStats(1)).to.deep.equal([1n, 0n]);
      });
    });

    describe("submitNotarizationBatch → notary registry", function () {
      it("notarizes a batch root and emits BatchApplied with the batch's derived id and count", async function () {
        const f = await loadFixture(hubFixture);
        const { attestation, signatures } = await signedBatchAttestation(f, SCENARIO.enterprise, "b1", 25);
        const id = batchNotarizationIdOf(SCENARIO.enterprise, attestation.salt);
        const tx = f.executionHub.connect(f.node1Key).submitNotarizationBatch(attestation, signatures);
        await expect(tx)
          .to.emit(f.notaryRegistry, "BatchNotarized")
          .withArgs(id, SCENARIO.enterprise, attestation.root, 25n, anyValue, anyValue, [f.node1Key.address])
          .and.to.emit(f.executionHub, "BatchApplied")
          .withArgs(id, SCENARIO.enterprise, ExecutionMode.Notarized, 1n, 0n, 25n);
        expect(await f.notaryRegistry.batchCommitmentOf(id)).not.to.equal(ethers.ZeroHash);
        expect(await f.executionHub.nodeStats(1)).to.deep.equal([1n, 0n]);
      });

      it("refuses a batch salt used before (NotaryIdUsed) and counts nothing", async function () {
        const f = await loadFixture(hubFixture);
        const { attestation, signatures } = await signedBatchAttestation(f, SCENARIO.enterprise, "b1", 3);
        await f.executionHub.connect(f.node1Key).submitNotarizationBatch(attestation, signatures);
        await expect(f.executionHub.connect(f.node1Key).submitNotarizationBatch(attestation, signatures))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryIdUsed")
          .withArgs(batchNotarizationIdOf(SCENARIO.enterprise, attestation.salt));
        expect(await f.executionHub.nodeStats(1)).to.deep.equal([1n, 0n]);
      });
    });

    describe("submitLightweight → batch commitments", function () {
      it("commits the packed actions under the root the verifier computes and emits BatchApplied", async function () {
        const f = await loadFixture(hubFixture);
        const batch = lightweightBatch(S, batchId("lw"), packedSpecs(f.users, 13));
        await expect(f.executionHub.connect(f.node1Key).submitLightweight(S, batch.id, batch.data))
          .to.emit(f.batchCommitments, "BatchCommitted")
          .withArgs(batch.id, S, 1n, batch.tree.root, 13n, 1n)
          .and.to.emit(f.executionHub, "BatchApplied")
          .withArgs(batch.id, S, ExecutionMode.Lightweight, 1n, 1n, 13n);
        const stored = await f.batchCommitments.getBatch(batch.id);
        expect([stored.root, stored.scenarioId, stored.nodeId, stored.seq, stored.count, stored.status]).to.deep.equal([
          batch.tree.root,
          S,
          1n,
          1n,
          13n,
          1n, // Pending
        ]);
        expect(await f.executionHub.batchSeq()).to.equal(1n);
        expect(await f.executionHub.nodeStats(1)).to.deep.equal([1n, 0n]);
        // Nothing counts before the batch is final; nothing is recorded as a standard action.
        expect(await f.executionHub.actionCount(S)).to.equal(0n);
        expect(await f.executionHub.actionRecord(S, f.users[0].address, 1)).to.deep.equal([0n, 0n]);
      });

      it("refuses a batch id used before (CommitmentsBatchExists) and does not advance the sequence", async function () {
        const f = await loadFixture(hubFixture);
        const batch = lightweightBatch(S, batchId("lw"), packedSpecs(f.users, 4));
        await f.executionHub.connect(f.node1Key).submitLightweight(S, batch.id, batch.data);
        const other = lightweightBatch(S, batchId("lw"), packedSpecs(f.users, 4, 2));
        await expect(f.executionHub.connect(f.node1Key).submitLightweight(S, other.id, other.data))
          .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsBatchExists")
          .withArgs(batch.id);
        expect(await f.executionHub.batchSeq()).to.equal(1n);
        expect((await f.batchCommitments.getBatch(batch.id)).root).to.equal(batch.tree.root);
        expect(await f.executionHub.nodeStats(1)).to.deep.equal([1n, 0n]);
      });

      it("refuses data that is not whole 32-byte actions (CommitmentsBadData)", async function () {
        const f = await loadFixture(hubFixture);
        for (const data of ["0x", ethers.hexlify(new Uint8Array(33))]) {
          await expect(f.executionHub.connect(f.node1Key).submitLightweight(S, batchId("lw"), data))
            .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsBadData")
            .withArgs(ethers.dataLength(data));
        }
      });
    });

    it("orders standard and lightweight batches in one sequence", async function () {
      const f = await loadFixture(hubFixture);
      await f.scenarioRegistry.connect(f.developer).setMode(SCENARIO.financial, ExecutionMode.Standard);
      const lw = lightweightBatch(S, batchId("lw"), packedSpecs(f.users, 2));
      await f.executionHub.connect(f.node1Key).submitLightweight(S, lw.id, lw.data);
      const actions = await signActions(f.hubDomain, SCENARIO.financial, specs(f.users, 2));
      await expect(f.executionHub.connect(f.node1Key).submitStandard(SCENARIO.financial, batchId("std"), actions))
        .to.emit(f.executionHub, "BatchApplied")
        .withArgs(batchId("std"), SCENARIO.financial, ExecutionMode.Standard, 1n, 2n, 2n);
      expect((await f.batchCommitments.getBatch(lw.id)).seq).to.equal(1n);
    });
  });

  describe("onFraud and onLightweightFinal", function () {
    it("revert with ExecutionOnlyCommitments for anyone but the batch commitments", async function () {
      const f = await loadFixture(hubFixture);
      for (const caller of [f.attacker, f.node1Key, f.developer]) {
        await expect(f.executionHub.connect(caller).onFraud(1))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionOnlyCommitments")
          .withArgs(caller.address);
        await expect(f.executionHub.connect(caller).onLightweightFinal(S, 5))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionOnlyCommitments")
          .withArgs(caller.address);
      }
      expect(await f.executionHub.nodeStats(1)).to.deep.equal([0n, 0n]);
      expect(await f.executionHub.actionCount(S)).to.equal(0n);
    });
  });

  describe("reentrancy", function () {
    async function reentrantFixture(): Promise<HubFixture & { mock: HubReentrantCommitments }> {
      const f = await hubFixture();
      const mock = await ethers.deployContract("HubReentrantCommitments", [await f.executionHub.getAddress()]);
      const data = f.executionHub.interface.encodeFunctionData("setCommitments", [await mock.getAddress()]);
      await viaTimelock(f, f.executionHub, data);
      return { ...f, mock };
    }

    const GUARDED = ["submitStandard", "submitSettlements", "submitLock", "submitLightweight"];
    it("guards every submit function except the notarizations, whose notary only reads other contracts", async function () {
      expect([...GUARDED, "submitNotarization", "submitNotarizationBatch"].sort()).to.deep.equal(
        Object.keys(SUBMITS).sort(),
      );
    });

    for (const name of GUARDED) {
      it(`a commitments contract cannot re-enter ${name} while a batch is applied (ReentrancyGuardReentrantCall)`, async function () {
        const f = await loadFixture(reentrantFixture);
        // Without the guard the inner call would fail for another reason (the mock is no node's key).
        await f.mock.setReentry(await populate(f.executionHub, name, S));
        const lw = lightweightBatch(S, batchId("lw"), packedSpecs(f.users, 1));
        await expect(
          f.executionHub.connect(f.node1Key).submitLightweight(S, lw.id, lw.data),
        ).to.be.revertedWithCustomError(f.executionHub, "ReentrancyGuardReentrantCall");
        // Without the call back, the same batch goes through.
        await f.mock.setReentry("0x");
        await expect(f.executionHub.connect(f.node1Key).submitLightweight(S, lw.id, lw.data)).to.emit(
          f.executionHub,
          "BatchApplied",
        );
      });
    }

    for (const name of ["submitNotarization", "submitNotarizationBatch"]) {
      it(`a contract re-entering ${name} while a batch is applied is refused as no node's key (ExecutionNotServingNode)`, async function () {
        const f = await loadFixture(reentrantFixture);
        await f.mock.setReentry(await populate(f.executionHub, name, S));
        const lw = lightweightBatch(S, batchId("lw"), packedSpecs(f.users, 1));
        await expect(f.executionHub.connect(f.node1Key).submitLightweight(S, lw.id, lw.data))
          .to.be.revertedWithCustomError(f.executionHub, "ExecutionNotServingNode")
          .withArgs(S, await f.mock.getAddress(), 0n);
      });
    }
  });
});

/** The calldata of a dummy call of submit function `name` for `scenarioId`. */
async function populate(hub: ExecutionHub, name: string, scenarioId: bigint): Promise<string> {
  const att = {
    scenarioId,
    subjectId: ethers.ZeroHash,
    resultHash: ethers.ZeroHash,
    previous: ethers.ZeroHash,
    deadline: 0n,
  };
  const batchAtt = { scenarioId, salt: ethers.ZeroHash, root: ethers.ZeroHash, count: 0, deadline: 0n };
  const byName: Record<string, () => Promise<{ data: string }>> = {
    submitStandard: () => hub.submitStandard.populateTransaction(scenarioId, batchId("x"), []),
    submitSettlements: () => hub.submitSettlements.populateTransaction(scenarioId, batchId("x"), [], []),
    submitLock: () => hub.submitLock.populateTransaction(scenarioId, batchId("x"), EMPTY_SETTLEMENT(scenarioId), []),
    submitNotarization: () => hub.submitNotarization.populateTransaction(att, []),
    submitNotarizationBatch: () => hub.submitNotarizationBatch.populateTransaction(batchAtt, []),
    submitLightweight: () => hub.submitLightweight.populateTransaction(scenarioId, batchId("x"), "0x"),
  };
  return (await byName[name]()).data;
}
