import { setTimeout as sleep } from "node:timers/promises";
import { Wallet, id, type TypedDataDomain } from "ethers";
import { ExecutionMode } from "../../../src/sdk/economy";
import { signAction } from "../../../src/sdk/execution";
import { createLogger } from "../../../src/node/logger";
import { executorConfigSchema, type ExecutorConfig } from "../../../src/executor/config";
import type { ActionJob } from "../../../src/executor/types";
import { hubFixture, SCENARIO, type HubFixture } from "../../execution/hub/helpers";
import { runExecutor, type ExecutorHandle } from "../../../src/executor/run";

export const silent = createLogger("test", "silent");

/** The lightweight-class scenario of the hub fixture, switched to standard mode: node 1 (key1) serves it. */
export const STANDARD_SCENARIO = SCENARIO.lightweight;

/** `hubFixture` with scenario 3 in standard mode. */
export async function standardFixture(): Promise<HubFixture> {
  const f = await hubFixture();
  await f.scenarioRegistry.connect(f.developer).setMode(STANDARD_SCENARIO, ExecutionMode.Standard);
  return f;
}

/** Deterministic user wallets (they only sign). */
export function users(count: number, label = "executor-user"): Wallet[] {
  return Array.from({ length: count }, (_, i) => new Wallet(id(`${label}/${i}`)));
}

/** `count` signed actions spread round robin over `signers`, nonces from `firstNonce`, payload = index + 1. */
export async function signedActions(
  domain: TypedDataDomain,
  scenarioId: bigint,
  signers: readonly Wallet[],
  count: number,
  firstNonce = 1,
): Promise<ActionJob[]> {
  const jobs: ActionJob[] = [];
  for (let i = 0; i < count; i++) {
    const user = signers[i % signers.length];
    const nonce = firstNonce + Math.floor(i / signers.length);
    const payload = BigInt(i + 1);
    const signature = await signAction(user, domain, { scenarioId, user: user.address, nonce, payload });
    jobs.push({ kind: "action", scenarioId, user: user.address, nonce, payload, signature });
  }
  return jobs;
}

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

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export async function http<T = Record<string, unknown>>(
  method: "GET" | "POST" | "PUT",
  url: string,
  body?: unknown,
  raw?: string,
): Promise<HttpAnswer<T>> {
  const res = await fetch(url, {
    method,
    headers: body !== undefined || raw !== undefined ? { "content-type": "application/json" } : undefined,
    body:
      raw ??
      (body === undefined
        ? undefined
        : JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
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
