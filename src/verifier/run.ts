import type { Provider, Signer } from "ethers";
import { Registry } from "prom-client";
import { z } from "zod";
import type { SuiteAddresses } from "../sdk/economy";
import { cfg } from "../node/config";
import { createTxSender } from "../node/sender";
import { scanSettings, senderSettings } from "../node/settings";
import { createLogger, type Logger } from "../node/logger";
import { startOpsServer } from "../node/ops";
import type { TxSubmitter } from "../node/types";
import { VerifierMetrics } from "./metrics";
import { HttpSignatureSource, nodeUrlsField, type SignatureSource } from "./signatures";
import { VerifierStore } from "./store";
import { Verifier, type TickReport } from "./verifier";

/**
 * The verifier's settings (see `node/config.ts` for how they are loaded: flags > `ERA_VERIFIER_*` environment >
 * JSON file > these defaults). The chain, the key and the deployment come from the CLI's common settings.
 */
export const verifierConfigSchema = z.object({
  /** SQLite state file. */
  dbPath: z.string().min(1).default("./data/verifier.sqlite"),
  ...scanSettings,
  ...senderSettings,
  pollIntervalMs: cfg.int(100, 3_600_000).default(5_000),
  /** Port of `/metrics` and `/healthz` (0: any free port). */
  opsPort: cfg.int(0, 65_535).default(9_102),
  opsHost: z.string().default("127.0.0.1"),
  /** Nodes' signature endpoints, `1=http://node-1:8080,2=…` (empty: signatures are not checked). */
  signatureUrls: nodeUrlsField(),
  signatureTimeoutMs: cfg.int(100, 120_000).default(10_000),
  /** Seconds before a batch's window closes from which unserved signatures count as not produced. */
  signatureGraceSeconds: cfg.int(0).default(3_600),
  /** Challenge a batch whose node never served its signatures (risks the bond if the node answers on chain). */
  challengeUnserved: cfg.bool().default(false),
  /** Refund expired settlement locks. */
  refundLocks: cfg.bool().default(true),
});

export type VerifierConfig = z.infer<typeof verifierConfigSchema>;

/**
 * Who sends a process's transactions: its key, through the node's one writer (`TxSender`, built from the process's
 * sender settings), or a ready submitter and the account it sends from (tests).
 */
export type Sending = { signer: Signer } | { submitter: TxSubmitter; account: string };

export type VerifierRun = VerifierRunBase & Sending;

export interface VerifierRunBase {
  config: VerifierConfig;
  provider: Provider;
  addresses: SuiteAddresses;
  /** Stops the verifier (after its current poll). */
  signal: AbortSignal;
  logger?: Logger;
  /** Replaces the HTTP signature source built from `config.signatureUrls`. */
  signatures?: SignatureSource;
  registry?: Registry;
  /** Called after every successful poll. */
  onTick?: (report: TickReport) => void;
  /** Called once the ops server listens. */
  onReady?: (info: { opsUrl: string }) => void;
}

/**
 * Runs the verifier until `signal` aborts: opens its state file (bound to this chain and deployment), serves
 * `/metrics` and `/healthz`, polls. Closes everything before returning.
 */
export async function runVerifier(run: VerifierRun): Promise<void> {
  const { config } = run;
  const logger = run.logger ?? createLogger("verifier", config.logLevel);
  const { chainId } = await run.provider.getNetwork();
  const store = new VerifierStore(config.dbPath, {
    chainId: chainId.toString(),
    executionHub: run.addresses.executionHub,
    batchCommitments: run.addresses.batchCommitments,
  });
  const metrics = new VerifierMetrics(run.registry ?? new Registry());
  const signatures =
    run.signatures ??
    (config.signatureUrls.size > 0
      ? new HttpSignatureSource(config.signatureUrls, config.signatureTimeoutMs)
      : undefined);
  if (signatures === undefined) {
    logger.warn("no signature source configured: signatures are not checked (set --signature-urls)");
  }
  const sending =
    "signer" in run
      ? {
          account: await run.signer.getAddress(),
          submitter: createTxSender(config, {
            provider: run.provider,
            signer: run.signer,
            chainId,
            pollIntervalMs: config.txPollIntervalMs,
            confirmations: 1,
            hooks: { rpcError: () => metrics.rpcErrors.inc() },
            logger,
          }),
        }
      : { account: run.account, submitter: run.submitter };
  const verifier = new Verifier({
    provider: run.provider,
    addresses: run.addresses,
    ...sending,
    store,
    metrics,
    logger,
    signatures,
    startBlock: config.startBlock,
    confirmations: config.confirmations,
    maxBlockRange: config.maxBlockRange,
    signatureGraceSeconds: config.signatureGraceSeconds,
    challengeUnserved: config.challengeUnserved,
    refundLocks: config.refundLocks,
  });
  const ops = await startOpsServer({
    port: config.opsPort,
    host: config.opsHost,
    registry: metrics.registry,
    health: async () => verifier.health(Math.max(60_000, 3 * config.pollIntervalMs)),
  });
  logger.info({ ops: ops.url, dbPath: config.dbPath, chainId: chainId.toString() }, "ops server listening");
  run.onReady?.({ opsUrl: ops.url });
  try {
    await verifier.run(config.pollIntervalMs, run.signal, run.onTick);
  } finally {
    await ops.close();
    store.close();
  }
}
