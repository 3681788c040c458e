/**
 * `npm run bench`: deploys the ERA suite and the peers (EAS, Synthetix StakingRewards, Uniswap MerkleDistributor,
 * compiled in the same run from their npm packages) on Hardhat's in-process network, measures the gas of matching
 * operations, prints the table and writes bench/results.json.
 *
 *   npm run bench                  full sizes, then the end-to-end figures of bench/e2e.ts when it exists
 *   npm run bench -- --small       small sizes (seconds; what the shape test runs)
 *   npm run bench -- --skip-e2e    gas only
 *   npm run bench -- --e2e-only    measure the end-to-end figures only, into the gas results already in the file
 *   npm run bench -- --out FILE    write the results elsewhere
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { FULL_SIZES, measureGas, SMALL_SIZES, type GasResults } from "./gas";
import { compilePeers } from "./peers";
import { consoleTable, environmentOf, markdownTables, type Environment } from "./report";

export const RESULTS = path.join(__dirname, "results.json");

export interface BenchOptions {
  small: boolean;
  skipE2e: boolean;
  out: string;
  /** Keep the peers' compiler outputs here between runs (the shape test); `npm run bench` compiles every time. */
  peerCache?: string;
  /** Progress lines (default: one line on stderr, rewritten in place on a terminal). */
  progress?: (line: string) => void;
}

export interface BenchResults extends Environment, GasResults {
  generatedAt: string;
  small: boolean;
  endToEnd?: unknown;
}

type MeasureEndToEnd = (options: {
  small: boolean;
  repeats: number;
  progress: (line: string) => void;
}) => Promise<unknown>;

function progressLine(): (line: string) => void {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  return (line: string) => {
    const text = `[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`;
    if (tty) process.stderr.write(`\r\x1b[K${text}`);
    else process.stderr.write(`${text}\n`);
  };
}

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const progress = options.progress ?? progressLine();
  progress("compiling the peers from their npm packages");
  const peers = compilePeers(options.peerCache);
  const gasResults = await measureGas(peers, options.small ? SMALL_SIZES : FULL_SIZES, progress);
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    small: options.small,
    ...environmentOf(peers, options.small),
    ...gasResults,
  };
  if (!options.skipE2e) await addEndToEnd(results, progress);
  return finish(results, options.out, progress);
}

function finish(results: BenchResults, out: string, progress: (line: string) => void): BenchResults {
  progress("done");
  if (process.stderr.isTTY) process.stderr.write("\n");
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  return results;
}

/** Adds the figures of bench/e2e.ts (when that file exists) under `endToEnd`. */
async function addEndToEnd(results: BenchResults, progress: (line: string) => void): Promise<void> {
  const e2eFile = ["e2e.ts", "e2e.js"].map((f) => path.join(__dirname, f)).find((f) => fs.existsSync(f));
  if (!e2eFile) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { measureEndToEnd } = require(e2eFile) as { measureEndToEnd: MeasureEndToEnd };
  results.endToEnd = await measureEndToEnd({ small: results.small, repeats: results.small ? 1 : 3, progress });
}

/** The end-to-end figures only, merged into the results already in `out` (their gas figures are kept). */
export async function runEndToEndOnly(out: string): Promise<BenchResults> {
  const progress = progressLine();
  const read = (fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) : {}) as Partial<BenchResults>;
  if (read.machine === undefined || !Array.isArray(read.rows)) {
    throw new Error(
      `--e2e-only adds the end-to-end figures to the gas results in ${out}, which holds none: ` +
        `run \`npm run bench -- --skip-e2e --out ${out}\` first, or leave out --out to use bench/results.json.`,
    );
  }
  const results = read as BenchResults;
  await addEndToEnd(results, progress);
  return finish(results, out, progress);
}

function printHeader(r: BenchResults): void {
  const m = r.machine;
  console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}`);
  console.log(
    `versions: ${Object.entries(r.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join("; ")}`,
  );
  console.log(
    `settings: ${Object.entries(r.settings)
      .map(([k, v]) => `${k}: ${v}`)
      .join("; ")}`,
  );
  console.log("");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outAt = args.indexOf("--out");
  const options: BenchOptions = {
    small: args.includes("--small"),
    skipE2e: args.includes("--skip-e2e"),
    out: outAt >= 0 ? path.resolve(args[outAt + 1]) : RESULTS,
  };
  await hre.run("compile", { quiet: true });
  const results = args.includes("--e2e-only") ? await runEndToEndOnly(options.out) : await runBench(options);
  printHeader(results);
  console.log(consoleTable(results));
  if (args.includes("--markdown")) console.log(`\n${markdownTables(results)}`);
  if (results.endToEnd !== undefined) console.log(`\nend to end: ${JSON.stringify(results.endToEnd, null, 2)}`);
  console.log(`\nwrote ${path.relative(process.cwd(), options.out)}`);
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
