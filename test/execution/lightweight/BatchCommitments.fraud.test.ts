import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { randomId, type PackedAction } from "../../../src/sdk/execution";
import { viaTimelock } from "../../helpers/fixtures";
import {
  BatchStatus,
  ERA,
  EXECUTION_DEFAULTS,
  ExecutionMode,
  FINANCIAL,
  FraudKind,
  LIGHT,
  STANDARD_REPLAY_REASON,
  applyStandard,
  expectSlashed,
  expectedApr,
  fraudReason,
  fraudSplit,
  lightweightFixture,
  makeActions,
  setMode,
  signed,
  snapshot,
  submitBatch,
  type LightweightFixture,
  type Submitted,
} from "./helpers";

/** Six actions where action 4 reuses the (user, nonce) of action 1 with another payload. */
function withInBatchDuplicate(): PackedAction[] {
  const actions = makeActions(6);
  actions[4] = { user: actions[1].user, nonce: actions[1].nonce, payload: 999n };
  return actions;
}

async function setParameters(
  f: LightweightFixture,
  p: Partial<{
    challengeWindow: bigint;
    answerWindow: bigint;
    challengeBond: bigint;
    fraudSlash: bigint;
    bountyBps: bigint;
  }>,
) {
  const d = { ...EXECUTION_DEFAULTS, ...p };
  return viaTimelock(
    f,
    f.batchCommitments,
    f.batchCommitments.interface.encodeFunctionData("setParameters", [
      d.challengeWindow,
      d.answerWindow,
      d.challengeBond,
      d.fraudSlash,
      d.bountyBps,
    ]),
  );
}

function proveDup(f: LightweightFixture, s: Submitted, i: number, j: number) {
  return f.batchCommitments
    .connect(f.carol)
    .proveDuplicateInBatch(s.batchId, s.tree.ref(i), s.tree.proof(i), s.tree.ref(j), s.tree.proof(j));
}

