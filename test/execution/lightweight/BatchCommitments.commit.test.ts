import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ROLES } from "../../helpers/fixtures";
import {
  LightweightBatchTree,
  lightweightLeaf,
  packActions,
  randomId,
  type PackedAction,
} from "../../../src/sdk/execution";
import {
  BatchStatus,
  EXECUTION_DEFAULTS,
  ExecutionMode,
  LIGHT,
  lightweightFixture,
  makeActions,
  submitBatch,
  userAt,
  type LightweightFixture,
} from "./helpers";
import type { LightweightMerkleHarness } from "../../../typechain-types";

async function harnessFixture(): Promise<LightweightFixture & { harness: LightweightMerkleHarness }> {
  const f = await lightweightFixture();
  const harness = await (await ethers.getContractFactory("LightweightMerkleHarness")).deploy();
  return { ...f, harness };
}

/** Checks every action of `tree`: the contract's leaf equals the SDK's, and the SDK proof verifies to the root. */
async function expectEveryProofVerifies(
  f: LightweightFixture & { harness: LightweightMerkleHarness },
  tree: LightweightBatchTree,
  root: string,
): Promise<void> {
  const n = tree.actions.length;
  for (let start = 0; start < n; start += 100) {
    const indices = Array.from({ length: Math.min(100, n - start) }, (_, k) => start + k);
    await Promise.all(
      indices.map(async (i) => {
        const leaf = await f.batchCommitments.leafOf(tree.scenarioId, tree.batchId, tree.ref(i));
        expect(leaf).to.equal(lightweightLeaf(tree.scenarioId, tree.batchId, i, tree.actions[i]));
        expect(await f.harness.verify(tree.proof(i), root, leaf)).to.equal(true, `proof of action ${i}`);
      }),
    );
  }
}

describe("BatchCommitments: deployment", function () {
  it("is wired to the token, hub, node registry and staking reserve with the Ignition parameters", async function () {
    const f = await loadFixture(lightweightFixture);
    const bc = f.batchCommitments;
    expect(await bc.era()).to.equal(f.addresses.token);
    expect(await bc.hub()).to.equal(f.addresses.executionHub);
    expect(await bc.nodes()).to.equal(f.addresses.nodeRegistry);
    expect(await bc.reserve()).to.equal(f.addresses.staking);
    expect(await f.executionHub.commitments()).to.equal(f.addresses.batchCommitments);
    expect(await bc.challengeWindow()).to.equal(EXECUTION_DEFAULTS.challengeWindow);
    expect(await bc.answerWindow()).to.equal(EXECUTION_DEFAULTS.answerWindow);
    expect(await bc.challengeBond()).to.equal(EXECUTION_DEFAULTS.challengeBond);
    expect(await bc.fraudSlash()).to.equal(EXECUTION_DEFAULTS.fraudSlash);
    expect(await bc.bountyBps()).to.equal(EXECUTION_DEFAULTS.bountyBps);
    expect(await f.nodeRegistry.hasRole(ROLES.SLASHER, f.addresses.batchCommitments)).to.equal(true);
    expect(await bc.hasRole(ROLES.DEFAULT_ADMIN, f.addresses.timelock)).to.equal(true);
    expect(await bc.hasRole(ROLES.DEFAULT_ADMIN, f.deployer.address)).to.equal(false);
  });

  it("reverts with AdminGuardedZeroAddress when any dependency or the admin is the zero address", async function () {
    const f = await loadFixture(lightweightFixture);
    const factory = await ethers.getContractFactory("BatchCommitments");
    const d = EXECUTION_DEFAULTS;
    const good = [
      f.addresses.token,
      f.addresses.executionHub,
      f.addresses.nodeRegistry,
      f.addresses.staking,
      f.deployer.address,
    ];
    for (let i = 0; i < good.length; i++) {
      const args = good.map((a, k) => (k === i ? ethers.ZeroAddress : a));
      await expect(
        factory.deploy(
          args[0],
          args[1],
          args[2],
          args[3],
          args[4],
          d.challengeWindow,
          d.answerWindow,
          d.challengeBond,
          d.fraudSlash,
          d.bountyBps,
        ),
      ).to.be.revertedWithCustomError(factory, "AdminGuardedZeroAddress");
    }
  });

  it("reverts with CommitmentsParameterOutOfBounds when deployed with out-of-bounds parameters", async function () {
    const f = await loadFixture(lightweightFixture);
    const factory = await ethers.getContractFactory("BatchCommitments");
    const d = EXECUTION_DEFAULTS;
    await expect(
      factory.deploy(
        f.addresses.token,
        f.addresses.executionHub,
        f.addresses.nodeRegistry,
        f.addresses.staking,
        f.deployer.address,
        d.challengeWindow,
        d.answerWindow,
        d.challengeBond,
        d.fraudSlash,
        5_001n,
      ),
    )
      .to.be.revertedWithCustomError(factory, "CommitmentsParameterOutOfBounds")
      .withArgs(5_001n, 0n, 5_000n);
  });
});

