import type { TransactionReceipt } from "ethers";
import type { ExecutionMode } from "../sdk/economy";
import { EraContractError, decodeContractError, describeError } from "../sdk/errors";
import type { Logger } from "../node/logger";
import { backoffDelay, isTransient, withRetry, type RetryPolicy } from "../node/rpc";
import { GasCapError, TransactionRevertedError, type TxSender } from "../node/sender";
import type { Batcher } from "./batcher";
import type { Journal } from "./journal";
import type { ExecutorMetrics } from "./metrics";
import { MODE_NAMES } from "./schemas";
import { JobsRefused, NotReadyYet, type BatchPlan, type ModeHandler, type ModeSource } from "./types";

/** Contract errors that say the node cannot serve the scenario now, whatever the batch holds. */
const SYSTEMIC = new Set(["ExecutionNotServingNode", "EnforcedPause", "AccessControlUnauthorizedAccount"]);

export interface RunnerSettings {
  /** Retries of a batch whose transaction reverted on chain for a reason the same call no longer shows. */
  maxBatchAttempts: number;
  /** Backoff between tries of a batch (and of follow-ups). */
  retry: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">;
  /** How long a scenario is held back after a systemic refusal. */
  holdMs: number;
  /** Retries of handler calls that read the chain (isApplied, followUps). */
  rpc: RetryPolicy;
}

/**
 * Takes one open batch to its end. Before sending anything it asks the chain what became of the batch's earlier
 * transactions (after a crash, a lost answer, a stuck transaction): an applied batch is confirmed, a pending
 * transaction is waited for; only a batch that is not applied and has nothing pending is (re)sent — under the same
 * batch id, which the contracts accept once. Failures are sorted: the mode switched (the scenario's mode is read
 * again from the chain at once, and the jobs go back to the queue, to be batched in the new mode), one
 * job is bad (it fails, the others go back), the node cannot serve now (the scenario is held back), the RPC failed
 * (tried again later, nothing changes in the journal but the error).
 */
export class BatchRunner {
  /** When each batch that failed a try may be tried again (ms). */
  private readonly retryAt = new Map<string, number>();

  constructor(
    private readonly journal: Journal,
    private readonly sender: TxSender,
    private readonly handlers: ReadonlyMap<ExecutionMode, ModeHandler>,
    private readonly batcher: Batcher,
    private readonly modes: ModeSource,
    private readonly metrics: ExecutorMetrics,
    private readonly settings: RunnerSettings,
    private readonly logger: Logger,
  ) {}

  /** Whether the batch may be tried now. */
  due(batchId: string): boolean {
    return (this.retryAt.get(batchId) ?? 0) <= Date.now();
  }

  async run(batchId: string, signal: AbortSignal): Promise<void> {
    const plan = this.journal.plan(batchId);
    const handler = this.handlers.get(plan.mode);
    const log = this.logger.child({ batchId, scenarioId: plan.scenarioId.toString(), mode: MODE_NAMES[plan.mode] });
    if (!handler) {
      this.later(batchId, `No handler for ${MODE_NAMES[plan.mode]} mode is installed; the batch waits for one.`, log);
      return;
    }
    const onSigned = (tx: { hash: string; nonce: number }) => this.journal.recordBatchTx(batchId, tx);
    try {
      const txs = this.journal.batchTxs(batchId);
      if (txs.length > 0) {
        if (await this.applied(handler, plan, signal)) {
          await this.confirm(handler, plan, await this.sender.receiptOf(txs), log, signal);
          return;
        }
        const resumed = await this.sender.resume(`${MODE_NAMES[plan.mode]}-batch`, txs, { onSigned, signal });
        if (resumed) {
          await this.confirm(handler, plan, resumed, log, signal);
          return;
        }
      }
      let req;
      try {
        req = await handler.build(plan);
      } catch (error) {
        if (error instanceof NotReadyYet) {
          this.retryAt.set(batchId, error.retryAt);
          log.info({ reason: error.message, retryAt: new Date(error.retryAt).toISOString() }, "batch not ready yet");
          return;
        }
        if (isTransient(error)) throw error;
        if (!(await this.sender.settled(txs))) {
          await this.sender.retire(txs, signal);
          this.later(batchId, `${describeError(error)} (an earlier transaction may still land)`, log);
          return;
        }
        if (error instanceof JobsRefused) {
          this.journal.abandonBatch(plan.batchId, error.message, error.reasons);
          this.metrics.batches.inc({ mode: MODE_NAMES[plan.mode], outcome: "requeued" });
          log.warn(
            { refused: [...error.reasons.keys()] },
            "jobs refused at build time; the others go back to the queue",
          );
        } else {
          await this.fail(plan, `The batch could not be built: ${describeError(error)}`, log);
        }
        return;
      }
      const receipt = await this.sender.submit(req, { onSigned, signal });
      await this.confirm(handler, plan, receipt, log, signal);
    } catch (error) {
      if (signal.aborted) return;
      await this.failed(handler, plan, error, log, signal);
    }
  }

