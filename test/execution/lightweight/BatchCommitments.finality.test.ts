import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { randomId } from "../../../src/sdk/execution";
import { viaTimelock } from "../../helpers/fixtures";
import {
  BatchStatus,
  EXECUTION_DEFAULTS,
  LIGHT,
  fraudulent,
  lightweightFixture,
  makeActions,
  signed,
  submitBatch,
  type LightweightFixture,
  type Submitted,
} from "./helpers";

const WINDOW = EXECUTION_DEFAULTS.challengeWindow;

function proveDup(f: LightweightFixture, s: Submitted) {
  return f.batchCommitments.proveDuplicateInBatch(
    s.batchId,
    s.tree.ref(1),
    s.tree.proof(1),
    s.tree.ref(2),
    s.tree.proof(2),
  );
}

async function setChallengeWindow(f: LightweightFixture, challengeWindow: bigint) {
  const d = EXECUTION_DEFAULTS;
  return viaTimelock(
    f,
    f.batchCommitments,
    f.batchCommitments.interface.encodeFunctionData("setParameters", [
      challengeWindow,
      d.answerWindow,
      d.challengeBond,
      d.fraudSlash,
      d.bountyBps,
    ]),
  );
}

describe("BatchCommitments: challenge window and finality", function () {
  it("attack: a challenge in the last second of the window is accepted", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, makeActions(3));
    await f.token.connect(f.carol).approve(f.addresses.batchCommitments, EXECUTION_DEFAULTS.challengeBond);
    await time.setNextBlockTimestamp(s.submittedAt + WINDOW - 1n);
    await expect(f.batchCommitments.connect(f.carol).challengeSignature(s.batchId, s.tree.ref(0), s.tree.proof(0)))
      .to.emit(f.batchCommitments, "SignatureChallenged")
      .withArgs(s.batchId, 0n, f.carol.address, s.submittedAt + WINDOW - 1n + EXECUTION_DEFAULTS.answerWindow);
  });

  it("attack 9: a challenge at the end of the window reverts with CommitmentsWindowClosed", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, makeActions(3));
    await f.token.connect(f.carol).approve(f.addresses.batchCommitments, EXECUTION_DEFAULTS.challengeBond);
    await time.setNextBlockTimestamp(s.submittedAt + WINDOW);
    await expect(f.batchCommitments.connect(f.carol).challengeSignature(s.batchId, s.tree.ref(0), s.tree.proof(0)))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsWindowClosed")
      .withArgs(s.batchId, s.submittedAt + WINDOW);
  });

  it("attack: a fraud proof in the last second of the window still rejects the batch", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await fraudulent(f);
    await time.setNextBlockTimestamp(s.submittedAt + WINDOW - 1n);
    await expect(proveDup(f, s)).to.emit(f.batchCommitments, "FraudProven");
  });

  it("attack 9: is not final one second before the window ends and final at its end, with no transaction", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, makeActions(3));
    await time.increaseTo(s.submittedAt + WINDOW - 1n);
    expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(false);
    await time.increaseTo(s.submittedAt + WINDOW);
    expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(true);
    expect((await f.batchCommitments.getBatch(s.batchId)).status).to.equal(BatchStatus.Pending);
  });

  it("finalizes at the end of the window: BatchFinalized, status Finalized, the hub counts the actions", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, makeActions(7));
    const count = await f.executionHub.actionCount(LIGHT);
    await time.setNextBlockTimestamp(s.submittedAt + WINDOW);
    await expect(f.batchCommitments.connect(f.attacker).finalize(s.batchId))
      .to.emit(f.batchCommitments, "BatchFinalized")
      .withArgs(s.batchId, LIGHT, 7n);
    expect(await f.executionHub.actionCount(LIGHT)).to.equal(count + 7n);
    expect(await f.executionHub.actionCount(f.otherLight)).to.equal(0n);
    expect((await f.batchCommitments.getBatch(s.batchId)).status).to.equal(BatchStatus.Finalized);
    expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(true);
  });

  it("adds each finalized batch's count to its own scenario", async function () {
    const f = await loadFixture(lightweightFixture);
    const a = await submitBatch(f, makeActions(3));
    const b = await submitBatch(f, makeActions(5), { scenarioId: f.otherLight });
    await time.increase(WINDOW);
    await f.batchCommitments.finalize(a.batchId);
    await f.batchCommitments.finalize(b.batchId);
    expect(await f.executionHub.actionCount(LIGHT)).to.equal(3n);
    expect(await f.executionHub.actionCount(f.otherLight)).to.equal(5n);
  });

  it("attack: a second finalize reverts with CommitmentsAlreadyFinalized and counts nothing twice", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, makeActions(3));
    await time.increase(WINDOW);
    await f.batchCommitments.finalize(s.batchId);
    await expect(f.batchCommitments.finalize(s.batchId))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsAlreadyFinalized")
      .withArgs(s.batchId);
    expect(await f.executionHub.actionCount(LIGHT)).to.equal(3n);
  });

  it("attack: an open challenge keeps the batch from being final past the window until it is answered", async function () {
    const f = await loadFixture(lightweightFixture);
    const alice = await signed(f, f.alice, 1, 10n);
    const s = await submitBatch(f, [alice.action, ...makeActions(2)]);
    await f.token.connect(f.carol).approve(f.addresses.batchCommitments, EXECUTION_DEFAULTS.challengeBond);
    await time.setNextBlockTimestamp(s.submittedAt + WINDOW - 1n);
    await f.batchCommitments.connect(f.carol).challengeSignature(s.batchId, s.tree.ref(0), s.tree.proof(0));
    await time.increaseTo(s.submittedAt + WINDOW);
    expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(false);
    await expect(f.batchCommitments.finalize(s.batchId))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNotFinalizable")
      .withArgs(s.batchId);
    await f.batchCommitments.connect(f.node1Key).answerChallenge(s.batchId, 0, alice.signature);
    expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(true);
    await expect(f.batchCommitments.finalize(s.batchId)).to.emit(f.batchCommitments, "BatchFinalized");
  });

  it("attack: an open challenge left unanswered makes the batch rejected, never final", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, makeActions(3));
    await f.token.connect(f.carol).approve(f.addresses.batchCommitments, EXECUTION_DEFAULTS.challengeBond);
    await time.setNextBlockTimestamp(s.submittedAt + WINDOW - 1n);
    await f.batchCommitments.connect(f.carol).challengeSignature(s.batchId, s.tree.ref(1), s.tree.proof(1));
    const deadline = (await f.batchCommitments.getChallenge(s.batchId, 1)).answerDeadline;
    await time.increaseTo(s.submittedAt + WINDOW);
    expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(false);
    await time.increaseTo(deadline);
    await f.batchCommitments.resolveChallenge(s.batchId, 1);
    expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(false);
    expect((await f.batchCommitments.getBatch(s.batchId)).status).to.equal(BatchStatus.Rejected);
  });

  it("attack: a rejected batch never becomes final and cannot be finalized", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await fraudulent(f);
    await proveDup(f, s);
    await time.increase(WINDOW * 30n);
    expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(false);
    await expect(f.batchCommitments.finalize(s.batchId))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNotFinalizable")
      .withArgs(s.batchId);
    expect(await f.executionHub.actionCount(LIGHT)).to.equal(0n);
  });

  it("reverts with CommitmentsBatchRejected for every proof and challenge against a rejected batch", async function () {
    const f = await loadFixture(lightweightFixture);
    const earlier = await submitBatch(f, makeActions(3));
    const s = await fraudulent(f);
    await proveDup(f, s);
    const bc = f.batchCommitments;
    const [r0, p0] = [s.tree.ref(0), s.tree.proof(0)];
    await f.token.connect(f.carol).approve(f.addresses.batchCommitments, EXECUTION_DEFAULTS.challengeBond);
    const calls = [
      () => proveDup(f, s),
      () =>
        bc.proveDuplicateAcrossBatches(s.batchId, r0, p0, earlier.batchId, earlier.tree.ref(0), earlier.tree.proof(0)),
      () => bc.proveNonceUsedInStandard(s.batchId, r0, p0),
      () => bc.proveStandardReplay(s.batchId, r0, p0),
      () => bc.connect(f.carol).challengeSignature(s.batchId, r0, p0),
    ];
    for (const call of calls) {
      await expect(call()).to.be.revertedWithCustomError(bc, "CommitmentsBatchRejected").withArgs(s.batchId);
    }
  });

  it("reverts with CommitmentsUnknownBatch for every proof and challenge against an unknown batch", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await submitBatch(f, makeActions(3));
    const unknown = randomId();
    const bc = f.batchCommitments;
    const [r0, p0] = [s.tree.ref(0), s.tree.proof(0)];
    const calls = [
      () => bc.proveDuplicateInBatch(unknown, r0, p0, s.tree.ref(1), s.tree.proof(1)),
      () => bc.proveDuplicateAcrossBatches(unknown, r0, p0, s.batchId, r0, p0),
      () => bc.proveNonceUsedInStandard(unknown, r0, p0),
      () => bc.proveStandardReplay(unknown, r0, p0),
      () => bc.challengeSignature(unknown, r0, p0),
    ];
    for (const call of calls) {
      await expect(call()).to.be.revertedWithCustomError(bc, "CommitmentsUnknownBatch").withArgs(unknown);
    }
  });

  it("reverts with CommitmentsUnknownBatch for an unknown batch, which is never final", async function () {
    const f = await loadFixture(lightweightFixture);
    const unknown = randomId();
    expect(await f.batchCommitments.isFinal(unknown)).to.equal(false);
    await expect(f.batchCommitments.finalize(unknown))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsUnknownBatch")
      .withArgs(unknown);
  });

  it("applies a lengthened window to batches still open: not final and still challengeable", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await fraudulent(f);
    const longer = 5n * 24n * 3600n;
    await setChallengeWindow(f, longer); // the timelock delay alone outlasts the old window
    expect(BigInt(await time.latest())).to.be.greaterThan(s.submittedAt + WINDOW);
    expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(false);
    await expect(proveDup(f, s)).to.emit(f.batchCommitments, "FraudProven");
  });

  it("attack: a finalized batch stays final and closed to proofs when the window is lengthened afterwards", async function () {
    const f = await loadFixture(lightweightFixture);
    const s = await fraudulent(f);
    await time.increase(WINDOW);
    await f.batchCommitments.finalize(s.batchId);
    const longer = 7n * 24n * 3600n;
    await setChallengeWindow(f, longer);
    expect(BigInt(await time.latest())).to.be.lessThan(s.submittedAt + longer);
    expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(true);
    await expect(proveDup(f, s))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsWindowClosed")
      .withArgs(s.batchId, s.submittedAt + longer);
  });
});
