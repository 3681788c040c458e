import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Wallet, ZeroHash, id, parseEther } from "ethers";
import { executorConfigSchema, type ExecutorConfig } from "../src/executor/config";
import { runExecutor, type ExecutorHandle } from "../src/executor/run";
import { LightweightHandler } from "../src/executor/modes/lightweight";
import { SettlementHandler, settlementOf } from "../src/executor/modes/settlement";
import type { JobStatus, SettlementJob } from "../src/executor/types";
import { createLogger } from "../src/node/logger";
import { ExecutionMode, ScenarioClass, SettlementStatus } from "../src/sdk/economy";
import { domainOf, hashlockOf, randomId, signSettlement } from "../src/sdk/execution";
import { hubDomainOf, registerNode, registerScenario, startLocalChain, type LocalChain } from "./chain";
import { FAULT_EXECUTOR_SETTINGS, TEST_FAULT_RATES, prng, startFaultyProxy, type Fault } from "./faultProxy";
import { http, postUntilAcknowledged, signedActions, users } from "./workload";

/**
 * End-to-end figures of the executor (issue #5): jobs go through the real executor (`runExecutor` with the
 * lightweight and settlement handlers) over its HTTP job API, against a `hardhat node` child process with the suite
 * deployed by Ignition. Measured: actions per second in standard and lightweight mode on the same workload (and the
 * speed-up), latency from acknowledgement to confirmation of atomic settlements, and the terminal rate of
 * settlements under the seeded RPC fault injection of the executor's fault test. Timing figures are repeated and
 * their median reported.
 */

export interface E2EOptions {
  /** A workload that finishes in well under a minute (tests). */
  small: boolean;
  /** How many times each timing figure is measured (the median is reported). */
  repeats: number;
  progress: (line: string) => void;
}

/** Throughput of one mode: the same workload run `repeats` times. */
export interface ModeThroughput {
  /** Actions per run. */
  actions: number;
  /** Seconds of each run, from the first POST /jobs to the last job confirmed. */
  seconds: number[];
  /** Actions per second of each run. */
  actionsPerSecondEach: number[];
  /** Median of `actionsPerSecondEach`. */
  actionsPerSecond: number;
  /** Batches each run was applied in. */
  batches: number[];
}

export interface E2EResults {
  small: boolean;
  repeats: number;
  /** Load averages (1, 5, 15 min) before and after, and the cores: the machine may be shared. */
  machine: { cpus: number; loadBefore: number[]; loadAfter: number[] };
  throughput: { standard: ModeThroughput; lightweight: ModeThroughput };
  /** Lightweight over standard actions per second: the median of the per-run ratios, and each run's. */
  speedup: { median: number; each: number[] };
  /** Atomic settlements posted one at a time at a steady rate; acknowledged (journaled) → confirmed, in ms. */
  settlementLatency: {
    settlements: number;
    /** Median over the runs of each run's p50 and p99. */
    p50Ms: number;
    p99Ms: number;
    p50MsEach: number[];
    p99MsEach: number[];
  };
  /** Settlements through the executor while a proxy spoils its JSON-RPC requests (the fault test's rates). */
  faults: {
    seed: number;
    submitted: number;
    /** Atomic settlements settled on chain. */
    settled: number;
    /** Locks committed (with their preimage). */
    committed: number;
    /** Locks refunded at their deadline. */
    refunded: number;
    /** Jobs the executor failed (nothing of them on chain). */
    failed: number;
    /** Neither terminal on chain nor failed (must be 0). */
    open: number;
    /** The distinct reasons of the failed jobs (at most 5). */
    failures: string[];
    /** (settled + committed + refunded) / submitted. */
    terminalRate: number;
    proxy: Record<Fault, number>;
    seconds: number;
  };
  settings: {
    executor: Record<string, number>;
    faultExecutor: Record<string, number>;
    faultRates: Record<string, number>;
    handlers: Record<string, number>;
    chain: string;
    workload: Record<string, number>;
  };
}

