/**
 * The end-to-end demo (`npm run demo`): deploys the suite to Hardhat's in-process network, serves it over JSON-RPC,
 * and runs a workload through three executor processes and a verifier process, closes the month with the indexer
 * process and has everyone claim; then reproduces the reference figures of DESIGN.md §3. Prints the report (stdout)
 * and progress (stderr); exits 1 if any check fails.
 *
 *   npm run demo                      # the full workload (a few minutes)
 *   npm run demo -- --small           # a small workload (under a minute of work)
 *   npm run demo -- --json            # the report as JSON on stdout
 *   npm run demo -- --dir ./demo-run  # keep the processes' configuration, logs, state and proof files there
 */
import hre from "hardhat";
import { runDemo } from "../src/demo/hardhat";
import { Progress } from "../src/demo/progress";
import { formatReport, reportJson } from "../src/demo/report";

const USAGE = "Usage: npm run demo -- [--small] [--json] [--dir <folder>]";

async function main(argv: string[]): Promise<void> {
  const known = new Set(["--small", "--json", "--dir", "--help"]);
  const unknown = argv.find((a, i) => a.startsWith("--") && !known.has(a) && argv[i - 1] !== "--dir");
  if (unknown !== undefined || (argv.includes("--dir") && argv[argv.indexOf("--dir") + 1] === undefined)) {
    process.stderr.write(`${unknown ? `Unknown option ${unknown}. ` : "--dir needs a folder. "}${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (argv.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const json = argv.includes("--json");
  const report = await runDemo(hre, {
    size: argv.includes("--small") ? "small" : "full",
    workDir: argv.includes("--dir") ? argv[argv.indexOf("--dir") + 1] : undefined,
    progress: new Progress(),
  });
  process.stdout.write(`${json ? reportJson(report) : formatReport(report)}\n`);
  if (!report.passed) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}${cause}\n`);
  process.exitCode = 1;
});
