import type { Leg } from "../sdk/execution";
import { legsFromJson, legsToJson } from "../sdk/calldata";
import { StateFile } from "../node/sqlite";
import type { MonthActivity, Use } from "./activity";

/**
 * The indexer's durable scan state (SQLite, WAL): the last block read, every batch the hub applied (with its month
 * and, for lightweight batches, whether it was rejected), every counted use, the legs of open locks (their uses count
 * at commit), and the epochs published per month and kind. A restart resumes the scan where it stopped and never
 * publishes a month's epoch twice.
 */

/** `applied`: standard, settlement, notarized; lightweight batches are `pending` until `final` or `rejected`. */
export type BatchStatus = "applied" | "pending" | "final" | "rejected";

export interface BatchRecord {
  batchId: string;
  scenarioId: bigint;
  mode: number;
  block: number;
  logIndex: number;
  timestamp: number;
  month: number;
  size: number;
  status: BatchStatus;
  /** Whether its users could be read from the transaction (notarizations have none to read: always true). */
  decoded: boolean;
}

export type PublicationState = "proposing" | "proposed";

export interface Publication {
  month: number;
  kind: "subsidy" | "reward";
  epochId: bigint;
  root: string;
  budget: bigint;
  file: string;
  txHash: string | undefined;
  state: PublicationState;
}

const MIGRATIONS = [
  `
  CREATE TABLE batches (
    batch_id TEXT PRIMARY KEY,
    scenario_id TEXT NOT NULL,
    mode INTEGER NOT NULL,
    block INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    month INTEGER NOT NULL,
    size INTEGER NOT NULL,
    status TEXT NOT NULL,
    decoded INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX batches_by_month ON batches (month, mode, status);
  CREATE TABLE uses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scenario_id TEXT NOT NULL,
    user TEXT NOT NULL,
    use_key TEXT NOT NULL,
    block INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    month INTEGER NOT NULL,
    batch_id TEXT
  ) STRICT;
  CREATE INDEX uses_by_key ON uses (scenario_id, use_key, block, log_index);
  CREATE INDEX uses_by_month ON uses (month);
  CREATE TABLE locks (id TEXT PRIMARY KEY, scenario_id TEXT NOT NULL, legs TEXT NOT NULL) STRICT;
  CREATE TABLE publications (
    month INTEGER NOT NULL,
    kind TEXT NOT NULL,
    epoch_id TEXT NOT NULL,
    root TEXT NOT NULL,
    budget TEXT NOT NULL,
    file TEXT NOT NULL,
    tx_hash TEXT,
    state TEXT NOT NULL,
    PRIMARY KEY (month, kind)
  ) STRICT;
  `,
];

/** SQL: the use `u` belongs to a batch rejected by a fraud proof. */
const REJECTED = (u: string) =>
  `EXISTS (SELECT 1 FROM batches b WHERE b.batch_id = ${u}.batch_id AND b.status = 'rejected')`;

export class IndexerStore extends StateFile {
  /** Opens the state file at `path` for the deployment and calendar `identity`. */
  constructor(path: string, identity: Record<string, string>) {
    super(path, MIGRATIONS, identity);
  }

  /** The last block read and its timestamp. */
  progress(): { block: number; timestamp: number } | undefined {
    const block = this.meta("lastBlock");
    const timestamp = this.meta("lastBlockTime");
    return block === undefined || timestamp === undefined
      ? undefined
      : { block: Number(block), timestamp: Number(timestamp) };
  }

  setProgress(block: number, timestamp: number): void {
    this.setMeta("lastBlock", String(block));
    this.setMeta("lastBlockTime", String(timestamp));
  }

