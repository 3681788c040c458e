import type { ExecutionMode } from "../sdk/economy";
import { EraContractError, decodeContractError, describeError } from "../sdk/errors";
import type { Logger } from "../node/logger";
import { backoffDelay, type RetryPolicy } from "../node/rpc";
import type { TxSender } from "../node/sender";
import type { FollowUpRow, Journal } from "./journal";
import type { ExecutorMetrics } from "./metrics";
import { MODE_NAMES } from "./schemas";
import type { ModeHandler } from "./types";

/**
 * Runs the follow-ups confirmed batches owe (a lock's commit, its refund after the deadline, …) once they are due.
 * The handler decides each time whether the follow-up is still needed, so running one twice after a crash sends
 * nothing twice; a transaction of an earlier try that is still pending is waited for first.
 */
export class FollowUpRunner {
  constructor(
    private readonly journal: Journal,
    private readonly sender: TxSender,
    private readonly handlers: ReadonlyMap<ExecutionMode, ModeHandler>,
    private readonly metrics: ExecutorMetrics,
    private readonly retry: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
    private readonly logger: Logger,
  ) {}

  async run(followUp: FollowUpRow, signal: AbortSignal): Promise<void> {
    const plan = this.journal.plan(followUp.batchId);
    const handler = this.handlers.get(plan.mode);
    const log = this.logger.child({ followUpId: followUp.id, kind: followUp.kind, batchId: followUp.batchId });
    if (!handler?.runFollowUp) {
      this.end(followUp, "failed", `No handler of ${MODE_NAMES[plan.mode]} mode runs follow-ups here.`, log);
      return;
    }
    const label = `follow-up-${followUp.kind}`;
    const onSigned = (tx: { hash: string; nonce: number }) => this.journal.recordFollowUpTx(followUp.id, tx);
    try {
      const earlier = this.journal.followUpTxs(followUp.id);
      const resumed = earlier.length > 0 ? await this.sender.resume(label, earlier, { onSigned, signal }) : undefined;
      if (resumed) {
        this.end(followUp, "done", resumed.hash, log);
        return;
      }
      const req = await handler.runFollowUp(plan, followUp);
      if (!req) {
        this.end(followUp, "done", undefined, log);
        return;
      }
      const receipt = await this.sender.submit(req, { onSigned, signal });
      this.end(followUp, "done", receipt.hash, log);
    } catch (error) {
      if (signal.aborted) return;
      const decoded = error instanceof EraContractError ? error : decodeContractError(error);
      if (decoded) {
        this.end(followUp, "failed", `${decoded.message} ${decoded.hint}`, log);
        return;
      }
      const delay = backoffDelay(this.retry, followUp.attempts + 1);
      this.journal.deferFollowUp(followUp.id, describeError(error), Math.ceil((Date.now() + delay) / 1000));
      log.warn({ err: error, retryInMs: delay }, "follow-up will be tried again");
    }
  }

  private end(followUp: FollowUpRow, outcome: "done" | "failed", detail: string | undefined, log: Logger): void {
    if (outcome === "done") this.journal.completeFollowUp(followUp.id, detail);
    else this.journal.failFollowUp(followUp.id, detail ?? "failed");
    this.metrics.followUps.inc({ kind: followUp.kind, outcome });
    if (outcome === "done") log.info({ txHash: detail }, "follow-up done");
    else log.error({ reason: detail }, "follow-up failed");
  }
}