describe("BatchCommitments: proveDuplicateInBatch", function () {
  it("rejects the batch, slashes fraudSlash from the node's bond, pays the 20% bounty and funds the reserve with the rest", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, withInBatchDuplicate());
    const before = await snapshot(f, 1n);
    const oldScore = (await f.staking.nodePool(1)).scoreBps;
    const { slashed, bounty, rest } = fraudSplit();
    const tx = proveDup(f, s, 1, 4);
    await expect(tx)
      .to.emit(f.batchCommitments, "FraudProven")
      .withArgs(s.batchId, FraudKind.DuplicateNonceInBatch, 1n, f.carol.address, slashed, bounty);
    await expect(tx)
      .to.emit(f.nodeRegistry, "NodeSlashed")
      .withArgs(1n, f.addresses.batchCommitments, slashed, slashed, 0n, fraudReason(FraudKind.DuplicateNonceInBatch));
    await expect(tx)
      .to.emit(f.staking, "ReserveFunded")
      .withArgs(f.addresses.batchCommitments, rest, before.reserve + rest);
    await expect(tx).to.changeTokenBalances(
      f.token,
      [f.carol, f.nodeRegistry, f.staking, f.batchCommitments],
      [bounty, -slashed, rest, 0n],
    );
    const { score, apr } = await expectedApr(f, 1n);
    await expect(tx).to.emit(f.executionHub, "ScoreSynced").withArgs(1n, score, before.applied, 1n);
    await expect(tx).to.emit(f.staking, "ScoreUpdated").withArgs(1n, oldScore, score, apr);
    expect((await f.batchCommitments.getBatch(s.batchId)).status).to.equal(BatchStatus.Rejected);
    await expectSlashed(f, 1n, before);
    expect((await f.executionHub.nodeStats(1)).frauds).to.equal(1n);
  });

  it("proves the duplicate in either order", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, withInBatchDuplicate());
    await expect(proveDup(f, s, 4, 1)).to.emit(f.batchCommitments, "FraudProven");
  });

  it("attack 9: a duplicate proof against good actions (the same action twice, another nonce or another user) reverts with CommitmentsNotDuplicate", async function () {
    const f = await loadFixture(lightweightFixture);
    const actions = withInBatchDuplicate();
    actions[2] = { user: actions[1].user, nonce: actions[1].nonce + 7, payload: 5n }; // same user, other nonce
    actions[3] = { user: actions[0].user, nonce: actions[1].nonce, payload: 5n }; // same nonce, other user
    const s = await submitBatch(f, actions);
    for (const [i, j] of [
      [1, 1],
      [1, 2],
      [1, 3],
    ]) {
      await expect(proveDup(f, s, i, j)).to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNotDuplicate");
    }
    expect((await f.batchCommitments.getBatch(s.batchId)).status).to.equal(BatchStatus.Pending);
  });

  it("reverts with CommitmentsBadProof for a wrong proof of either action or an index beyond the batch", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, withInBatchDuplicate());
    const bc = f.batchCommitments.connect(f.carol);
    const { tree } = s;
    await expect(bc.proveDuplicateInBatch(s.batchId, tree.ref(1), tree.proof(2), tree.ref(4), tree.proof(4)))
      .to.be.revertedWithCustomError(bc, "CommitmentsBadProof")
      .withArgs(s.batchId, 1n);
    await expect(bc.proveDuplicateInBatch(s.batchId, tree.ref(1), tree.proof(1), tree.ref(4), tree.proof(1)))
      .to.be.revertedWithCustomError(bc, "CommitmentsBadProof")
      .withArgs(s.batchId, 4n);
    // A forged action at a made-up position (the claimed index changes the leaf, and is out of range anyway).
    const forged = { ...tree.ref(1), index: 6n };
    await expect(bc.proveDuplicateInBatch(s.batchId, tree.ref(1), tree.proof(1), forged, tree.proof(4)))
      .to.be.revertedWithCustomError(bc, "CommitmentsBadProof")
      .withArgs(s.batchId, 6n);
  });

  it("attack: reverts with CommitmentsBadProof for an action proven against another batch that holds it", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, withInBatchDuplicate());
    const other = await submitBatch(f, withInBatchDuplicate());
    await expect(
      f.batchCommitments
        .connect(f.carol)
        .proveDuplicateInBatch(s.batchId, other.tree.ref(1), other.tree.proof(1), s.tree.ref(4), s.tree.proof(4)),
    )
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsBadProof")
      .withArgs(s.batchId, 1n);
  });

  it("attack: a second proof of the same fraud reverts with CommitmentsBatchRejected (one slash per batch)", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, withInBatchDuplicate());
    await proveDup(f, s, 1, 4);
    const after = await snapshot(f, 1n);
    await expect(proveDup(f, s, 4, 1))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsBatchRejected")
      .withArgs(s.batchId);
    expect(await snapshot(f, 1n)).to.deep.equal(after);
  });

  it("reverts with CommitmentsUnknownBatch for an unknown batch", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, withInBatchDuplicate());
    const unknown = randomId();
    await expect(
      f.batchCommitments.proveDuplicateInBatch(unknown, s.tree.ref(1), s.tree.proof(1), s.tree.ref(4), s.tree.proof(4)),
    )
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsUnknownBatch")
      .withArgs(unknown);
  });

  it("reverts with CommitmentsWindowClosed once the challenge window is over", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, withInBatchDuplicate());
    const end = s.submittedAt + EXECUTION_DEFAULTS.challengeWindow;
    await time.setNextBlockTimestamp(end);
    await expect(proveDup(f, s, 1, 4))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsWindowClosed")
      .withArgs(s.batchId, end);
  });

  it("takes the slash from the bond before the node's delegators", async function () {
    const f = await loadFixture(lightweightFixture);
    const delegated = 3_000n * ERA;
    await f.token.connect(f.bob).approve(f.addresses.staking, delegated);
    await f.staking.connect(f.bob).delegate(1, delegated);
    const s = await submitBatch(f, withInBatchDuplicate());
    const { slashed } = fraudSplit();
    const bond = (await f.nodeRegistry.getNode(1)).bond;
    await expect(proveDup(f, s, 1, 4))
      .to.emit(f.nodeRegistry, "NodeSlashed")
      .withArgs(1n, f.addresses.batchCommitments, slashed, slashed, 0n, fraudReason(FraudKind.DuplicateNonceInBatch));
    expect((await f.nodeRegistry.getNode(1)).bond).to.equal(bond - slashed);
    expect(await f.staking.stakeOf(f.bob.address, 1)).to.equal(delegated);
  });

  it("slashes the delegators for what the bond cannot cover, and pays the bounty on the whole slash", async function () {
    const f = await loadFixture(lightweightFixture);
    const bond = (await f.nodeRegistry.getNode(1)).bond;
    const fraudSlash = bond + 2_000n * ERA;
    await setParameters(f, { fraudSlash });
    const delegated = 8_000n * ERA;
    await f.token.connect(f.bob).approve(f.addresses.staking, delegated);
    await f.staking.connect(f.bob).delegate(1, delegated);
    const s = await submitBatch(f, withInBatchDuplicate());
    const fromDelegators = fraudSlash - bond;
    const bounty = (fraudSlash * EXECUTION_DEFAULTS.bountyBps) / 10_000n;
    const rest = fraudSlash - bounty;
    const tx = proveDup(f, s, 1, 4);
    await expect(tx)
      .to.emit(f.batchCommitments, "FraudProven")
      .withArgs(s.batchId, FraudKind.DuplicateNonceInBatch, 1n, f.carol.address, fraudSlash, bounty);
    await expect(tx)
      .to.emit(f.nodeRegistry, "NodeSlashed")
      .withArgs(
        1n,
        f.addresses.batchCommitments,
        fraudSlash,
        bond,
        fromDelegators,
        fraudReason(FraudKind.DuplicateNonceInBatch),
      );
    await expect(tx).to.emit(f.staking, "ReserveFunded").withArgs(f.addresses.batchCommitments, rest, anyValue);
    await expect(tx).to.changeTokenBalances(
      f.token,
      [f.carol, f.nodeRegistry, f.staking, f.batchCommitments],
      [bounty, -bond, rest - fromDelegators, 0n],
    );
    expect((await f.nodeRegistry.getNode(1)).bond).to.equal(0n);
    expect(await f.staking.stakeOf(f.bob.address, 1)).to.equal(delegated - fromDelegators);
  });

  it("pays no bounty when governance set the bounty share to zero: everything funds the reserve", async function () {
    const f = await loadFixture(lightweightFixture);
    await setParameters(f, { bountyBps: 0n });
    const s = await submitBatch(f, withInBatchDuplicate());
    const { slashed } = fraudSplit();
    const tx = proveDup(f, s, 1, 4);
    await expect(tx)
      .to.emit(f.batchCommitments, "FraudProven")
      .withArgs(s.batchId, FraudKind.DuplicateNonceInBatch, 1n, f.carol.address, slashed, 0n);
    await expect(tx).to.changeTokenBalances(f.token, [f.carol, f.staking], [0n, slashed]);
  });

  it("still rejects the batch of a node with nothing left at stake, paying nobody", async function () {
    const f = await loadFixture(lightweightFixture);
    const bond = (await f.nodeRegistry.getNode(1)).bond;
    await setParameters(f, { fraudSlash: bond });
    // Two fraudulent batches posted before the first is proven (the node is still active then).
    const first = await submitBatch(f, withInBatchDuplicate());
    const second = await submitBatch(f, withInBatchDuplicate());
    await proveDup(f, first, 1, 4);
    expect((await f.nodeRegistry.getNode(1)).bond).to.equal(0n);
    const tx = proveDup(f, second, 1, 4);
    await expect(tx)
      .to.emit(f.batchCommitments, "FraudProven")
      .withArgs(second.batchId, FraudKind.DuplicateNonceInBatch, 1n, f.carol.address, 0n, 0n);
    await expect(tx).not.to.emit(f.staking, "ReserveFunded");
    await expect(tx).to.changeTokenBalances(f.token, [f.carol, f.staking, f.nodeRegistry], [0n, 0n, 0n]);
    expect((await f.batchCommitments.getBatch(second.batchId)).status).to.equal(BatchStatus.Rejected);
    expect((await f.executionHub.nodeStats(1)).frauds).to.equal(2n);
  });

  it("leaves a proven node unable to submit again (its bond fell under the minimum)", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, withInBatchDuplicate());
    await proveDup(f, s, 1, 4);
    expect(await f.nodeRegistry.isActive(1)).to.equal(false);
    await expect(submitBatch(f, makeActions(2, 9)))
      .to.be.revertedWithCustomError(f.executionHub, "ExecutionNotServingNode")
      .withArgs(LIGHT, f.node1Key.address, 1n);
  });
});

