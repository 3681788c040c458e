import { readFileSync } from "node:fs";
import { Wallet, getAddress, type HDNodeWallet } from "ethers";
import { z } from "zod";
import { ConfigError, cfg, envKey, loadConfig, type LoadOptions } from "../node/config";
import { nodeUrlsField } from "../verifier/signatures";
import { checkThresholds, type ModePolicyThresholds } from "./modePolicy";

/**
 * The executor's settings, one place: flags > environment (`ERA_EXECUTOR_*`) > JSON file > these defaults. The node
 * key is never a setting (so never on a command line or in a file): it comes from the environment variable named by
 * `nodeKeyEnv`, or from an encrypted JSON keystore (`keystore`) whose password is in the variable `keystorePasswordEnv`.
 */

export const ENV_PREFIX = "ERA_EXECUTOR";

/** A decimal number within bounds (flags and variables are strings). */
const decimal = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
    z.number("must be a number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`),
  );

const thresholdsSchema = z.strictObject({
  high: z.number().int().min(1),
  low: z.number().int().min(0),
  minDwellMs: z.number().int().min(0),
});

/**
 * Scenarios whose mode the node switches by backlog: `{"3": {"high": 500, "low": 50, "minDwellMs": 600000}}`, as JSON
 * in a file, or the same JSON text in a flag or variable.
 */
const modePolicySchema = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .default({})
  .transform((v, ctx) => {
    let raw: unknown = v;
    if (typeof v === "string") {
      if (v.trim() === "") return new Map<bigint, ModePolicyThresholds>();
      try {
        raw = JSON.parse(v);
      } catch {
        ctx.addIssue({
          code: "custom",
          message: `must be JSON such as {"3": {"high": 500, "low": 50, "minDwellMs": 600000}}`,
        });
        return z.NEVER;
      }
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      ctx.addIssue({ code: "custom", message: "must map scenario ids to {high, low, minDwellMs}" });
      return z.NEVER;
    }
    const out = new Map<bigint, ModePolicyThresholds>();
    for (const [id, t] of Object.entries(raw)) {
      if (!/^[1-9]\d*$/.test(id)) {
        ctx.addIssue({ code: "custom", message: `"${id}" is not a scenario id (a decimal integer above 0)` });
        return z.NEVER;
      }
      const parsed = thresholdsSchema.safeParse(t);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        ctx.addIssue({
          code: "custom",
          message: `scenario ${id}: ${issue.path.join(".") || "thresholds"} ${issue.message}; write {"high": 500, "low": 50, "minDwellMs": 600000}`,
        });
        return z.NEVER;
      }
      try {
        checkThresholds(parsed.data, `scenario ${id}`);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
        return z.NEVER;
      }
      out.set(BigInt(id), parsed.data);
    }
    return out;
  });

