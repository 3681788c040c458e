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

/**
 * Where the core reads each scenario's current mode (the mode watcher implements it from chain events; the core
 * asks before every batch it forms, so a switch takes effect for the next batch).
 */
export interface ModeSource {
  modeOf(scenarioId: bigint): Promise<ExecutionMode>;
}
