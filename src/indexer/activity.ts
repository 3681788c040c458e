import { getAddress } from "ethers";
import type { HubCall } from "../sdk/calldata";
import type { Leg } from "../sdk/execution";
import type { RewardEntry, SubsidyEntry } from "../sdk/merkle";

/**
 * The activity indexer's rules, as pure functions: who counts as a user of a scenario, which month an action falls
 * in, and how a month's subsidy budget and reward pool are split.
 *
 * Who is a user, per execution mode (what the chain's own records say):
 * - standard and lightweight: the `user` of each action (the account that signed it). A (scenario, user, nonce)
 *   counts once, where it first took effect, however many batches carry it (a lightweight duplicate nobody proved,
 *   a standard replay of a lightweight action);
 * - atomic settlement: every payer and every payee of the settlement's legs (both take part in the transfer), once
 *   per settlement; a lock counts when it commits, in the month of the commit; a refunded lock counts nothing (no
 *   settlement happened);
 * - notarized: no one. A notarization names a subject and a result hash, not a user; the nodes that sign it are
 *   nodes, and counting them would let a node inflate a scenario's activity by notarizing at will. Notarized
 *   results are reported as the scenario's results, outside MAU and rewards.
 *
 * Lightweight actions of a batch rejected by a fraud proof count nothing; a month is published only once every
 * lightweight batch in it is decided (final or rejected).
 */

/** One counted use of a scenario by a user. `key` is what makes it unique (see the module comment). */
export interface Use {
  user: string;
  key: string;
}

/** Key of a signed action: unique per (scenario, user, nonce) in both standard and lightweight mode. */
export const actionKey = (user: string, nonce: number): string => `action:${getAddress(user)}:${nonce}`;

/** The participants of a settlement (payers and payees, each once), as uses keyed by the settlement id. */
export function settlementUses(settlementId: string, legs: readonly Leg[]): Use[] {
  const users = new Set<string>();
  for (const leg of legs) {
    users.add(getAddress(leg.payer));
    users.add(getAddress(leg.payee));
  }
  return [...users].map((user) => ({ user, key: `settlement:${settlementId.toLowerCase()}:${user}` }));
}

/**
 * The uses a hub call makes at the block it lands in. Locks return none: their uses are counted at commit (see
 * `settlementUses`). Notarizations return none.
 */
export function usesOfCall(call: HubCall): Use[] {
  switch (call.fn) {
    case "submitStandard":
    case "submitLightweight":
      return call.actions.map((a) => ({ user: getAddress(a.user), key: actionKey(a.user, a.nonce) }));
    case "submitSettlements":
      return call.settlements.flatMap((s) => settlementUses(s.id, s.legs));
    case "submitLock":
    case "submitNotarization":
    case "submitNotarizationBatch":
      return [];
  }
}

/** Monthly epochs: month `m` covers block timestamps [start + m·length, start + (m + 1)·length). */
export interface Calendar {
  /** Unix seconds at which month 0 starts. */
  start: number;
  /** Seconds per month (default 365/12 days = 2,628,000 s, as DESIGN §3). */
  length: number;
}

export const DEFAULT_MONTH_SECONDS = (365 * 86_400) / 12;

/** The month a block timestamp falls in (negative before `start`). */
export function monthOf(calendar: Calendar, timestamp: number): number {
  return Math.floor((timestamp - calendar.start) / calendar.length);
}

/** First second of month `m` and first second after it. */
export function monthBounds(calendar: Calendar, month: number): { start: number; end: number } {
  const start = calendar.start + month * calendar.length;
  return { start, end: start + calendar.length };
}

/** A month's counted activity: per scenario, each user's number of counted uses. */
export type MonthActivity = Map<bigint, Map<string, number>>;

/** Monthly active users per scenario: the distinct users with at least one counted use. */
export function mauOf(activity: MonthActivity): Map<bigint, bigint> {
  const mau = new Map<bigint, bigint>();
  for (const [scenario, users] of activity) mau.set(scenario, BigInt(users.size));
  return mau;
}

/** Each user's counted uses over every scenario of the month. */
export function actionsPerUser(activity: MonthActivity): Map<string, bigint> {
  const total = new Map<string, bigint>();
  for (const users of activity.values()) {
    for (const [user, n] of users) total.set(user, (total.get(user) ?? 0n) + BigInt(n));
  }
  return total;
}

/**
 * Splits `total` pro rata to `weights`, rounding every share down: shares never add up to more than `total`, and
 * the remainder (`dust`, less than the number of weights) is not paid out; it stays in the budget or pool it came
 * from. Zero weights get zero.
 */
export function splitProRata<K>(
  total: bigint,
  weights: ReadonlyMap<K, bigint>,
): { shares: Map<K, bigint>; dust: bigint } {
  let sum = 0n;
  for (const w of weights.values()) {
    if (w < 0n) throw new RangeError("Weights must not be negative.");
    sum += w;
  }
  const shares = new Map<K, bigint>();
  let paid = 0n;
  for (const [k, w] of weights) {
    const share = sum === 0n ? 0n : (total * w) / sum;
    shares.set(k, share);
    paid += share;
  }
  return { shares, dust: total - paid };
}

/**
 * Subsidy rule: the month's base budget is split among scenarios pro rata to their MAU (rounded down, dust stays in
 * the pool); each leaf carries the scenario's exact MAU so the distributor adds the +10% bonus on chain when
 * MAU > 100,000 (the epoch's budget is the sum of payouts, bonus included: at most 1.1 × the base budget). The leaf
 * pays the scenario's owner. Scenarios whose base share rounds to zero get no leaf (the contract refuses zero
 * claims). Leaves are ordered by scenario id.
 */
export function subsidyEntries(
  mau: ReadonlyMap<bigint, bigint>,
  owners: ReadonlyMap<bigint, string>,
  baseBudget: bigint,
): { entries: SubsidyEntry[]; dust: bigint } {
  const { shares, dust } = splitProRata(baseBudget, mau);
  const entries: SubsidyEntry[] = [];
  for (const scenarioId of [...shares.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const baseAmount = shares.get(scenarioId) ?? 0n;
    if (baseAmount === 0n) continue;
    const owner = owners.get(scenarioId);
    if (owner === undefined) throw new Error(`No owner known for scenario ${scenarioId}.`);
    entries.push({ account: getAddress(owner), scenarioId, baseAmount, mau: mau.get(scenarioId) ?? 0n });
  }
  return { entries, dust };
}

/**
 * Reward rule: the month's reward pool is split among users pro rata to their counted uses over all scenarios
 * (rounded down, dust stays in the pool); users whose share rounds to zero get no leaf. Leaves are ordered by
 * address.
 */
export function rewardEntries(
  perUser: ReadonlyMap<string, bigint>,
  pool: bigint,
): { entries: RewardEntry[]; dust: bigint } {
  const { shares, dust } = splitProRata(pool, perUser);
  const entries = [...shares.entries()]
    .filter(([, amount]) => amount > 0n)
    .map(([account, amount]) => ({ account: getAddress(account), amount }))
    .sort((a, b) => (BigInt(a.account) < BigInt(b.account) ? -1 : 1));
  return { entries, dust };
}
