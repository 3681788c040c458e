import type { TransactionReceipt } from "ethers";
import type { ExecutionMode } from "../sdk/economy";
import type { TxRequest } from "../node/types";

/**
 * The contract between the executor's core (intake, journal, batching, sending, reconciliation) and its mode
 * handlers (one per execution mode: how a batch of jobs becomes a transaction, and how to tell it landed).
 *
 * Lifecycle of a job: `queued` (validated and journaled; only then acknowledged) → `batched` (assigned to a batch
 * with a unique id, journaled before anything is sent) → `submitted` (transaction sent, hash and nonce journaled) →
 * `confirmed` (mined, applied on chain) or `failed` (with a reason a person can act on). Multi-step work (a lock
 * then its commit or refund) is journaled as follow-ups of the batch, so it survives a crash too.
 *
 * One way back: when a batch is abandoned while provably not applied (its transaction reverted or was never sent,
 * and none of its transactions can still be mined) for a reason that is not the job's fault (the scenario switched
 * mode, another job of the batch was bad), its jobs go from `batched`/`submitted` back to `queued`, to be batched
 * again under a new batch id.
 */

/** A user's signed action for standard or lightweight mode (the reference "like"). Amounts as decimal strings in JSON. */
export interface ActionJob {
  kind: "action";
  scenarioId: bigint;
  user: string;
  nonce: number;
  payload: bigint;
  /** EIP-712 `Action` signature of `user` over the hub's domain. */
  signature: string;
}

export interface SettlementLegJob {
  payer: string;
  payee: string;
  token: string;
  amount: bigint;
}

/**
 * A financial settlement. `path: "atomic"` settles in one transaction (hashlock zero); `path: "lock"` locks with a
 * hashlock and commits with `preimage` when given (else the lock is left to be refunded after its deadline).
 */
export interface SettlementJob {
  kind: "settlement";
  scenarioId: bigint;
  path: "atomic" | "lock";
  id: string;
  legs: SettlementLegJob[];
  deadline: bigint;
  hashlock: string;
  /** One EIP-712 `Settlement` signature per distinct payer, in order of first appearance. */
  signatures: string[];
  /** For `path: "lock"`: the hashlock's preimage, revealed by the commit. */
  preimage?: string;
}

/** An enterprise execution result to notarize with the scenario's quorum. */
export interface ResultJob {
  kind: "result";
  scenarioId: bigint;
  subjectId: string;
  resultHash: string;
}

export type Job = ActionJob | SettlementJob | ResultJob;
export type JobKind = Job["kind"];

export type JobStatus = "queued" | "batched" | "submitted" | "confirmed" | "failed";

/** A job as the journal holds it. */
export interface JobRecord {
  /** The executor's id for the job (returned to the client on acknowledgement). */
  id: string;
  job: Job;
  status: JobStatus;
  /** The batch it belongs to, once batched. */
  batchId?: string;
  /** The mode it was batched (and so applied) under, once batched. */
  mode?: ExecutionMode;
  /** Why it failed, for `failed`. */
  error?: string;
  createdAt: number;
  updatedAt: number;
}

/** A batch the core asks a handler to turn into a transaction. All jobs share the scenario and the mode. */
export interface BatchPlan {
  /** Unique on chain (the contracts reject a second use): the executor's guard against double application. */
  batchId: string;
  scenarioId: bigint;
  mode: ExecutionMode;
  jobs: JobRecord[];
}

/** Work a confirmed batch still owes: e.g. commit a lock now, or refund it once its deadline has passed. */
export interface FollowUp {
  /** Handler-defined kind, e.g. `commit` or `refund`. */
  kind: string;
  /** Unix seconds from which it may run (0: at once). */
  dueAt: number;
  /** Handler-defined data (JSON-serializable; bigints as strings). */
  data: Record<string, string | number | boolean | string[]>;
}

