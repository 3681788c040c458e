import { formatEra, referenceChecks, type MonthReport } from "./referenceMonth";
import type { WorkloadReport } from "./endToEnd";

/** One line of the report: what was expected, what the run got, and whether that passes. */
export interface Check {
  label: string;
  expected: string;
  got: string;
  ok: boolean;
}

/** The whole demo's report (`--json` prints it; bigints as decimal strings). */
export interface DemoReport {
  network: { rpcUrl: string; chainId: bigint };
  workDir: string;
  addresses: Record<string, string>;
  workload: WorkloadReport;
  reference: MonthReport;
  checks: Check[];
  passed: boolean;
  seconds: number;
}

/** Whether `got` satisfies `expected`: equal, or inside an "a–b" range of integers. */
export function matches(expected: string, got: string): boolean {
  if (expected === got) return true;
  const range = /^(\d+)–(\d+)$/.exec(expected);
  if (!range || !/^\d+$/.test(got)) return false;
  const v = BigInt(got);
  return v >= BigInt(range[1]) && v <= BigInt(range[2]);
}

const pct = (x: number) => `${(x * 100).toFixed(x === 1 ? 0 : 1)}%`;

/**
 * Every check of the run: the reference figures of DESIGN.md §3 (exact, from the reference month) and what the
 * workload must show (terminal settlements, verified notarizations, the fraud slashed, the mode switches followed,
 * no job failed, claims paid in full).
 */
export function demoChecks(w: WorkloadReport, reference: MonthReport): Check[] {
  const checks: Check[] = referenceChecks(reference).map(([label, expected, got]) => ({
    label: `§3 ${label}`,
    expected,
    got,
    ok: matches(expected, got),
  }));
  const add = (label: string, expected: string, got: string, ok = expected === got) =>
    checks.push({ label, expected, got, ok });
  const s = w.settlements;
  add("settlement terminal rate (settled + committed + refunded)", "100%", pct(s.terminalRate));
  add("expired settlement lock refunded", "1", String(s.refunded));
  add(
    "notarizations verified from chain data (2-of-3 quorum)",
    `${w.notarizations.submitted}`,
    `${w.notarizations.verified}`,
  );
  add("lightweight scenario modes, phase by phase", "standard → lightweight → standard", w.modeSequence.join(" → "));
  add("fraudulent batch rejected", "rejected", w.fraud.batchStatus);
  add("cheating node slashed, proven by the verifier process", "verifier", w.fraud.provenBy);
  add(
    "slash taken from the cheating node's bond",
    formatEra(w.fraud.slashed),
    formatEra(w.fraud.bondBefore - w.fraud.bondAfter),
    w.fraud.slashed > 0n && w.fraud.bondBefore - w.fraud.bondAfter === w.fraud.slashed,
  );
  add("jobs failed in the executors", "0", String(w.jobsFailed));
  const standard = w.modes.find((m) => m.mode === "standard");
  const light = w.modes.find((m) => m.mode === "lightweight");
  if (standard && light) {
    add(
      "lightweight gas per action below standard",
      `< ${standard.gasPerAction}`,
      String(light.gasPerAction),
      light.gasPerAction > 0n && light.gasPerAction < standard.gasPerAction,
    );
  }
  for (const m of w.modes) {
    add(`${m.mode}: actions applied and measured`, "> 0", String(m.actions), m.actions > 0 && m.gasPerAction > 0n);
  }
  const m = w.month;
  add("subsidies claimed = subsidy epoch budget", formatEra(m.subsidyBudget), formatEra(m.subsidiesClaimed));
  add("rewards claimed = reward epoch budget", formatEra(m.rewardBudget), formatEra(m.rewardsClaimed));
  add(
    "claim-and-delegate: reward staked with the node",
    formatEra(m.claimedAndDelegated.amount),
    formatEra(m.claimedAndDelegated.stakeAfter),
  );
  return checks;
}

/** The report as text for a terminal. */
export function formatReport(r: DemoReport): string {
  const w = r.workload;
  const lines: string[] = [];
  const row = (cells: string[], widths: number[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  lines.push(`ERA end-to-end demo — chain ${r.network.chainId} at ${r.network.rpcUrl}, ${r.seconds.toFixed(0)} s`);
  lines.push("");
  lines.push("Node processes");
  for (const x of w.processes) lines.push(`  ${x.name.padEnd(20)} ${(x.url ?? "").padEnd(24)} ${x.log}`);
  lines.push("");
  lines.push("Gas and throughput per mode (from receipts; actions/s from job arrival to confirmation)");
  const widths = [28, 8, 6, 12, 10, 9];
  lines.push(`  ${row(["mode", "actions", "txs", "gas/action", "seconds", "actions/s"], widths)}`);
  for (const m of w.modes) {
    lines.push(
      `  ${row(
        [
          m.mode,
          String(m.actions),
          String(m.transactions),
          m.gasPerAction.toLocaleString("en-US"),
          m.seconds.toFixed(1),
          m.actionsPerSecond.toFixed(1),
        ],
        widths,
      )}`,
    );
  }
  const s = w.settlements;
  lines.push("");
  lines.push(
    `Settlements: ${s.submitted} submitted, ${s.settled} settled atomically, ${s.committed} locks committed, ` +
      `${s.refunded} refunded (by ${s.refundedBy.join(", ") || "—"}), ${s.open} open: terminal rate ${pct(s.terminalRate)}`,
  );
  lines.push(
    `Notarizations: ${w.notarizations.verified} of ${w.notarizations.submitted} verified on ${w.notarizations.subjects} ` +
      `subject trails, quorum ${w.notarizations.quorum} of 3`,
  );
  lines.push(
    `Fraud: batch ${w.fraud.batchId.slice(0, 10)}… of node ${w.fraud.nodeId} (${w.fraud.kind}) ${w.fraud.batchStatus}, ` +
      `proven by the ${w.fraud.provenBy}; slashed ${formatEra(w.fraud.slashed)} (bounty ${formatEra(w.fraud.bounty)}), ` +
      `bond ${formatEra(w.fraud.bondBefore)} → ${formatEra(w.fraud.bondAfter)}`,
  );
  lines.push(`Lightweight batches finalized after the window: ${w.finalizedBatches}`);
  const m = w.month;
  lines.push("");
  lines.push("The month (closed by the indexer process)");
  lines.push(
    `  revenue paid ${formatEra(m.revenuePaid)}; claimed: ${m.revenueClaimed.map((x) => `${x.who} ${formatEra(x.amount)}`).join(", ")}`,
  );
  for (const x of m.publications) lines.push(`  ${x.kind} epoch ${x.epochId}: ${formatEra(x.budget)} (${x.file})`);
  lines.push(`  subsidies claimed ${formatEra(m.subsidiesClaimed)}, rewards claimed ${formatEra(m.rewardsClaimed)}`);
  lines.push(
    `  ${m.claimedAndDelegated.account} claimed and delegated ${formatEra(m.claimedAndDelegated.amount)} to node ${m.claimedAndDelegated.nodeId}`,
  );
  lines.push("");
  lines.push("Checks (the reference figures of DESIGN.md §3, then the run)");
  for (const c of r.checks) {
    lines.push(
      `  ${c.ok ? "✔" : "✘"} ${c.label.padEnd(58)} expected ${c.expected.padStart(16)}   got ${c.got.padStart(16)}`,
    );
  }
  lines.push("");
  lines.push(r.passed ? "All checks passed." : `${r.checks.filter((c) => !c.ok).length} check(s) failed.`);
  return lines.join("\n");
}

/** JSON text of the report (bigints as decimal strings). */
export function reportJson(r: DemoReport): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}
