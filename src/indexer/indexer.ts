import { renameSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { getAddress, type Log, type Provider } from "ethers";
import type { Logger } from "pino";
import type {
  BatchCommitments,
  EpochDistributor,
  ExecutionHub,
  ScenarioRegistry,
  SettlementEngine,
} from "../../typechain-types";
import { EpochKind, ExecutionMode, connectSuite, type SuiteAddresses } from "../sdk/economy";
import { hubCallOfTransaction, isBatch } from "../sdk/calldata";
import { RewardTree, SubsidyTree, subsidyFor, type RewardEntry, type SubsidyEntry } from "../sdk/merkle";
import { serializeProofFile, toProofFile } from "../sdk/proofFile";
import { BlockTimes, logsInRange, nextRange } from "../node/blockScan";
import type { TxSubmitter } from "../node/types";
import {
  actionsPerUser,
  mauOf,
  monthBounds,
  monthOf,
  rewardEntries,
  settlementUses,
  subsidyEntries,
  usesOfCall,
  type Calendar,
  type Use,
} from "./activity";
import type { BatchRecord, IndexerStore, Publication } from "./store";

/**
 * The activity indexer: reads the chain's own execution records, counts each month's active users per scenario
 * (rules in `activity.ts`), builds the month's developer-subsidy and user-reward trees, writes their proof files, and
 * proposes their roots to the EpochDistributor with the publisher key.
 *
 * Scanning (`scan`) is incremental and resumable: every confirmed block range is read once, and its records and the
 * new scan position are stored in one SQLite transaction.
 */

/** `IBatchCommitments.BatchStatus`. */
const BATCH_STATUS = { Rejected: 2n, Finalized: 3n } as const;

export interface IndexerOptions {
  provider: Provider;
  addresses: SuiteAddresses;
  store: IndexerStore;
  logger: Logger;
  calendar: Calendar;
  /** First block to read when the state file is new (the suite's deployment block). */
  startBlock: number;
  confirmations: number;
  maxBlockRange: number;
  /** Called after every block range read (the CLI shows a progress line). */
  onProgress?: (p: ScanProgress) => void;
}

export interface ScanProgress {
  fromBlock: number;
  toBlock: number;
  /** The block the scan runs up to (confirmed head). */
  target: number;
  /** Batches read in this range. */
  batches: number;
}

/** A month that cannot be published (yet); the message says why and when it can. */
export class MonthNotReadyError extends Error {
  override readonly name = "MonthNotReadyError";
}

export interface ScenarioSummary {
  scenarioId: bigint;
  owner: string;
  /** Batches the hub applied for it this month (any mode). */
  batches: number;
  /** Counted uses (actions, settlement participations). */
  actions: number;
  /** Notarized results (not counted as users). */
  results: number;
  mau: bigint;
  baseSubsidy: bigint;
  /** What the distributor pays: base + 10% when MAU > 100,000. */
  payout: bigint;
  /** Batches whose users could not be read from their transaction (not counted). */
  undecodable: number;
  /** Lightweight batches rejected by a fraud proof (not counted). */
  rejected: number;
}

export interface MonthSummary {
  month: number;
  start: number;
  end: number;
  scenarios: ScenarioSummary[];
  /** Distinct users over all scenarios. */
  users: number;
  /** Users with the most counted uses, with their reward. */
  topUsers: { account: string; actions: bigint; reward: bigint }[];
  subsidy: { baseBudget: bigint; entries: SubsidyEntry[]; dust: bigint; epochBudget: bigint };
  reward: { pool: bigint; entries: RewardEntry[]; dust: bigint };
  /** Whether the month has ended (a scanned block is at or past its end). */
  complete: boolean;
  /** Lightweight batches of the month still in their window or under challenge (counted as they stand). */
  undecidedBatches: number;
}

export interface PublishOptions {
  submitter: TxSubmitter;
  /** Base subsidy budget of the month, in wei (bonuses come on top, see `subsidyEntries`). */
  subsidyBudget: bigint;
  /** Reward pool of the month, in wei, or everything the distributor's user-reward pool holds. */
  rewardPool: bigint | "available";
  /** Folder the proof files are written to. */
  outDir: string;
  /** Prefix of the URI recorded on chain with each epoch; the file name is appended. */
  uriBase: string;
  /** Users listed in the summary. */
  topUsers?: number;
}

export interface PublishResult {
  summary: MonthSummary;
  publications: Publication[];
}

export class Indexer {
  private readonly hub: ExecutionHub;
  private readonly commitments: BatchCommitments;
  private readonly engine: SettlementEngine;
  private readonly scenarios: ScenarioRegistry;
  private readonly distributor: EpochDistributor;
  private readonly times: BlockTimes;

  constructor(private readonly o: IndexerOptions) {
    const suite = connectSuite(o.addresses, o.provider);
    this.hub = suite.executionHub;
    this.commitments = suite.batchCommitments;
    this.engine = suite.settlementEngine;
    this.scenarios = suite.scenarioRegistry;
    this.distributor = suite.distributor;
    this.times = new BlockTimes(o.provider);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Scanning
  // ---------------------------------------------------------------------------------------------------------------

  /** Reads every confirmed block not read yet. Returns the scan position (last block and its timestamp). */
  async scan(): Promise<{ block: number; timestamp: number } | undefined> {
    const head = await this.o.provider.getBlockNumber();
    const target = head - this.o.confirmations;
    for (;;) {
      const range = nextRange({
        lastProcessed: this.o.store.progress()?.block,
        startBlock: this.o.startBlock,
        head,
        confirmations: this.o.confirmations,
        maxRange: this.o.maxBlockRange,
      });
      if (range === undefined) break;
      const { writes, batches } = await this.readRange(range.fromBlock, range.toBlock);
      const timestamp = await this.times.of(range.toBlock);
      this.o.store.atomically(() => {
        for (const w of writes) w();
        this.o.store.setProgress(range.toBlock, timestamp);
      });
      this.o.onProgress?.({ ...range, target, batches });
    }
    return this.o.store.progress();
  }

  private async readRange(fromBlock: number, toBlock: number): Promise<{ writes: (() => void)[]; batches: number }> {
    const topics = [
      this.hub.interface.getEvent("BatchApplied").topicHash,
      this.commitments.interface.getEvent("FraudProven").topicHash,
      this.engine.interface.getEvent("Committed").topicHash,
    ];
    const { executionHub, batchCommitments, settlementEngine } = this.o.addresses;
    const logs = await logsInRange(this.o.provider, [executionHub, batchCommitments, settlementEngine], topics, {
      fromBlock,
      toBlock,
    });
    const writes: (() => void)[] = [];
    let batches = 0;
    for (const log of logs) {
      const address = getAddress(log.address);
      if (address === getAddress(executionHub)) {
        batches += 1;
        writes.push(await this.readBatch(log));
      } else if (address === getAddress(batchCommitments)) {
        const parsed = this.commitments.interface.parseLog(log);
        if (parsed?.name === "FraudProven") {
          const batchId = parsed.args[0] as string;
          writes.push(() => this.o.store.setBatchStatus(batchId, "rejected"));
        }
      } else {
        const parsed = this.engine.interface.parseLog(log);
        if (parsed?.name === "Committed") {
          const id = parsed.args[0] as string;
          const month = monthOf(this.o.calendar, await this.times.of(log.blockNumber));
          writes.push(() => {
            const lock = this.o.store.lock(id);
            if (lock === undefined) return; // locked before the scan's start block, or undecodable
            this.o.store.addUses(
              lock.scenarioId,
              settlementUses(id, lock.legs),
              log.blockNumber,
              log.index,
              month,
              undefined,
            );
          });
        }
      }
    }
    return { writes, batches };
  }

  private async readBatch(log: Log): Promise<() => void> {
    const parsed = this.hub.interface.parseLog(log);
    if (parsed === null) return () => undefined;
    const [batchId, scenarioId, mode, , , size] = parsed.args as unknown as [
      string,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    const timestamp = await this.times.of(log.blockNumber);
    const record: BatchRecord = {
      batchId,
      scenarioId,
      mode: Number(mode),
      block: log.blockNumber,
      logIndex: log.index,
      timestamp,
      month: monthOf(this.o.calendar, timestamp),
      size: Number(size),
      status: Number(mode) === ExecutionMode.Lightweight ? "pending" : "applied",
      decoded: true,
    };
    if (Number(mode) === ExecutionMode.Notarized) return () => this.o.store.addBatch(record, []);

    const found = await hubCallOfTransaction(
      this.o.provider,
      log.transactionHash,
      this.o.addresses.executionHub,
      isBatch(batchId),
    );
    if ("undecodable" in found) {
      this.o.logger.warn(
        { batchId, scenarioId: scenarioId.toString(), txHash: log.transactionHash, reason: found.undecodable },
        "cannot read this batch's users from its transaction; its activity is not counted",
      );
      return () => this.o.store.addBatch({ ...record, decoded: false }, []);
    }
    const call = found.call;
    const uses: Use[] = usesOfCall(call);
    return () => {
      this.o.store.addBatch(record, uses);
      if (call.fn === "submitLock") this.o.store.addLock(call.settlement.id, scenarioId, call.settlement.legs);
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Months
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Throws `MonthNotReadyError` unless the month is over (a scanned block is at or past its end) and every
   * lightweight batch in it is decided (asks the chain for those still pending).
   */
  async assertReady(month: number): Promise<void> {
    const { end } = monthBounds(this.o.calendar, month);
    const progress = this.o.store.progress();
    if (progress === undefined || progress.timestamp < end) {
      throw new MonthNotReadyError(
        `Month ${month} ends at ${iso(end)}, but the last block read is from ${progress ? iso(progress.timestamp) : "nowhere yet"}. ` +
          "Scan again after the month has ended (and the end is confirmed).",
      );
    }
    const undecided = await this.refreshPending(month);
    if (undecided > 0) {
      const window = Number(await this.commitments.challengeWindow());
      throw new MonthNotReadyError(
        `${undecided} lightweight batch(es) of month ${month} are still in their challenge window or under challenge; ` +
          `their actions count only once final. Publish after ${iso(end + window)} (later if a challenge is open).`,
      );
    }
  }

  /**
   * Asks the chain about the month's lightweight batches whose fate is not known yet and records it; returns how
   * many are still undecided (in their window or under challenge).
   */
  private async refreshPending(month: number): Promise<number> {
    let undecided = 0;
    for (const batchId of this.o.store.pendingBatches(month)) {
      const status = (await this.commitments.getBatch(batchId)).status;
      if (status === BATCH_STATUS.Rejected) this.o.store.setBatchStatus(batchId, "rejected");
      else if (status === BATCH_STATUS.Finalized || (await this.commitments.isFinal(batchId))) {
        this.o.store.setBatchStatus(batchId, "final");
      } else undecided += 1;
    }
    return undecided;
  }

  /**
   * The month's counts and the epochs they would make (nothing is sent). A month not over yet, or with lightweight
   * batches still undecided, is summarized as it stands (`complete` false, `undecidedBatches` > 0).
   */
  async summarize(
    month: number,
    budgets: { subsidyBudget: bigint; rewardPool: bigint | "available" },
    topUsers = 10,
  ): Promise<MonthSummary> {
    const undecidedBatches = await this.refreshPending(month);
    const rewardPool =
      budgets.rewardPool === "available" ? await this.distributor.available(EpochKind.UserReward) : budgets.rewardPool;
    const activity = this.o.store.activity(month);
    const stats = this.o.store.batchStats(month);
    const mau = mauOf(activity);
    const owners = new Map<bigint, string>();
    const ids = [...new Set([...activity.keys(), ...stats.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const id of ids) owners.set(id, (await this.scenarios.getScenario(id)).owner);
    const subsidy = subsidyEntries(mau, owners, budgets.subsidyBudget);
    const perUser = actionsPerUser(activity);
    const reward = rewardEntries(perUser, rewardPool);
    const rewardOf = new Map(reward.entries.map((e) => [e.account, e.amount]));
    const scenarios: ScenarioSummary[] = ids.map((scenarioId) => {
      const users = activity.get(scenarioId) ?? new Map<string, number>();
      const entry = subsidy.entries.find((e) => e.scenarioId === scenarioId);
      const s = stats.get(scenarioId) ?? { batches: 0, results: 0, undecodable: 0, rejected: 0 };
      return {
        scenarioId,
        owner: owners.get(scenarioId) ?? "",
        batches: s.batches,
        actions: [...users.values()].reduce((a, b) => a + b, 0),
        results: s.results,
        mau: mau.get(scenarioId) ?? 0n,
        baseSubsidy: entry?.baseAmount ?? 0n,
        payout: entry === undefined ? 0n : subsidyFor(entry.baseAmount, entry.mau),
        undecodable: s.undecodable,
        rejected: s.rejected,
      };
    });
    const bounds = monthBounds(this.o.calendar, month);
    return {
      month,
      ...bounds,
      scenarios,
      users: perUser.size,
      topUsers: [...perUser.entries()]
        .sort((a, b) => (a[1] === b[1] ? (a[0] < b[0] ? -1 : 1) : a[1] > b[1] ? -1 : 1))
        .slice(0, topUsers)
        .map(([account, actions]) => ({ account, actions, reward: rewardOf.get(account) ?? 0n })),
      subsidy: {
        baseBudget: budgets.subsidyBudget,
        entries: subsidy.entries,
        dust: subsidy.dust,
        epochBudget: subsidy.entries.reduce((sum, e) => sum + subsidyFor(e.baseAmount, e.mau), 0n),
      },
      reward: { pool: rewardPool, entries: reward.entries, dust: reward.dust },
      complete: (this.o.store.progress()?.timestamp ?? -Infinity) >= bounds.end,
      undecidedBatches,
    };
  }

  /**
   * Publishes the month: checks it is ready, builds both trees, writes each proof file, then proposes each root
   * (subsidy first, then reward). A kind already published for the month is not published again; a kind with no
   * leaf (no activity, or a zero budget) is skipped.
   */
  async publish(month: number, p: PublishOptions): Promise<PublishResult> {
    await this.assertReady(month);
    const summary = await this.summarize(
      month,
      { subsidyBudget: p.subsidyBudget, rewardPool: p.rewardPool },
      p.topUsers,
    );
    const publications: Publication[] = [];
    const subsidy = await this.publishKind(month, "subsidy", summary.subsidy.entries, p);
    if (subsidy !== undefined) publications.push(subsidy);
    const reward = await this.publishKind(month, "reward", summary.reward.entries, p);
    if (reward !== undefined) publications.push(reward);
    return { summary, publications };
  }

  private async publishKind(
    month: number,
    kind: "subsidy" | "reward",
    entries: readonly (SubsidyEntry | RewardEntry)[],
    p: PublishOptions,
  ): Promise<Publication | undefined> {
    const log = this.o.logger.child({ month, kind });
    const existing = await this.reconcile(month, kind);
    if (existing !== undefined) {
      log.info({ epochId: existing.epochId.toString() }, "already published; nothing to do");
      return existing;
    }
    if (entries.length === 0) {
      log.warn("no leaf (no activity, or a zero budget): no epoch proposed");
      return undefined;
    }
    const epochKind = kind === "subsidy" ? EpochKind.DeveloperSubsidy : EpochKind.UserReward;
    const { chainId } = await this.o.provider.getNetwork();
    const epochId = await this.distributor.epochCount();
    const scope = { chainId, distributor: this.o.addresses.distributor, epochId };
    const tree =
      kind === "subsidy"
        ? new SubsidyTree(scope, entries as SubsidyEntry[])
        : new RewardTree(scope, entries as RewardEntry[]);
    const available = await this.distributor.available(epochKind);
    if (available < tree.budget) {
      throw new MonthNotReadyError(
        `The distributor's ${kind} pool holds ${available} wei, less than the ${tree.budget} wei month ${month} needs. ` +
          `Fund it (${kind === "subsidy" ? "fundSubsidies" : "fundUserRewards"}) or lower the budget, then publish again.`,
      );
    }
    const name = `epoch-${epochId}-${kind}.json`;
    const file = join(p.outDir, name);
    writeFileAtomic(file, serializeProofFile(toProofFile(tree, kind)));
    const publication: Publication = {
      month,
      kind,
      epochId,
      root: tree.root,
      budget: tree.budget,
      file,
      txHash: undefined,
      state: "proposing",
    };
    this.o.store.savePublication(publication);
    const data = this.distributor.interface.encodeFunctionData("proposeEpoch", [
      epochKind,
      tree.root,
      tree.budget,
      `${p.uriBase}${name}`,
    ]);
    const receipt = await p.submitter.submit({
      to: this.o.addresses.distributor,
      data,
      label: `propose-${kind}-epoch`,
    });
    const proposed = receipt.logs
      .filter((l) => getAddress(l.address) === getAddress(this.o.addresses.distributor))
      .map((l) => this.distributor.interface.parseLog(l))
      .find((e) => e?.name === "EpochProposed");
    if (proposed?.args[0] !== epochId || proposed.args[2] !== tree.root) {
      throw new Error(
        `The ${kind} root of month ${month} was proposed as epoch ${String(proposed?.args[0])}, but its leaves are ` +
          `bound to epoch ${epochId} (another proposal landed first). Ask the guardian to veto that epoch, then publish again.`,
      );
    }
    const done = { ...publication, txHash: receipt.hash, state: "proposed" as const };
    this.o.store.savePublication(done);
    log.info({ epochId: epochId.toString(), root: tree.root, budget: tree.budget.toString(), file }, "epoch proposed");
    return done;
  }

  /**
   * The month's publication of `kind` if it is on chain. A publication left `proposing` by a crash is settled by
   * reading its epoch: the same root there means it landed; otherwise it is forgotten and made again.
   */
  private async reconcile(month: number, kind: "subsidy" | "reward"): Promise<Publication | undefined> {
    const p = this.o.store.publication(month, kind);
    if (p === undefined || p.state === "proposed") return p;
    if (p.epochId < (await this.distributor.epochCount())) {
      const onChain = await this.distributor.getEpoch(p.epochId);
      if (onChain.root === p.root) {
        const landed = { ...p, state: "proposed" as const };
        this.o.store.savePublication(landed);
        return landed;
      }
    }
    this.o.store.deletePublication(month, kind);
    return undefined;
  }
}

function iso(ts: number): string {
  return new Date(ts * 1000).toISOString().replace(".000Z", "Z");
}

/** Writes a file so that a reader never sees it half-written (temporary file, then rename). */
function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
