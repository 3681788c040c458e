import { expect } from "chai";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ExecutionMode } from "../../../src/sdk/economy";
import { JournalPruner } from "../../../src/executor/defaults";
import { IllegalTransitionError, Journal, JournalMismatchError } from "../../../src/executor/journal";
import { jobKey } from "../../../src/executor/schemas";
import { StateFileMismatchError } from "../../../src/node/sqlite";
import type { ActionJob, Job } from "../../../src/executor/types";
import { silent } from "./helpers";

const USER = "0x00000000000000000000000000000000000000AA";
const SIG = `0x${"11".repeat(65)}`;

function action(nonce: number, payload = 1n, scenarioId = 3n): ActionJob {
  return { kind: "action", scenarioId, user: USER, nonce, payload, signature: SIG };
}

function add(journal: Journal, ...jobs: Job[]): string[] {
  return journal.addJobs(jobs.map((job) => ({ job, key: jobKey(job) }))).map((o) => o.id);
}

const throwsIllegal = (fn: () => unknown, from: string, to: string) => {
  expect(fn).to.throw(IllegalTransitionError, new RegExp(`cannot go from ${from} to ${to}`));
};

describe("Journal", function () {
  let journal: Journal;
  let clock: number;

  beforeEach(function () {
    clock = 1_700_000_000_000;
    journal = new Journal(":memory:", { now: () => clock });
  });

  afterEach(function () {
    journal.close();
  });

  describe("jobs", function () {
    it("journals jobs queued, each with a fresh id, and reads them back as sent", function () {
      const [a, b] = add(journal, action(1, 5n), action(2));
      expect(a).to.not.equal(b);
      const view = journal.getJob(a)!;
      expect(view.status).to.equal("queued");
      expect(view.job).to.deep.equal(action(1, 5n));
      expect(view.createdAt).to.equal(clock);
    });

    it("holds one live job per key: the same job is a duplicate (same), another for the same nonce a conflict", function () {
      const [id] = add(journal, action(1));
      const outcomes = journal.addJobs([
        { job: action(1), key: jobKey(action(1)) },
        { job: action(1, 9n), key: jobKey(action(1, 9n)) },
      ]);
      expect(outcomes).to.deep.equal([
        { outcome: "duplicate", id, status: "queued", same: true },
        { outcome: "duplicate", id, status: "queued", same: false },
      ]);
    });

    it("frees the key of a failed job for a new one", function () {
      const [id] = add(journal, action(1));
      journal.failQueued(new Map([[id, "bad"]]));
      const [again] = journal.addJobs([{ job: action(1, 2n), key: jobKey(action(1, 2n)) }]);
      expect(again.outcome).to.equal("added");
    });

    it("lists jobs in order of arrival, a page at a time, by status", function () {
      const ids = add(journal, ...[1, 2, 3, 4, 5].map((n) => action(n)));
      journal.failQueued(new Map([[ids[1], "bad"]]));
      const first = journal.listJobs({ limit: 2 });
      expect(first.jobs.map((j) => j.id)).to.deep.equal(ids.slice(0, 2));
      const second = journal.listJobs({ limit: 2, after: first.next });
      expect(second.jobs.map((j) => j.id)).to.deep.equal(ids.slice(2, 4));
      const last = journal.listJobs({ limit: 2, after: second.next });
      expect(last.jobs.map((j) => j.id)).to.deep.equal([ids[4]]);
      expect(last.next).to.equal(undefined);
      expect(journal.listJobs({ status: "failed", limit: 10 }).jobs.map((j) => j.id)).to.deep.equal([ids[1]]);
    });

    it("marks jobs a mode cannot take as waiting, clears the mark once it can, and fails them after the timeout", function () {
      const [id] = add(journal, action(1));
      journal.markWaiting(3n, [], () => "no mode takes it");
      expect(journal.getJob(id)!.waitingReason).to.equal("no mode takes it");
      journal.markWaiting(3n, ["action"], () => "unused");
      expect(journal.getJob(id)!.waitingReason).to.equal(undefined);

      journal.markWaiting(3n, ["settlement"], () => "waiting for standard");
      clock += 59_000;
      expect(journal.expireWaiting(60_000)).to.deep.equal([]);
      clock += 1_000;
      expect(journal.expireWaiting(60_000)).to.deep.equal([id]);
      const failed = journal.getJob(id)!;
      expect(failed.status).to.equal("failed");
      expect(failed.error).to.equal(
        "Gave up after waiting 60 s: waiting for standard Submit it again once the scenario can take it (or raise queueTimeoutMs).",
      );
    });
  });

  describe("batches", function () {
    it("follows the lifecycle: queued → batched → submitted → confirmed, with follow-ups journaled at confirmation", function () {
      const ids = add(journal, action(1), action(2));
      const plan = journal.createBatch(3n, ExecutionMode.Standard, ids);
      expect(plan.batchId).to.match(/^0x[0-9a-f]{64}$/);
      expect(plan.jobs.map((j) => [j.id, j.status, j.batchId, j.mode])).to.deep.equal(
        ids.map((id) => [id, "batched", plan.batchId, ExecutionMode.Standard]),
      );
      journal.recordBatchTx(plan.batchId, { hash: "0xaa", nonce: 7 });
      journal.recordBatchTx(plan.batchId, { hash: "0xbb", nonce: 7 });
      expect(journal.batchTxs(plan.batchId)).to.deep.equal([
        { hash: "0xaa", nonce: 7 },
        { hash: "0xbb", nonce: 7 },
      ]);
      expect(journal.getJob(ids[0])!.status).to.equal("submitted");
      journal.confirmBatch(plan.batchId, { txHash: "0xbb", blockNumber: 9, gasUsed: 123n }, [
        { kind: "commit", dueAt: 0, data: { id: "x" } },
      ]);
      const batch = journal.batch(plan.batchId)!;
      expect([batch.status, batch.txHash, batch.gasUsed]).to.deep.equal(["confirmed", "0xbb", 123n]);
      expect(ids.map((id) => journal.getJob(id)!.status)).to.deep.equal(["confirmed", "confirmed"]);
      expect(journal.getJob(ids[0])!.txHash).to.equal("0xbb");
      const [followUp] = journal.dueFollowUps(0);
      expect(followUp).to.include({ kind: "commit", batchId: plan.batchId, status: "pending" });
      expect(followUp.data).to.deep.equal({ id: "x" });
      expect(journal.openBatches()).to.deep.equal([]);
    });

    it("generates a different random batch id every time", function () {
      const ids = add(journal, action(1), action(2));
      const a = journal.createBatch(3n, ExecutionMode.Standard, [ids[0]]).batchId;
      const b = journal.createBatch(3n, ExecutionMode.Standard, [ids[1]]).batchId;
      expect(a).to.not.equal(b);
    });

    it("refuses illegal transitions and leaves the journal as it was", function () {
      const ids = add(journal, action(1), action(2));
      const plan = journal.createBatch(3n, ExecutionMode.Standard, [ids[0]]);
      // A job already batched cannot be batched again: the whole new batch is rolled back.
      throwsIllegal(() => journal.createBatch(3n, ExecutionMode.Standard, [ids[1], ids[0]]), "batched", "batched");
      expect(journal.getJob(ids[1])!.status).to.equal("queued");
      expect(journal.openBatches()).to.have.length(1);

      journal.confirmBatch(plan.batchId, {});
      throwsIllegal(() => journal.confirmBatch(plan.batchId, {}), "confirmed", "confirmed");
      throwsIllegal(() => journal.recordBatchTx(plan.batchId, { hash: "0x01", nonce: 1 }), "confirmed", "submitted");
      throwsIllegal(() => journal.abandonBatch(plan.batchId, "late"), "confirmed", "failed");
      expect(journal.batchTxs(plan.batchId)).to.deep.equal([]);
      expect(journal.getJob(ids[0])!.status).to.equal("confirmed");

      journal.failQueued(new Map([[ids[1], "bad"]]));
      throwsIllegal(() => journal.failQueued(new Map([[ids[1], "again"]])), "failed", "failed");
      throwsIllegal(() => journal.createBatch(3n, ExecutionMode.Standard, [ids[1]]), "failed", "batched");
    });

    it("abandons a batch: the culprit fails with its reason, the others go back to the queue for a new batch", function () {
      const ids = add(journal, action(1), action(2), action(3));
      const plan = journal.createBatch(3n, ExecutionMode.Standard, ids);
      journal.recordBatchTx(plan.batchId, { hash: "0xaa", nonce: 1 });
      journal.abandonBatch(plan.batchId, "job 2 was refused", new Map([[ids[1], "nonce used"]]));
      expect(journal.batch(plan.batchId)).to.include({ status: "failed", error: "job 2 was refused" });
      const [a, b, c] = ids.map((id) => journal.getJob(id)!);
      expect([a.status, a.batchId, a.mode, a.attempts]).to.deep.equal(["queued", undefined, undefined, 1]);
      expect([b.status, b.error]).to.deep.equal(["failed", "nonce used"]);
      expect(c.status).to.equal("queued");
      const next = journal.createBatch(3n, ExecutionMode.Standard, [a.id, c.id]);
      expect(next.batchId).to.not.equal(plan.batchId);
    });

    it("picks the oldest queued jobs of a scenario and of the kinds asked", function () {
      const ids = add(journal, action(1), action(2, 1n, 4n), action(3), action(4));
      expect(journal.queued(3n, ["action"], 2).map((j) => j.id)).to.deep.equal([ids[0], ids[2]]);
      expect(journal.queued(3n, ["settlement"], 2)).to.deep.equal([]);
      expect(journal.queuedScenarios().sort()).to.deep.equal([3n, 4n]);
      expect(journal.queueDepth(3n)).to.equal(3);
    });
  });

  describe("follow-ups", function () {
    it("runs each once: done or failed, never both; deferred ones come back when due", function () {
      const ids = add(journal, action(1));
      const plan = journal.createBatch(3n, ExecutionMode.Standard, ids);
      journal.confirmBatch(plan.batchId, {}, [
        { kind: "commit", dueAt: 100, data: {} },
        { kind: "refund", dueAt: 200, data: {} },
      ]);
      expect(journal.dueFollowUps(99)).to.deep.equal([]);
      const [commit] = journal.dueFollowUps(100);
      journal.recordFollowUpTx(commit.id, { hash: "0xcc", nonce: 4 });
      journal.completeFollowUp(commit.id, "0xcc");
      expect(() => journal.failFollowUp(commit.id, "late")).to.throw(IllegalTransitionError);
      const [refund] = journal.dueFollowUps(200);
      journal.deferFollowUp(refund.id, "rpc down", 300);
      expect(journal.dueFollowUps(299)).to.deep.equal([]);
      expect(journal.dueFollowUps(300)[0]).to.include({ id: refund.id, attempts: 1, error: "rpc down" });
      expect(journal.followUpsOf(plan.batchId).map((x) => x.status)).to.deep.equal(["done", "pending"]);
    });
  });

  describe("retention", function () {
    const HOUR = 3_600_000;

    /** A batch of `jobs` in `mode`, confirmed now. */
    function confirmed(mode: ExecutionMode, ...jobs: Job[]): { batchId: string; ids: string[] } {
      const ids = add(journal, ...jobs);
      const { batchId } = journal.createBatch(jobs[0].scenarioId, mode, ids);
      journal.recordBatchTx(batchId, { hash: `0x${batchId.slice(2, 66)}`, nonce: 1 });
      journal.confirmBatch(batchId, { blockNumber: 1 });
      return { batchId, ids };
    }

    it("serves a lightweight batch's actions in batch order, and nothing for a batch of another mode", function () {
      const light = confirmed(ExecutionMode.Lightweight, action(2), action(1), action(3));
      const standard = confirmed(ExecutionMode.Standard, action(4));
      expect(journal.lightweightActions(light.batchId, ExecutionMode.Lightweight)).to.deep.equal([
        action(2),
        action(1),
        action(3),
      ]);
      expect(journal.lightweightActions(standard.batchId, ExecutionMode.Lightweight)).to.equal(undefined);
      expect(journal.lightweightActions(`0x${"00".repeat(32)}`, ExecutionMode.Lightweight)).to.equal(undefined);
    });

    it("prunes finished batches older than the cut-off with their jobs, and keeps younger ones", function () {
      const old = confirmed(ExecutionMode.Lightweight, action(1), action(2));
      clock += 2 * HOUR;
      const young = confirmed(ExecutionMode.Lightweight, action(3));
      const pruned = journal.prune(clock - HOUR, 100);
      expect(pruned).to.deep.equal({ batches: 1, jobs: 2 });
      expect(journal.batch(old.batchId)).to.equal(undefined);
      expect(old.ids.map((id) => journal.getJob(id))).to.deep.equal([undefined, undefined]);
      expect(journal.lightweightActions(old.batchId, ExecutionMode.Lightweight)).to.equal(undefined);
      expect(journal.batch(young.batchId)?.status).to.equal("confirmed");
      expect(journal.getJob(young.ids[0])?.status).to.equal("confirmed");
    });

    it("never prunes open batches, queued jobs or a batch that still owes a follow-up", function () {
      const [queued] = add(journal, action(1));
      const openIds = add(journal, action(2));
      const open = journal.createBatch(3n, ExecutionMode.Standard, openIds);
      const owing = confirmed(ExecutionMode.Standard, action(3));
      const lockIds = add(journal, action(4));
      const lock = journal.createBatch(3n, ExecutionMode.AtomicSettlement, lockIds);
      journal.confirmBatch(lock.batchId, {}, [{ kind: "refund", dueAt: 0, data: {} }]);
      clock += 100 * HOUR;
      const pruned = journal.prune(clock, 100);
      expect(pruned).to.deep.equal({ batches: 1, jobs: 1 });
      expect(journal.batch(owing.batchId)).to.equal(undefined);
      expect(journal.getJob(queued)?.status).to.equal("queued");
      expect(journal.batch(open.batchId)?.status).to.equal("batched");
      expect(journal.getJob(openIds[0])?.status).to.equal("batched");
      expect(journal.batch(lock.batchId)?.status).to.equal("confirmed");
    });

    it("prunes failed jobs that are in no batch, and keeps a job requeued from a pruned batch", function () {
      const ids = add(journal, action(1), action(2));
      const { batchId } = journal.createBatch(3n, ExecutionMode.Standard, ids);
      journal.abandonBatch(batchId, "mode switched", new Map([[ids[0], "refused by the hub"]]));
      const [expired] = add(journal, action(5));
      journal.failQueued(new Map([[expired, "gave up"]]));
      clock += 10 * HOUR;
      const pruned = journal.prune(clock, 100);
      // The abandoned batch goes with the job that failed in it; the requeued job stays queued.
      expect(pruned).to.deep.equal({ batches: 1, jobs: 2 });
      expect(journal.getJob(ids[0])).to.equal(undefined);
      expect(journal.getJob(expired)).to.equal(undefined);
      expect(journal.getJob(ids[1])?.status).to.equal("queued");
    });

    it("does bounded work per call: at most `limit` batches, oldest first", function () {
      const batches = [1, 2, 3].map((n) => {
        const b = confirmed(ExecutionMode.Lightweight, action(n));
        clock += 1_000;
        return b.batchId;
      });
      expect(journal.prune(clock, 2)).to.deep.equal({ batches: 2, jobs: 2 });
      expect(batches.map((id) => journal.batch(id) !== undefined)).to.deep.equal([false, false, true]);
      expect(journal.prune(clock, 2)).to.deep.equal({ batches: 1, jobs: 1 });
      expect(journal.prune(clock, 2)).to.deep.equal({ batches: 0, jobs: 0 });
    });

    it("still refuses a replay of a pruned action, so a nonce is never batched twice", function () {
      const { ids } = confirmed(ExecutionMode.Lightweight, action(1));
      clock += HOUR;
      journal.prune(clock, 10);
      const [again] = journal.addJobs([{ job: action(1), key: jobKey(action(1)) }]);
      expect(again).to.deep.equal({ outcome: "duplicate", id: ids[0], status: "confirmed", same: false });
      expect(journal.addJobs([{ job: action(2), key: jobKey(action(2)) }])[0].outcome).to.equal("added");
    });

    it("prunes from the pruner's retention: what is older than now − retention", function () {
      const old = confirmed(ExecutionMode.Lightweight, action(1));
      clock += 50 * 1_000;
      const young = confirmed(ExecutionMode.Lightweight, action(2));
      clock += 20 * 1_000;
      const pruner = new JournalPruner(journal, {
        retentionSeconds: 60,
        intervalMs: 1_000,
        limit: 10,
        logger: silent,
        now: () => clock,
      });
      expect(pruner.round()).to.deep.equal({ batches: 1, jobs: 1 });
      expect(journal.batch(old.batchId)).to.equal(undefined);
      expect(journal.batch(young.batchId)?.status).to.equal("confirmed");
    });
  });

  describe("on disk", function () {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "journal-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("is a WAL database that keeps everything across a reopen, bound to one chain, hub and key", function () {
      const path = join(dir, "j.sqlite");
      const first = new Journal(path);
      first.bind({ chainId: "31337", executionHub: "0xhub", account: "0xkey" });
      const [id] = add(first, action(1));
      first.close();
      const raw = new Database(path, { readonly: true });
      expect(raw.pragma("journal_mode", { simple: true })).to.equal("wal");
      raw.close();
      const again = new Journal(path);
      again.bind({ chainId: "31337", executionHub: "0xhub", account: "0xkey" });
      expect(again.getJob(id)!.status).to.equal("queued");
      expect(() => again.bind({ chainId: "1" })).to.throw(
        JournalMismatchError,
        /was written for chainId 31337, not 1\. Use a separate journal file per chain and deployment/,
      );
      again.close();
    });

    it("opens through the node's shared opener: creates its folder, fsyncs every commit, enforces foreign keys", function () {
      const path = join(dir, "data", "executor", "j.sqlite");
      const journal = new Journal(path);
      const db = (journal as unknown as { db: Database.Database }).db;
      expect(db.pragma("journal_mode", { simple: true })).to.equal("wal");
      expect(db.pragma("synchronous", { simple: true })).to.equal(2); // FULL
      expect(db.pragma("foreign_keys", { simple: true })).to.equal(1);
      expect(db.pragma("busy_timeout", { simple: true })).to.equal(5000);
      journal.close();
      expect(existsSync(path)).to.equal(true);
    });

    it("refuses a journal file of a newer schema version than this software knows", function () {
      const path = join(dir, "newer.sqlite");
      new Journal(path).close();
      const raw = new Database(path);
      raw.pragma("user_version = 7");
      raw.close();
      expect(() => new Journal(path)).to.throw(
        StateFileMismatchError,
        /has schema version 7, newer than this software/,
      );
    });
  });
});