  addBatch(b: BatchRecord, uses: readonly Use[]): void {
    const inserted = this.db
      .prepare(
        `INSERT OR IGNORE INTO batches (batch_id, scenario_id, mode, block, log_index, timestamp, month, size, status, decoded)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        b.batchId,
        b.scenarioId.toString(),
        b.mode,
        b.block,
        b.logIndex,
        b.timestamp,
        b.month,
        b.size,
        b.status,
        b.decoded ? 1 : 0,
      );
    if (inserted.changes === 0) return;
    this.addUses(b.scenarioId, uses, b.block, b.logIndex, b.month, b.batchId);
  }

  addUses(
    scenarioId: bigint,
    uses: readonly Use[],
    block: number,
    logIndex: number,
    month: number,
    batchId: string | undefined,
  ): void {
    const add = this.db.prepare(
      "INSERT INTO uses (scenario_id, user, use_key, block, log_index, month, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    for (const u of uses) add.run(scenarioId.toString(), u.user, u.key, block, logIndex, month, batchId ?? null);
  }

  setBatchStatus(batchId: string, status: BatchStatus): void {
    this.db.prepare("UPDATE batches SET status = ? WHERE batch_id = ?").run(status, batchId);
  }

  /** Lightweight batches of `month` whose fate is not known yet. */
  pendingBatches(month: number): string[] {
    return this.db
      .prepare<[number], { batch_id: string }>("SELECT batch_id FROM batches WHERE month = ? AND status = 'pending'")
      .all(month)
      .map((r) => r.batch_id);
  }

  addLock(id: string, scenarioId: bigint, legs: readonly Leg[]): void {
    this.db
      .prepare("INSERT OR IGNORE INTO locks (id, scenario_id, legs) VALUES (?, ?, ?)")
      .run(
        id.toLowerCase(),
        scenarioId.toString(),
        JSON.stringify(legs.map((l) => ({ ...l, amount: l.amount.toString() }))),
      );
  }

  lock(id: string): { scenarioId: bigint; legs: Leg[] } | undefined {
    const r = this.db
      .prepare<[string], { scenario_id: string; legs: string }>("SELECT scenario_id, legs FROM locks WHERE id = ?")
      .get(id.toLowerCase());
    return r === undefined ? undefined : { scenarioId: BigInt(r.scenario_id), legs: legsFromJson(r.legs) };
  }

  /**
   * The month's counted activity: per scenario and user, the uses that took effect in `month`, leaving out uses of
   * rejected batches and any use whose key already counted earlier (in this month or a previous one).
   */
  activity(month: number): MonthActivity {
    const rows = this.db
      .prepare<[number], { scenario_id: string; user: string; n: number }>(
        `SELECT u.scenario_id, u.user, COUNT(*) AS n FROM uses u
         WHERE u.month = ? AND NOT ${REJECTED("u")}
           AND NOT EXISTS (
             SELECT 1 FROM uses e
             WHERE e.scenario_id = u.scenario_id AND e.use_key = u.use_key AND NOT ${REJECTED("e")}
               AND (e.block < u.block OR (e.block = u.block AND e.log_index < u.log_index)
                    OR (e.block = u.block AND e.log_index = u.log_index AND e.id < u.id)))
         GROUP BY u.scenario_id, u.user`,
      )
      .all(month);
    const activity: MonthActivity = new Map();
    for (const r of rows) {
      const scenario = BigInt(r.scenario_id);
      const users = activity.get(scenario) ?? new Map<string, number>();
      users.set(r.user, r.n);
      activity.set(scenario, users);
    }
    return activity;
  }

  /** Per scenario: batches and notarized results of the month, and batches whose users could not be read. */
  batchStats(month: number): Map<bigint, { batches: number; results: number; undecodable: number; rejected: number }> {
    const rows = this.db
      .prepare<
        [number],
        { scenario_id: string; batches: number; results: number; undecodable: number; rejected: number }
      >(
        `SELECT scenario_id, COUNT(*) AS batches,
                SUM(CASE WHEN mode = 2 THEN size ELSE 0 END) AS results,
                SUM(1 - decoded) AS undecodable,
                SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS rejected
         FROM batches WHERE month = ? GROUP BY scenario_id`,
      )
      .all(month);
    return new Map(
      rows.map((r) => [
        BigInt(r.scenario_id),
        { batches: r.batches, results: r.results, undecodable: r.undecodable, rejected: r.rejected },
      ]),
    );
  }

  // --- publications -------------------------------------------------------------------------------------------------

  publication(month: number, kind: Publication["kind"]): Publication | undefined {
    const r = this.db
      .prepare<
        [number, string],
        {
          month: number;
          kind: Publication["kind"];
          epoch_id: string;
          root: string;
          budget: string;
          file: string;
          tx_hash: string | null;
          state: PublicationState;
        }
      >("SELECT * FROM publications WHERE month = ? AND kind = ?")
      .get(month, kind);
    return r === undefined
      ? undefined
      : {
          month: r.month,
          kind: r.kind,
          epochId: BigInt(r.epoch_id),
          root: r.root,
          budget: BigInt(r.budget),
          file: r.file,
          txHash: r.tx_hash ?? undefined,
          state: r.state,
        };
  }

  savePublication(p: Publication): void {
    this.db
      .prepare(
        `INSERT INTO publications (month, kind, epoch_id, root, budget, file, tx_hash, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (month, kind) DO UPDATE SET epoch_id = excluded.epoch_id, root = excluded.root,
           budget = excluded.budget, file = excluded.file, tx_hash = excluded.tx_hash, state = excluded.state`,
      )
      .run(p.month, p.kind, p.epochId.toString(), p.root, p.budget.toString(), p.file, p.txHash ?? null, p.state);
  }

  deletePublication(month: number, kind: Publication["kind"]): void {
    this.db.prepare("DELETE FROM publications WHERE month = ? AND kind = ?").run(month, kind);
  }
}
