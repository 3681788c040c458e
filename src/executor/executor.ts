import { setTimeout as sleep } from "node:timers/promises";
import type { ExecutionMode } from "../sdk/economy";
import type { Health } from "../node/ops";
import type { Logger } from "../node/logger";
import { mapLimit } from "../node/concurrency";
import { withRetry, type RetryPolicy } from "../node/rpc";
import type { TxSender } from "../node/sender";
import { Batcher, type BatcherSettings } from "./batcher";
import { FollowUpRunner } from "./followups";
import type { JobView, Journal } from "./journal";
import type { ExecutorMetrics } from "./metrics";
import { BatchRunner } from "./runner";
import { jobKey, jobToJson } from "./schemas";
import type { Job, JobStatus, ModeHandler, ModeSource } from "./types";

/**
 * Jobs of one request prechecked at once. Nonce reads of a burst go out as one call (`ActionRecordReads`); other
 * reads ride ethers' JSON-RPC batches, so a burst is one HTTP request to the node either way.
 */
const PRECHECK_CONCURRENCY = 64;

export interface ExecutorSettings extends BatcherSettings {
  /** A queued job that no mode can take fails after waiting this long. */
  queueTimeoutMs: number;
  /** Longest pause between two rounds of the loop. */
  tickMs: number;
  /** Retries of a batch whose transaction reverted for a reason the same call no longer shows. */
  maxBatchAttempts: number;
  /** Backoff between tries of a batch or follow-up. */
  retry: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">;
  /** Retries of chain reads (prechecks, isApplied). */
  rpc: RetryPolicy;
}

export interface ExecutorDeps {
  journal: Journal;
  sender: TxSender;
  handlers: readonly ModeHandler[];
  modes: ModeSource;
  metrics: ExecutorMetrics;
  logger: Logger;
  settings: ExecutorSettings;
}

/** What became of one job of a POST /jobs. */
export type AcceptResult =
  | { outcome: "accepted"; id: string }
  /** The journal holds a live job for the same work; `same`: with the same content (a retried request). */
  | { outcome: "duplicate"; id: string; status: JobStatus; same: boolean }
  | { outcome: "refused"; reason: string };

/** A check of a job against the chain could not be made (the RPC failed): nothing was journaled. */
export class PrecheckUnavailableError extends Error {
  override readonly name = "PrecheckUnavailableError";
}

/**
 * The executor's core: takes jobs (prechecked, journaled, then acknowledged), and runs the loop that forms batches
 * by each scenario's live mode, sends them, and runs their follow-ups. Work in flight is tracked so that `close`
 * can let it finish (or leave it journaled for the next start, which reconciles it with the chain).
 */
export class Executor {
  readonly handlers: ReadonlyMap<ExecutionMode, ModeHandler>;
  private readonly batcher: Batcher;
  private readonly runner: BatchRunner;
  private readonly followUps: FollowUpRunner;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private loopDone?: Promise<void>;
  private stopping = false;
  private wakeUp?: () => void;
  private unsubscribe?: () => void;
  private lastTickAt = 0;
  private lastTickError?: string;

