import { expect } from "chai";
import { measureEndToEnd, type E2EResults } from "../../bench/e2e";

/** Every number in `value`, with its path. */
function numbersOf(value: unknown, path = ""): [string, number][] {
  if (typeof value === "number") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbersOf(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => numbersOf(v, path ? `${path}.${k}` : k));
  }
  return [];
}

describe("bench/e2e: end-to-end figures through the executor and a hardhat node (small)", function () {
  this.timeout(600_000);

  it("measures every figure, and the settlement counts under faults add up", async function () {
    const lines: string[] = [];
    const r: E2EResults = await measureEndToEnd({ small: true, repeats: 1, progress: (l) => lines.push(l) });
    console.log(lines.map((l) => `      ${l}`).join("\n"));
    expect(lines.length, "progress reported").to.be.greaterThan(3);

    for (const mode of ["standard", "lightweight"] as const) {
      const t = r.throughput[mode];
      expect(t.seconds, mode).to.have.length(1);
      expect(t.actionsPerSecondEach, mode).to.have.length(1);
      expect(t.actions, mode).to.be.greaterThan(0);
      expect(t.actionsPerSecond, mode).to.equal(t.actionsPerSecondEach[0]);
      expect(t.batches[0], mode).to.be.greaterThan(0);
    }
    expect(r.speedup.each).to.have.length(1);
    expect(r.settlementLatency.p99Ms).to.be.at.least(r.settlementLatency.p50Ms);

    const f = r.faults;
    expect(f.submitted).to.be.greaterThan(0);
    expect(f.settled + f.committed + f.refunded + f.failed + f.open, "counts add up").to.equal(f.submitted);
    expect(f.terminalRate).to.equal(Number(((f.settled + f.committed + f.refunded) / f.submitted).toFixed(4)));
    expect(f.proxy.refused + f.proxy.errored + f.proxy.lost + f.proxy.delayed, "faults injected").to.be.greaterThan(0);

    // Every figure measured: finite, and positive where it is a quantity of work, time or speed.
    const numbers = numbersOf(r);
    for (const [path, n] of numbers) expect(Number.isFinite(n), path).to.equal(true);
    const mayBeZero = /^(faults\.(failed|open|settled|committed|refunded)|faults\.proxy\.|machine\.load)/;
    for (const [path, n] of numbers.filter(([p]) => !mayBeZero.test(p))) {
      expect(n, path).to.be.greaterThan(0);
    }
    expect(JSON.parse(JSON.stringify(r)), "JSON as it is").to.deep.equal(r);
  });
});
