import { expect } from "chai";
import { liveClaimable, yieldOver, YEAR_SECONDS } from "../../src/lib/yield";

const ERA = 10n ** 18n;
const MONTH_MS = ((YEAR_SECONDS * 1000n) / 12n) as bigint;

describe("live yield between two reads of the chain", () => {
  it("reproduces DESIGN.md §3: 10,000 ERA for a month earns 80 ERA at 9.6% and 100 ERA at 12%", () => {
    expect(yieldOver(10_000n * ERA, 960n, MONTH_MS)).to.equal(80n * ERA);
    expect(yieldOver(10_000n * ERA, 1_200n, MONTH_MS)).to.equal(100n * ERA);
  });

  it("earns nothing without stake or time", () => {
    expect(yieldOver(0n, 1_200n, MONTH_MS)).to.equal(0n);
    expect(yieldOver(10n * ERA, 1_200n, 0n)).to.equal(0n);
    expect(yieldOver(10n * ERA, 1_200n, -5n)).to.equal(0n);
  });

  const snapshot = {
    claimable: 5n * ERA,
    stake: 10_000n * ERA,
    aprBps: 1_200n,
    readAtMs: 1_000_000,
    secondsCovered: 3_600n,
  };

  it("adds what accrued since the read to what was read", () => {
    expect(liveClaimable(snapshot, snapshot.readAtMs)).to.equal(5n * ERA);
    // 10,000 ERA at 12%: 1,200 ERA a year, 1,200 / 31,536,000 ERA a second.
    expect(liveClaimable(snapshot, snapshot.readAtMs + 1_000)).to.equal(5n * ERA + (1_200n * ERA) / YEAR_SECONDS);
  });

  it("stops where the reserve stops paying", () => {
    const atCover = liveClaimable(snapshot, snapshot.readAtMs + 3_600_000);
    expect(liveClaimable(snapshot, snapshot.readAtMs + 7_200_000)).to.equal(atCover);
    expect(atCover).to.equal(5n * ERA + (1_200n * ERA * 3_600n) / YEAR_SECONDS);
  });

  it("never goes below the read value when the clock is behind the read", () => {
    expect(liveClaimable(snapshot, snapshot.readAtMs - 10_000)).to.equal(5n * ERA);
  });
});
