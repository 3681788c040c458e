import { setTimeout as sleep } from "node:timers/promises";
import { Wallet, id, type TypedDataDomain } from "ethers";
import { jobToJson } from "../src/executor/schemas";
import { signAction } from "../src/sdk/execution";
import type { ActionJob, Job } from "../src/executor/types";

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

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** One JSON request to an HTTP API (bigints sent as decimal strings). */
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

/**
 * Posts `jobs` in chunks to whatever executor `apiUrl()` names at the moment, retrying each chunk (unreachable
 * executor, 503) until every job of it is acknowledged (accepted, or a duplicate of the same job: the journal holds
 * it). Any other answer throws. Returns the job ids by job index.
 */
export async function postUntilAcknowledged(
  apiUrl: () => Promise<string>,
  jobs: readonly Job[],
  options: { chunk: number; pauseMs: () => number },
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < jobs.length; start += options.chunk) {
    const chunk = jobs.slice(start, start + options.chunk).map(jobToJson);
    for (;;) {
      let answer: HttpAnswer<{ results: { outcome: string; id: string; reason?: string }[] }>;
      try {
        answer = await http("POST", `${await apiUrl()}/jobs`, chunk);
      } catch {
        await sleep(50);
        continue;
      }
      if (answer.status === 503) {
        await sleep(100);
        continue;
      }
      if (answer.status !== 200)
        throw new Error(`POST /jobs answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      for (const [i, r] of answer.body.results.entries()) {
        if (r.outcome !== "accepted" && r.outcome !== "duplicate") {
          throw new Error(`job ${start + i} not acknowledged: ${JSON.stringify(r)}`);
        }
        ids[start + i] = r.id;
      }
      break;
    }
    const pause = options.pauseMs();
    if (pause > 0) await sleep(pause);
  }
  return ids;
}
