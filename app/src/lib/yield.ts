/**
 * Live yield between two reads of the chain. The contract accrues `stake × aprBps / 10,000` per 365-day year, every
 * second, while the reserve covers it; the page reads the exact claimable amount now and then and extrapolates in
 * between, never past the time the reserve still covers.
 */

export const YEAR_SECONDS = 365n * 24n * 60n * 60n;
const BPS = 10_000n;

/** Yield `stake` earns at `aprBps` over `elapsedMs` milliseconds (rounded down, like the contract). */
export function yieldOver(stake: bigint, aprBps: bigint, elapsedMs: bigint): bigint {
  if (elapsedMs <= 0n || stake <= 0n) return 0n;
  return (stake * aprBps * elapsedMs) / (BPS * YEAR_SECONDS * 1000n);
}

export interface AccrualSnapshot {
  /** Claimable yield read from the chain. */
  claimable: bigint;
  /** Active stake earning it. */
  stake: bigint;
  aprBps: bigint;
  /** Wall-clock milliseconds when it was read. */
  readAtMs: number;
  /** Seconds the staking reserve covered at that moment (accrual stops after). */
  secondsCovered: bigint;
}

/** Claimable yield at wall-clock `nowMs`, extrapolated from a snapshot. */
export function liveClaimable(snapshot: AccrualSnapshot, nowMs: number): bigint {
  const elapsed = BigInt(Math.max(0, Math.floor(nowMs - snapshot.readAtMs)));
  const coveredMs = snapshot.secondsCovered * 1000n;
  return snapshot.claimable + yieldOver(snapshot.stake, snapshot.aprBps, elapsed < coveredMs ? elapsed : coveredMs);
}