  private async applied(handler: ModeHandler, plan: BatchPlan, signal: AbortSignal): Promise<boolean> {
    return withRetry(() => handler.isApplied(plan), { method: "isApplied", policy: this.settings.rpc, signal });
  }

  private async confirm(
    handler: ModeHandler,
    plan: BatchPlan,
    receipt: TransactionReceipt | undefined,
    log: Logger,
    signal: AbortSignal,
  ): Promise<void> {
    let followUps: Awaited<ReturnType<NonNullable<ModeHandler["followUps"]>>> = [];
    if (handler.followUps && receipt) {
      followUps = await withRetry(() => handler.followUps!(plan, receipt), {
        method: "followUps",
        policy: this.settings.rpc,
        signal,
      });
    } else if (handler.followUps) {
      log.warn("batch applied but none of its journaled transactions has a receipt; its follow-ups are skipped");
    }
    this.journal.confirmBatch(
      plan.batchId,
      { txHash: receipt?.hash, blockNumber: receipt?.blockNumber, gasUsed: receipt?.gasUsed },
      followUps,
    );
    this.retryAt.delete(plan.batchId);
    this.metrics.batchConfirmed(plan.mode, plan.jobs.length, receipt?.gasUsed);
    log.info(
      {
        txHash: receipt?.hash,
        size: plan.jobs.length,
        gasUsed: receipt?.gasUsed.toString(),
        followUps: followUps.length,
      },
      "batch confirmed",
    );
  }

  private async failed(
    handler: ModeHandler,
    plan: BatchPlan,
    error: unknown,
    log: Logger,
    signal: AbortSignal,
  ): Promise<void> {
    const decoded = error instanceof EraContractError ? error : decodeContractError(error);
    const txs = this.journal.batchTxs(plan.batchId);
    try {
      if (decoded?.errorName === "ExecutionBatchUsed" && (await this.applied(handler, plan, signal))) {
        await this.confirm(handler, plan, await this.sender.receiptOf(txs), log, signal);
        return;
      }
      const ends = decoded || error instanceof GasCapError || error instanceof TransactionRevertedError;
      if (!ends) {
        this.later(plan.batchId, describeError(error), log, error);
        return;
      }
      // Nothing may be decided while an earlier transaction of the batch could still be mined.
      if (!(await this.sender.settled(txs))) {
        await this.sender.retire(txs, signal);
        this.later(plan.batchId, `${describeError(error)} (an earlier transaction may still land)`, log);
        return;
      }
      if (decoded) {
        await this.refused(plan, decoded, log, signal);
      } else if (error instanceof GasCapError) {
        this.batcher.limitSize(plan.scenarioId, plan.mode, Math.floor(plan.jobs.length / 2));
        this.requeue(plan, error.message, log);
      } else if (error instanceof TransactionRevertedError && error.hash) {
        const attempts = (this.journal.batch(plan.batchId)?.attempts ?? 0) + 1;
        if (attempts >= this.settings.maxBatchAttempts) await this.fail(plan, error.message, log);
        else this.later(plan.batchId, error.message, log);
      } else {
        await this.fail(plan, (error as Error).message, log);
      }
    } catch (inner) {
      if (signal.aborted) return;
      this.later(plan.batchId, describeError(inner), log, inner);
    }
  }

