import { expect } from "chai";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import hre from "hardhat";
import ts from "typescript";
import { Wallet } from "ethers";
import type { ActionJob } from "../../../src/executor/types";
import { postUntilAcknowledged } from "../../../bench/workload";
import { eventually, http, signedActions, users } from "./helpers";
import { standardScenario, type LocalChain } from "../../../bench/chain";

/**
 * A soak run's starting point on a fresh local chain: node 1 with a new key serving a standard-mode scenario,
 * blocks every 250 ms (so transactions sit pending a while), and `count` signed jobs over 100 users.
 */
export async function soakSetup(chain: LocalChain, label: string, count: number) {
  const nodeKey = Wallet.createRandom() as unknown as Wallet;
  const { scenarioId, hubDomain } = await standardScenario(chain, nodeKey);
  await chain.provider.send("evm_setAutomine", [false]);
  await chain.provider.send("evm_setIntervalMining", [250]);
  const jobs = await signedActions(hubDomain, scenarioId, users(100, label), count);
  return { nodeKey, scenarioId, jobs };
}

/**
 * Transpiles the TypeScript sources a child process needs (src/ and typechain-types/) to plain JavaScript under
 * cache/, once, so that restarting the child costs a Node start and not a TypeScript compile. Returns the path of
 * `entry` (e.g. `src/executor/main.ts`) in the output.
 */
export function buildForChild(entry: string): string {
  const root = hre.config.paths.root;
  const out = join(root, "cache", "child-build");
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    resolveJsonModule: true,
  };
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
    });
  for (const file of [...walk(join(root, "src")), ...walk(join(root, "typechain-types"))]) {
    const { outputText } = ts.transpileModule(ts.sys.readFile(file) ?? "", {
      compilerOptions: options,
      fileName: file,
    });
    const target = join(out, relative(root, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  return join(out, entry.replace(/\.ts$/, ".js"));
}

/** The seed from `envName`, or a fresh one; printed so a failing run can be replayed. */
export function seedFrom(envName: string): number {
  const given = process.env[envName];
  const seed = given !== undefined ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  console.log(`      seed ${seed} (replay with ${envName}=${seed})`);
  return seed;
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
 * The exactly-once check, once no job is open any more: every acknowledged job is confirmed, none failed; on chain each job's (user, nonce) is
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
  const listed = await eventually(
    "every job confirmed or failed",
    async () => {
      const all = await allJobs(apiUrl);
      return all.every((j) => j.status === "confirmed" || j.status === "failed") && all;
    },
    300_000,
    500,
  );
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
