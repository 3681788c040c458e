// SMTChecker over the fixed-point and split math (issue #7): compiles the harnesses of contracts/verification/ with
// solc-js's model checker (CHC engine, then BMC for what CHC leaves open) and Debian's z3 as the solver through the `smtSolver` callback, prints each
// verification target's verdict, and fails when the checker finds a counterexample (a target that "happens").
// Targets the solver cannot decide in time stay "unknown" and do not fail the run; docs/smtchecker.md says which.
//
//   npm run check:smt                      # check; exit 1 on a counterexample or a copied line that changed
//   npm run check:smt -- --record          # the same, and rewrite docs/smtchecker.md with the verdicts
//
// Bounded for CI: SMT_QUERY_TIMEOUT seconds per solver query (default 5), SMT_HARNESS_BUDGET seconds of CHC queries
// per harness (default 15) and SMT_BUDGET seconds in all (default 300); queries past a budget are answered "unknown"
// without running the solver.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const solc = require("solc");

const ROOT = path.join(__dirname, "..");
const Z3 = process.env.SMT_Z3 ?? "/usr/bin/z3";
const QUERY_TIMEOUT = Number(process.env.SMT_QUERY_TIMEOUT ?? 5);
const HARNESS_BUDGET = Number(process.env.SMT_HARNESS_BUDGET ?? 15);
const BUDGET = Number(process.env.SMT_BUDGET ?? 300);
const RECORD = process.argv.includes("--record");
const REPORT = path.join(ROOT, "docs", "smtchecker.md");

// Each harness and the production lines it copies (the check fails if one of them is no longer in its file, so a
// change of the math there cannot leave a stale proof behind).
const ROUTER = "contracts/revenue/RevenueRouter.sol";
const ROUTER_SPLIT = [
  "node = amount.mulBpsDown(s.nodeBps);",
  "pool = amount.mulBpsDown(s.userPoolBps);",
  "developer = amount.mulBpsDown(BasisPoints.BPS - s.nodeBps - s.userPoolBps - s.protocolBps);",
  "protocol = amount - node - pool - developer;",
];
const STAKING = "contracts/staking/DelegatedStaking.sol";
const V = "contracts/verification";
const HARNESSES = [
  { file: `${V}/BasisPointsCheck.sol`, copies: {} },
  { file: `${V}/BasisPointsPartsCheck.sol`, copies: {} },
  ...[
    ["Financial", "3_000"],
    ["Enterprise", "2_800"],
    ["Lightweight", "2_609"],
  ].map(([name, nodeBps]) => ({
    file: `${V}/Revenue${name}SplitCheck.sol`,
    copies: {
      [ROUTER]: ROUTER_SPLIT,
      "deploy/modules/EconomyCore.ts": [`${name.toLowerCase()}Shares: [${nodeBps}, 1_000, 500]`],
    },
  })),
  {
    file: `${V}/SubsidyBonusCheck.sol`,
    copies: {
      "contracts/distribution/EpochDistributor.sol": [
        "if (mau > MAU_BONUS_THRESHOLD) return baseAmount + (baseAmount * MAU_BONUS_BPS) / 10_000;",
        "MAU_BONUS_THRESHOLD = 100_000;",
        "MAU_BONUS_BPS = 1_000;",
      ],
    },
  },
  {
    file: `${V}/StakingAprCheck.sol`,
    copies: { [STAKING]: ["return MIN_APR_BPS + ((MAX_APR_BPS - MIN_APR_BPS) * scoreBps) / MAX_SCORE_BPS;"] },
  },
  {
    file: `${V}/StakingSharesCheck.sol`,
    copies: {
      [STAKING]: [
        "minted = (amount * shares) / stake;",
        "Math.mulDiv(amount, shares, stake, Math.Rounding.Ceil);",
        "amountUnbonding = shares == 0 ? 0 : (sharesBurned * stake) / shares;",
      ],
    },
  },
  {
    file: `${V}/StakingUnbondingCheck.sol`,
    copies: {
      [STAKING]: [
        "uint256 value = (entry.shares * uStake) / uShares;",
        "fromActive = (amount * active) / total;",
        "fromUnbonding = (amount * unbonding) / total;",
      ],
    },
  },
  {
    file: `${V}/StakingYieldCheck.sol`,
    copies: {
      [STAKING]: [
        "acc += stake == shares ? apr * elapsed : (stake * apr * elapsed) / shares;",
        "earned = (positionShares * (acc - snapshot)) / YIELD_DENOMINATOR;",
        "YIELD_DENOMINATOR = BPS * YEAR * WAD;",
      ],
    },
  },
  {
    file: `${V}/StakingChargeCheck.sol`,
    copies: {
      [STAKING]: [
        "required = Math.ceilDiv(rate * elapsed, YIELD_DENOMINATOR);",
        "if (required <= reserve) return (required, required, elapsed);",
        "funded = (reserve * YIELD_DENOMINATOR) / rate;",
        "charged = Math.ceilDiv(rate * funded, YIELD_DENOMINATOR);",
      ],
    },
  },
];

