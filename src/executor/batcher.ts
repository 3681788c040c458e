import type { ExecutionMode } from "../sdk/economy";
import type { Logger } from "../node/logger";
import type { Journal } from "./journal";
import { MODE_NAMES } from "./schemas";
import { nextBatchJobs } from "./modes/common";
import type { BatchPlan, JobKind, ModeHandler, ModeSource } from "./types";

export interface BatcherSettings {
  /** Most jobs per batch (the handler's own limit applies too). */
  maxBatchSize: number;
  /** A batch smaller than the limit is formed once its oldest job has waited this long. */
  maxBatchAgeMs: number;
  /** Most open (journaled, not yet confirmed or failed) batches at once. */
  maxInFlightBatches: number;
}

/**
 * Forms batches: for each scenario with queued jobs it reads the scenario's current mode, picks that mode's
 * handler, and journals batches of the jobs the handler can take, by size and age. Jobs the mode cannot take stay
 * queued with a reason anyone can read (GET /jobs/:id) until the scenario switches to a mode that takes them.
 */
export class Batcher {
  /** Scenarios held back after a systemic refusal (the node is not serving it, a contract is paused, …). */
  private readonly held = new Map<string, { until: number; reason: string }>();
  /** Smaller batch limits learnt from batches that did not fit in one transaction. */
  private readonly sizeLimits = new Map<string, number>();

  constructor(
    private readonly journal: Journal,
    private readonly handlers: ReadonlyMap<ExecutionMode, ModeHandler>,
    private readonly modes: ModeSource,
    private readonly settings: BatcherSettings,
    private readonly logger: Logger,
  ) {}

  /** Holds a scenario's jobs back until `until` (ms), showing `reason` on them meanwhile. */
  hold(scenarioId: bigint, until: number, reason: string): void {
    this.held.set(scenarioId.toString(), { until, reason });
  }

  /** Caps batches of (scenario, mode) at `size` jobs from now on. */
  limitSize(scenarioId: bigint, mode: ExecutionMode, size: number): void {
    this.sizeLimits.set(`${scenarioId}:${mode}`, Math.max(1, size));
  }

  /**
   * Forms the batches due now; returns them (already journaled). `flush` forms batches whatever the age of their
   * jobs. The earliest time a partial batch will become due is returned too, for the caller's timer.
   */
  async form(flush = false): Promise<{ plans: BatchPlan[]; nextDueAt?: number }> {
    const plans: BatchPlan[] = [];
    let open = this.journal.openBatches().length;
    let nextDueAt: number | undefined;
    for (const scenarioId of this.journal.queuedScenarios()) {
      if (open >= this.settings.maxInFlightBatches) break;
      const hold = this.held.get(scenarioId.toString());
      if (hold && hold.until > Date.now()) {
        this.journal.markWaiting(scenarioId, [], () => hold.reason);
        continue;
      }
      this.held.delete(scenarioId.toString());
      let mode: ExecutionMode;
      try {
        mode = await this.modes.modeOf(scenarioId);
      } catch (error) {
        this.logger.warn({ scenarioId: scenarioId.toString(), err: error }, "cannot read the scenario's mode yet");
        continue;
      }
      const handler = this.handlers.get(mode);
      const kinds = handler?.kinds ?? [];
      this.journal.markWaiting(scenarioId, kinds, (kind) => this.waitingReason(scenarioId, mode, kind));
      if (!handler) continue;
      const limit = Math.min(
        this.settings.maxBatchSize,
        handler.maxBatchSize,
        this.sizeLimits.get(`${scenarioId}:${mode}`) ?? Number.MAX_SAFE_INTEGER,
      );
      while (open < this.settings.maxInFlightBatches) {
        // The oldest job's group only (a settlement lock travels alone), up to the group's size.
        const jobs = nextBatchJobs(handler, this.journal.queued(scenarioId, kinds, limit * 4), limit);
        if (jobs.length === 0) break;
        const size = handler.groupOf ? Math.min(limit, handler.groupOf(jobs[0].job).maxSize) : limit;
        const dueAt = jobs[0].createdAt + this.settings.maxBatchAgeMs;
        if (jobs.length < size && !flush && dueAt > Date.now()) {
          nextDueAt = nextDueAt === undefined ? dueAt : Math.min(nextDueAt, dueAt);
          break;
        }
        const plan = this.journal.createBatch(
          scenarioId,
          mode,
          jobs.map((j) => j.id),
        );
        this.logger.info(
          { batchId: plan.batchId, scenarioId: scenarioId.toString(), mode: MODE_NAMES[mode], size: jobs.length },
          "batch formed",
        );
        plans.push(plan);
        open++;
      }
    }
    return { plans, nextDueAt };
  }

  private waitingReason(scenarioId: bigint, mode: ExecutionMode, kind: JobKind): string {
    const takers = [...this.handlers.values()].filter((h) => h.kinds.includes(kind)).map((h) => MODE_NAMES[h.mode]);
    const wanted = takers.length > 0 ? takers.join(" or ") : "none this executor runs";
    const current = MODE_NAMES[mode] ?? `mode ${mode}`;
    const why = this.handlers.has(mode) ? `which does not take ${kind} jobs` : `which this executor has no handler for`;
    return `Scenario ${scenarioId} is in ${current} mode, ${why}; waiting for a switch to a mode that takes ${kind} jobs (${wanted}).`;
  }
}
