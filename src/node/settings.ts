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
