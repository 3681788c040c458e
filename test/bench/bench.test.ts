import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { expect } from "chai";
import { RESULTS, runBench, type BenchResults } from "../../bench/run";

const GROUPS = ["staking", "distribution", "lightweight", "settlement", "notarization"];

/** The results file's shape, and every figure a positive measured number. */
function checkShape(r: BenchResults): void {
  expect(r.machine.cores).to.be.greaterThan(0);
  expect(r.machine.cpu).to.be.a("string");
  for (const v of Object.values(r.versions)) expect(v).to.be.a("string").and.not.equal("");
  expect(r.settings.hardfork).to.equal("osaka");
  expect(r.rows.length).to.be.greaterThan(20);
  expect([...new Set(r.rows.map((row) => row.group))]).to.have.members(GROUPS);
  for (const row of r.rows) {
    expect(row.ours, JSON.stringify(row)).to.be.a("string").and.not.equal("");
    expect(row.peer, JSON.stringify(row)).to.be.a("string").and.not.equal("");
    for (const figure of [row.oursGas, row.peerGas]) {
      expect(Number.isSafeInteger(figure) && figure > 0, `${row.ours} / ${row.peer}: ${figure}`).to.equal(true);
    }
    expect(row.ratio).to.be.closeTo(row.oursGas / row.peerGas, 0.0001);
  }
  expect(r.targets.length).to.equal(13);
  // bench/e2e.ts's figures, when the run took them, are its own shape (test/bench/e2e.test.ts); here: an object.
  if (r.endToEnd !== undefined) expect(r.endToEnd).to.be.an("object");
  for (const t of r.targets) {
    expect(t.ratio, t.name).to.be.greaterThan(0);
    expect(t.met).to.equal(t.ratio <= t.max);
  }
}

describe("bench: npm run bench", function () {
  it("runs at the small sizes and writes a results file of the right shape, every figure measured", async function () {
    this.timeout(300_000);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "era-bench-")), "results.json");
    const snapshot = (await hre.network.provider.send("evm_snapshot", [])) as string;
    try {
      await runBench({
        small: true,
        skipE2e: true,
        out,
        peerCache: path.join(__dirname, "..", "..", "cache", "bench-peers"),
        progress: () => undefined,
      });
    } finally {
      await hre.network.provider.send("evm_revert", [snapshot]);
    }
    const written = JSON.parse(fs.readFileSync(out, "utf8")) as BenchResults;
    expect(written.small).to.equal(true);
    checkShape(written);
  });

  it("the committed bench/results.json is a full run of the same shape", function () {
    const committed = JSON.parse(fs.readFileSync(RESULTS, "utf8")) as BenchResults;
    expect(committed.small).to.equal(false);
    checkShape(committed);
  });
});
