import { randomUUID } from "node:crypto";
import { openDatabase, type SqliteDatabase } from "../node/sqlite";
import type { ExecutionMode } from "../sdk/economy";
import { randomId } from "../sdk/execution";
import { jobToJson, parseJob } from "./schemas";
import type { BatchPlan, FollowUp, Job, JobKind, JobRecord, JobStatus } from "./types";

/**
 * The executor's durable memory (SQLite, WAL, fsync on commit). Every state change of a job or a batch is one
 * transaction that checks the lifecycle of types.ts, so the journal never holds a state the lifecycle forbids, and a
 * process killed at any instant leaves either the old state or the new one:
 *
 *   job:   queued → batched → submitted → confirmed | failed;  queued → failed (timed out);
 *          batched | submitted → queued (its batch was abandoned and provably not applied: the job is retried)
 *   batch: batched → submitted → confirmed | failed;  batched → confirmed | failed
 *
 * A batch id is random (32 bytes) and journaled with its jobs before anything is sent; every signed transaction's
 * hash is journaled before it is broadcast. After a crash these are what reconciliation checks against the chain.
 */

export const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  queued: ["batched", "failed"],
  batched: ["submitted", "confirmed", "failed", "queued"],
  submitted: ["submitted", "confirmed", "failed", "queued"],
  confirmed: [],
  failed: [],
};

export type BatchStatus = Exclude<JobStatus, "queued">;

export const BATCH_TRANSITIONS: Readonly<Record<BatchStatus, readonly BatchStatus[]>> = {
  batched: ["submitted", "confirmed", "failed"],
  submitted: ["submitted", "confirmed", "failed"],
  confirmed: [],
  failed: [],
};

/** A state change the lifecycle does not allow (a bug, or two processes on one journal). */
export class IllegalTransitionError extends Error {
  override readonly name = "IllegalTransitionError";
  constructor(
    readonly entity: "job" | "batch" | "follow-up",
    readonly id: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`The ${entity} ${id} cannot go from ${from} to ${to}.`);
  }
}

/** The journal belongs to another chain or deployment. */
export class JournalMismatchError extends Error {
  override readonly name = "JournalMismatchError";
  constructor(key: string, stored: string, given: string, path: string) {
    super(
      `The journal ${path} was written for ${key} ${stored}, not ${given}. ` +
        `Use a separate journal file per chain and deployment (journal setting).`,
    );
  }
}

/** A job as the API shows it: the record plus what the executor knows about its progress. */
export interface JobView extends JobRecord {
  /** Order of arrival (the cursor of listings). */
  seq: number;
  /** Why a queued job is waiting (e.g. its kind does not fit the scenario's current mode). */
  waitingReason?: string;
  /** Times it went back to the queue after its batch was abandoned. */
  attempts: number;
  /** The transaction that applied it (or the last one sent for it). */
  txHash?: string;
}

export interface BatchRow {
  id: string;
  scenarioId: bigint;
  mode: ExecutionMode;
  jobIds: string[];
  status: BatchStatus;
  txHash?: string;
  nonce?: number;
  attempts: number;
  error?: string;
  blockNumber?: number;
  gasUsed?: bigint;
  createdAt: number;
  updatedAt: number;
}

export interface FollowUpRow extends FollowUp {
  id: number;
  batchId: string;
  status: "pending" | "done" | "failed";
  attempts: number;
  error?: string;
  txHash?: string;
}

/** A transaction signed for a batch or a follow-up. */
export interface JournaledTx {
  hash: string;
  nonce: number;
}

export type AddOutcome =
  | { outcome: "added"; id: string }
  /** A live job with the same key exists; `same`: with the same content (a retry of the same request). */
  | { outcome: "duplicate"; id: string; status: JobStatus; same: boolean };

interface JobDbRow {
  seq: number;
  id: string;
  kind: string;
  scenario_id: string;
  body: string;
  status: JobStatus;
  batch_id: string | null;
  mode: number | null;
  attempts: number;
  waiting_reason: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  tx_hash?: string | null;
}

interface BatchDbRow {
  id: string;
  scenario_id: string;
  mode: number;
  job_ids: string;
  status: BatchStatus;
  tx_hash: string | null;
  nonce: number | null;
  attempts: number;
  error: string | null;
  block_number: number | null;
  gas_used: string | null;
  created_at: number;
  updated_at: number;
}