  constructor(private readonly deps: ExecutorDeps) {
    const handlers = new Map<ExecutionMode, ModeHandler>();
    for (const h of deps.handlers) {
      if (handlers.has(h.mode)) throw new Error(`Two handlers for mode ${h.mode}: install one per mode.`);
      handlers.set(h.mode, h);
    }
    this.handlers = handlers;
    const { journal, sender, modes, metrics, logger, settings } = deps;
    this.batcher = new Batcher(journal, handlers, modes, settings, logger);
    this.runner = new BatchRunner(
      journal,
      sender,
      handlers,
      this.batcher,
      modes,
      metrics,
      { maxBatchAttempts: settings.maxBatchAttempts, retry: settings.retry, holdMs: 30_000, rpc: settings.rpc },
      logger,
    );
    this.followUps = new FollowUpRunner(journal, sender, handlers, metrics, settings.retry, logger);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Intake
  // -------------------------------------------------------------------------------------------------------------

  /**
   * Prechecks and journals jobs; each result is final once this resolves (the accepted ones are committed). A job
   * the journal already holds is reported as a duplicate before any precheck, so a client retrying a request it
   * got no answer to learns the job's id whatever happened to it since.
   */
  async accept(jobs: readonly Job[]): Promise<AcceptResult[]> {
    if (this.stopping) throw new PrecheckUnavailableError("The executor is shutting down; send the jobs again later.");
    const { journal, metrics } = this.deps;
    const results: (AcceptResult | undefined)[] = jobs.map((job) => {
      const existing = journal.findLive(jobKey(job));
      if (!existing) return undefined;
      metrics.jobsRefused.inc({ reason: "duplicate" });
      const same = existing.body === JSON.stringify(jobToJson(job));
      return { outcome: "duplicate", id: existing.id, status: existing.status, same };
    });
    const modes = new Map<string, Promise<ExecutionMode>>();
    // Prechecks that read the chain in bursts: the handlers coalesce a burst's nonce reads into one call.
    await mapLimit(jobs, PRECHECK_CONCURRENCY, async (job, i) => {
      if (results[i]) return;
      const reason = await this.precheck(job, modes);
      if (reason !== undefined) {
        metrics.jobsRefused.inc({ reason: "precheck" });
        results[i] = { outcome: "refused", reason };
      }
    });
    const fresh = jobs.map((job, i) => ({ job, key: jobKey(job), i })).filter(({ i }) => results[i] === undefined);
    const added = journal.addJobs(fresh);
    added.forEach((a, n) => {
      const { i, job } = fresh[n];
      if (a.outcome === "added") metrics.jobsAccepted.inc({ kind: job.kind });
      results[i] = a.outcome === "added" ? { outcome: "accepted", id: a.id } : a;
    });
    if (added.some((a) => a.outcome === "added")) this.wake();
    return results as AcceptResult[];
  }

  private async precheck(job: Job, modes: Map<string, Promise<ExecutionMode>>): Promise<string | undefined> {
    const key = job.scenarioId.toString();
    if (!modes.has(key)) modes.set(key, this.deps.modes.modeOf(job.scenarioId));
    let mode: ExecutionMode | undefined;
    try {
      mode = await modes.get(key);
    } catch (error) {
      throw new PrecheckUnavailableError(`Cannot read the mode of scenario ${key}: ${(error as Error).message}`);
    }
    const current = mode === undefined ? undefined : this.handlers.get(mode);
    const handler = current?.kinds.includes(job.kind)
      ? current
      : [...this.handlers.values()].find((h) => h.kinds.includes(job.kind));
    if (!handler) return `kind: no execution mode this executor runs takes ${job.kind} jobs.`;
    if (!handler.precheck) return undefined;
    try {
      return await withRetry(() => handler.precheck!(job), { method: "precheck", policy: this.deps.settings.rpc });
    } catch (error) {
      throw new PrecheckUnavailableError(
        `Cannot check the job against the chain now (${(error as Error).message}). Send it again later.`,
      );
    }
  }

  job(id: string): JobView | undefined {
    return this.deps.journal.getJob(id);
  }

  list(filter: { status?: JobStatus; scenarioId?: bigint; limit: number; after?: number }) {
    return this.deps.journal.listJobs(filter);
  }

  // -------------------------------------------------------------------------------------------------------------
  // The loop
  // -------------------------------------------------------------------------------------------------------------

  /** Starts the loop. Open batches of an earlier run are reconciled with the chain before anything is resent. */
  start(): void {
    if (this.loopDone) return;
    const open = this.deps.journal.openBatches();
    if (open.length > 0) {
      this.deps.logger.info({ batches: open.length }, "reconciling batches left open by an earlier run");
    }
    this.unsubscribe = this.deps.modes.onChange?.((change) => {
      this.deps.logger.info(
        { scenarioId: change.scenarioId.toString(), from: change.from, to: change.to, block: change.blockNumber },
        "scenario mode switched",
      );
      this.wake();
    });
    this.loopDone = this.loop();
  }

  /** Runs a round of the loop now. */
  wake(): void {
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let nextDueAt: number | undefined;
      try {
        nextDueAt = await this.tick();
        this.lastTickError = undefined;
      } catch (error) {
        this.lastTickError = (error as Error).message;
        this.deps.logger.error({ err: error }, "executor loop round failed; trying again");
      }
      this.lastTickAt = Date.now();
      if (this.stopping) break;
      const wait = Math.max(0, Math.min(this.deps.settings.tickMs, (nextDueAt ?? Infinity) - Date.now()));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  private async tick(): Promise<number | undefined> {
    const { journal, settings, logger } = this.deps;
    for (const id of journal.expireWaiting(settings.queueTimeoutMs)) {
      logger.warn({ jobId: id }, "job failed: no mode could take it in time");
    }
    const { nextDueAt } = await this.batcher.form();
    for (const batch of journal.openBatches()) {
      const key = `batch:${batch.id}`;
      if (this.inFlight.has(key) || !this.runner.due(batch.id)) continue;
      this.track(key, this.runner.run(batch.id, this.abort.signal));
    }
    for (const followUp of journal.dueFollowUps(Math.floor(Date.now() / 1000))) {
      const key = `follow-up:${followUp.id}`;
      if (this.inFlight.has(key)) continue;
      this.track(key, this.followUps.run(followUp, this.abort.signal));
    }
    return nextDueAt;
  }

  private track(key: string, work: Promise<void>): void {
    const done = work
      .catch((error: unknown) => this.deps.logger.error({ err: error, work: key }, "unexpected failure"))
      .finally(() => {
        this.inFlight.delete(key);
        this.wake();
      });
    this.inFlight.set(key, done);
  }

  /**
   * Stops the loop, gives the work in flight up to `timeoutMs` to finish, then stops waiting for the rest (which
   * stays journaled: the next start reconciles it with the chain). Does not close the journal.
   */
  async close(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wake();
    await this.loopDone;
    const pending = [...this.inFlight.values()];
    if (pending.length > 0) {
      this.deps.logger.info({ inFlight: pending.length, timeoutMs }, "waiting for work in flight");
      const finished = Promise.allSettled(pending).then(() => true);
      const timedOut = sleep(timeoutMs, false, { ref: false });
      if (!(await Promise.race([finished, timedOut]))) {
        this.deps.logger.warn("work still in flight at shutdown stays journaled for the next start");
      }
    }
    this.abort.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  health(): Health {
    const stalled = Date.now() - this.lastTickAt > Math.max(10 * this.deps.settings.tickMs, 30_000);
    const ok = !this.stopping && this.deps.journal.open && this.lastTickAt > 0 && !stalled;
    return {
      ok,
      details: {
        stopping: this.stopping,
        lastRoundAt: this.lastTickAt ? new Date(this.lastTickAt).toISOString() : null,
        lastRoundError: this.lastTickError ?? null,
        inFlight: this.inFlight.size,
        openBatches: this.deps.journal.open ? this.deps.journal.openBatches().length : null,
        modes: [...this.handlers.keys()],
      },
    };
  }
}