describe("BatchCommitments: commit", function () {
  for (const n of [1, 2, 3, 7, 8, 100, 1_000]) {
    it(`stores the SDK root of a ${n}-action batch, and every action's leaf and proof verify`, async function () {
      const f = await loadFixture(harnessFixture);
      const s = await submitBatch(f, makeActions(n));
      const batch = await f.batchCommitments.getBatch(s.batchId);
      expect(batch.root).to.equal(s.tree.root);
      expect(batch.count).to.equal(BigInt(n));
      await expectEveryProofVerifies(f, s.tree, batch.root);
    });
  }

  it("accepts, in a fraud function, the SDK proofs of the first, a middle and the last of 1,000 actions", async function () {
    const f = await loadFixture(harnessFixture);
    const s = await submitBatch(f, makeActions(1_000));
    await f.token.connect(f.carol).approve(f.addresses.batchCommitments, EXECUTION_DEFAULTS.challengeBond);
    for (const i of [0, 511, 999]) {
      // A valid proof passes the inclusion check; only then can the challenge be accepted.
      await expect(
        f.batchCommitments.connect(f.carol).challengeSignature.staticCall(s.batchId, s.tree.ref(i), s.tree.proof(i)),
      ).not.to.be.reverted;
    }
  });

  it("commits a batch of exactly MAX_ACTIONS actions", async function () {
    const f = await loadFixture(lightweightFixture);
    const max = Number(await f.batchCommitments.MAX_ACTIONS());
    const s = await submitBatch(f, makeActions(max));
    const batch = await f.batchCommitments.getBatch(s.batchId);
    expect(batch.count).to.equal(BigInt(max));
    expect(batch.root).to.equal(s.tree.root);
  });

  it("stores every field of the batch and emits BatchCommitted (and the hub's BatchApplied)", async function () {
    const f = await loadFixture(lightweightFixture);
    const actions = makeActions(5);
    const seqBefore = await f.executionHub.batchSeq();
    const s = await submitBatch(f, actions);
    expect(s.seq).to.equal(seqBefore + 1n);
    await expect(s.tx)
      .to.emit(f.batchCommitments, "BatchCommitted")
      .withArgs(s.batchId, LIGHT, 1n, s.tree.root, 5n, s.seq);
    await expect(s.tx)
      .to.emit(f.executionHub, "BatchApplied")
      .withArgs(s.batchId, LIGHT, ExecutionMode.Lightweight, 1n, s.seq, 5n);
    const batch = await f.batchCommitments.getBatch(s.batchId);
    expect(batch.root).to.equal(s.tree.root);
    expect(batch.scenarioId).to.equal(LIGHT);
    expect(batch.nodeId).to.equal(1n);
    expect(batch.seq).to.equal(s.seq);
    expect(batch.submittedAt).to.equal(s.submittedAt);
    expect(batch.count).to.equal(5n);
    expect(batch.openChallenges).to.equal(0n);
    expect(batch.status).to.equal(BatchStatus.Pending);
    expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(false);
  });

  it("returns an empty batch (status None) for an unknown id", async function () {
    const f = await loadFixture(lightweightFixture);
    const batch = await f.batchCommitments.getBatch(randomId());
    expect(batch.root).to.equal(ethers.ZeroHash);
    expect(batch.count).to.equal(0n);
    expect(batch.status).to.equal(BatchStatus.None);
  });

  it("counts the batch as applied for the node only, not yet as actions of the scenario", async function () {
    const f = await loadFixture(lightweightFixture);
    await submitBatch(f, makeActions(4));
    expect((await f.executionHub.nodeStats(1)).appliedBatches).to.equal(1n);
    expect(await f.executionHub.actionCount(LIGHT)).to.equal(0n);
  });

  describe("bad data", function () {
    const cases: [string, () => string][] = [
      ["is empty", () => "0x"],
      ["is 31 bytes", () => ethers.hexlify(new Uint8Array(31))],
      ["is 33 bytes", () => ethers.concat([packActions(makeActions(1)), "0x00"])],
      ["is one byte short of two actions", () => ethers.dataSlice(packActions(makeActions(2)), 0, 63)],
    ];
    for (const [what, data] of cases) {
      it(`reverts with CommitmentsBadData when the data ${what}`, async function () {
        const f = await loadFixture(lightweightFixture);
        const d = data();
        const seq = await f.executionHub.batchSeq();
        await expect(f.executionHub.connect(f.node1Key).submitLightweight(LIGHT, randomId(), d))
          .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsBadData")
          .withArgs(ethers.dataLength(d));
        expect(await f.executionHub.batchSeq()).to.equal(seq);
      });
    }

    it("reverts with CommitmentsBadData for MAX_ACTIONS + 1 actions", async function () {
      const f = await loadFixture(lightweightFixture);
      const max = await f.batchCommitments.MAX_ACTIONS();
      const data = packActions(makeActions(Number(max) + 1));
      await expect(f.executionHub.connect(f.node1Key).submitLightweight(LIGHT, randomId(), data))
        .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsBadData")
        .withArgs((max + 1n) * 32n);
    });
  });

  it("reverts with CommitmentsOnlyHub when anyone but the hub commits (a node key or an attacker)", async function () {
    const f = await loadFixture(lightweightFixture);
    const data = packActions(makeActions(2));
    for (const caller of [f.attacker, f.node1Key]) {
      await expect(f.batchCommitments.connect(caller).commit(LIGHT, randomId(), 1, 1, data))
        .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsOnlyHub")
        .withArgs(caller.address);
    }
  });

  it("attack 9: reverts with CommitmentsBatchExists on a reused batch id (same or another scenario) and changes nothing", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, makeActions(3));
    const before = await f.batchCommitments.getBatch(s.batchId);
    const seq = await f.executionHub.batchSeq();
    const stats = await f.executionHub.nodeStats(1);
    // Same id, other actions: the stored root must not be overwritten.
    await expect(f.executionHub.connect(f.node1Key).submitLightweight(LIGHT, s.batchId, packActions(makeActions(3, 1))))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsBatchExists")
      .withArgs(s.batchId);
    // Same id on another lightweight scenario.
    await expect(
      f.executionHub.connect(f.node1Key).submitLightweight(f.otherLight, s.batchId, packActions(makeActions(3))),
    )
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsBatchExists")
      .withArgs(s.batchId);
    expect(await f.batchCommitments.getBatch(s.batchId)).to.deep.equal(before);
    expect(await f.executionHub.batchSeq()).to.equal(seq);
    expect(await f.executionHub.nodeStats(1)).to.deep.equal(stats);
  });

  it("binds every leaf to its scenario, batch and position", async function () {
    const f = await loadFixture(lightweightFixture);
    const a = makeActions(1)[0];
    const batchId = randomId();
    const ref = { index: 0n, user: a.user, nonce: a.nonce, payload: a.payload };
    const leaf = await f.batchCommitments.leafOf(LIGHT, batchId, ref);
    expect(await f.batchCommitments.leafOf(f.otherLight, batchId, ref)).not.to.equal(leaf);
    expect(await f.batchCommitments.leafOf(LIGHT, randomId(), ref)).not.to.equal(leaf);
    expect(await f.batchCommitments.leafOf(LIGHT, batchId, { ...ref, index: 1n })).not.to.equal(leaf);
    expect(leaf).to.equal(lightweightLeaf(LIGHT, batchId, 0, a));
  });
});

