import type { Leg, PackedAction } from "../sdk/execution";
import { legsFromJson, legsToJson } from "../sdk/calldata";
import { StateFile } from "../node/sqlite";
import { useKey, type EarlierUse } from "./checks";

/**
 * The verifier's durable progress (SQLite, WAL): the last block processed, every lightweight batch seen with its
 * actions and what the verifier concluded, the signature challenges it watches, the settlement locks it may have to
 * refund, and every proof it sent. A restart resumes from here: a batch already judged is not judged again, a
 * challenge already bonded is not bonded again.
 */

/**
 * - `new`: seen, not checked yet.
 * - `awaiting-signatures`: no one-round fraud; the node's signatures could not be fetched yet (asked again each poll).
 * - `clean`: checked, nothing wrong.
 * - `proving`: a fraud was found; a one-round proof is being sent (or failed and is retried next poll).
 * - `challenged`: a bad action's signature is under challenge (ours or someone else's); resolved after the answer
 *   window unless the node answers.
 * - `rejected`: a fraud proof (anyone's) rejected it.
 * - `too-late`: a fraud was found after the challenge window closed (logged; nothing can be done on chain).
 * - `undecodable`: its actions could not be rebuilt from the transaction (see `sdk/calldata.ts`).
 * - `unverified`: the window closed before the node served the signatures (one-round checks passed).
 */
export type BatchState =
  | "new"
  | "awaiting-signatures"
  | "clean"
  | "proving"
  | "challenged"
  | "rejected"
  | "too-late"
  | "undecodable"
  | "unverified";

export interface BatchRow {
  batchId: string;
  scenarioId: bigint;
  nodeId: bigint;
  seq: bigint;
  block: number;
  txHash: string;
  submittedAt: number;
  count: number;
  root: string;
  /** Packed actions (undefined when undecodable). */
  data: string | undefined;
  state: BatchState;
  /** What the verifier found (JSON), for people reading the state file. */
  detail: string | undefined;
}

export type ChallengeState = "open" | "answered" | "resolved";

export interface ChallengeRow {
  batchId: string;
  index: number;
  challenger: string;
  answerDeadline: number;
  /** Whether this verifier's account bonded it. */
  ours: boolean;
  state: ChallengeState;
}

/** `undecodable`: its legs could not be read from its transaction, so it cannot be refunded by this verifier. */
export type LockState = "locked" | "committed" | "refunded" | "undecodable";

export interface LockRow {
  id: string;
  scenarioId: bigint;
  deadline: number;
  /** The lock's legs, needed to refund it (undefined when its transaction could not be decoded). */
  legs: Leg[] | undefined;
  state: LockState;
}

/**
 * A standard-mode application of an action already in an earlier lightweight batch: provable against the standard
 * node once that batch is final (`pending` until then), `void` if the batch is rejected instead.
 */
export interface ReplayRow {
  scenarioId: bigint;
  key: string;
  batchId: string;
  index: number;
  standardSeq: bigint;
  state: "pending" | "proven" | "void";
}

export interface ProofRow {
  batchId: string;
  /** e.g. `duplicate-in-batch`, `signature-challenge`, `resolve-challenge`, `refund-lock`. */
  action: string;
  index: number | undefined;
  txHash: string | undefined;
  outcome: "landed" | "failed";
  note: string | undefined;
}

