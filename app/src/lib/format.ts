/**
 * Formatting and parsing of what the staking page shows and reads: ERA amounts (18 decimals, as bigint wei), APR
 * and score basis points, countdowns and addresses. Pure functions, no DOM: unit-tested under Node.
 */

export const ERA_DECIMALS = 18;
const WEI_PER_ERA = 10n ** BigInt(ERA_DECIMALS);

export interface EraFormat {
  /** Most fraction digits shown (the rest is cut, never rounded up: a balance is never shown larger than it is). */
  maxDecimals?: number;
  /** Fraction digits always shown (zero-padded), e.g. 4 for a yield that ticks. */
  minDecimals?: number;
  /** Append " ERA" (default true). */
  unit?: boolean;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * `12345678900000000000000n` → `"12,345.6789 ERA"`. Cuts (rounds toward zero) to `maxDecimals`; a non-zero amount
 * that would show as zero is shown as `"< 0.0001 ERA"`.
 */
export function formatEra(wei: bigint, options: EraFormat = {}): string {
  const maxDecimals = Math.min(options.maxDecimals ?? 4, ERA_DECIMALS);
  const minDecimals = Math.min(options.minDecimals ?? 0, maxDecimals);
  const unit = options.unit === false ? "" : " ERA";
  const negative = wei < 0n;
  const abs = negative ? -wei : wei;
  const whole = abs / WEI_PER_ERA;
  let fraction = (abs % WEI_PER_ERA).toString().padStart(ERA_DECIMALS, "0").slice(0, maxDecimals);
  fraction = fraction.replace(/0+$/, "").padEnd(minDecimals, "0");
  if (abs !== 0n && whole === 0n && /^0*$/.test(fraction)) {
    const smallest = maxDecimals === 0 ? "1" : `0.${"0".repeat(maxDecimals - 1)}1`;
    return `${negative ? "> -" : "< "}${smallest}${unit}`;
  }
  const sign = negative ? "-" : "";
  return `${sign}${groupThousands(whole.toString())}${fraction ? `.${fraction}` : ""}${unit}`;
}

export type ParsedAmount = { ok: true; wei: bigint } | { ok: false; error: string };

/**
 * Reads an amount of ERA typed by a person: digits with at most one decimal point and at most 18 decimals, e.g.
 * `"1000"`, `"0.5"`, `".25"`, `"10."`. Anything else gets a sentence saying what to type instead.
 */
export function parseEraAmount(input: string): ParsedAmount {
  const text = input.trim();
  if (text === "") return { ok: false, error: "Enter an amount of ERA." };
  if (text.startsWith("-")) return { ok: false, error: "Enter a positive amount." };
  if (text.includes(",")) {
    return { ok: false, error: "Use a dot for decimals and no thousands separators, e.g. 1000.5." };
  }
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) {
    return { ok: false, error: "Enter a number, e.g. 250 or 0.5." };
  }
  const [, whole, fraction = ""] = match;
  if (fraction.length > ERA_DECIMALS) {
    return { ok: false, error: `ERA has ${ERA_DECIMALS} decimals; enter at most ${ERA_DECIMALS} after the dot.` };
  }
  const wei = BigInt(whole || "0") * WEI_PER_ERA + BigInt(fraction.padEnd(ERA_DECIMALS, "0") || "0");
  if (wei === 0n) return { ok: false, error: "Enter an amount greater than zero." };
  return { ok: true, wei };
}

/** The exact decimal text of an amount, for an input field (no grouping, no unit, no trailing zeros). */
export function eraInputValue(wei: bigint): string {
  return formatEra(wei, { maxDecimals: ERA_DECIMALS, unit: false }).replace(/,/g, "");
}

/** Basis points as a percentage with two decimals: `960n` → `"9.60%"`. */
export function formatBps(bps: bigint | number): string {
  const value = BigInt(bps);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  return `${negative ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}%`;
}

/**
 * A countdown to a release time, from seconds left: `"6d 23h 59m"`, `"3h 05m 10s"`, `"42s"`; zero or less is
 * `"ready"`. Days and hours hide seconds (they would change too fast to read), under an hour seconds are shown.
 */
export function formatCountdown(secondsLeft: number | bigint): string {
  const total = typeof secondsLeft === "bigint" ? Number(secondsLeft) : Math.ceil(secondsLeft);
  if (!Number.isFinite(total) || total <= 0) return "ready";
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = total % 60;
  const two = (n: number) => n.toString().padStart(2, "0");
  if (days > 0) return `${days}d ${hours}h ${two(minutes)}m`;
  if (hours > 0) return `${hours}h ${two(minutes)}m ${two(seconds)}s`;
  if (minutes > 0) return `${minutes}m ${two(seconds)}s`;
  return `${seconds}s`;
}

/** A span of seconds in the largest whole unit: `604800` → `"7 days"`, `3600` → `"1 hour"`. */
export function formatPeriod(seconds: bigint | number): string {
  const s = Number(seconds);
  const units: [number, string][] = [
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
  ];
  for (const [size, name] of units) {
    if (s >= size && s % size === 0) {
      const n = s / size;
      return `${n} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  return `${s} second${s === 1 ? "" : "s"}`;
}

/** `0x1234567890abcdef…` → `"0x1234…cdef"`. */
export function shortHex(hex: string, keep = 4): string {
  return hex.length <= 2 + keep * 2 + 1 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}

/** A date and time in UTC, to the minute: `"2026-01-31 14:05 UTC"`. */
export function formatUtc(unixSeconds: bigint | number): string {
  const iso = new Date(Number(unixSeconds) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