describe("LightweightMerkle (through a harness)", function () {
  it("matches the SDK tree for every batch size from 1 to 40", async function () {
    const f = await loadFixture(harnessFixture);
    const batchId = randomId();
    for (let n = 1; n <= 40; n++) {
      const actions = makeActions(n);
      expect(await f.harness.root(LIGHT, batchId, packActions(actions))).to.equal(
        new LightweightBatchTree(LIGHT, batchId, actions).root,
        `size ${n}`,
      );
    }
  });

  it("unpacks the extreme field values: all-ones and all-zero user, nonce and payload", async function () {
    const f = await loadFixture(harnessFixture);
    const actions: PackedAction[] = [
      { user: ethers.getAddress("0x" + "ff".repeat(20)), nonce: 2 ** 32 - 1, payload: 2n ** 64n - 1n },
      { user: ethers.ZeroAddress, nonce: 0, payload: 0n },
      { user: userAt(1), nonce: 2 ** 32 - 1, payload: 0n },
      { user: ethers.ZeroAddress, nonce: 0, payload: 2n ** 64n - 1n },
      { user: ethers.getAddress("0x" + "ff".repeat(20)), nonce: 0, payload: 1n },
    ];
    const scenarioId = 2n ** 256n - 1n;
    const batchId = "0x" + "ff".repeat(32);
    const tree = new LightweightBatchTree(scenarioId, batchId, actions);
    const root = await f.harness.root(scenarioId, batchId, packActions(actions));
    expect(root).to.equal(tree.root);
    for (let i = 0; i < actions.length; i++) {
      const leaf = await f.batchCommitments.leafOf(scenarioId, batchId, tree.ref(i));
      expect(leaf).to.equal(lightweightLeaf(scenarioId, batchId, i, actions[i]));
      expect(await f.harness.verify(tree.proof(i), root, leaf)).to.equal(true);
    }
  });

  it("matches the SDK tree at 2,049 actions, an odd last node moving up on every level but the top", async function () {
    const f = await loadFixture(harnessFixture);
    const batchId = randomId();
    const actions = makeActions(2_049);
    const tree = new LightweightBatchTree(LIGHT, batchId, actions);
    expect(tree.levels.slice(0, -2).every((level) => level.length % 2 === 1)).to.equal(true);
    expect(await f.harness.root(LIGHT, batchId, packActions(actions))).to.equal(tree.root);
  });

  it("gives a different root when any action changes, moves or is dropped", async function () {
    const f = await loadFixture(harnessFixture);
    const batchId = randomId();
    const actions = makeActions(7);
    const root = await f.harness.root(LIGHT, batchId, packActions(actions));
    const variants: PackedAction[][] = [
      actions.map((a, i) => (i === 6 ? { ...a, payload: a.payload + 1n } : a)),
      actions.map((a, i) => (i === 3 ? { ...a, nonce: a.nonce + 1 } : a)),
      [actions[1], actions[0], ...actions.slice(2)],
      actions.slice(0, 6),
    ];
    for (const v of variants) {
      expect(await f.harness.root(LIGHT, batchId, packActions(v))).not.to.equal(root);
    }
  });
});

describe("SDK lightweight helpers", function () {
  it("packs 32 bytes per action: user, then nonce, then payload", function () {
    const a: PackedAction = { user: userAt(3), nonce: 0x01020304, payload: 0x05060708090a0b0cn };
    expect(packActions([a])).to.equal(a.user.toLowerCase() + "01020304" + "05060708090a0b0c");
    expect(packActions([])).to.equal("0x");
  });

  it("refuses an empty tree and a proof of an action outside the batch", function () {
    expect(() => new LightweightBatchTree(LIGHT, randomId(), [])).to.throw("at least one action");
    const tree = new LightweightBatchTree(LIGHT, randomId(), makeActions(3));
    expect(() => tree.proof(3)).to.throw(RangeError);
    expect(() => tree.proof(-1)).to.throw(RangeError);
  });
});
