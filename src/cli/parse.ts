import { getAddress, isAddress, isHexString, parseUnits } from "ethers";
import { UsageError } from "./errors";
import { ERA_DECIMALS } from "./format";

/**
 * Parsers of command-line values. Each throws a `UsageError` that quotes the value, says what was expected and
 * shows a valid example, so a typo never reaches the chain.
 */

const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * An ERA amount written in ERA ("1.5", "1000"), returned in wei. Positive, at most 18 decimals, no sign, no
 * grouping commas, no exponent.
 */
export function parseAmount(value: string, what = "amount"): bigint {
  return parseTokenAmount(value, { symbol: "ERA", decimals: ERA_DECIMALS }, what);
}

/**
 * An amount of a token written in its unit ("1.5" USDC), returned in its smallest units: as `parseAmount`, with at
 * most the token's decimals.
 */
export function parseTokenAmount(value: string, unit: { symbol: string; decimals: number }, what = "amount"): bigint {
  const v = value.trim();
  if (v.startsWith("-")) {
    throw new UsageError(
      `The ${what} "${value}" is negative.`,
      `Give a positive amount of ${unit.symbol}, such as 1.5.`,
    );
  }
  if (!DECIMAL.test(v)) {
    throw new UsageError(
      `The ${what} "${value}" is not a number of ${unit.symbol}.`,
      `Write it as a decimal number such as 1.5 or 1000 (no commas, no units, no exponent).`,
    );
  }
  const decimals = v.includes(".") ? v.split(".")[1].length : 0;
  if (decimals > unit.decimals) {
    throw new UsageError(
      `The ${what} "${value}" has ${decimals} decimals; ${unit.symbol} has ${unit.decimals}.`,
      `Round it to at most ${unit.decimals} decimals.`,
    );
  }
  const wei = parseUnits(v, unit.decimals);
  if (wei === 0n) throw new UsageError(`The ${what} is zero.`, `Give an amount greater than zero.`);
  if (wei >= 2n ** 255n) throw new UsageError(`The ${what} "${value}" is too large.`, `Give a realistic amount.`);
  return wei;
}

/** An amount, or the word "all". */
export function parseTokenAmountOrAll(
  value: string,
  unit: { symbol: string; decimals: number },
  what = "amount",
): bigint | "all" {
  return value.trim().toLowerCase() === "all" ? "all" : parseTokenAmount(value, unit, what);
}

/** An amount, or the word "all". */
export function parseAmountOrAll(value: string, what = "amount"): bigint | "all" {
  return value.trim().toLowerCase() === "all" ? "all" : parseAmount(value, what);
}

/** A 0x-prefixed 20-byte address, returned checksummed. A mixed-case address must carry a valid checksum. */
export function parseAddress(value: string, what = "address"): string {
  const v = value.trim();
  if (!isAddress(v)) {
    const hint = /^0x[0-9a-fA-F]{40}$/.test(v)
      ? "Its mixed-case checksum is wrong: copy the address again, or write it all lower-case."
      : "Give a 0x-prefixed address of 40 hex digits, such as 0x70997970C51812dc3A010C7d01b50e0d17dc79C8.";
    throw new UsageError(`The ${what} "${value}" is not a valid address.`, hint);
  }
  return getAddress(v);
}

/** A positive whole-number id (node, scenario). */
export function parseId(value: string, what = "id"): bigint {
  const v = value.trim();
  if (!/^\d+$/.test(v) || BigInt(v) === 0n) {
    throw new UsageError(`The ${what} "${value}" is not a valid id.`, `Give a whole number from 1 up, such as 1.`);
  }
  return BigInt(v);
}

/** A non-negative whole number (epoch ids start at 0, block numbers). */
export function parseIndex(value: string, what = "number"): bigint {
  const v = value.trim();
  if (!/^\d+$/.test(v)) {
    throw new UsageError(`The ${what} "${value}" is not a whole number.`, `Give a whole number such as 0 or 12.`);
  }
  return BigInt(v);
}

/** A 0x-prefixed 32-byte hex value (settlement ids, subject ids, hashes). */
export function parseBytes32(value: string, what = "value"): string {
  const v = value.trim();
  if (!isHexString(v, 32)) {
    throw new UsageError(
      `The ${what} "${value}" is not a 32-byte hex value.`,
      `Give 0x followed by 64 hex digits, as the executor or the event printed it.`,
    );
  }
  return v.toLowerCase();
}

/** One of a fixed set of names (case-insensitive), returned as its value. */
export function parseChoice<T>(value: string, choices: Record<string, T>, what: string): T {
  const key = value.trim().toLowerCase();
  if (!Object.prototype.hasOwnProperty.call(choices, key)) {
    throw new UsageError(`Unknown ${what} "${value}".`, `Use one of: ${Object.keys(choices).join(", ")}.`);
  }
  return choices[key];
}