describe("BatchCommitments: proveDuplicateAcrossBatches", function () {
  /** An earlier batch and a later one whose action 2 reuses the (user, nonce) of the earlier batch's action 3. */
  async function twoBatches(f: LightweightFixture): Promise<{ earlier: Submitted; later: Submitted }> {
    const first = makeActions(5);
    const earlier = await submitBatch(f, first);
    const second = makeActions(4, 1);
    second[2] = { user: first[3].user, nonce: first[3].nonce, payload: 42n };
    const later = await submitBatch(f, second);
    return { earlier, later };
  }

  function prove(f: LightweightFixture, batch: Submitted, i: number, earlier: Submitted, j: number) {
    return f.batchCommitments
      .connect(f.carol)
      .proveDuplicateAcrossBatches(
        batch.batchId,
        batch.tree.ref(i),
        batch.tree.proof(i),
        earlier.batchId,
        earlier.tree.ref(j),
        earlier.tree.proof(j),
      );
  }

  it("rejects the later batch only, slashes its node, pays the bounty and funds the reserve", async function () {
    const f = await loadFixture(lightweightFixture);
    const { earlier, later } = await twoBatches(f);
    const before = await snapshot(f, 1n);
    const { slashed, bounty, rest } = fraudSplit();
    const tx = prove(f, later, 2, earlier, 3);
    await expect(tx)
      .to.emit(f.batchCommitments, "FraudProven")
      .withArgs(later.batchId, FraudKind.DuplicateNonceAcrossBatches, 1n, f.carol.address, slashed, bounty);
    await expect(tx)
      .to.emit(f.nodeRegistry, "NodeSlashed")
      .withArgs(
        1n,
        f.addresses.batchCommitments,
        slashed,
        slashed,
        0n,
        fraudReason(FraudKind.DuplicateNonceAcrossBatches),
      );
    await expect(tx).to.changeTokenBalances(f.token, [f.carol, f.staking], [bounty, rest]);
    expect((await f.batchCommitments.getBatch(later.batchId)).status).to.equal(BatchStatus.Rejected);
    expect((await f.batchCommitments.getBatch(earlier.batchId)).status).to.equal(BatchStatus.Pending);
    await expectSlashed(f, 1n, before);
  });

  it("accepts an earlier batch that is already final", async function () {
    const f = await loadFixture(lightweightFixture);
    const first = makeActions(3);
    const earlier = await submitBatch(f, first);
    await time.increase(EXECUTION_DEFAULTS.challengeWindow);
    await f.batchCommitments.finalize(earlier.batchId);
    const later = await submitBatch(f, [{ ...first[0], payload: 1n }]);
    await expect(prove(f, later, 0, earlier, 0))
      .to.emit(f.batchCommitments, "FraudProven")
      .withArgs(later.batchId, FraudKind.DuplicateNonceAcrossBatches, 1n, f.carol.address, anyValue, anyValue);
  });

  it("reverts with CommitmentsNotEarlierBatch for a later batch, the same batch, an unknown id, another scenario's or a rejected batch", async function () {
    const f = await loadFixture(lightweightFixture);
    const { earlier, later } = await twoBatches(f);
    const bc = f.batchCommitments;
    // The later batch named as the earlier one (proving against the earlier batch).
    await expect(prove(f, earlier, 3, later, 2))
      .to.be.revertedWithCustomError(bc, "CommitmentsNotEarlierBatch")
      .withArgs(later.batchId);
    // The same batch.
    await expect(prove(f, later, 2, later, 2))
      .to.be.revertedWithCustomError(bc, "CommitmentsNotEarlierBatch")
      .withArgs(later.batchId);
    // An unknown id.
    const unknown = randomId();
    await expect(
      bc.proveDuplicateAcrossBatches(
        later.batchId,
        later.tree.ref(2),
        later.tree.proof(2),
        unknown,
        earlier.tree.ref(3),
        [],
      ),
    )
      .to.be.revertedWithCustomError(bc, "CommitmentsNotEarlierBatch")
      .withArgs(unknown);
    // An earlier batch of another scenario holding the same (user, nonce).
    const first = makeActions(5);
    const foreign = await submitBatch(f, [first[3]], { scenarioId: f.otherLight });
    const third = await submitBatch(f, [{ ...first[3], payload: 3n }]);
    await expect(prove(f, third, 0, foreign, 0))
      .to.be.revertedWithCustomError(bc, "CommitmentsNotEarlierBatch")
      .withArgs(foreign.batchId);
    // A rejected earlier batch: reject `later`, then name it as the earlier batch of a new one (posted by node 2,
    // since node 1 fell under the minimum bond).
    await prove(f, later, 2, earlier, 3);
    const fourth = await submitBatch(f, [{ ...first[3], payload: 4n }], { key: f.node2Key });
    await expect(prove(f, fourth, 0, later, 2))
      .to.be.revertedWithCustomError(bc, "CommitmentsNotEarlierBatch")
      .withArgs(later.batchId);
  });

  it("reverts with CommitmentsNotDuplicate when the user or the nonce differs", async function () {
    const f = await loadFixture(lightweightFixture);
    const { earlier, later } = await twoBatches(f);
    // later[2] has earlier[3]'s (user, nonce): against earlier[2] only the nonce matches; later[3] has earlier[3]'s
    // user with another nonce.
    expect(later.tree.actions[2].nonce).to.equal(earlier.tree.actions[2].nonce);
    expect(later.tree.actions[3].user).to.equal(earlier.tree.actions[3].user);
    await expect(prove(f, later, 2, earlier, 2)).to.be.revertedWithCustomError(
      f.batchCommitments,
      "CommitmentsNotDuplicate",
    );
    await expect(prove(f, later, 3, earlier, 3)).to.be.revertedWithCustomError(
      f.batchCommitments,
      "CommitmentsNotDuplicate",
    );
  });

  it("reverts with CommitmentsBadProof for a bad proof in either batch", async function () {
    const f = await loadFixture(lightweightFixture);
    const { earlier, later } = await twoBatches(f);
    const bc = f.batchCommitments;
    await expect(
      bc.proveDuplicateAcrossBatches(
        later.batchId,
        later.tree.ref(2),
        later.tree.proof(1),
        earlier.batchId,
        earlier.tree.ref(3),
        earlier.tree.proof(3),
      ),
    )
      .to.be.revertedWithCustomError(bc, "CommitmentsBadProof")
      .withArgs(later.batchId, 2n);
    await expect(
      bc.proveDuplicateAcrossBatches(
        later.batchId,
        later.tree.ref(2),
        later.tree.proof(2),
        earlier.batchId,
        earlier.tree.ref(3),
        earlier.tree.proof(0),
      ),
    )
      .to.be.revertedWithCustomError(bc, "CommitmentsBadProof")
      .withArgs(earlier.batchId, 3n);
  });

  it("reverts with CommitmentsUnknownBatch, CommitmentsBatchRejected or CommitmentsWindowClosed for the proven batch", async function () {
    const f = await loadFixture(lightweightFixture);
    const { earlier, later } = await twoBatches(f);
    const bc = f.batchCommitments;
    const unknown = randomId();
    await expect(
      bc.proveDuplicateAcrossBatches(
        unknown,
        later.tree.ref(2),
        later.tree.proof(2),
        earlier.batchId,
        earlier.tree.ref(3),
        earlier.tree.proof(3),
      ),
    )
      .to.be.revertedWithCustomError(bc, "CommitmentsUnknownBatch")
      .withArgs(unknown);
    const end = later.submittedAt + EXECUTION_DEFAULTS.challengeWindow;
    await time.setNextBlockTimestamp(end);
    await expect(prove(f, later, 2, earlier, 3))
      .to.be.revertedWithCustomError(bc, "CommitmentsWindowClosed")
      .withArgs(later.batchId, end);
  });

  it("reverts with CommitmentsBatchRejected once the later batch was rejected", async function () {
    const f = await loadFixture(lightweightFixture);
    const { earlier, later } = await twoBatches(f);
    await prove(f, later, 2, earlier, 3);
    await expect(prove(f, later, 2, earlier, 3))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsBatchRejected")
      .withArgs(later.batchId);
  });
});

