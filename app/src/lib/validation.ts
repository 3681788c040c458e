import { formatEra, parseEraAmount, type ParsedAmount } from "./format";
import type { NodeRow } from "./nodes";

/**
 * Checks of what a person typed before the wallet is asked anything: each failure is a sentence saying what to do.
 * The contracts check again; these only spare the user a signature that cannot succeed.
 */

/** A delegation of `input` ERA to `node` from an account holding `balance`. */
export function checkDelegation(input: string, balance: bigint, node: NodeRow | undefined): ParsedAmount {
  if (!node) return { ok: false, error: "Choose a node to delegate to." };
  if (node.status !== "active") {
    return { ok: false, error: `${node.name} is not active and takes no new delegations. Choose an active node.` };
  }
  const parsed = parseEraAmount(input);
  if (!parsed.ok) return parsed;
  if (parsed.wei > balance) {
    return {
      ok: false,
      error: `That is more than your balance of ${formatEra(balance, { maxDecimals: 18 })}. Enter at most that.`,
    };
  }
  return parsed;
}

/** An undelegation of `input` ERA from a position of `stake`. */
export function checkUndelegation(input: string, stake: bigint): ParsedAmount {
  const parsed = parseEraAmount(input);
  if (!parsed.ok) return parsed;
  if (parsed.wei > stake) {
    return {
      ok: false,
      error: `You have ${formatEra(stake, { maxDecimals: 18 })} delegated here. Enter at most that, or choose “All”.`,
    };
  }
  return parsed;
}