interface FollowUpDbRow {
  id: number;
  batch_id: string;
  kind: string;
  due_at: number;
  data: string;
  status: FollowUpRow["status"];
  attempts: number;
  error: string | null;
  tx_hash: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  scenario_id TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'batched', 'submitted', 'confirmed', 'failed')),
  batch_id TEXT REFERENCES batches(id),
  mode INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  waiting_reason TEXT,
  waiting_since INTEGER,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_live_key ON jobs (dedup_key) WHERE status <> 'failed';
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, scenario_id, seq);
CREATE TABLE IF NOT EXISTS batches (
  id TEXT PRIMARY KEY,
  scenario_id TEXT NOT NULL,
  mode INTEGER NOT NULL,
  job_ids TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('batched', 'submitted', 'confirmed', 'failed')),
  tx_hash TEXT,
  nonce INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  block_number INTEGER,
  gas_used TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_by_status ON batches (status);
CREATE TABLE IF NOT EXISTS follow_ups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL REFERENCES batches(id),
  kind TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  data TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  tx_hash TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS follow_ups_due ON follow_ups (status, due_at);
CREATE TABLE IF NOT EXISTS transactions (
  hash TEXT PRIMARY KEY,
  batch_id TEXT REFERENCES batches(id),
  follow_up_id INTEGER REFERENCES follow_ups(id),
  nonce INTEGER NOT NULL,
  signed_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS transactions_by_batch ON transactions (batch_id);
CREATE INDEX IF NOT EXISTS transactions_by_follow_up ON transactions (follow_up_id);
CREATE INDEX IF NOT EXISTS jobs_by_batch ON jobs (batch_id);
CREATE TABLE IF NOT EXISTS pruned_keys (dedup_key TEXT PRIMARY KEY, job_id TEXT NOT NULL, pruned_at INTEGER NOT NULL);
`;

export interface JournalOptions {
  /** The clock (ms), for tests. */
  now?: () => number;
}

export class Journal {
  private readonly db: SqliteDatabase;
  private readonly now: () => number;

  constructor(
    /** A file path (its folder is created if needed), or `:memory:`. */
    readonly path: string,
    options: JournalOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    // The node processes' one opener (WAL, fsync on every commit, busy timeout, foreign keys); the journal's schema is
    // idempotent DDL applied at every open rather than versioned migrations.
    this.db = openDatabase(path, []);
    this.db.exec(SCHEMA);
  }

  /**
   * Ties the journal to one chain and deployment: the first call records them, later calls (later runs) check
   * them, so a journal is never replayed against another chain.
   */
  bind(identity: Record<string, string>): void {
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(identity)) {
        const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
        if (row && row.value !== value) throw new JournalMismatchError(key, row.value, value, this.path);
        if (!row) this.db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)").run(key, value);
      }
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get open(): boolean {
    return this.db.open;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Jobs
  // -------------------------------------------------------------------------------------------------------------

  /**
   * Journals new jobs in one transaction (all or none), each under its key (see `jobKey`). A job whose key a live
   * (not failed) job holds already is not added: the outcome names that job, and says whether it is the same one.
   */
  addJobs(items: readonly { job: Job; key: string }[]): AddOutcome[] {
    const now = this.now();
    const insert = this.db.prepare(
      `INSERT INTO jobs (id, kind, scenario_id, dedup_key, body, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)`,
    );
    return this.db.transaction(() =>
      items.map(({ job, key }): AddOutcome => {
        const body = JSON.stringify(jobToJson(job));
        const existing = this.findLive(key);
        if (existing) {
          return { outcome: "duplicate", id: existing.id, status: existing.status, same: existing.body === body };
        }
        const id = randomUUID();
        insert.run(id, job.kind, job.scenarioId.toString(), key, body, now, now);
        return { outcome: "added", id };
      }),
    )();
  }

  /** The live (not failed) job journaled under `key`, with its stored JSON body. */
  findLive(key: string): { id: string; status: JobStatus; body: string } | undefined {
    return (
      (this.db.prepare("SELECT id, status, body FROM jobs WHERE dedup_key = ? AND status <> 'failed'").get(key) as
        { id: string; status: JobStatus; body: string } | undefined) ?? this.prunedKey(key)
    );
  }

  getJob(id: string): JobView | undefined {
    const row = this.db
      .prepare(
        `SELECT j.*, COALESCE(b.tx_hash, NULL) AS tx_hash FROM jobs j LEFT JOIN batches b ON b.id = j.batch_id
         WHERE j.id = ?`,
      )
      .get(id) as JobDbRow | undefined;
    return row && toView(row);
  }

  /** Jobs in order of arrival, after the cursor `after` (a `seq`), optionally of one status. */
  listJobs(filter: { status?: JobStatus; scenarioId?: bigint; limit: number; after?: number }): {
    jobs: JobView[];
    next?: number;
  } {
    const where: string[] = ["j.seq > @after"];
    if (filter.status) where.push("j.status = @status");
    if (filter.scenarioId !== undefined) where.push("j.scenario_id = @scenario");
    const rows = this.db
      .prepare(
        `SELECT j.*, b.tx_hash AS tx_hash FROM jobs j LEFT JOIN batches b ON b.id = j.batch_id
         WHERE ${where.join(" AND ")} ORDER BY j.seq LIMIT @limit`,
      )
      .all({
        after: filter.after ?? 0,
        status: filter.status ?? null,
        scenario: filter.scenarioId?.toString() ?? null,
        limit: filter.limit + 1,
      }) as JobDbRow[];
    const more = rows.length > filter.limit;
    const page = rows.slice(0, filter.limit).map(toView);
    return { jobs: page, next: more ? page[page.length - 1].seq : undefined };
  }

  /** Scenarios with queued jobs. */
  queuedScenarios(): bigint[] {
    const rows = this.db.prepare("SELECT DISTINCT scenario_id FROM jobs WHERE status = 'queued'").all() as {
      scenario_id: string;
    }[];
    return rows.map((r) => BigInt(r.scenario_id));
  }

  /** The oldest queued jobs of a scenario among `kinds`, at most `limit`. */
  queued(scenarioId: bigint, kinds: readonly JobKind[], limit: number): JobRecord[] {
    if (kinds.length === 0 || limit <= 0) return [];
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs WHERE status = 'queued' AND scenario_id = ? AND kind IN (${kinds.map(() => "?").join(",")})
         ORDER BY seq LIMIT ?`,
      )
      .all(scenarioId.toString(), ...kinds, limit) as JobDbRow[];
    return rows.map(toRecord);
  }

  /**
   * Marks the queued jobs of a scenario that are not of `kinds` as waiting (with `reason`, from now unless already
   * waiting) and clears the mark of those that are.
   */
  markWaiting(scenarioId: bigint, kinds: readonly JobKind[], reason: (kind: JobKind) => string): void {
    const now = this.now();
    const scenario = scenarioId.toString();
    const rows = this.db
      .prepare("SELECT DISTINCT kind FROM jobs WHERE status = 'queued' AND scenario_id = ?")
      .all(scenario) as { kind: JobKind }[];
    const wait = this.db.prepare(
      `UPDATE jobs SET waiting_reason = ?, waiting_since = COALESCE(waiting_since, ?), updated_at = ?
       WHERE status = 'queued' AND scenario_id = ? AND kind = ? AND (waiting_reason IS NULL OR waiting_reason <> ?)`,
    );
    const clear = this.db.prepare(
      `UPDATE jobs SET waiting_reason = NULL, waiting_since = NULL, updated_at = ?
       WHERE status = 'queued' AND scenario_id = ? AND kind = ? AND waiting_since IS NOT NULL`,
    );
    this.db.transaction(() => {
      for (const { kind } of rows) {
        if (kinds.includes(kind)) clear.run(now, scenario, kind);
        else {
          const text = reason(kind);
          wait.run(text, now, now, scenario, kind, text);
        }
      }
    })();
  }

  /** Fails the queued jobs that have been waiting longer than `timeoutMs`; returns their ids. */
  expireWaiting(timeoutMs: number): string[] {
    const now = this.now();
    return this.db.transaction(() => {
      const rows = this.db
        .prepare("SELECT id, waiting_reason FROM jobs WHERE status = 'queued' AND waiting_since <= ?")
        .all(now - timeoutMs) as { id: string; waiting_reason: string }[];
      const fail = this.db.prepare(
        "UPDATE jobs SET status = 'failed', error = ?, updated_at = ? WHERE id = ? AND status = 'queued'",
      );
      for (const r of rows) {
        fail.run(
          `Gave up after waiting ${Math.round(timeoutMs / 1000)} s: ${r.waiting_reason} ` +
            `Submit it again once the scenario can take it (or raise queueTimeoutMs).`,
          now,
          r.id,
        );
      }
      return rows.map((r) => r.id);
    })();
  }

  /** Fails queued jobs (e.g. a precheck that no longer passes). */
  failQueued(failures: ReadonlyMap<string, string>): void {
    this.db.transaction(() => {
      for (const [id, error] of failures) this.moveJob(id, "queued", "failed", { error });
    })();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Batches
  // -------------------------------------------------------------------------------------------------------------

  /** Journals a new batch of queued jobs under a fresh random id (all in one transaction); returns its plan. */
  createBatch(scenarioId: bigint, mode: ExecutionMode, jobIds: readonly string[]): BatchPlan {
    if (jobIds.length === 0) throw new RangeError("A batch needs at least one job.");
    const batchId = randomId();
    const now = this.now();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO batches (id, scenario_id, mode, job_ids, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'batched', ?, ?)`,
        )
        .run(batchId, scenarioId.toString(), mode, JSON.stringify(jobIds), now, now);
      for (const id of jobIds) {
        this.moveJob(id, "queued", "batched", { batchId, mode, clearWaiting: true });
      }
    })();
    return this.plan(batchId);
  }

  /** A batch's plan: its jobs in batch order. */
  plan(batchId: string): BatchPlan {
    const batch = this.batch(batchId);
    if (!batch) throw new RangeError(`No batch ${batchId} in the journal.`);
    const get = this.db.prepare("SELECT * FROM jobs WHERE id = ?");
    const jobs = batch.jobIds.map((id) => toRecord(get.get(id) as JobDbRow));
    return { batchId, scenarioId: batch.scenarioId, mode: batch.mode, jobs };
  }

  batch(batchId: string): BatchRow | undefined {
    const row = this.db.prepare("SELECT * FROM batches WHERE id = ?").get(batchId) as BatchDbRow | undefined;
    return row && toBatch(row);
  }

  /** Batches not yet confirmed or failed, oldest first. */
  openBatches(): BatchRow[] {
    const rows = this.db
      .prepare("SELECT * FROM batches WHERE status IN ('batched', 'submitted') ORDER BY created_at, rowid")
      .all() as BatchDbRow[];
    return rows.map(toBatch);
  }

  /** Journals a transaction signed for a batch, before it is broadcast: the batch and its jobs are `submitted`. */
  recordBatchTx(batchId: string, tx: JournaledTx): void {
    this.db.transaction(() => {
      this.insertTx(tx, { batchId });
      const batch = this.moveBatch(batchId, "submitted", { txHash: tx.hash, nonce: tx.nonce });
      for (const id of batch.jobIds) this.moveJob(id, undefined, "submitted");
    })();
  }

  /** Transactions signed for a batch, in signing order. */
  batchTxs(batchId: string): JournaledTx[] {
    return this.txsOf({ batchId });
  }

  /** The batch is applied on chain: it and its jobs are confirmed, and the follow-ups it owes are journaled. */
  confirmBatch(
    batchId: string,
    mined: { txHash?: string; blockNumber?: number; gasUsed?: bigint },
    followUps: readonly FollowUp[] = [],
  ): void {
    const now = this.now();
    this.db.transaction(() => {
      const batch = this.moveBatch(batchId, "confirmed", {
        txHash: mined.txHash,
        blockNumber: mined.blockNumber,
        gasUsed: mined.gasUsed,
        error: null,
      });
      for (const id of batch.jobIds) this.moveJob(id, undefined, "confirmed", { error: null });
      const insert = this.db.prepare(
        `INSERT INTO follow_ups (batch_id, kind, due_at, data, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
      );
      for (const f of followUps) insert.run(batchId, f.kind, f.dueAt, JSON.stringify(f.data), now, now);
    })();
  }

  /**
   * Gives up a batch that is provably not applied: it ends `failed` with `reason`; the jobs in `failures` fail
   * with their own reason, every other job goes back to the queue to be batched again.
   */
  abandonBatch(batchId: string, reason: string, failures: ReadonlyMap<string, string> = new Map()): void {
    this.db.transaction(() => {
      const batch = this.moveBatch(batchId, "failed", { error: reason });
      for (const id of batch.jobIds) {
        const error = failures.get(id);
        if (error !== undefined) this.moveJob(id, undefined, "failed", { error });
        else this.moveJob(id, undefined, "queued", { requeue: true });
      }
    })();
  }

  /** Fails a batch and all its jobs with one reason. */
  failBatch(batchId: string, reason: string): void {
    const batch = this.batch(batchId);
    if (!batch) throw new RangeError(`No batch ${batchId} in the journal.`);
    this.abandonBatch(batchId, reason, new Map(batch.jobIds.map((id) => [id, reason])));
  }

  /** Notes a failed try of a batch that stays open (it is tried again). */
  noteBatchError(batchId: string, error: string): void {
    this.db
      .prepare("UPDATE batches SET attempts = attempts + 1, error = ?, updated_at = ? WHERE id = ?")
      .run(error, this.now(), batchId);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Follow-ups
  // -------------------------------------------------------------------------------------------------------------

  /** Pending follow-ups due at `nowSeconds` (unix seconds), oldest first. */
  dueFollowUps(nowSeconds: number, limit = 100): FollowUpRow[] {
    const rows = this.db
      .prepare("SELECT * FROM follow_ups WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?")
      .all(nowSeconds, limit) as FollowUpDbRow[];
    return rows.map(toFollowUp);
  }

  followUpsOf(batchId: string): FollowUpRow[] {
    const rows = this.db
      .prepare("SELECT * FROM follow_ups WHERE batch_id = ? ORDER BY id")
      .all(batchId) as FollowUpDbRow[];
    return rows.map(toFollowUp);
  }

  recordFollowUpTx(id: number, tx: JournaledTx): void {
    const now = this.now();
    this.db.transaction(() => {
      this.insertTx(tx, { followUpId: id });
      this.db.prepare("UPDATE follow_ups SET tx_hash = ?, updated_at = ? WHERE id = ?").run(tx.hash, now, id);
    })();
  }

  followUpTxs(id: number): JournaledTx[] {
    return this.txsOf({ followUpId: id });
  }

  private insertTx(tx: JournaledTx, owner: { batchId?: string; followUpId?: number }): void {
    this.db
      .prepare(
        "INSERT OR IGNORE INTO transactions (hash, batch_id, follow_up_id, nonce, signed_at) VALUES (?, ?, ?, ?, ?)",
      )
      .run(tx.hash, owner.batchId ?? null, owner.followUpId ?? null, tx.nonce, this.now());
  }

  private txsOf(owner: { batchId?: string; followUpId?: number }): JournaledTx[] {
    const [column, value] =
      owner.batchId !== undefined ? ["batch_id", owner.batchId] : ["follow_up_id", owner.followUpId];
    return this.db
      .prepare(`SELECT hash, nonce FROM transactions WHERE ${column} = ? ORDER BY signed_at, rowid`)
      .all(value) as JournaledTx[];
  }

  /** The follow-up is done (by our transaction `txHash`, or found no longer needed). */
  completeFollowUp(id: number, txHash?: string): void {
    this.moveFollowUp(id, "done", { txHash: txHash ?? null, error: null });
  }

  failFollowUp(id: number, error: string): void {
    this.moveFollowUp(id, "failed", { error });
  }

  /** Tries the follow-up again at `dueAt` (unix seconds). */
  deferFollowUp(id: number, error: string, dueAt: number): void {
    this.db
      .prepare(
        "UPDATE follow_ups SET attempts = attempts + 1, error = ?, due_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
      )
      .run(error, dueAt, this.now(), id);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Figures
  // -------------------------------------------------------------------------------------------------------------

  /** Jobs by status and mode (mode undefined while queued). */
  jobCounts(): { status: JobStatus; mode?: ExecutionMode; count: number }[] {
    const rows = this.db.prepare("SELECT status, mode, COUNT(*) AS n FROM jobs GROUP BY status, mode").all() as {
      status: JobStatus;
      mode: number | null;
      n: number;
    }[];
    return rows.map((r) => ({ status: r.status, mode: r.mode ?? undefined, count: r.n }));
  }

  /** Queued jobs of a scenario (the depth an automatic mode policy looks at). */
  queueDepth(scenarioId: bigint): number {
    const row = this.db
      .prepare("SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued' AND scenario_id = ?")
      .get(scenarioId.toString()) as { n: number };
    return row.n;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Retention
  // -------------------------------------------------------------------------------------------------------------

  /**
   * The action jobs of a lightweight batch, in batch order (with the users' signatures); undefined when the journal
   * holds no batch `batchId` (never journaled, or pruned) or holds it under another mode.
   */
  lightweightActions(batchId: string, lightweight: ExecutionMode): Extract<Job, { kind: "action" }>[] | undefined {
    const batch = this.batch(batchId);
    if (batch === undefined || batch.mode !== lightweight) return undefined;
    return this.plan(batchId).jobs.flatMap((r) => (r.job.kind === "action" ? [r.job] : []));
  }

  /**
   * Deletes what is finished and older than `before` (ms since the epoch), in bounded steps: at most `limit` batches
   * that are confirmed or failed, last changed before `before`, owe no pending follow-up and hold no job still in
   * progress, each with its jobs, transactions and follow-ups; then at most `limit` failed jobs that are in no batch.
   * Queued, batched and submitted jobs and open batches are never touched. The keys of pruned confirmed actions are
   * kept, so that a replayed action (same user and nonce) is still refused rather than batched again.
   */
  prune(before: number, limit: number): { batches: number; jobs: number } {
    return this.db.transaction(() => {
      const batches = this.db
        .prepare(
          `SELECT id FROM batches b WHERE b.status IN ('confirmed', 'failed') AND b.updated_at < ?
           AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.batch_id = b.id AND f.status = 'pending')
           AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.batch_id = b.id AND j.status NOT IN ('confirmed', 'failed'))
           ORDER BY b.updated_at LIMIT ?`,
        )
        .all(before, limit) as { id: string }[];
      const now = this.now();
      const keep = this.db.prepare(
        `INSERT OR IGNORE INTO pruned_keys (dedup_key, job_id, pruned_at)
         SELECT dedup_key, id, ? FROM jobs WHERE batch_id = ? AND status = 'confirmed' AND kind = 'action'`,
      );
      const steps = [
        "DELETE FROM transactions WHERE follow_up_id IN (SELECT id FROM follow_ups WHERE batch_id = @id)",
        "DELETE FROM transactions WHERE batch_id = @id",
        "DELETE FROM follow_ups WHERE batch_id = @id",
        "DELETE FROM jobs WHERE batch_id = @id",
        "DELETE FROM batches WHERE id = @id",
      ].map((sql) => this.db.prepare(sql));
      let jobs = 0;
      for (const { id } of batches) {
        keep.run(now, id);
        steps.forEach((step, i) => {
          const { changes } = step.run({ id });
          if (i === 3) jobs += changes;
        });
      }
      jobs += this.db
        .prepare(
          `DELETE FROM jobs WHERE seq IN
           (SELECT seq FROM jobs WHERE status = 'failed' AND batch_id IS NULL AND updated_at < ? ORDER BY seq LIMIT ?)`,
        )
        .run(before, limit).changes;
      return { batches: batches.length, jobs };
    })();
  }

  private prunedKey(key: string): { id: string; status: JobStatus; body: string } | undefined {
    const row = this.db.prepare("SELECT job_id FROM pruned_keys WHERE dedup_key = ?").get(key) as
      { job_id: string } | undefined;
    return row && { id: row.job_id, status: "confirmed", body: "" };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Transitions
  // -------------------------------------------------------------------------------------------------------------

  private moveJob(
    id: string,
    expected: JobStatus | undefined,
    to: JobStatus,
    set: {
      batchId?: string;
      mode?: ExecutionMode;
      error?: string | null;
      clearWaiting?: boolean;
      requeue?: boolean;
    } = {},
  ): void {
    const row = this.db.prepare("SELECT status FROM jobs WHERE id = ?").get(id) as { status: JobStatus } | undefined;
    if (!row) throw new RangeError(`No job ${id} in the journal.`);
    if ((expected !== undefined && row.status !== expected) || !JOB_TRANSITIONS[row.status].includes(to)) {
      throw new IllegalTransitionError("job", id, row.status, to);
    }
    const fields = ["status = @to", "updated_at = @now"];
    if (set.batchId !== undefined) fields.push("batch_id = @batchId");
    if (set.mode !== undefined) fields.push("mode = @mode");
    if (set.error !== undefined) fields.push("error = @error");
    if (set.clearWaiting) fields.push("waiting_reason = NULL", "waiting_since = NULL");
    if (set.requeue) fields.push("batch_id = NULL", "mode = NULL", "attempts = attempts + 1");
    this.db.prepare(`UPDATE jobs SET ${fields.join(", ")} WHERE id = @id`).run({
      id,
      to,
      now: this.now(),
      batchId: set.batchId ?? null,
      mode: set.mode ?? null,
      error: set.error ?? null,
    });
  }

  private moveBatch(
    id: string,
    to: BatchStatus,
    set: { txHash?: string; nonce?: number; blockNumber?: number; gasUsed?: bigint; error?: string | null },
  ): BatchRow {
    const batch = this.batch(id);
    if (!batch) throw new RangeError(`No batch ${id} in the journal.`);
    if (!BATCH_TRANSITIONS[batch.status].includes(to)) throw new IllegalTransitionError("batch", id, batch.status, to);
    const fields = ["status = @to", "updated_at = @now"];
    if (set.txHash !== undefined) fields.push("tx_hash = @txHash");
    if (set.nonce !== undefined) fields.push("nonce = @nonce");
    if (set.blockNumber !== undefined) fields.push("block_number = @blockNumber");
    if (set.gasUsed !== undefined) fields.push("gas_used = @gasUsed");
    if (set.error !== undefined) fields.push("error = @error");
    this.db.prepare(`UPDATE batches SET ${fields.join(", ")} WHERE id = @id`).run({
      id,
      to,
      now: this.now(),
      txHash: set.txHash ?? null,
      nonce: set.nonce ?? null,
      blockNumber: set.blockNumber ?? null,
      gasUsed: set.gasUsed?.toString() ?? null,
      error: set.error ?? null,
    });
    return batch;
  }

  private moveFollowUp(id: number, to: "done" | "failed", set: { txHash?: string | null; error: string | null }): void {
    const row = this.db.prepare("SELECT status FROM follow_ups WHERE id = ?").get(id) as
      { status: FollowUpRow["status"] } | undefined;
    if (!row) throw new RangeError(`No follow-up ${id} in the journal.`);
    if (row.status !== "pending") throw new IllegalTransitionError("follow-up", String(id), row.status, to);
    this.db
      .prepare(
        "UPDATE follow_ups SET status = ?, error = ?, tx_hash = COALESCE(?, tx_hash), updated_at = ? WHERE id = ?",
      )
      .run(to, set.error, set.txHash ?? null, this.now(), id);
  }
}

function toRecord(row: JobDbRow): JobRecord {
  return {
    id: row.id,
    job: parseJob(JSON.parse(row.body)),
    status: row.status,
    batchId: row.batch_id ?? undefined,
    mode: row.mode ?? undefined,
    error: row.error ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toView(row: JobDbRow): JobView {
  return {
    ...toRecord(row),
    seq: row.seq,
    waitingReason: row.waiting_reason ?? undefined,
    attempts: row.attempts,
    txHash: row.tx_hash ?? undefined,
  };
}

function toBatch(row: BatchDbRow): BatchRow {
  return {
    id: row.id,
    scenarioId: BigInt(row.scenario_id),
    mode: row.mode,
    jobIds: JSON.parse(row.job_ids) as string[],
    status: row.status,
    txHash: row.tx_hash ?? undefined,
    nonce: row.nonce ?? undefined,
    attempts: row.attempts,
    error: row.error ?? undefined,
    blockNumber: row.block_number ?? undefined,
    gasUsed: row.gas_used === null ? undefined : BigInt(row.gas_used),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toFollowUp(row: FollowUpDbRow): FollowUpRow {
  return {
    id: row.id,
    batchId: row.batch_id,
    kind: row.kind,
    dueAt: row.due_at,
    data: JSON.parse(row.data) as FollowUp["data"],
    status: row.status,
    attempts: row.attempts,
    error: row.error ?? undefined,
    txHash: row.tx_hash ?? undefined,
  };
}
