import { isHexString, type Provider } from "ethers";
import pino from "pino";
import type { Logger } from "../../node/logger";
import {
  BatchCommitments__factory,
  ExecutionHub__factory,
  NodeRegistry__factory,
  NotaryRegistry__factory,
  ScenarioRegistry__factory,
  SettlementEngine__factory,
  type BatchCommitments,
  type ExecutionHub,
  type NodeRegistry,
  type NotaryRegistry,
  type ScenarioRegistry,
  type SettlementEngine,
} from "../../../typechain-types";
import type { ExecutionAddresses } from "../run";
import type { Job, JobKind, JobRecord, ModeHandler } from "../types";

/** What every mode handler reads: the chain, the execution layer's addresses and which node this executor is. */
export interface ModeContext {
  /** Reads only: transactions go through the core's sender. */
  provider: Provider;
  chainId: bigint;
  /** This executor's node id in the node registry. */
  nodeId: bigint;
  /** The execution layer's contracts, as the hub names them (the core's `HandlerContext.addresses`). */
  addresses: ExecutionAddresses;
  logger?: Logger;
}

/** Typed read handles on the contracts the mode handlers use. */
export interface ExecutionContracts {
  addresses: ExecutionAddresses;
  executionHub: ExecutionHub;
  batchCommitments: BatchCommitments;
  settlementEngine: SettlementEngine;
  notaryRegistry: NotaryRegistry;
  scenarioRegistry: ScenarioRegistry;
  nodeRegistry: NodeRegistry;
}

/** Connects the handles of `ctx.addresses` to `ctx.provider`. */
export function contractsOf(ctx: Pick<ModeContext, "addresses" | "provider">): ExecutionContracts {
  const { addresses: a, provider } = ctx;
  return {
    addresses: a,
    executionHub: ExecutionHub__factory.connect(a.executionHub, provider),
    batchCommitments: BatchCommitments__factory.connect(a.batchCommitments, provider),
    settlementEngine: SettlementEngine__factory.connect(a.settlementEngine, provider),
    notaryRegistry: NotaryRegistry__factory.connect(a.notaryRegistry, provider),
    scenarioRegistry: ScenarioRegistry__factory.connect(a.scenarioRegistry, provider),
    nodeRegistry: NodeRegistry__factory.connect(a.nodeRegistry, provider),
  };
}

/**
 * What the handlers (and the challenge responder) share: their context, typed handles on the contracts they read, a
 * logger, and a bound on parallel RPC reads when they check a large batch.
 */
export abstract class ChainReader {
  protected readonly ctx: ModeContext;
  protected readonly suite: ExecutionContracts;
  /** Parallel RPC reads when checking a batch (default 16). */
  protected readonly readConcurrency: number;

  protected constructor(options: ModeContext & { readConcurrency?: number }) {
    this.ctx = options;
    this.suite = contractsOf(options);
    this.readConcurrency = options.readConcurrency ?? 16;
  }

  protected get log(): Logger {
    return this.ctx.logger ?? silentLogger;
  }
}

/** A handler's `maxBatchSize` option checked: a whole number from 1 to `limit` (`fallback` when not given). */
export function batchSizeOption(value: number | undefined, fallback: number, limit: number, unit: string): number {
  const size = value ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > limit) {
    throw new RangeError(`maxBatchSize must be between 1 and ${limit} ${unit}, got ${size}.`);
  }
  return size;
}

/** A logger that writes nothing, for handlers built without one. */
export const silentLogger: Logger = pino({ level: "silent" });

/** Whether `x` is a 0x-prefixed 32-byte hex string. */
export const isBytes32 = (x: unknown): x is string => typeof x === "string" && isHexString(x, 32);

/** The timestamp of the chain's latest block, in seconds: the "now" contracts compare deadlines with. */
export async function chainNow(provider: Provider): Promise<bigint> {
  const block = await provider.getBlock("latest");
  if (block === null) throw new Error("The RPC endpoint returned no latest block: check that the node is synced.");
  return BigInt(block.timestamp);
}

/**
 * The plan's jobs, narrowed to `kind`. A job of another kind means the core routed it to the wrong handler: a bug,
 * reported as such.
 */
export function jobsOfKind<K extends JobKind>(
  records: readonly JobRecord[],
  kind: K,
  handler: string,
): { record: JobRecord; job: Extract<Job, { kind: K }> }[] {
  return records.map((record) => {
    if (record.job.kind !== kind) {
      throw new Error(`The ${handler} handler takes ${kind} jobs; job ${record.id} is a ${record.job.kind} job.`);
    }
    return { record, job: record.job as Extract<Job, { kind: K }> };
  });
}

/**
 * For the core's batcher: the jobs of the next batch a handler takes from `queued` (oldest first). Without `groupOf`,
 * the first `limit` jobs; with it, the oldest job's group only, up to the group's own size. A handler with groups
 * (the settlement handler: a lock travels alone) needs its batches formed this way.
 */
export function nextBatchJobs<T extends { job: Job }>(
  handler: Pick<ModeHandler, "groupOf">,
  queued: readonly T[],
  limit: number,
): T[] {
  if (queued.length === 0) return [];
  if (handler.groupOf === undefined) return queued.slice(0, limit);
  const group = handler.groupOf(queued[0].job);
  const size = Math.min(limit, group.maxSize);
  return queued.filter((q) => handler.groupOf!(q.job).key === group.key).slice(0, size);
}