/** What the executor runs with in the throughput and latency runs. */
const EXECUTOR_SETTINGS = {
  // The handlers' own limits apply below it: 400 standard actions, 1,024 lightweight actions, 50 settlements.
  maxBatchSize: 2_000,
  maxBatchAgeMs: 100,
  maxInFlightBatches: 4,
  pollIntervalMs: 20,
  stuckAfterMs: 10_000,
  rpcTimeoutMs: 10_000,
  rpcRetryBaseMs: 20,
  rpcRetryMaxMs: 500,
} as const;

/** A lock's deadline must be this far ahead when it is built (the handler's default is 60 s; locks here are short). */
const DEADLINE_MARGIN_SECONDS = 5;

function workloadOf(small: boolean) {
  return small
    ? {
        actions: 400,
        users: 50,
        latencySettlements: 40,
        latencyGapMs: 25,
        atomic: 30,
        locksCommitted: 8,
        locksRefunded: 4,
        lockSeconds: 20,
      }
    : {
        actions: 4_000,
        users: 200,
        latencySettlements: 200,
        latencyGapMs: 25,
        atomic: 200,
        locksCommitted: 40,
        locksRefunded: 20,
        lockSeconds: 90,
      };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The `q` quantile (0–1) by the nearest-rank method. */
const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

interface ListedJob {
  id: string;
  status: JobStatus;
  batchId: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Every job of `scenarioId` in the executor's journal, through its API. */
async function jobsOf(apiUrl: string, scenarioId: bigint): Promise<ListedJob[]> {
  const all: ListedJob[] = [];
  let after: number | null = 0;
  while (after !== null) {
    const page: { body: { jobs: ListedJob[]; next?: number | null } } = await http(
      "GET",
      `${apiUrl}/jobs?scenario=${scenarioId}&limit=1000&after=${after}`,
    );
    all.push(...page.body.jobs);
    after = page.body.next ?? null;
  }
  return all;
}

/** Waits until no job of `scenarioId` is queued, batched or submitted; returns the jobs named by `ids`. */
async function untilSettled(apiUrl: string, scenarioId: bigint, ids: readonly string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await Promise.all(
      (["queued", "batched", "submitted"] as const).map(async (status) => {
        const page = await http<{ jobs: unknown[] }>(
          "GET",
          `${apiUrl}/jobs?scenario=${scenarioId}&status=${status}&limit=1`,
        );
        return page.body.jobs.length;
      }),
    );
    if (open.every((n) => n === 0)) break;
    if (Date.now() > deadline) throw new Error(`jobs of scenario ${scenarioId} still open after ${timeoutMs} ms`);
    await sleep(20);
  }
  const wanted = new Set(ids);
  return (await jobsOf(apiUrl, scenarioId)).filter((j) => wanted.has(j.id));
}

/** Payers with ERA deposited in the settlement engine, and payees. */
async function settlementParties(chain: LocalChain, count: number) {
  const { provider, suite } = chain;
  const [deployer, treasury] = await Promise.all([0, 5].map((i) => provider.getSigner(i)));
  const payers = Array.from({ length: count }, (_, i) => new Wallet(id(`bench-payer/${i}`), provider));
  const payees = Array.from({ length: count }, (_, i) => new Wallet(id(`bench-payee/${i}`)).address);
  const deposit = parseEther("100000");
  for (const payer of payers) {
    await (await deployer.sendTransaction({ to: payer.address, value: parseEther("10") })).wait();
    await (await suite.token.connect(treasury).transfer(payer.address, deposit)).wait();
  }
  for (const payer of payers) {
    // Fresh keys: nonces given, since the provider caches eth_getTransactionCount for a moment.
    await (await suite.token.connect(payer).approve(suite.addresses.settlementEngine, deposit, { nonce: 0 })).wait();
    await (await suite.settlementEngine.connect(payer).deposit(suite.addresses.token, deposit, { nonce: 1 })).wait();
  }
  return { payers, payees };
}

type SettlementKind = "atomic" | "commit" | "refund";

/**
 * Signed one-leg settlements of 1 ERA, payer and payee round robin. The locks left to be refunded expire at
 * `lockDeadline`, the others an hour from now.
 */
async function signedSettlements(
  chain: LocalChain,
  scenarioId: bigint,
  parties: { payers: Wallet[]; payees: string[] },
  kinds: readonly SettlementKind[],
  lockDeadline?: bigint,
): Promise<SettlementJob[]> {
  const engineDomain = domainOf("ERA SettlementEngine", 31337n, chain.suite.addresses.settlementEngine);
  const token = chain.suite.addresses.token;
  const hour = (await chainTime(chain)) + 3_600n;
  const jobs: SettlementJob[] = [];
  for (const [i, kind] of kinds.entries()) {
    const payer = parties.payers[i % parties.payers.length];
    const preimage = id(`bench-preimage/${randomId()}`);
    const job: SettlementJob = {
      kind: "settlement",
      scenarioId,
      path: kind === "atomic" ? "atomic" : "lock",
      id: randomId(),
      legs: [
        { payer: payer.address, payee: parties.payees[i % parties.payees.length], token, amount: parseEther("1") },
      ],
      deadline: kind === "refund" ? (lockDeadline ?? hour) : hour,
      hashlock: kind === "atomic" ? ZeroHash : hashlockOf(preimage),
      signatures: [],
      ...(kind === "commit" ? { preimage } : {}),
    };
    job.signatures = [await signSettlement(payer, engineDomain, settlementOf(job))];
    jobs.push(job);
  }
  return jobs;
}

/** The latest block's time on `chain`, in seconds. */
async function chainTime(chain: LocalChain): Promise<bigint> {
  return BigInt((await chain.provider.getBlock("latest"))!.timestamp);
}

/**
 * Runs the end-to-end measurement (see the module comment) and returns its figures. Starts and stops its own
 * `hardhat node`; everything it started is stopped, also when it fails.
 */
export async function measureEndToEnd(options: E2EOptions): Promise<E2EResults> {
  const { small } = options;
  const t0 = Date.now();
  const progress = (line: string) => options.progress(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${line}`);
  const repeats = Math.max(1, Math.floor(options.repeats));
  const work = workloadOf(small);
  const loadBefore = loadavg().map((x) => round(x));
  const logger = createLogger("bench-executor", process.env.E2E_LOG_LEVEL ?? "silent");
  const stops: (() => Promise<void> | void)[] = [];
  try {
    progress("starting hardhat node and deploying the suite (Ignition)");
    const chain = await startLocalChain(join(__dirname, "hardhat-node.config.ts"));
    stops.push(() => chain.stop());
    const dir = mkdtempSync(join(tmpdir(), "era-bench-e2e-"));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));

    const nodeKey = new Wallet(id("bench-e2e/node-key"));
    const nodeId = await registerNode(chain, nodeKey);
    const standard = await registerScenario(chain, ScenarioClass.Lightweight, nodeId, ExecutionMode.Standard);
    const lightweight = await registerScenario(chain, ScenarioClass.Lightweight, nodeId);
    const financial = await registerScenario(chain, ScenarioClass.Financial, nodeId);
    const hubDomain = await hubDomainOf(chain);
    const parties = await settlementParties(chain, 5);

    const config = (journal: string, rpcUrl: string, settings: Record<string, number>): ExecutorConfig =>
      executorConfigSchema.parse({
        rpcUrl,
        chainId: 31337,
        deployment: chain.deployment,
        journal: join(dir, journal),
        httpPort: 0,
        opsPort: 0,
        logLevel: "silent",
        shutdownTimeoutMs: 5_000,
        ...settings,
      });
    const start = async (cfg: ExecutorConfig): Promise<ExecutorHandle> => {
      const exec = await runExecutor(cfg, {
        logger,
        env: { ERA_EXECUTOR_NODE_KEY: nodeKey.privateKey },
        handlers: (ctx) => [
          new LightweightHandler(ctx),
          new SettlementHandler({ ...ctx, deadlineMarginSeconds: DEADLINE_MARGIN_SECONDS }),
        ],
      });
      stops.push(() => exec.close());
      return exec;
    };

    // ---- throughput: the same workload in standard and in lightweight mode, runs interleaved -------------------
    const exec = await start(config("e2e.sqlite", chain.url, EXECUTOR_SETTINGS));
    const signers = users(work.users, "bench-e2e-user");
    const perUser = Math.ceil(work.actions / work.users);
    const runs: Record<"standard" | "lightweight", { seconds: number[]; batches: number[] }> = {
      standard: { seconds: [], batches: [] },
      lightweight: { seconds: [], batches: [] },
    };
    const scenarios = { standard, lightweight } as const;
    for (let r = 0; r < repeats; r++) {
      for (const mode of ["standard", "lightweight"] as const) {
        const scenarioId = scenarios[mode];
        const jobs = await signedActions(hubDomain, scenarioId, signers, work.actions, 1 + r * perUser);
        const started = Date.now();
        const ids = await postUntilAcknowledged(async () => exec.apiUrl, jobs, { chunk: 500, pauseMs: () => 0 });
        const posted = (Date.now() - started) / 1000;
        const done = await untilSettled(exec.apiUrl, scenarioId, ids, 600_000);
        const failed = done.filter((j) => j.status !== "confirmed");
        if (done.length !== jobs.length || failed.length > 0) {
          throw new Error(`${mode} run ${r + 1}: ${failed.length} job(s) not confirmed: ${failed[0]?.error}`);
        }
        const seconds = (Math.max(...done.map((j) => Date.parse(j.updatedAt))) - started) / 1000;
        runs[mode].seconds.push(round(seconds, 3));
        runs[mode].batches.push(new Set(done.map((j) => j.batchId)).size);
        progress(
          `run ${r + 1}/${repeats} ${mode}: ${jobs.length} actions in ${seconds.toFixed(2)} s ` +
            `(${Math.round(jobs.length / seconds)} actions/s, ${runs[mode].batches.at(-1)} batches; all acknowledged after ${posted.toFixed(2)} s)`,
        );
      }
    }
    const throughputOf = (mode: "standard" | "lightweight"): ModeThroughput => {
      const each = runs[mode].seconds.map((s) => round(work.actions / s));
      return {
        actions: work.actions,
        seconds: runs[mode].seconds,
        actionsPerSecondEach: each,
        actionsPerSecond: median(each),
        batches: runs[mode].batches,
      };
    };
    const throughput = { standard: throughputOf("standard"), lightweight: throughputOf("lightweight") };
    const ratios = throughput.lightweight.actionsPerSecondEach.map((l, i) =>
      round(l / throughput.standard.actionsPerSecondEach[i]),
    );

    // ---- latency of atomic settlements: one per request at a steady pace ------------------------------------------
    const p50s: number[] = [];
    const p99s: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const kinds = Array<SettlementKind>(work.latencySettlements).fill("atomic");
      const jobs = await signedSettlements(chain, financial, parties, kinds);
      const ids = await postUntilAcknowledged(async () => exec.apiUrl, jobs, {
        chunk: 1,
        pauseMs: () => work.latencyGapMs,
      });
      const done = await untilSettled(exec.apiUrl, financial, ids, 300_000);
      const failed = done.filter((j) => j.status !== "confirmed");
      if (failed.length > 0)
        throw new Error(`latency run ${r + 1}: ${failed.length} settlement(s) failed: ${failed[0].error}`);
      const latencies = done.map((j) => Date.parse(j.updatedAt) - Date.parse(j.createdAt));
      p50s.push(quantile(latencies, 0.5));
      p99s.push(quantile(latencies, 0.99));
      progress(`run ${r + 1}/${repeats} settlement latency: p50 ${p50s.at(-1)} ms, p99 ${p99s.at(-1)} ms`);
    }
    await exec.close();

    // ---- settlements under RPC faults ------------------------------------------------------------------------------
    const seed = Number(process.env.E2E_FAULT_SEED ?? 5_005);
    progress(`settlements under RPC faults (seed ${seed})`);
    const rand = prng(seed);
    // As in the fault test: blocks every 250 ms, so transactions sit pending a while.
    await chain.provider.send("evm_setAutomine", [false]);
    await chain.provider.send("evm_setIntervalMining", [250]);
    const proxy = await startFaultyProxy(chain.url, rand, TEST_FAULT_RATES);
    stops.push(() => proxy.close());
    const faultStarted = Date.now();
    const faulty = await start(config("faults.sqlite", proxy.url, FAULT_EXECUTOR_SETTINGS));
    const lockDeadline = (await chainTime(chain)) + BigInt(work.lockSeconds);
    // Locks first: those left to be refunded must be locked before their deadline.
    const kinds: SettlementKind[] = [
      ...Array<SettlementKind>(work.locksRefunded).fill("refund"),
      ...Array<SettlementKind>(work.locksCommitted).fill("commit"),
      ...Array<SettlementKind>(work.atomic).fill("atomic"),
    ];
    const faultJobs = await signedSettlements(chain, financial, parties, kinds, lockDeadline);
    const faultIds = await postUntilAcknowledged(async () => faulty.apiUrl, faultJobs, {
      chunk: 10,
      pauseMs: () => rand() * 100,
    });
    const statusOf = (s: SettlementJob) => chain.suite.settlementEngine.statusOf(s.id).then(Number);
    // Every settlement terminal on chain or failed by the executor, and the executor's work done.
    const waitUntil = Date.now() + (work.lockSeconds + 120) * 1_000;
    let statuses: number[];
    let views: ListedJob[];
    for (;;) {
      views = await untilSettled(faulty.apiUrl, financial, faultIds, 300_000);
      statuses = await Promise.all(faultJobs.map(statusOf));
      const byId = new Map(views.map((v) => [v.id, v]));
      const open = faultJobs.filter(
        (_, i) =>
          byId.get(faultIds[i])?.status !== "failed" &&
          ![SettlementStatus.Settled, SettlementStatus.Committed, SettlementStatus.Refunded].includes(statuses[i]),
      );
      if (open.length === 0 || Date.now() > waitUntil) break;
      await sleep(250);
    }
    const byId = new Map(views.map((v) => [v.id, v]));
    const count = (status: SettlementStatus) => statuses.filter((s) => s === status).length;
    const failedJobs = faultIds.filter((jobId, i) => byId.get(jobId)?.status === "failed" && statuses[i] === 0).length;
    const settled = count(SettlementStatus.Settled);
    const committed = count(SettlementStatus.Committed);
    const refunded = count(SettlementStatus.Refunded);
    const submitted = faultJobs.length;
    const faults = {
      seed,
      submitted,
      settled,
      committed,
      refunded,
      failed: failedJobs,
      open: submitted - settled - committed - refunded - failedJobs,
      failures: [...new Set(views.filter((v) => v.status === "failed").map((v) => v.error ?? "?"))].slice(0, 5),
      terminalRate: round((settled + committed + refunded) / submitted, 4),
      proxy: { ...proxy.stats },
      seconds: round((Date.now() - faultStarted) / 1000, 1),
    };
    progress(
      `faults: ${settled} settled, ${committed} committed, ${refunded} refunded, ${faults.failed} failed, ` +
        `${faults.open} open of ${submitted}; proxy ${JSON.stringify(proxy.stats)}` +
        (faults.failures.length > 0 ? `; failures: ${faults.failures.join(" | ")}` : ""),
    );

    return {
      small,
      repeats,
      machine: { cpus: cpus().length, loadBefore, loadAfter: loadavg().map((x) => round(x)) },
      throughput,
      speedup: { median: median(ratios), each: ratios },
      settlementLatency: {
        settlements: work.latencySettlements,
        p50Ms: median(p50s),
        p99Ms: median(p99s),
        p50MsEach: p50s,
        p99MsEach: p99s,
      },
      faults,
      settings: {
        executor: { ...EXECUTOR_SETTINGS },
        faultExecutor: { ...FAULT_EXECUTOR_SETTINGS },
        faultRates: { ...TEST_FAULT_RATES },
        handlers: {
          standardMaxBatch: 400,
          lightweightMaxBatch: 1_024,
          settlementMaxBatch: 50,
          deadlineMarginSeconds: DEADLINE_MARGIN_SECONDS,
        },
        chain:
          "hardhat node (child process, blocks may share a timestamp), automine; interval mining every 250 ms in the fault run",
        workload: { ...work },
      },
    };
  } finally {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch {
        // keep stopping the rest
      }
    }
  }
}

if (require.main === module) {
  const small = process.argv.includes("--small");
  const repeatsArg = process.argv.find((a) => a.startsWith("--repeats="));
  const repeats = repeatsArg ? Number(repeatsArg.slice("--repeats=".length)) : small ? 1 : 3;
  measureEndToEnd({ small, repeats, progress: (line) => process.stderr.write(`${line}\n`) })
    .then((results) => {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    });
}