export const executorConfigSchema = z.object({
  /** JSON-RPC endpoint of the chain. */
  rpcUrl: cfg.url(),
  /** The chain id the endpoint must serve (checked at start-up). */
  chainId: cfg.int(1),
  /** An Ignition `deployed_addresses.json` of the suite. */
  deployment: z.string().min(1).optional(),
  /** The ExecutionHub address (overrides the deployment file; the other contracts are read from the hub). */
  executionHub: cfg.address().optional(),
  /** An encrypted JSON keystore of the node's signing key. */
  keystore: z.string().min(1).optional(),
  /** The environment variable holding the keystore's password. */
  keystorePasswordEnv: z.string().min(1).default(`${ENV_PREFIX}_KEYSTORE_PASSWORD`),
  /** The environment variable holding the node's signing key (hex), when no keystore is given. */
  nodeKeyEnv: z.string().min(1).default(`${ENV_PREFIX}_NODE_KEY`),
  /** The journal (SQLite file; `:memory:` for tests). */
  journal: z.string().min(1).default("era-executor.sqlite"),
  httpHost: z.string().min(1).default("127.0.0.1"),
  /** The job API's port (0: any free port, logged at start). */
  httpPort: cfg.int(0, 65_535).default(7_300),
  opsHost: z.string().min(1).default("127.0.0.1"),
  /** The /metrics and /healthz port (0: any free port). */
  opsPort: cfg.int(0, 65_535).default(9_464),
  /** Most jobs per batch (each mode has its own ceiling too). */
  maxBatchSize: cfg.int(1, 2_000).default(100),
  /** A smaller batch is sent once its oldest job has waited this long. */
  maxBatchAgeMs: cfg.int(0).default(2_000),
  /** Most batches open (journaled, not yet confirmed) at once. */
  maxInFlightBatches: cfg.int(1, 64).default(4),
  /** A job no mode can take fails after waiting this long. */
  queueTimeoutMs: cfg.int(1_000).default(3_600_000),
  /** Gas limit = estimate × (1 + gasBufferPercent / 100). */
  gasBufferPercent: cfg.int(0, 200).default(20),
  /** Most gas one transaction may use. */
  maxGasPerTx: cfg.int(21_000).default(16_777_216),
  /** Fee raise of each resubmission of a stuck transaction (≥ 12.5). */
  feeBumpPercent: decimal(12.5, 500).default(12.5),
  /** Never pay more than this per gas (gwei). */
  maxFeePerGasGwei: decimal(0.001, 1_000_000).default(500),
  /** A transaction not mined after this long is resubmitted with higher fees. */
  stuckAfterMs: cfg.int(100).default(60_000),
  /** How often receipts are looked for. */
  pollIntervalMs: cfg.int(10).default(1_000),
  /** Blocks a transaction must be buried under before its batch counts as confirmed. */
  confirmations: cfg.int(1, 64).default(1),
  /** Timeout of one JSON-RPC request. */
  rpcTimeoutMs: cfg.int(100).default(30_000),
  /** Tries of a JSON-RPC request that fails transiently. */
  rpcRetries: cfg.int(1, 20).default(5),
  rpcRetryBaseMs: cfg.int(1).default(250),
  rpcRetryMaxMs: cfg.int(1).default(10_000),
  /** Largest POST /jobs body (bytes). */
  maxRequestBytes: cfg.int(1_024).default(4 * 1024 * 1024),
  /** Most jobs in one POST /jobs. */
  maxJobsPerRequest: cfg.int(1).default(5_000),
  /** Retries of a batch whose transaction reverted for a reason the same call no longer shows. */
  maxBatchAttempts: cfg.int(1).default(5),
  /** How long shutdown waits for work in flight (the rest stays journaled). */
  shutdownTimeoutMs: cfg.int(0).default(30_000),
  /** The other executors serving this node's enterprise scenarios, for co-signing: node id → job API base URL. */
  /** `2=http://node-2:7300,3=http://node-3:7300` (flags, environment) or `{"2": "http://…"}` (a file). */
  peers: nodeUrlsField(),
  /** How long to wait for each peer's co-signature. */
  cosignTimeoutMs: cfg.int(100, 120_000).default(5_000),
  /**
   * This node's own check of a result a peer asks it to co-sign: POST {scenarioId, subjectId, resultHash,
   * requesterNodeId} → 200 {"valid": true}. Unset: every co-signing request is refused (never signed blindly).
   */
  resultCheckUrl: cfg.url().optional(),
  resultCheckTimeoutMs: cfg.int(100, 120_000).default(5_000),
  /** First block to scan for the suite's events (notarizations, signature challenges): the deployment block. */
  fromBlock: cfg.int(0).default(0),
  /** How often `ModeSwitched` events are polled (a switch is followed without restart). */
  modePollMs: cfg.int(10).default(5_000),
  /** How often signature challenges against this node's lightweight batches are polled. */
  challengePollMs: cfg.int(10).default(15_000),
  /** Light-interaction scenarios whose mode this node switches by backlog (opt-in; see docs/executor-modes.md). */
  modePolicy: modePolicySchema,
  /** How often the mode policy decides. */
  modePolicyIntervalMs: cfg.int(10).default(10_000),
  /**
   * How long finished jobs and batches stay in the journal (seconds); at least BatchCommitments' challenge window +
   * answer window, read at start-up. Unset: that sum plus one day.
   */
  journalRetentionSeconds: cfg.int(1).optional(),
  /** How often finished jobs older than the retention are pruned. */
  pruneIntervalMs: cfg.int(10).default(600_000),
  /** Most batches (with their jobs) pruned per round. */
  pruneBatchLimit: cfg.int(1, 100_000).default(500),
  logLevel: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});

