import { expect } from "chai";
import { setTimeout as sleep } from "node:timers/promises";
import { jobToJson } from "../../../src/executor/schemas";
import type { ActionJob } from "../../../src/executor/types";
import { http } from "./helpers";
import type { LocalChain } from "./localChain";

/** A seeded PRNG (mulberry32): the same seed replays the same faults, delays and kill points. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The seed from `envName`, or a fresh one; printed so a failing run can be replayed. */
export function seedFrom(envName: string): number {
  const given = process.env[envName];
  const seed = given !== undefined ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  console.log(`      seed ${seed} (replay with ${envName}=${seed})`);
  return seed;
}

/**
 * Posts `jobs` in chunks to whatever executor `apiUrl()` names at the moment, retrying each chunk until every job of
 * it is acknowledged (accepted, or a duplicate of the same job: the journal holds it). Anything else is a failure
 * of the test. Returns the job ids by job index.
 */
export async function postUntilAcknowledged(
  apiUrl: () => Promise<string>,
  jobs: readonly ActionJob[],
  options: { chunk: number; pauseMs: () => number },
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < jobs.length; start += options.chunk) {
    const chunk = jobs.slice(start, start + options.chunk).map(jobToJson);
    for (;;) {
      let answer: Awaited<ReturnType<typeof http<{ results: { outcome: string; id: string; reason?: string }[] }>>>;
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
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      for (const [i, r] of answer.body.results.entries()) {
        expect(["accepted", "duplicate"], `job ${start + i}: ${JSON.stringify(r)}`).to.include(r.outcome);
        ids[start + i] = r.id;
      }
      break;
    }
    await sleep(options.pauseMs());
  }
  return ids;
}

interface Listed {
  id: string;
  status: string;
  batchId: string | null;
  error: string | null;
}

/** Every job of the executor's journal, through its API. */
export async function allJobs(apiUrl: string): Promise<Listed[]> {
  const all: Listed[] = [];
  let after: number | null = 0;
  while (after !== null) {
    const page: { body: { jobs: Listed[]; next: number | null } } = await http(
      "GET",
      `${apiUrl}/jobs?limit=1000&after=${after}`,
    );
    all.push(...page.body.jobs);
    after = page.body.next;
  }
  return all;
}

/**
 * The exactly-once check: every acknowledged job is confirmed, none failed; on chain each job's (user, nonce) is
 * applied, the hub's counter for the scenario equals the number of jobs, and the batches the hub applied for the
 * scenario are exactly the journal's confirmed batches (nothing applied behind the journal's back).
 */
export async function expectExactlyOnce(
  chain: LocalChain,
  apiUrl: string,
  scenarioId: bigint,
  jobs: readonly ActionJob[],
  ids: readonly string[],
): Promise<{ batches: number }> {
  const hub = chain.suite.executionHub;
  const listed = await allJobs(apiUrl);
  const byId = new Map(listed.map((j) => [j.id, j]));
  expect(new Set(ids).size, "distinct acknowledged ids").to.equal(jobs.length);
  expect(listed.length, "jobs in the journal").to.equal(jobs.length);
  const failed = listed.filter((j) => j.status !== "confirmed");
  expect(failed, "jobs not confirmed").to.deep.equal([]);
  for (const id of ids) expect(byId.get(id)?.status, id).to.equal("confirmed");

  expect(await hub.actionCount(scenarioId), "the hub's action count").to.equal(BigInt(jobs.length));
  for (let i = 0; i < jobs.length; i += 100) {
    const records = await Promise.all(jobs.slice(i, i + 100).map((j) => hub.actionRecord(scenarioId, j.user, j.nonce)));
    records.forEach(([seq], k) => expect(seq, `job ${i + k} applied`).to.not.equal(0n));
  }
  const events = await hub.queryFilter(hub.filters.BatchApplied(undefined, scenarioId), 0, "latest");
  const applied = events.map((e) => e.args.batchId).sort();
  const journaled = [...new Set(listed.map((j) => j.batchId!))].sort();
  expect(applied, "batches applied on chain = batches confirmed in the journal").to.deep.equal(journaled);
  expect(events.reduce((n, e) => n + e.args.size, 0n)).to.equal(BigInt(jobs.length));
  return { batches: applied.length };
}
