import { z } from "zod";
import { cfg } from "./config";

/** Settings every chain-scanning process (verifier, indexer) shares; spread into its configuration schema. */
export const scanSettings = {
  /** First block to read when the state file is new: the suite's deployment block. */
  startBlock: cfg.int(0).default(0),
  /** Blocks a block must be buried under before it is read (0 on a dev chain; more on a chain that reorgs). */
  confirmations: cfg.int(0, 10_000).default(2),
  /** Most blocks per `eth_getLogs` (providers cap it). */
  maxBlockRange: cfg.int(1, 100_000).default(2_000),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
};

/**
 * How a process that sends transactions (verifier, indexer) drives its `TxSender` (`node/sender.ts`); spread into its
 * configuration schema. Same meanings and defaults as the executor's settings of the same names.
 */
export const senderSettings = {
  /** Gas limit = estimate × (1 + gasBufferPercent / 100). */
  gasBufferPercent: cfg.int(0, 200).default(20),
  /** Most gas one transaction may use. */
  maxGasPerTx: cfg.int(21_000).default(16_777_216),
  /** Fee raise of each resubmission of a stuck transaction (≥ 12.5). */
  feeBumpPercent: cfg.decimal(12.5, 500).default(12.5),
  /** Never pay more than this per gas (gwei). */
  maxFeePerGasGwei: cfg.decimal(0.001, 1_000_000).default(500),
  /** A transaction not mined after this long is resubmitted with higher fees. */
  stuckAfterMs: cfg.int(100).default(60_000),
  /** How often the receipt of a transaction sent is looked for. */
  txPollIntervalMs: cfg.int(10).default(1_000),
  /** Tries of a JSON-RPC request of the sender that fails transiently. */
  rpcRetries: cfg.int(1, 20).default(5),
  rpcRetryBaseMs: cfg.int(1).default(250),
  rpcRetryMaxMs: cfg.int(1).default(10_000),
};
