// Fails when a deployable contract is too large for the chain: runtime code over EIP-170's 24,576 bytes or init code
// over EIP-3860's 49,152 bytes. Reads Hardhat's artifacts (run `npx hardhat compile` first) and prints a table with
// the margin left under each limit. Mocks and SMTChecker harnesses (never deployed to a network) are listed apart and
// not checked.
const fs = require("node:fs");
const path = require("node:path");

const RUNTIME_LIMIT = 24_576; // EIP-170
const INIT_LIMIT = 49_152; // EIP-3860 (the init code; constructor arguments, appended at deployment, count too)
// Never deployed to a network: test doubles, the SMTChecker harnesses (npm run check:smt) and the deployless readers.
const NOT_DEPLOYED = {
  "contracts/mocks/": "test only",
  "contracts/verification/": "SMTChecker harness",
  "contracts/lens/": "eth_call init code, never deployed",
};

const root = path.join(__dirname, "..", "artifacts", "contracts");
if (!fs.existsSync(root)) {
  console.error(`No artifacts at ${root}: run "npx hardhat compile" first.`);
  process.exit(1);
}

function artifactsUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return artifactsUnder(full);
    return entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json") ? [full] : [];
  });
}

const bytes = (hex) => (hex.length - 2) / 2;
const rows = [];
for (const file of artifactsUnder(root)) {
  const artifact = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!artifact.bytecode || artifact.bytecode === "0x") continue; // interface or abstract contract
  if (artifact.abi.length === 0) continue; // library of internal functions only: inlined, never deployed
  rows.push({
    name: `${artifact.sourceName}:${artifact.contractName}`,
    runtime: bytes(artifact.deployedBytecode),
    init: bytes(artifact.bytecode),
    skip: Object.entries(NOT_DEPLOYED).find(([prefix]) => artifact.sourceName.startsWith(prefix))?.[1],
  });
}
rows.sort((a, b) => Number(Boolean(a.skip)) - Number(Boolean(b.skip)) || b.runtime - a.runtime);

const num = (n) => n.toLocaleString("en-US");
const width = Math.max(...rows.map((r) => r.name.length));
console.log(
  `${"contract".padEnd(width)}  ${"runtime".padStart(7)}  ${"margin".padStart(7)}  ${"init".padStart(7)}  ` +
    `${"margin".padStart(7)}  verdict`,
);
let failed = false;
for (const r of rows) {
  const runtimeMargin = RUNTIME_LIMIT - r.runtime;
  const initMargin = INIT_LIMIT - r.init;
  const over = runtimeMargin < 0 || initMargin < 0;
  if (over && !r.skip) failed = true;
  const verdict = r.skip ? `${r.skip}, not checked` : over ? "TOO LARGE" : "ok";
  console.log(
    `${r.name.padEnd(width)}  ${num(r.runtime).padStart(7)}  ${num(runtimeMargin).padStart(7)}  ` +
      `${num(r.init).padStart(7)}  ${num(initMargin).padStart(7)}  ${verdict}`,
  );
}
console.log(`limits: runtime ${num(RUNTIME_LIMIT)} bytes (EIP-170), init code ${num(INIT_LIMIT)} bytes (EIP-3860)`);
process.exit(failed ? 1 : 0);