function checkCopies() {
  const stale = [];
  for (const { file, copies } of HARNESSES) {
    for (const [source, lines] of Object.entries(copies)) {
      const text = fs.readFileSync(path.join(ROOT, source), "utf8");
      for (const line of lines) if (!text.includes(line)) stale.push(`${file} copies from ${source}: ${line}`);
    }
  }
  return stale;
}

function findImport(importPath) {
  for (const base of [ROOT, path.join(ROOT, "node_modules")]) {
    const full = path.join(base, importPath);
    if (fs.existsSync(full)) return { contents: fs.readFileSync(full, "utf8") };
  }
  return { error: `not found: ${importPath}` };
}

const started = Date.now();
let harnessStarted = started;
const solverStats = { queries: 0, sat: 0, unsat: 0, unknown: 0, skipped: 0 };
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "smt-"));

// The `smtSolver` callback: runs z3 on one SMT-LIB2 query (a CHC system) with the per-query limit. A timeout or any
// other failure answers "unknown", which the checker reports as an unproven target.
function runZ3(query) {
  solverStats.queries++;
  const now = Date.now();
  // The per-harness budget bounds CHC's queries (Horn systems) so that BMC's, which come after, still run.
  const chc = query.includes("(set-logic HORN)");
  if ((now - started) / 1000 > BUDGET || (chc && (now - harnessStarted) / 1000 > HARNESS_BUDGET)) {
    solverStats.skipped++;
    return { contents: "unknown\n" };
  }
  const file = path.join(tmpDir, `q${solverStats.queries}.smt2`);
  fs.writeFileSync(file, query);
  let out;
  try {
    // The options are those of solc-js's smtsolver.js (what the checker's CHC encoding is tuned for).
    out = execFileSync(
      Z3,
      [
        "-smt2",
        `-T:${QUERY_TIMEOUT}`,
        "rewriter.pull_cheap_ite=true",
        "fp.spacer.q3.use_qgen=true",
        "fp.spacer.mbqi=false",
        "fp.spacer.ground_pobs=false",
        file,
      ],
      { encoding: "utf8", timeout: (QUERY_TIMEOUT + 5) * 1000, maxBuffer: 1 << 30 },
    );
  } catch (e) {
    out = e.stdout ? e.stdout.toString() : "";
  }
  fs.rmSync(file, { force: true });
  const first = out.split("\n")[0].trim();
  if (first === "sat" || first === "unsat") {
    solverStats[first]++;
    return { contents: out };
  }
  solverStats.unknown++;
  return { contents: "unknown\n" };
}

