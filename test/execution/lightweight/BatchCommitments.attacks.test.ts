import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BatchStatus,
  EXECUTION_DEFAULTS,
  LIGHT,
  fraudulent,
  lightweightFixture,
  makeActions,
  submitBatch,
  type LightweightFixture,
  type Submitted,
} from "./helpers";

const WINDOW = EXECUTION_DEFAULTS.challengeWindow;

/** Everything "final" means for a batch: its status, `isFinal`, and the hub's action count of its scenario. */
async function finality(f: LightweightFixture, s: Submitted) {
  return {
    status: (await f.batchCommitments.getBatch(s.batchId)).status,
    isFinal: await f.batchCommitments.isFinal(s.batchId),
    counted: await f.executionHub.actionCount(LIGHT),
  };
}

describe("BatchCommitments — attacks", function () {
  describe("attack 9: lightweight window edges — nothing finalizes early, nothing is challenged late", function () {
    it("finalize one second before the window ends reverts with CommitmentsNotFinalizable and changes nothing: not final, Pending, no action counted", async function () {
      const f = await loadFixture(lightweightFixture);
      const s = await submitBatch(f, makeActions(5));
      const before = await finality(f, s);
      expect(before).to.deep.equal({ status: BigInt(BatchStatus.Pending), isFinal: false, counted: before.counted });
      for (const offset of [1n - WINDOW, -1n]) {
        await time.setNextBlockTimestamp(s.submittedAt + WINDOW + offset);
        await expect(f.batchCommitments.connect(f.attacker).finalize(s.batchId))
          .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNotFinalizable")
          .withArgs(s.batchId);
        expect(await finality(f, s)).to.deep.equal(before);
      }
      // At the end of the window, and not a second earlier, it becomes final and is counted once.
      await time.setNextBlockTimestamp(s.submittedAt + WINDOW);
      await expect(f.batchCommitments.finalize(s.batchId))
        .to.emit(f.batchCommitments, "BatchFinalized")
        .withArgs(s.batchId, LIGHT, 5n);
      expect(await finality(f, s)).to.deep.equal({
        status: BigInt(BatchStatus.Finalized),
        isFinal: true,
        counted: before.counted + 5n,
      });
    });

    it("a signature challenge or a fraud proof one second after the window reverts with CommitmentsWindowClosed and leaves the batch final", async function () {
      const f = await loadFixture(lightweightFixture);
      const s = await fraudulent(f);
      await f.token.connect(f.carol).approve(f.addresses.batchCommitments, EXECUTION_DEFAULTS.challengeBond);
      const end = s.submittedAt + WINDOW;
      await time.setNextBlockTimestamp(end + 1n);
      await expect(f.batchCommitments.connect(f.carol).challengeSignature(s.batchId, s.tree.ref(0), s.tree.proof(0)))
        .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsWindowClosed")
        .withArgs(s.batchId, end);
      await time.setNextBlockTimestamp(end + 2n);
      await expect(
        f.batchCommitments
          .connect(f.carol)
          .proveDuplicateInBatch(s.batchId, s.tree.ref(1), s.tree.proof(1), s.tree.ref(2), s.tree.proof(2)),
      )
        .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsWindowClosed")
        .withArgs(s.batchId, end);
      const batch = await f.batchCommitments.getBatch(s.batchId);
      expect(batch.openChallenges).to.equal(0n);
      expect(batch.status).to.equal(BatchStatus.Pending);
      expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(true);
      expect((await f.executionHub.nodeStats(1)).frauds).to.equal(0n);
    });
  });
});
