import { decodeContractError, describeError } from "../sdk/errors";

/**
 * Errors the CLI reports. Every failure ends as one of these kinds, each with its exit code:
 * - `UsageError` (exit 2): the input is wrong (a flag, an argument, a file, a missing key). Nothing was sent.
 * - `ChainError` (exit 1): the chain or a contract refused, or the RPC endpoint failed.
 * - `RuntimeError` (exit 1): this build lacks a component, or a process it started failed.
 * Both carry a message that names the problem and, where there is one, what to do about it.
 */
export abstract class CliError extends Error {
  abstract readonly exitCode: 1 | 2;
  abstract readonly kind: "usage" | "chain" | "runtime";
  constructor(
    message: string,
    /** What the user can do about it. */
    readonly hint?: string,
  ) {
    super(message);
  }

  /** The message and its hint, as one paragraph. */
  get text(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

/** Wrong input: exit code 2. */
export class UsageError extends CliError {
  override readonly name = "UsageError";
  readonly exitCode = 2 as const;
  readonly kind = "usage" as const;
}

/** A refusal of the chain or a contract, or an RPC failure: exit code 1. */
export class ChainError extends CliError {
  override readonly name = "ChainError";
  readonly exitCode = 1 as const;
  readonly kind = "chain" as const;
  constructor(
    message: string,
    hint?: string,
    /** The decoded custom error, when a contract reverted with one. */
    readonly contractError?: { name: string; args: Record<string, string> },
  ) {
    super(message, hint);
  }
}

/** Something this build or this machine cannot do (a missing component, a process that failed): exit code 1. */
export class RuntimeError extends CliError {
  override readonly name = "RuntimeError";
  readonly exitCode = 1 as const;
  readonly kind = "runtime" as const;
}

/** Any error thrown while talking to the chain, as a `ChainError` with a sentence a person can act on. */
export function chainErrorOf(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const decoded = decodeContractError(error);
  if (decoded) {
    const args = Object.fromEntries(
      Object.entries(decoded.args)
        .filter(([k]) => !/^\d+$/.test(k))
        .map(([k, v]) => [k, String(v)]),
    );
    return new ChainError(decoded.message, decoded.hint, { name: decoded.errorName, args });
  }
  return new ChainError(describeError(error));
}
