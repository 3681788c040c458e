import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * The one way a node process (executor, verifier, indexer) reads its configuration. Each process declares a zod
 * object schema with defaults; values come from, in order of precedence: command-line flags > environment variables
 * (`<PREFIX>_<KEY_IN_UPPER_SNAKE>`) > a JSON file > the schema's defaults. Everything is checked at start-up, and a
 * bad value stops the process with a `ConfigError` that names the key, where the value came from and what to do.
 */

/** Where a configuration value came from. */
export type ConfigSource = "flag" | "env" | "file" | "default";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly key: string,
    readonly source: ConfigSource,
    /** The flag, variable or file the value came from, as the user would type it. */
    readonly origin: string,
    problem: string,
  ) {
    super(`Configuration: ${key} (${origin}) ${problem}`);
  }
}

export interface LoadOptions {
  /** The process's name, for messages. */
  name: string;
  /** Prefix of environment variables, e.g. `ERA_EXECUTOR`. */
  envPrefix: string;
  /** A JSON file to read (skipped when undefined). */
  file?: string;
  /** Flags as parsed by the CLI (undefined values are ignored). */
  flags?: Record<string, unknown>;
  /** The environment (defaults to `process.env`). */
  env?: Record<string, string | undefined>;
}

/** `maxBatchSize` → `MAX_BATCH_SIZE`. */
export function envKey(prefix: string, key: string): string {
  return `${prefix}_${key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
}

/** `maxBatchSize` → `--max-batch-size`. */
export function flagName(key: string): string {
  return `--${key.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}`;
}

/** Field types that accept the strings of flags and environment variables as well as JSON values. */
export const cfg = {
  /** An integer within bounds. */
  int: (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
    z.preprocess(
      (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
      z.number().int(`must be a whole number`).min(min).max(max),
    ),
  /** A decimal number within bounds (percentages, gwei). */
  decimal: (min: number, max: number) =>
    z.preprocess(
      (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
      z.number("must be a number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`),
    ),
  /** A non-negative integer that may exceed 2^53 (wei amounts, ids). */
  bigint: () =>
    z.preprocess((v) => {
      if (typeof v === "string" && /^\d+$/.test(v.trim())) return BigInt(v.trim());
      if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
      return v;
    }, z.bigint("must be a non-negative whole number").nonnegative()),
  /** `true`/`false`/`1`/`0`/`yes`/`no`. */
  bool: () =>
    z.preprocess((v) => {
      if (typeof v !== "string") return v;
      const s = v.trim().toLowerCase();
      if (["true", "1", "yes", "on"].includes(s)) return true;
      if (["false", "0", "no", "off"].includes(s)) return false;
      return v;
    }, z.boolean("must be true or false")),
  /** An http(s) or ws(s) URL. */
  url: () =>
    z
      .string()
      .refine((v) => /^(https?|wss?):\/\/\S+$/.test(v), "must be an http(s):// or ws(s):// URL")
      .describe("url"),
  /** A 0x-prefixed 20-byte address. */
  address: () => z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address"),
};

/**
 * Loads and validates a configuration (see the module comment). Unknown keys in the file or the flags are errors,
 * so a typo never silently falls back to a default.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, options: LoadOptions): z.infer<S> {
  const keys = Object.keys(schema.shape);
  const env = options.env ?? process.env;
  const merged: Record<string, unknown> = {};
  const origins = new Map<string, { source: ConfigSource; origin: string }>();

  if (options.file !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(options.file, "utf8"));
    } catch (e) {
      throw new ConfigError(
        "(file)",
        "file",
        options.file,
        `cannot be read as JSON: ${(e as Error).message}. Fix the file or leave out --config.`,
      );
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw new ConfigError("(file)", "file", options.file, "must hold one JSON object of settings.");
    }
    for (const [k, v] of Object.entries(json)) {
      if (!keys.includes(k)) {
        throw new ConfigError(
          k,
          "file",
          options.file,
          `is not a setting of ${options.name}. Known: ${keys.join(", ")}.`,
        );
      }
      merged[k] = v;
      origins.set(k, { source: "file", origin: options.file });
    }
  }
  for (const k of keys) {
    const name = envKey(options.envPrefix, k);
    const v = env[name];
    if (v !== undefined && v !== "") {
      merged[k] = v;
      origins.set(k, { source: "env", origin: name });
    }
  }
  for (const [k, v] of Object.entries(options.flags ?? {})) {
    if (v === undefined) continue;
    if (!keys.includes(k)) {
      throw new ConfigError(k, "flag", flagName(k), `is not a setting of ${options.name}. Known: ${keys.join(", ")}.`);
    }
    merged[k] = v;
    origins.set(k, { source: "flag", origin: flagName(k) });
  }

  const result = schema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue.path.length > 0 ? issue.path.join(".") : "(config)";
    const top = String(issue.path[0] ?? "");
    const from = origins.get(top) ?? {
      source: "default" as const,
      origin: `not set: use ${flagName(top)} or ${envKey(options.envPrefix, top)}`,
    };
    throw new ConfigError(key, from.source, from.origin, `${issue.message}.`);
  }
  return result.data;
}