describe("BatchCommitments: proveNonceUsedInStandard", function () {
  it("rejects a lightweight batch reusing a nonce applied in standard mode before it", async function () {
    const f = await loadFixture(lightweightFixture);
    const alice = await signed(f, f.alice, 7, 100n);
    const standardSeq = await applyStandard(f, f.node1Key, [alice]);
    expect((await f.executionHub.actionRecord(LIGHT, f.alice.address, 7)).seq).to.equal(standardSeq);
    const s = await submitBatch(f, [...makeActions(2), { ...alice.action, payload: 200n }]);
    expect(s.seq).to.be.greaterThan(standardSeq);
    const before = await snapshot(f, 1n);
    const { slashed, bounty, rest } = fraudSplit();
    const tx = f.batchCommitments.connect(f.carol).proveNonceUsedInStandard(s.batchId, s.tree.ref(2), s.tree.proof(2));
    await expect(tx)
      .to.emit(f.batchCommitments, "FraudProven")
      .withArgs(s.batchId, FraudKind.NonceUsedInStandardMode, 1n, f.carol.address, slashed, bounty);
    await expect(tx)
      .to.emit(f.nodeRegistry, "NodeSlashed")
      .withArgs(1n, f.addresses.batchCommitments, slashed, slashed, 0n, fraudReason(FraudKind.NonceUsedInStandardMode));
    await expect(tx).to.changeTokenBalances(f.token, [f.carol, f.staking], [bounty, rest]);
    expect((await f.batchCommitments.getBatch(s.batchId)).status).to.equal(BatchStatus.Rejected);
    await expectSlashed(f, 1n, before);
  });

  it("reverts with CommitmentsNonceNotUsedBefore when the nonce was used in standard mode only after the batch", async function () {
    const f = await loadFixture(lightweightFixture);
    const alice = await signed(f, f.alice, 7, 100n);
    const s = await submitBatch(f, [alice.action]);
    await applyStandard(f, f.node2Key, [alice]);
    await expect(f.batchCommitments.proveNonceUsedInStandard(s.batchId, s.tree.ref(0), s.tree.proof(0)))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNonceNotUsedBefore")
      .withArgs(f.alice.address, 7);
  });

  it("reverts with CommitmentsNonceNotUsedBefore for a nonce never used in standard mode", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, makeActions(3));
    const a = s.tree.ref(1);
    await expect(f.batchCommitments.proveNonceUsedInStandard(s.batchId, a, s.tree.proof(1)))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNonceNotUsedBefore")
      .withArgs(a.user, a.nonce);
  });

  it("attack: reverts with CommitmentsNonceNotUsedBefore for a nonce used in standard mode by another scenario", async function () {
    const f = await loadFixture(lightweightFixture);
    const alice = await signed(f, f.alice, 7, 100n, FINANCIAL);
    await setMode(f, ExecutionMode.Standard, FINANCIAL);
    await f.executionHub
      .connect(f.node1Key)
      .submitStandard(FINANCIAL, randomId(), [{ ...alice.action, signature: alice.signature }]);
    const s = await submitBatch(f, [alice.action]);
    await expect(f.batchCommitments.proveNonceUsedInStandard(s.batchId, s.tree.ref(0), s.tree.proof(0)))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNonceNotUsedBefore")
      .withArgs(f.alice.address, 7);
  });

  it("reverts with CommitmentsBadProof, CommitmentsUnknownBatch or CommitmentsWindowClosed", async function () {
    const f = await loadFixture(lightweightFixture);
    const alice = await signed(f, f.alice, 7, 100n);
    await applyStandard(f, f.node1Key, [alice]);
    const s = await submitBatch(f, [...makeActions(2), alice.action]);
    const bc = f.batchCommitments;
    await expect(bc.proveNonceUsedInStandard(s.batchId, s.tree.ref(2), s.tree.proof(0)))
      .to.be.revertedWithCustomError(bc, "CommitmentsBadProof")
      .withArgs(s.batchId, 2n);
    const unknown = randomId();
    await expect(bc.proveNonceUsedInStandard(unknown, s.tree.ref(2), s.tree.proof(2)))
      .to.be.revertedWithCustomError(bc, "CommitmentsUnknownBatch")
      .withArgs(unknown);
    const end = s.submittedAt + EXECUTION_DEFAULTS.challengeWindow;
    await time.setNextBlockTimestamp(end);
    await expect(bc.proveNonceUsedInStandard(s.batchId, s.tree.ref(2), s.tree.proof(2)))
      .to.be.revertedWithCustomError(bc, "CommitmentsWindowClosed")
      .withArgs(s.batchId, end);
  });
});