const MIGRATIONS = [
  `
  CREATE TABLE batches (
    batch_id TEXT PRIMARY KEY,
    scenario_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    block INTEGER NOT NULL,
    tx_hash TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    count INTEGER NOT NULL,
    root TEXT NOT NULL,
    data TEXT,
    state TEXT NOT NULL,
    detail TEXT
  ) STRICT;
  CREATE INDEX batches_by_state ON batches (state, seq);
  CREATE TABLE batch_actions (
    batch_id TEXT NOT NULL REFERENCES batches (batch_id),
    idx INTEGER NOT NULL,
    scenario_id TEXT NOT NULL,
    use_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (batch_id, idx)
  ) STRICT;
  CREATE INDEX batch_actions_by_use ON batch_actions (scenario_id, use_key, seq);
  CREATE TABLE challenges (
    batch_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    challenger TEXT NOT NULL,
    answer_deadline INTEGER NOT NULL,
    ours INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (batch_id, idx)
  ) STRICT;
  CREATE TABLE locks (
    id TEXT PRIMARY KEY,
    scenario_id TEXT NOT NULL,
    deadline INTEGER NOT NULL,
    legs TEXT,
    state TEXT NOT NULL
  ) STRICT;
  CREATE INDEX locks_by_deadline ON locks (state, deadline);
  CREATE TABLE proofs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id TEXT NOT NULL,
    action TEXT NOT NULL,
    idx INTEGER,
    tx_hash TEXT,
    outcome TEXT NOT NULL,
    note TEXT,
    at INTEGER NOT NULL
  ) STRICT;
  `,
  `
  CREATE TABLE replays (
    scenario_id TEXT NOT NULL,
    use_key TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    standard_seq INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (scenario_id, use_key)
  ) STRICT;
  `,
];

interface RawBatch {
  batch_id: string;
  scenario_id: string;
  node_id: string;
  seq: number;
  block: number;
  tx_hash: string;
  submitted_at: number;
  count: number;
  root: string;
  data: string | null;
  state: BatchState;
  detail: string | null;
}

function batchOf(r: RawBatch): BatchRow {
  return {
    batchId: r.batch_id,
    scenarioId: BigInt(r.scenario_id),
    nodeId: BigInt(r.node_id),
    seq: BigInt(r.seq),
    block: r.block,
    txHash: r.tx_hash,
    submittedAt: r.submitted_at,
    count: r.count,
    root: r.root,
    data: r.data ?? undefined,
    state: r.state,
    detail: r.detail ?? undefined,
  };
}

interface RawChallenge {
  batch_id: string;
  idx: number;
  challenger: string;
  answer_deadline: number;
  ours: number;
  state: ChallengeState;
}

function challengeOf(r: RawChallenge): ChallengeRow {
  return {
    batchId: r.batch_id,
    index: r.idx,
    challenger: r.challenger,
    answerDeadline: r.answer_deadline,
    ours: r.ours === 1,
    state: r.state,
  };
}

export class VerifierStore extends StateFile {
  /** Opens the state file at `path` for the deployment `identity` (chain id and contract addresses). */
  constructor(path: string, identity: Record<string, string>) {
    super(path, MIGRATIONS, identity);
  }

  lastBlock(): number | undefined {
    const value = this.meta("lastBlock");
    return value === undefined ? undefined : Number(value);
  }

  setLastBlock(block: number): void {
    this.setMeta("lastBlock", String(block));
  }

  // --- batches ------------------------------------------------------------------------------------------------------

