import { expect } from "chai";
import hre from "hardhat";
import { runDemo } from "../../../src/demo/hardhat";
import { Progress } from "../../../src/demo/progress";
import { reportJson } from "../../../src/demo/report";

interface ModeJson {
  mode: string;
  actions: number;
  gasPerAction: string;
  actionsPerSecond: number;
}

/**
 * The end-to-end demo (`npm run demo`) with its small workload: the chain served over JSON-RPC from this process,
 * three executor processes, a verifier process and the indexer process. Checks its JSON report.
 */
describe("end-to-end demo (npm run demo -- --small --json)", function () {
  this.timeout(600_000);

  it("runs the workload through the node processes and reproduces every figure", async function () {
    const report = JSON.parse(
      reportJson(await runDemo(hre, { size: "small", progress: new Progress(process.stderr, true) })),
    ) as {
      passed: boolean;
      checks: { label: string; expected: string; got: string; ok: boolean }[];
      workload: {
        modes: ModeJson[];
        modeSequence: string[];
        settlements: { submitted: number; refunded: number; terminalRate: number; open: number };
        notarizations: { submitted: number; verified: number; quorum: number };
        fraud: { provenBy: string; batchStatus: string; slashed: string; bondBefore: string; bondAfter: string };
        jobsFailed: number;
        month: { publications: { kind: string }[]; subsidiesClaimed: string; rewardsClaimed: string };
      };
    };
    const failed = report.checks.filter((c) => !c.ok);
    expect(failed, JSON.stringify(failed)).to.deep.equal([]);
    expect(report.passed).to.equal(true);
    // Every reference figure of DESIGN.md §3 is among the checks.
    expect(report.checks.filter((c) => c.label.startsWith("§3")).length).to.be.at.least(8);

    const w = report.workload;
    expect(w.modes.map((m) => m.mode)).to.include.members(["standard", "lightweight", "atomic settlement"]);
    for (const m of w.modes) {
      expect(m.actions, m.mode).to.be.greaterThan(0);
      expect(BigInt(m.gasPerAction), m.mode).to.be.greaterThan(0n);
      expect(m.actionsPerSecond, m.mode).to.be.greaterThan(0);
    }
    const gas = (mode: string) => BigInt(w.modes.find((m) => m.mode === mode)!.gasPerAction);
    expect(gas("lightweight")).to.be.lessThan(gas("standard"));
    expect(w.modeSequence).to.deep.equal(["standard", "lightweight", "standard"]);

    expect(w.settlements.terminalRate).to.equal(1);
    expect(w.settlements.open).to.equal(0);
    expect(w.settlements.refunded).to.equal(1);
    expect(w.notarizations.verified).to.equal(w.notarizations.submitted);
    expect(w.notarizations.quorum).to.equal(2);

    expect(w.fraud.provenBy).to.equal("verifier");
    expect(w.fraud.batchStatus).to.equal("rejected");
    expect(BigInt(w.fraud.slashed)).to.be.greaterThan(0n);
    expect(BigInt(w.fraud.bondBefore) - BigInt(w.fraud.bondAfter)).to.equal(BigInt(w.fraud.slashed));
    expect(w.jobsFailed).to.equal(0);

    expect(w.month.publications.map((p) => p.kind).sort()).to.deep.equal(["reward", "subsidy"]);
    expect(BigInt(w.month.subsidiesClaimed)).to.be.greaterThan(0n);
    expect(BigInt(w.month.rewardsClaimed)).to.be.greaterThan(0n);
  });
});
