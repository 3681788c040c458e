import { setTimeout as sleep } from "node:timers/promises";
import { isError } from "ethers";
import { revertDataOf } from "../sdk/errors";

/**
 * How a node process tells RPC failures apart and retries the ones worth retrying.
 *
 * A JSON-RPC call can fail because the contract said no (a revert: permanent, retrying cannot help), because the
 * transaction is no longer valid (nonce too low, fee too low for a replacement: the caller must act), because the
 * account cannot pay, or because the endpoint or the network between us hiccupped (transient: retry with backoff).
 */

export type RpcFailure =
  /** The call or transaction reverted; the revert data (if any) says why. */
  | "revert"
  /** The nonce was used already (by us, or by another sender with the same key). */
  | "nonce-too-low"
  /** A transaction with this nonce is pending and this one does not pay enough more to replace it. */
  | "underpriced"
  /** The node already holds exactly this transaction. */
  | "already-known"
  /** The account cannot pay for gas. */
  | "insufficient-funds"
  /** The endpoint or network failed; the same request may work later. */
  | "transient"
  /** Anything else: the request is wrong and will stay wrong. */
  | "permanent";

const TRANSIENT_CODES = new Set(["NETWORK_ERROR", "TIMEOUT", "SERVER_ERROR", "BAD_DATA", "UNKNOWN_ERROR"]);
const TRANSIENT_ERRNO = /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|EPIPE|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|UND_ERR_\w+)$/;
const TRANSIENT_TEXT =
  /timeout|timed out|socket hang up|fetch failed|network|ECONNRESET|ECONNREFUSED|rate limit|too many requests|\b(429|502|503|504)\b|header not found|internal error|bad response|missing response|could not coalesce/i;
const PERMANENT_TEXT =
  /exceeds block gas limit|intrinsic gas too low|invalid sender|invalid signature|invalid chain ?id|chain ?id mismatch|incompatible chain ?id|gas limit/i;

function messagesOf(error: unknown, depth = 0): string[] {
  if (depth > 5 || error === null || typeof error !== "object") return typeof error === "string" ? [error] : [];
  const e = error as Record<string, unknown>;
  const own = ["message", "shortMessage", "reason"].map((k) => e[k]).filter((v): v is string => typeof v === "string");
  return [...own, ...["error", "info", "cause"].flatMap((k) => messagesOf(e[k], depth + 1))];
}

function codesOf(error: unknown, depth = 0): unknown[] {
  if (depth > 5 || error === null || typeof error !== "object") return [];
  const e = error as Record<string, unknown>;
  return [e.code, ...["error", "info", "cause"].flatMap((k) => codesOf(e[k], depth + 1))];
}

/** Sorts an error thrown by an ethers provider (JSON-RPC or Hardhat's in-process one) into an `RpcFailure`. */
export function classifyRpcError(error: unknown): RpcFailure {
  if (revertDataOf(error) !== undefined) return "revert";
  if (isError(error, "CALL_EXCEPTION")) {
    // ethers reports any failed eth_call/eth_estimateGas so; it is a revert unless the node said something else.
    const inner = (error.info as { error?: { message?: unknown } } | undefined)?.error?.message;
    if (typeof inner !== "string" || /revert/i.test(inner)) return "revert";
    return PERMANENT_TEXT.test(inner) ? "permanent" : "transient";
  }
  const text = messagesOf(error).join(" | ");
  const codes = codesOf(error);
  if (/revert/i.test(text) && !/could not coalesce/i.test(text)) return "revert";
  if (codes.includes("INSUFFICIENT_FUNDS") || /insufficient funds/i.test(text)) return "insufficient-funds";
  if (codes.includes("NONCE_EXPIRED") || /nonce.{0,40}too low|nonce has already been used/i.test(text)) {
    return "nonce-too-low";
  }
  if (codes.includes("REPLACEMENT_UNDERPRICED") || /underpriced/i.test(text)) return "underpriced";
  if (/already known|known transaction|already imported/i.test(text)) return "already-known";
  if (PERMANENT_TEXT.test(text)) return "permanent";
  if (codes.some((c) => typeof c === "string" && (TRANSIENT_CODES.has(c) || TRANSIENT_ERRNO.test(c)))) {
    return "transient";
  }
  if (TRANSIENT_TEXT.test(text)) return "transient";
  return "permanent";
}

export function isTransient(error: unknown): boolean {
  return classifyRpcError(error) === "transient";
}

/** Exponential backoff with jitter. */
export interface RetryPolicy {
  /** Tries in all (1: no retry). */
  attempts: number;
  /** Delay before the first retry; doubles each time. */
  baseDelayMs: number;
  /** Longest delay between two tries. */
  maxDelayMs: number;
}

/** The delay before retry number `attempt` (1-based): base × 2^(attempt-1), capped, with ±25% jitter. */
export function backoffDelay(policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">, attempt: number): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.75 + Math.random() * 0.5));
}

/** The RPC endpoint kept failing on a request that may work later. */
export class RpcUnavailableError extends Error {
  override readonly name = "RpcUnavailableError";
  constructor(
    /** What was being asked, e.g. `eth_estimateGas`. */
    readonly method: string,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(
      `The RPC endpoint failed ${attempts} time(s) on ${method}: ${firstLine(cause)}. ` +
        `Check that the node behind rpcUrl is up and reachable; the work stays journaled and is retried.`,
    );
  }
}

function firstLine(error: unknown): string {
  const text = messagesOf(error)[0] ?? String(error);
  return text.split("\n")[0].slice(0, 300);
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** The request, for errors and metrics (e.g. `eth_getTransactionReceipt`). */
  method: string;
  /** Called on every failed try (metrics, logs). */
  onError?: (method: string, failure: RpcFailure, error: unknown) => void;
  signal?: AbortSignal;
}

/**
 * Runs `fn`, retrying transient failures with backoff. Any other failure is rethrown as is at once; transient ones
 * that outlast the policy end as `RpcUnavailableError`.
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const failure = classifyRpcError(error);
      options.onError?.(options.method, failure, error);
      if (failure !== "transient") throw error;
      if (attempt >= options.policy.attempts) throw new RpcUnavailableError(options.method, attempt, error);
      await sleep(backoffDelay(options.policy, attempt), undefined, { signal: options.signal });
    }
  }
}
