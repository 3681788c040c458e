// Fails when coverage of contracts/ drops under the project's floor (issue #2): 95% of lines, 90% of branches.
const fs = require("node:fs");
const path = require("node:path");

const FLOOR = { lines: 95, branches: 90 };
const summaryPath = path.join(__dirname, "..", "coverage", "coverage-summary.json");
if (!fs.existsSync(summaryPath)) {
  console.error(`No coverage summary at ${summaryPath}: run "npx hardhat coverage" first.`);
  process.exit(1);
}
const total = JSON.parse(fs.readFileSync(summaryPath, "utf8")).total;
let failed = false;
for (const [metric, floor] of Object.entries(FLOOR)) {
  const pct = total[metric].pct;
  const ok = pct >= floor;
  console.log(`coverage ${metric}: ${pct}% (floor ${floor}%) ${ok ? "ok" : "BELOW FLOOR"}`);
  if (!ok) failed = true;
}
process.exit(failed ? 1 : 0);