  /** Records a committed batch (and its actions, for later cross-batch checks); ignores one already known. */
  addBatch(b: Omit<BatchRow, "state" | "detail">, actions: readonly PackedAction[] | undefined): void {
    const inserted = this.db
      .prepare(
        `INSERT OR IGNORE INTO batches
         (batch_id, scenario_id, node_id, seq, block, tx_hash, submitted_at, count, root, data, state, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
      )
      .run(
        b.batchId,
        b.scenarioId.toString(),
        b.nodeId.toString(),
        Number(b.seq),
        b.block,
        b.txHash,
        b.submittedAt,
        b.count,
        b.root,
        b.data ?? null,
        actions === undefined ? "undecodable" : "new",
      );
    if (inserted.changes === 0 || actions === undefined) return;
    const add = this.db.prepare(
      "INSERT INTO batch_actions (batch_id, idx, scenario_id, use_key, seq) VALUES (?, ?, ?, ?, ?)",
    );
    actions.forEach((a, i) => add.run(b.batchId, i, b.scenarioId.toString(), useKey(a.user, a.nonce), Number(b.seq)));
  }

  batch(batchId: string): BatchRow | undefined {
    const r = this.db.prepare<[string], RawBatch>("SELECT * FROM batches WHERE batch_id = ?").get(batchId);
    return r === undefined ? undefined : batchOf(r);
  }

  /** Batches still to be judged (new, awaiting signatures, or a one-round proof to retry), in hub order. */
  batchesToCheck(): BatchRow[] {
    return this.db
      .prepare<[], RawBatch>(
        "SELECT * FROM batches WHERE state IN ('new', 'awaiting-signatures', 'proving') ORDER BY seq ASC",
      )
      .all()
      .map(batchOf);
  }

  setBatchState(batchId: string, state: BatchState, detail?: unknown): void {
    this.db
      .prepare("UPDATE batches SET state = ?, detail = COALESCE(?, detail) WHERE batch_id = ?")
      .run(state, detail === undefined ? null : JSON.stringify(detail, bigintJson), batchId);
  }

  /**
   * For each (user, nonce) key, an earlier batch of `scenarioId` (seq below `seq`) that used it and that is not
   * known to be rejected; batches judged clean are preferred (they will not be rejected).
   */
  earlierUses(scenarioId: bigint, seq: bigint, keys: readonly string[]): Map<string, EarlierUse> {
    const stmt = this.db.prepare<[string, string, number], { batch_id: string; idx: number; seq: number }>(
      `SELECT a.batch_id, a.idx, a.seq FROM batch_actions a JOIN batches b ON b.batch_id = a.batch_id
       WHERE a.scenario_id = ? AND a.use_key = ? AND a.seq < ? AND b.state NOT IN ('rejected')
       ORDER BY (b.state = 'clean') DESC, a.seq ASC LIMIT 1`,
    );
    const found = new Map<string, EarlierUse>();
    for (const key of new Set(keys)) {
      const r = stmt.get(scenarioId.toString(), key, Number(seq));
      if (r !== undefined) found.set(key, { batchId: r.batch_id, index: r.idx, seq: BigInt(r.seq) });
    }
    return found;
  }

  countBatches(): Record<BatchState, number> {
    const counts: Record<BatchState, number> = {
      new: 0,
      "awaiting-signatures": 0,
      clean: 0,
      proving: 0,
      challenged: 0,
      rejected: 0,
      "too-late": 0,
      undecodable: 0,
      unverified: 0,
    };
    for (const r of this.db
      .prepare<[], { state: BatchState; n: number }>("SELECT state, COUNT(*) AS n FROM batches GROUP BY state")
      .all()) {
      counts[r.state] = r.n;
    }
    return counts;
  }

  // --- challenges ---------------------------------------------------------------------------------------------------

  /** Records a challenge seen on chain (or sent by us); keeps the existing row if known. */
  addChallenge(c: ChallengeRow): void {
    this.db
      .prepare(
        `INSERT INTO challenges (batch_id, idx, challenger, answer_deadline, ours, state) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (batch_id, idx) DO UPDATE SET
           challenger = excluded.challenger, answer_deadline = excluded.answer_deadline, ours = excluded.ours
         WHERE challenges.state = 'open'`,
      )
      .run(c.batchId, c.index, c.challenger, c.answerDeadline, c.ours ? 1 : 0, c.state);
  }

  setChallengeState(batchId: string, index: number, state: ChallengeState): void {
    this.db.prepare("UPDATE challenges SET state = ? WHERE batch_id = ? AND idx = ?").run(state, batchId, index);
  }

  challenge(batchId: string, index: number): ChallengeRow | undefined {
    const r = this.db
      .prepare<[string, number], RawChallenge>("SELECT * FROM challenges WHERE batch_id = ? AND idx = ?")
      .get(batchId, index);
    return r === undefined ? undefined : challengeOf(r);
  }

  /**
   * Open challenges this verifier resolves when their answer window ends: its own, and others' of batches it judged
   * fraudulent (so a fraud is settled even when its challenger walks away).
   */
  challengesToWatch(): ChallengeRow[] {
    return this.db
      .prepare<[], RawChallenge>(
        `SELECT c.* FROM challenges c LEFT JOIN batches b ON b.batch_id = c.batch_id
         WHERE c.state = 'open' AND (c.ours = 1 OR b.state = 'challenged') ORDER BY c.answer_deadline ASC`,
      )
      .all()
      .map(challengeOf);
  }

  countOpenChallenges(): { ours: number; all: number } {
    const r = this.db
      .prepare<[], { ours: number | null; all_: number }>(
        "SELECT SUM(ours) AS ours, COUNT(*) AS all_ FROM challenges WHERE state = 'open'",
      )
      .get();
    return { ours: r?.ours ?? 0, all: r?.all_ ?? 0 };
  }

  // --- standard replays --------------------------------------------------------------------------------------------

  /**
   * Records, for each (user, nonce) key a standard batch of `scenarioId` at `standardSeq` applied, the earlier
   * lightweight batch that holds it (not known rejected), if any. Returns how many replays were recorded.
   */
  addReplays(scenarioId: bigint, standardSeq: bigint, keys: readonly string[]): number {
    const earlier = this.earlierUses(scenarioId, standardSeq, keys);
    const add = this.db.prepare(
      `INSERT OR IGNORE INTO replays (scenario_id, use_key, batch_id, idx, standard_seq, state)
       VALUES (?, ?, ?, ?, ?, 'pending')`,
    );
    let added = 0;
    for (const [key, use] of earlier) {
      added += add.run(scenarioId.toString(), key, use.batchId, use.index, Number(standardSeq)).changes;
    }
    return added;
  }

  pendingReplays(): ReplayRow[] {
    return this.db
      .prepare<
        [],
        {
          scenario_id: string;
          use_key: string;
          batch_id: string;
          idx: number;
          standard_seq: number;
          state: ReplayRow["state"];
        }
      >("SELECT * FROM replays WHERE state = 'pending' ORDER BY standard_seq ASC")
      .all()
      .map((r) => ({
        scenarioId: BigInt(r.scenario_id),
        key: r.use_key,
        batchId: r.batch_id,
        index: r.idx,
        standardSeq: BigInt(r.standard_seq),
        state: r.state,
      }));
  }

  setReplayState(scenarioId: bigint, key: string, state: ReplayRow["state"]): void {
    this.db
      .prepare("UPDATE replays SET state = ? WHERE scenario_id = ? AND use_key = ?")
      .run(state, scenarioId.toString(), key);
  }

  // --- locks --------------------------------------------------------------------------------------------------------

  addLock(l: LockRow): void {
    this.db
      .prepare("INSERT OR IGNORE INTO locks (id, scenario_id, deadline, legs, state) VALUES (?, ?, ?, ?, ?)")
      .run(
        l.id,
        l.scenarioId.toString(),
        l.deadline,
        l.legs === undefined ? null : legsToJson(l.legs),
        l.legs === undefined ? "undecodable" : l.state,
      );
  }

  setLockState(id: string, state: LockState): void {
    this.db.prepare("UPDATE locks SET state = ? WHERE id = ?").run(state, id);
  }

  /** Live locks whose deadline is at or before `now` (unix seconds). */
  dueLocks(now: number): LockRow[] {
    return this.db
      .prepare<[number], { id: string; scenario_id: string; deadline: number; legs: string | null; state: LockState }>(
        "SELECT * FROM locks WHERE state = 'locked' AND deadline <= ? ORDER BY deadline ASC",
      )
      .all(now)
      .map((r) => ({
        id: r.id,
        scenarioId: BigInt(r.scenario_id),
        deadline: r.deadline,
        legs: r.legs === null ? undefined : legsFromJson(r.legs),
        state: r.state,
      }));
  }

  countLiveLocks(): number {
    return this.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM locks WHERE state = 'locked'").get()?.n ?? 0;
  }

  // --- proofs -------------------------------------------------------------------------------------------------------

  recordProof(p: ProofRow): void {
    this.db
      .prepare("INSERT INTO proofs (batch_id, action, idx, tx_hash, outcome, note, at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(p.batchId, p.action, p.index ?? null, p.txHash ?? null, p.outcome, p.note ?? null, Date.now());
  }

  proofs(): ProofRow[] {
    return this.db
      .prepare<
        [],
        {
          batch_id: string;
          action: string;
          idx: number | null;
          tx_hash: string | null;
          outcome: ProofRow["outcome"];
          note: string | null;
        }
      >("SELECT * FROM proofs ORDER BY id ASC")
      .all()
      .map((r) => ({
        batchId: r.batch_id,
        action: r.action,
        index: r.idx ?? undefined,
        txHash: r.tx_hash ?? undefined,
        outcome: r.outcome,
        note: r.note ?? undefined,
      }));
  }
}

/** JSON replacer writing bigints as decimal strings. */
export function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