  /** The contracts refused the batch: decide who pays for it. */
  private async refused(plan: BatchPlan, decoded: EraContractError, log: Logger, signal: AbortSignal): Promise<void> {
    const what = `${decoded.message} ${decoded.hint}`;
    if (decoded.errorName === "ExecutionModeMismatch") {
      await this.rereadMode(plan, log, signal);
      this.requeue(plan, `The scenario switched mode before the batch landed: ${decoded.message}`, log);
      return;
    }
    if (SYSTEMIC.has(decoded.errorName)) {
      this.batcher.hold(plan.scenarioId, Date.now() + this.settings.holdMs, `Waiting: ${what}`);
      this.requeue(plan, what, log);
      log.error({ error: decoded.signature }, "the node cannot serve this scenario now; its jobs wait");
      return;
    }
    const index = decoded.args.index;
    if (typeof index === "bigint" && index < BigInt(plan.jobs.length)) {
      const culprit = plan.jobs[Number(index)];
      this.journal.abandonBatch(plan.batchId, `Job ${culprit.id} was refused: ${what}`, new Map([[culprit.id, what]]));
      this.metrics.batches.inc({ mode: MODE_NAMES[plan.mode], outcome: "requeued" });
      log.warn({ jobId: culprit.id, error: decoded.signature }, "one job refused; the others go back to the queue");
      return;
    }
    this.journal.failBatch(plan.batchId, what);
    this.metrics.batches.inc({ mode: MODE_NAMES[plan.mode], outcome: "failed" });
    log.warn({ error: decoded.signature }, "batch refused by the contracts");
  }

  /**
   * The hub says the scenario is in another mode than the batch's: asks the mode source to read it from the chain
   * now (not at its next poll), so that the requeued jobs are batched in the new mode by the next round. A source that
   * cannot re-read, or a read that fails, leaves it to the source's next poll.
   */
  private async rereadMode(plan: BatchPlan, log: Logger, signal: AbortSignal): Promise<void> {
    const modes = this.modes;
    if (modes.reread === undefined) return;
    try {
      const mode = await withRetry(() => modes.reread!(plan.scenarioId), {
        method: "modeOf",
        policy: this.settings.rpc,
        signal,
      });
      log.info({ now: MODE_NAMES[mode] ?? `mode ${mode}` }, "read the scenario's mode again after the mode mismatch");
    } catch (error) {
      if (signal.aborted) return;
      log.warn({ err: error }, "could not read the scenario's mode again; the mode source's next poll will tell");
    }
  }

  private requeue(plan: BatchPlan, reason: string, log: Logger): void {
    this.journal.abandonBatch(plan.batchId, `${reason} Its jobs were queued again.`);
    this.retryAt.delete(plan.batchId);
    this.metrics.batches.inc({ mode: MODE_NAMES[plan.mode], outcome: "requeued" });
    log.warn({ reason }, "batch abandoned; its jobs go back to the queue");
  }

  private async fail(plan: BatchPlan, reason: string, log: Logger): Promise<void> {
    this.journal.failBatch(plan.batchId, reason);
    this.retryAt.delete(plan.batchId);
    this.metrics.batches.inc({ mode: MODE_NAMES[plan.mode], outcome: "failed" });
    log.warn({ reason }, "batch failed");
  }

  /** Keeps the batch open and tries it again after a backoff. */
  private later(batchId: string, reason: string, log: Logger, error?: unknown): void {
    this.journal.noteBatchError(batchId, reason);
    const attempts = this.journal.batch(batchId)?.attempts ?? 1;
    const delay = backoffDelay(this.settings.retry, attempts);
    this.retryAt.set(batchId, Date.now() + delay);
    log.warn({ reason, attempts, retryInMs: delay, err: error }, "batch will be tried again");
  }
}
