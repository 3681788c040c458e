import type { Provider, Signer } from "ethers";
import { z } from "zod";
import type { SuiteAddresses } from "../sdk/economy";
import { cfg } from "../node/config";
import { createTxSender } from "../node/sender";
import { scanSettings, senderSettings } from "../node/settings";
import { createLogger, type Logger } from "../node/logger";
import type { TxSubmitter } from "../node/types";
import { DEFAULT_MONTH_SECONDS, monthOf } from "./activity";
import { Indexer, MonthNotReadyError, type MonthSummary, type PublishResult, type ScanProgress } from "./indexer";
import { IndexerStore } from "./store";

/**
 * The indexer's settings (see `node/config.ts`: flags > `ERA_INDEXER_*` environment > JSON file > these defaults).
 * The chain, the publisher key and the deployment come from the CLI's common settings.
 */
export const indexerConfigSchema = z.object({
  dbPath: z.string().min(1).default("./data/indexer.sqlite"),
  ...scanSettings,
  ...senderSettings,
  /** Unix time at which month 0 starts (e.g. the deployment's). Required: it decides every month's boundaries. */
  epochStart: cfg.int(0),
  /** Seconds per month (365/12 days by default, as DESIGN §3). */
  epochLength: cfg.int(3_600).default(DEFAULT_MONTH_SECONDS),
  /** The month to summarize or publish; by default the last month that has ended. */
  month: cfg.int(0).optional(),
  /** Propose the month's epochs (otherwise only scan and summarize). */
  publish: cfg.bool().default(false),
  /** Base developer-subsidy budget of the month, in wei (0: no subsidy epoch). */
  subsidyBudget: cfg.bigint().default(0n),
  /** User-reward pool of the month in wei, or `available` for what the distributor's reward pool holds. */
  rewardPool: z.union([z.literal("available"), cfg.bigint()]).default("available"),
  /** Folder for the proof files (`epoch-<id>-<kind>.json`). */
  outDir: z.string().min(1).default("./proofs"),
  /** Prefix of the URI recorded on chain with each epoch (e.g. `https://example.org/proofs/`). */
  uriBase: z.string().default(""),
  topUsers: cfg.int(0, 1_000).default(10),
});

export type IndexerConfig = z.infer<typeof indexerConfigSchema>;

export interface IndexerRun {
  config: IndexerConfig;
  provider: Provider;
  addresses: SuiteAddresses;
  /**
   * The publisher key (needed with `publish`): the proposals go through the node's one writer (`TxSender`), built
   * from the sender settings.
   */
  signer?: Signer;
  /** Sends the proposals instead of a `TxSender` over `signer` (tests). */
  submitter?: TxSubmitter;
  logger?: Logger;
  onProgress?: (p: ScanProgress) => void;
}

export type IndexerOutcome = { summary: MonthSummary; publications: PublishResult["publications"] };

/**
 * Scans the chain up to the confirmed head, then summarizes the month (and with `publish`, proposes its epochs and
 * writes their proof files). Throws `MonthNotReadyError` when the month cannot be published yet.
 */
export async function runIndexer(run: IndexerRun): Promise<IndexerOutcome> {
  const { config } = run;
  const logger = run.logger ?? createLogger("indexer", config.logLevel);
  const { chainId } = await run.provider.getNetwork();
  const store = new IndexerStore(config.dbPath, {
    chainId: chainId.toString(),
    executionHub: run.addresses.executionHub,
    distributor: run.addresses.distributor,
    epochStart: String(config.epochStart),
    epochLength: String(config.epochLength),
  });
  try {
    const indexer = new Indexer({
      provider: run.provider,
      addresses: run.addresses,
      store,
      logger,
      calendar: { start: config.epochStart, length: config.epochLength },
      startBlock: config.startBlock,
      confirmations: config.confirmations,
      maxBlockRange: config.maxBlockRange,
      onProgress: run.onProgress,
    });
    const progress = await indexer.scan();
    const month =
      config.month ??
      (progress === undefined
        ? -1
        : monthOf({ start: config.epochStart, length: config.epochLength }, progress.timestamp) - 1);
    if (month < 0) {
      throw new MonthNotReadyError(
        "No month has ended since --epoch-start yet; pass --month to summarize the current one.",
      );
    }
    if (!config.publish) {
      const rewardPool = config.rewardPool === "available" ? 0n : config.rewardPool;
      const summary = await indexer.summarize(
        month,
        { subsidyBudget: config.subsidyBudget, rewardPool },
        config.topUsers,
      );
      return { summary, publications: [] };
    }
    const submitter =
      run.submitter ??
      (run.signer &&
        createTxSender(config, {
          provider: run.provider,
          signer: run.signer,
          chainId,
          pollIntervalMs: config.txPollIntervalMs,
          confirmations: 1,
          logger,
        }));
    if (submitter === undefined) throw new Error("Publishing needs the publisher's key: pass it to the CLI.");
    return await indexer.publish(month, {
      submitter,
      subsidyBudget: config.subsidyBudget,
      rewardPool: config.rewardPool,
      outDir: config.outDir,
      uriBase: config.uriBase,
      topUsers: config.topUsers,
    });
  } finally {
    store.close();
  }
}

/** A month's summary as text for a terminal (amounts in wei). */
export function formatSummary(s: MonthSummary): string {
  const when = (t: number) => new Date(t * 1000).toISOString().slice(0, 19).replace("T", " ");
  const lines = [
    `Month ${s.month}: ${when(s.start)} to ${when(s.end)} UTC, ${s.users} distinct user(s)` +
      (s.complete ? "" : " (not over yet)") +
      (s.undecidedBatches > 0 ? ` (${s.undecidedBatches} lightweight batch(es) not final yet)` : ""),
    "scenario  batches  actions  results  MAU  base subsidy  payout  (undecodable, rejected batches)",
    ...s.scenarios.map(
      (x) =>
        `${x.scenarioId}  ${x.batches}  ${x.actions}  ${x.results}  ${x.mau}  ${x.baseSubsidy}  ${x.payout}  (${x.undecodable}, ${x.rejected})`,
    ),
    `subsidy: base budget ${s.subsidy.baseBudget}, epoch budget ${s.subsidy.epochBudget}, dust kept ${s.subsidy.dust}`,
    `reward: pool ${s.reward.pool}, ${s.reward.entries.length} leaf/leaves, dust kept ${s.reward.dust}`,
    "top users:",
    ...s.topUsers.map((u) => `  ${u.account}  ${u.actions} action(s)  reward ${u.reward}`),
  ];
  return lines.join("\n");
}