function check(file) {
  harnessStarted = Date.now();
  const name = path.basename(file, ".sol");
  const input = {
    language: "Solidity",
    sources: { [file]: { content: fs.readFileSync(path.join(ROOT, file), "utf8") } },
    settings: {
      evmVersion: "cancun",
      outputSelection: {},
      modelChecker: {
        // CHC first; BMC then takes the targets CHC left open. The harnesses are loop-free pure functions, so BMC
        // explores every execution of them: its "safe" is a proof, as CHC's is.
        engine: "all",
        contracts: { [file]: [name] },
        targets: ["assert", "overflow", "underflow", "divByZero"],
        solvers: ["smtlib2"],
        showProvedSafe: true,
        showUnproved: true,
        showUnsupported: true,
      },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport, smtSolver: runZ3 }));
  const targets = new Map();
  const notes = [];
  for (const e of output.errors ?? []) {
    if (e.severity === "error") throw new Error(e.formattedMessage);
    const loc = e.sourceLocation;
    // Source locations are byte offsets.
    const bytes = fs.readFileSync(path.join(ROOT, loc.file));
    const line = bytes.subarray(0, loc.start).toString("utf8").split("\n").length;
    const snippet = bytes.subarray(loc.start, loc.end).toString("utf8").replace(/\s+/g, " ").slice(0, 90);
    const kind = (e.message.match(/^(?:CHC|BMC): (.*?) (check is safe|might happen|happens)/) ?? [])[1];
    if (!kind) {
      // "Error trying to invoke SMT solver" (the solver gave up; the target is reported unproven too) and the like.
      if (!/Error trying to invoke SMT solver/.test(e.message)) notes.push(`${loc.file}:${line}: ${e.message}`);
      continue;
    }
    const verdict = /is safe/.test(e.message)
      ? "proved"
      : /happens here/.test(e.message)
        ? "COUNTEREXAMPLE"
        : "unknown";
    const key = `${loc.file}:${line}:${loc.start}:${kind}`;
    targets.set(key, {
      where: `${path.basename(loc.file)}:${line}`,
      kind,
      snippet,
      verdict,
      detail: e.formattedMessage,
    });
  }
  return { name, targets: [...targets.values()], notes };
}

if (!fs.existsSync(Z3)) {
  console.error(`No z3 at ${Z3}: install Debian's z3 (apt-get install z3) or set SMT_Z3 to the binary.`);
  process.exit(1);
}
const z3Version = execFileSync(Z3, ["--version"], { encoding: "utf8" }).trim();
const stale = checkCopies();
const only = process.env.SMT_ONLY; // e.g. SMT_ONLY=Staking: only the harnesses whose path contains it
const results = HARNESSES.filter(({ file }) => !only || file.includes(only)).map(({ file }) => check(file));
fs.rmSync(tmpDir, { recursive: true, force: true });
const seconds = Math.round((Date.now() - started) / 1000);

const all = results.flatMap((r) => r.targets.map((t) => ({ contract: r.name, ...t })));
const count = (v) => all.filter((t) => t.verdict === v).length;
for (const r of results) {
  console.log(`\n${r.name}`);
  for (const t of r.targets) console.log(`  ${t.verdict.padEnd(14)} ${t.kind.padEnd(12)} ${t.where}  ${t.snippet}`);
  for (const n of r.notes) console.log(`  note: ${n}`);
}
console.log(
  `\n${all.length} targets: ${count("proved")} proved, ${count("unknown")} unknown, ` +
    `${count("COUNTEREXAMPLE")} counterexamples; ${solverStats.queries} solver queries ` +
    `(${solverStats.unknown} timed out, ${solverStats.skipped} past the budget) in ${seconds} s with ${z3Version}`,
);
for (const s of stale) console.error(`STALE COPY: ${s}`);
for (const t of all.filter((x) => x.verdict === "COUNTEREXAMPLE")) console.error(`\n${t.detail}`);

if (RECORD) {
  const rows = all.map((t) => `| ${t.contract} | \`${t.where}\` | ${t.kind} | \`${t.snippet}\` | ${t.verdict} |`);
  const recorded = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, "utf8") : "";
  const marker = "<!-- smt-check results -->";
  const head = recorded.includes(marker) ? recorded.slice(0, recorded.indexOf(marker)) : "# SMTChecker results\n\n";
  const body = [
    marker,
    "",
    `Run of ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC: solc ${solc.version()}, CHC then BMC, ` +
      `${z3Version} through the \`smtSolver\` callback, ${QUERY_TIMEOUT} s per query, ${HARNESS_BUDGET} s of CHC per harness, ${seconds} s in all ` +
      `(${solverStats.queries} queries, ${solverStats.unknown} timed out, ${solverStats.skipped} past the budget).`,
    "",
    `**${count("proved")} proved, ${count("unknown")} unknown, ${count("COUNTEREXAMPLE")} counterexamples** ` +
      `of ${all.length} targets.`,
    "",
    "| harness | where | target | expression | verdict |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
  fs.writeFileSync(REPORT, head + body);
  // Formatted as `npm run lint:format` expects.
  execFileSync(path.join(ROOT, "node_modules", ".bin", "prettier"), ["--write", REPORT], { stdio: "ignore" });
  console.log(`recorded in ${path.relative(ROOT, REPORT)}`);
}
process.exit(count("COUNTEREXAMPLE") > 0 || stale.length > 0 ? 1 : 0);