export interface ModeHandler {
  readonly mode: ExecutionMode;
  /** The job kinds this mode can apply. */
  readonly kinds: readonly JobKind[];
  /** Most jobs one batch may hold (sized under the per-transaction gas cap). */
  readonly maxBatchSize: number;
  /**
   * Which jobs may share a batch: the core puts only jobs of the same `key` into one batch, at most `maxSize` of them
   * (never more than `maxBatchSize`). Without it, any jobs of the handler's kinds may share a batch. Example: atomic
   * settlements batch together, a settlement lock travels alone.
   */
  groupOf?(job: Job): BatchGroup;
  /**
   * Checks what can be checked before a job is acknowledged (signatures, deadlines, scenario); returns a reason
   * to refuse it, or undefined. Must not touch the chain's state.
   */
  precheck?(job: Job): Promise<string | undefined>;
  /** Builds the transaction that applies the batch (after the batch is journaled). */
  build(plan: BatchPlan): Promise<TxRequest>;
  /** Whether the batch id is already applied on chain (used when reconciling after a restart). */
  isApplied(plan: BatchPlan): Promise<boolean>;
  /** Follow-ups owed once the batch is confirmed (none by default). */
  followUps?(plan: BatchPlan, receipt: TransactionReceipt): Promise<FollowUp[]>;
  /** The transaction for a due follow-up, or undefined when it is no longer needed (done by someone else). */
  runFollowUp?(plan: BatchPlan, followUp: FollowUp): Promise<TxRequest | undefined>;
}

/** See `ModeHandler.groupOf`. */
export interface BatchGroup {
  key: string;
  maxSize: number;
}

/**
 * Thrown by `ModeHandler.build` when some jobs of a plan must not go on chain (found only at build time: a nonce used
 * on chain meanwhile, a deadline too close, a duplicate inside the plan…). The core fails exactly those jobs with the
 * reasons given and batches the others again; nothing was sent.
 */
export class JobsRefused extends Error {
  override readonly name = "JobsRefused";

  constructor(
    /** Job id → why it is refused (a sentence a person can act on). */
    readonly reasons: ReadonlyMap<string, string>,
  ) {
    super(
      `${reasons.size} job(s) refused at build time: ` +
        [...reasons].map(([id, reason]) => `${id}: ${reason}`).join("; "),
    );
  }
}

/**
 * Thrown by `ModeHandler.build` when a plan cannot be built yet, e.g. it must follow a transaction of the same subject
 * that is still in flight. Nothing was sent; the core keeps the plan as it is and builds it again from `retryAt`.
 */
export class NotReadyYet extends Error {
  override readonly name = "NotReadyYet";

  constructor(
    message: string,
    /** When to build again, in ms since the epoch. */
    readonly retryAt: number,
  ) {
    super(message);
  }
}

/** A scenario's mode changed on chain (seen in a `ModeSwitched` event). */
export interface ModeChange {
  scenarioId: bigint;
  from: ExecutionMode;
  to: ExecutionMode;
  /** The block of the switch; batches built from the next block on must use `to`. */
  blockNumber: number;
}

/**
 * Where the core reads each scenario's current mode (the mode watcher implements it from chain events; the core
 * asks before every batch it forms, so a switch takes effect for the next batch).
 */
export interface ModeSource {
  /** The scenario's current mode (throws for an unknown scenario). */
  modeOf(scenarioId: bigint): Promise<ExecutionMode>;
  /**
   * Reads the scenario's mode from the chain now, whatever the source remembers or when it would poll next, and
   * answers it from then on. The core calls it when the hub refuses a batch with `ExecutionModeMismatch`, so that the
   * batch's jobs are batched again in the new mode at once.
   */
  reread?(scenarioId: bigint): Promise<ExecutionMode>;
  /** Calls `listener` on every mode switch seen; returns a function that unsubscribes. */
  onChange?(listener: (change: ModeChange) => void): () => void;
}