export type ExecutorConfig = z.infer<typeof executorConfigSchema>;

/** Reads the executor's configuration (see the module comment); throws `ConfigError` naming a bad setting. */
export function loadExecutorConfig(options: Omit<LoadOptions, "name" | "envPrefix"> = {}): ExecutorConfig {
  const config = loadConfig(executorConfigSchema, { ...options, name: "the executor", envPrefix: ENV_PREFIX });
  if (config.deployment === undefined && config.executionHub === undefined) {
    throw new ConfigError(
      "deployment",
      "default",
      `not set: use --deployment or ${envKey(ENV_PREFIX, "deployment")}`,
      "or executionHub is needed: point deployment at Ignition's deployed_addresses.json, or give executionHub.",
    );
  }
  return config;
}

/** The ExecutionHub's address: `executionHub`, else the deployment file's `…#ExecutionHub`. */
export function hubAddressOf(config: Pick<ExecutorConfig, "deployment" | "executionHub">): string {
  if (config.executionHub) return getAddress(config.executionHub.toLowerCase());
  const file = config.deployment!;
  let addresses: unknown;
  try {
    addresses = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError("deployment", "file", file, `cannot be read as JSON: ${(e as Error).message}.`);
  }
  const entry =
    addresses && typeof addresses === "object"
      ? Object.entries(addresses).find(([k]) => k === "ExecutionHub" || k.endsWith("#ExecutionHub"))
      : undefined;
  if (!entry || typeof entry[1] !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(entry[1])) {
    throw new ConfigError(
      "deployment",
      "file",
      file,
      "has no ExecutionHub address: use the deployed_addresses.json of a Suite deployment, or give executionHub.",
    );
  }
  return getAddress(entry[1].toLowerCase());
}

/** The node's signing key, from the keystore (with its password) or the key variable. */
export async function loadNodeKey(
  config: Pick<ExecutorConfig, "keystore" | "keystorePasswordEnv" | "nodeKeyEnv">,
  env: Record<string, string | undefined> = process.env,
): Promise<Wallet | HDNodeWallet> {
  if (config.keystore) {
    const password = env[config.keystorePasswordEnv];
    if (password === undefined) {
      throw new ConfigError(
        "keystorePasswordEnv",
        "env",
        config.keystorePasswordEnv,
        `is not set: export the keystore's password in ${config.keystorePasswordEnv}.`,
      );
    }
    let json: string;
    try {
      json = readFileSync(config.keystore, "utf8");
    } catch (e) {
      throw new ConfigError("keystore", "file", config.keystore, `cannot be read: ${(e as Error).message}.`);
    }
    try {
      return await Wallet.fromEncryptedJson(json, password);
    } catch (e) {
      throw new ConfigError(
        "keystore",
        "file",
        config.keystore,
        `cannot be decrypted (${(e as Error).message}): check the file and the password in ${config.keystorePasswordEnv}.`,
      );
    }
  }
  const key = env[config.nodeKeyEnv];
  if (key === undefined || key === "") {
    throw new ConfigError(
      "nodeKeyEnv",
      "env",
      config.nodeKeyEnv,
      `is not set: export the node's signing key (0x + 64 hex digits) in ${config.nodeKeyEnv}, or use --keystore.`,
    );
  }
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key.trim())) {
    throw new ConfigError("nodeKeyEnv", "env", config.nodeKeyEnv, "must hold a private key: 0x + 64 hex digits.");
  }
  return new Wallet(key.trim().startsWith("0x") ? key.trim() : `0x${key.trim()}`);
}
