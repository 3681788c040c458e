import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ExecutionMode } from "../sdk/economy";
import type { SenderHooks } from "../node/sender";
import type { Journal } from "./journal";
import { JOB_STATUSES, MODE_NAMES } from "./schemas";

/** The executor's Prometheus metrics (one registry per executor, so several can run in one process). */
export class ExecutorMetrics {
  readonly registry = new Registry();
  readonly jobsAccepted: Counter<"kind">;
  readonly jobsRefused: Counter<"reason">;
  readonly batches: Counter<"mode" | "outcome">;
  readonly batchSize: Histogram<"mode">;
  readonly gasPerAction: Histogram<"mode">;
  readonly confirmationLatency: Histogram<"label">;
  readonly rpcErrors: Counter<"method" | "kind">;
  readonly feeBumps: Counter<"label">;
  readonly followUps: Counter<"kind" | "outcome">;

  constructor(journal: Journal) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "era_executor_" });
    new Gauge({
      name: "era_executor_jobs",
      help: "Jobs in the journal by state and by the mode they were batched under (none while queued).",
      labelNames: ["state", "mode"],
      registers,
      collect() {
        if (!journal.open) return;
        this.reset();
        for (const s of JOB_STATUSES) this.set({ state: s, mode: "none" }, 0);
        for (const c of journal.jobCounts()) {
          this.set({ state: c.status, mode: c.mode === undefined ? "none" : MODE_NAMES[c.mode] }, c.count);
        }
      },
    });
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name: `era_executor_${name}`, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) =>
      new Histogram<L>({ name: `era_executor_${name}`, help, labelNames, buckets, registers });
    this.jobsAccepted = counter("jobs_accepted_total", "Jobs acknowledged (journaled) by kind.", ["kind"]);
    this.jobsRefused = counter("jobs_refused_total", "Jobs refused at intake, by reason (duplicate, precheck).", [
      "reason",
    ]);
    this.batches = counter("batches_total", "Batches that ended, by mode and outcome (confirmed, failed, requeued).", [
      "mode",
      "outcome",
    ]);
    this.batchSize = histogram(
      "batch_size",
      "Jobs per confirmed batch.",
      ["mode"],
      [1, 5, 10, 25, 50, 100, 200, 400, 800, 2000],
    );
    this.gasPerAction = histogram(
      "gas_per_action",
      "Gas used by a confirmed batch divided by its jobs.",
      ["mode"],
      [1_000, 2_500, 5_000, 10_000, 20_000, 35_000, 50_000, 100_000, 250_000, 1_000_000],
    );
    this.confirmationLatency = histogram(
      "confirmation_latency_seconds",
      "From the first broadcast of a transaction to its receipt.",
      ["label"],
      [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
    );
    this.rpcErrors = counter(
      "rpc_errors_total",
      "Failed JSON-RPC requests by method and kind (transient, nonce-too-low, …).",
      ["method", "kind"],
    );
    this.feeBumps = counter("fee_bumps_total", "Stuck transactions resubmitted with higher fees.", ["label"]);
    this.followUps = counter("follow_ups_total", "Follow-ups that ended, by kind and outcome (done, failed).", [
      "kind",
      "outcome",
    ]);
  }

  /** Hooks for the transaction sender. */
  senderHooks(): SenderHooks {
    return {
      rpcError: (method, kind) => this.rpcErrors.inc({ method, kind }),
      mined: (label, _gas, latency) => this.confirmationLatency.observe({ label }, latency),
      feeBumped: (label) => this.feeBumps.inc({ label }),
    };
  }

  batchConfirmed(mode: ExecutionMode, size: number, gasUsed?: bigint): void {
    const name = MODE_NAMES[mode];
    this.batches.inc({ mode: name, outcome: "confirmed" });
    this.batchSize.observe({ mode: name }, size);
    if (gasUsed !== undefined && size > 0) this.gasPerAction.observe({ mode: name }, Number(gasUsed) / size);
  }
}