describe("BatchCommitments: proveStandardReplay", function () {
  /** Node 1 posts (alice, 7) in a lightweight batch; node 2 then applies the same action in standard mode. */
  async function replayed(f: LightweightFixture): Promise<Submitted> {
    const alice = await signed(f, f.alice, 7, 100n);
    const s = await submitBatch(f, [...makeActions(3), alice.action]);
    await applyStandard(f, f.node2Key, [alice]);
    return s;
  }

  it("slashes the standard node (not the lightweight one), pays the bounty and emits StandardReplayProven", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await replayed(f);
    expect((await f.executionHub.actionRecord(LIGHT, f.alice.address, 7)).nodeId).to.equal(2n);
    await expect(f.batchCommitments.connect(f.carol).proveStandardReplay(s.batchId, s.tree.ref(3), s.tree.proof(3)))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNotFinal")
      .withArgs(s.batchId);
    await time.increase(EXECUTION_DEFAULTS.challengeWindow);
    const before2 = await snapshot(f, 2n);
    const before1 = await snapshot(f, 1n);
    const { slashed, bounty, rest } = fraudSplit();
    const tx = f.batchCommitments.connect(f.carol).proveStandardReplay(s.batchId, s.tree.ref(3), s.tree.proof(3));
    await expect(tx)
      .to.emit(f.batchCommitments, "StandardReplayProven")
      .withArgs(s.batchId, 3n, 2n, f.carol.address, slashed, bounty);
    await expect(tx)
      .to.emit(f.nodeRegistry, "NodeSlashed")
      .withArgs(2n, f.addresses.batchCommitments, slashed, slashed, 0n, STANDARD_REPLAY_REASON);
    await expect(tx).not.to.emit(f.batchCommitments, "FraudProven");
    await expect(tx).to.changeTokenBalances(f.token, [f.carol, f.staking], [bounty, rest]);
    await expectSlashed(f, 2n, before2);
    const after1 = await snapshot(f, 1n);
    expect(after1.bond).to.equal(before1.bond);
    expect(after1.frauds).to.equal(0n);
    // The lightweight batch was honest: it stays pending (final by time) and can be finalized.
    expect((await f.batchCommitments.getBatch(s.batchId)).status).to.equal(BatchStatus.Pending);
  });

  it("can be proven after the window, against a finalized batch", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await replayed(f);
    await time.increase(EXECUTION_DEFAULTS.challengeWindow);
    await f.batchCommitments.finalize(s.batchId);
    await expect(f.batchCommitments.connect(f.carol).proveStandardReplay(s.batchId, s.tree.ref(3), s.tree.proof(3)))
      .to.emit(f.batchCommitments, "StandardReplayProven")
      .withArgs(s.batchId, 3n, 2n, f.carol.address, fraudSplit().slashed, fraudSplit().bounty);
  });

  it("attack: a second proof of the same replay reverts with CommitmentsNotReplayed (one slash)", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await replayed(f);
    await time.increase(EXECUTION_DEFAULTS.challengeWindow);
    await f.batchCommitments.connect(f.carol).proveStandardReplay(s.batchId, s.tree.ref(3), s.tree.proof(3));
    const after = await snapshot(f, 2n);
    await expect(f.batchCommitments.connect(f.bob).proveStandardReplay(s.batchId, s.tree.ref(3), s.tree.proof(3)))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNotReplayed")
      .withArgs(f.alice.address, 7);
    expect(await snapshot(f, 2n)).to.deep.equal(after);
  });

  it("attack: one replay is slashed once even when the action sits in two lightweight batches", async function () {
    const f = await loadFixture(lightweightFixture);
    const alice = await signed(f, f.alice, 7, 100n);
    const a = await submitBatch(f, [alice.action]);
    const b = await submitBatch(f, [...makeActions(1), alice.action]);
    await applyStandard(f, f.node2Key, [alice]);
    await time.increase(EXECUTION_DEFAULTS.challengeWindow);
    await f.batchCommitments.connect(f.carol).proveStandardReplay(a.batchId, a.tree.ref(0), a.tree.proof(0));
    const after = await snapshot(f, 2n);
    await expect(f.batchCommitments.connect(f.carol).proveStandardReplay(b.batchId, b.tree.ref(1), b.tree.proof(1)))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNotReplayed")
      .withArgs(f.alice.address, 7);
    expect(await snapshot(f, 2n)).to.deep.equal(after);
  });

  it("reverts with CommitmentsNotReplayed for an action never applied in standard mode", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, makeActions(2));
    const a = s.tree.ref(0);
    await expect(f.batchCommitments.proveStandardReplay(s.batchId, a, s.tree.proof(0)))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNotReplayed")
      .withArgs(a.user, a.nonce);
  });

  it("reverts with CommitmentsNotReplayed when the standard use came before the batch (the lightweight node's fraud)", async function () {
    const f = await loadFixture(lightweightFixture);
    const alice = await signed(f, f.alice, 7, 100n);
    await applyStandard(f, f.node2Key, [alice]);
    const s = await submitBatch(f, [alice.action]);
    await expect(f.batchCommitments.proveStandardReplay(s.batchId, s.tree.ref(0), s.tree.proof(0)))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNotReplayed")
      .withArgs(f.alice.address, 7);
  });

  it("reverts with CommitmentsUnknownBatch, CommitmentsBatchRejected or CommitmentsBadProof", async function () {
    const f = await loadFixture(lightweightFixture);
    const alice = await signed(f, f.alice, 7, 100n);
    const actions = withInBatchDuplicate();
    actions[5] = alice.action;
    const s = await submitBatch(f, actions);
    await applyStandard(f, f.node2Key, [alice]);
    const bc = f.batchCommitments;
    const unknown = randomId();
    await expect(bc.proveStandardReplay(unknown, s.tree.ref(5), s.tree.proof(5)))
      .to.be.revertedWithCustomError(bc, "CommitmentsUnknownBatch")
      .withArgs(unknown);
    await expect(bc.proveStandardReplay(s.batchId, s.tree.ref(5), s.tree.proof(4)))
      .to.be.revertedWithCustomError(bc, "CommitmentsBadProof")
      .withArgs(s.batchId, 5n);
    await proveDup(f, s, 1, 4);
    await expect(bc.proveStandardReplay(s.batchId, s.tree.ref(5), s.tree.proof(5)))
      .to.be.revertedWithCustomError(bc, "CommitmentsBatchRejected")
      .withArgs(s.batchId);
  });
});
