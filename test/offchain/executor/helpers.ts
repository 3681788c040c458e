import { setTimeout as sleep } from "node:timers/promises";
import { ExecutionMode } from "../../../src/sdk/economy";
import { createLogger } from "../../../src/node/logger";
import { executorConfigSchema, type ExecutorConfig } from "../../../src/executor/config";
import { hubFixture, SCENARIO, type HubFixture } from "../../execution/hub/helpers";
import { runExecutor, type ExecutorHandle } from "../../../src/executor/run";
import { http, type HttpAnswer } from "../../../bench/workload";

export const silent = createLogger("test", "silent");

/** The lightweight-class scenario of the hub fixture, switched to standard mode: node 1 (key1) serves it. */
export const STANDARD_SCENARIO = SCENARIO.lightweight;

/** `hubFixture` with scenario 3 in standard mode. */
export async function standardFixture(): Promise<HubFixture> {
  const f = await hubFixture();
  await f.scenarioRegistry.connect(f.developer).setMode(STANDARD_SCENARIO, ExecutionMode.Standard);
  return f;
}

export { http, signedActions, users, type HttpAnswer } from "../../../bench/workload";

/** A configuration for tests: fast timings, an in-memory journal, free ports, no logs. */
export function testConfig(overrides: Partial<Record<keyof ExecutorConfig, unknown>> = {}): ExecutorConfig {
  return executorConfigSchema.parse({
    rpcUrl: "http://127.0.0.1:1",
    chainId: 31337,
    executionHub: "0x0000000000000000000000000000000000000001",
    journal: ":memory:",
    httpPort: 0,
    opsPort: 0,
    maxBatchAgeMs: 50,
    pollIntervalMs: 20,
    modePollMs: 20,
    challengePollMs: 50,
    stuckAfterMs: 5_000,
    rpcRetryBaseMs: 10,
    rpcRetryMaxMs: 100,
    shutdownTimeoutMs: 5_000,
    logLevel: "silent",
    ...overrides,
  });
}

/** Waits until `check` returns a value (not undefined/false), polling; fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    }
    await sleep(everyMs);
  }
}

/** A job as `GET /jobs/:id` and the listing show it. */
export interface JobJsonView {
  id: string;
  status: string;
  mode: string | null;
  batchId: string | null;
  txHash: string | null;
  waitingReason: string | null;
  error: string | null;
}

/** Starts the executor's core (standard mode only) as node 1 of `f`, on the in-process network. */
export async function startStandardExecutor(
  f: HubFixture,
  overrides: Parameters<typeof testConfig>[0] = {},
): Promise<ExecutorHandle> {
  const { ethers } = await import("hardhat");
  return runExecutor(testConfig({ executionHub: await f.executionHub.getAddress(), ...overrides }), {
    provider: ethers.provider,
    signer: f.node1Key,
    logger: silent,
  });
}

/** Every job the executor at `apiUrl` lists (of `status`, or all), following the listing's pages. */
export async function listJobs(apiUrl: string, status?: string): Promise<JobJsonView[]> {
  const all: JobJsonView[] = [];
  const filter = status === undefined ? "" : `status=${status}&`;
  let after: number | null = 0;
  while (after !== null) {
    const page: HttpAnswer<{ jobs: JobJsonView[]; next: number | null }> = await http(
      "GET",
      `${apiUrl}/jobs?${filter}limit=1000&after=${after}`,
    );
    all.push(...page.body.jobs);
    after = page.body.next;
  }
  return all;
}
