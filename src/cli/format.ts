import { formatUnits } from "ethers";
import { ExecutionMode, ScenarioClass } from "../sdk/economy";

/** ERA has 18 decimals. */
export const ERA_DECIMALS = 18;

/** `1234567.5 ERA` → "1,234,567.5 ERA": every decimal kept (no rounding of money), thousands grouped. */
export function formatEra(wei: bigint): string {
  return formatToken(wei, { symbol: "ERA", decimals: ERA_DECIMALS });
}

/** An amount of a token in its own decimals, as `formatEra` writes ERA: "1,250.5 USDC". */
export function formatToken(units: bigint, unit: { symbol: string; decimals: number }): string {
  const [whole, frac] = formatUnits(units, unit.decimals).split(".");
  const negative = whole.startsWith("-");
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = frac && frac !== "0" ? `.${frac}` : "";
  return `${negative ? "-" : ""}${grouped}${fraction} ${unit.symbol}`;
}

/** Basis points as a percentage: 960 → "9.6%". */
export function formatBps(bps: bigint | number): string {
  const n = Number(bps);
  return `${(n / 100).toFixed(2).replace(/\.?0+$/, "")}%`;
}

/** A unix timestamp in seconds as an ISO date-time (UTC). */
export function formatTime(seconds: bigint | number): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

/** Seconds as "3d 4h", "5h 2m", "42s". */
export function formatDuration(seconds: bigint | number): string {
  let s = Math.max(0, Math.floor(Number(seconds)));
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3_600);
  s -= h * 3_600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

/** Names of scenario classes as the CLI takes and prints them. */
export const CLASS_NAMES: Record<ScenarioClass, string> = {
  [ScenarioClass.Financial]: "financial",
  [ScenarioClass.Enterprise]: "enterprise",
  [ScenarioClass.Lightweight]: "lightweight",
};

/** Names of execution modes as the CLI takes and prints them. */
export const MODE_NAMES: Record<ExecutionMode, string> = {
  [ExecutionMode.Standard]: "standard",
  [ExecutionMode.AtomicSettlement]: "atomic",
  [ExecutionMode.Notarized]: "notarized",
  [ExecutionMode.Lightweight]: "lightweight",
};

export function className(value: bigint | number): string {
  return CLASS_NAMES[Number(value) as ScenarioClass] ?? `class ${value}`;
}

export function modeName(value: bigint | number): string {
  return MODE_NAMES[Number(value) as ExecutionMode] ?? `mode ${value}`;
}

/** Left-aligned table rows: each column as wide as its widest cell ("none" when there are no rows). */
export function table(header: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ["none"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
