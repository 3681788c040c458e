import type { Interface, Log, LogDescription, Provider } from "ethers";
import type { Logger } from "./logger";

/**
 * The one event poller of the node processes, over plain JSON-RPC: which block range to read next (only blocks
 * `confirmations` deep, at most `maxRange` at a time), the logs of a range in chain order, block timestamps, and on
 * top of these a `LogPoller` that follows one event from an in-memory cursor and a `Ticker` that runs a poll at an
 * interval. The verifier and the activity indexer keep their cursor in their state file and read ranges themselves;
 * the executor's mode watcher, challenge responder and mode handlers use `LogPoller` and `Ticker`. No websocket, no
 * filter subscription: `eth_blockNumber`, `eth_getLogs` and `eth_getBlockByNumber` work on every node and survive a
 * restart of either side.
 */

export interface BlockRange {
  fromBlock: number;
  toBlock: number;
}

export interface RangeOptions {
  /** The last block fully processed, or undefined when nothing was processed yet. */
  lastProcessed: number | undefined;
  /** The first block to process when starting from scratch (the deployment block). */
  startBlock: number;
  /** The chain's latest block number. */
  head: number;
  /** Blocks a block must be buried under before it is processed (0: process the head). */
  confirmations: number;
  /** Most blocks in one range (RPC providers cap `eth_getLogs`). */
  maxRange: number;
}

/** The next range to process, or undefined when everything confirmed is processed. */
export function nextRange(o: RangeOptions): BlockRange | undefined {
  const confirmed = o.head - o.confirmations;
  const fromBlock = o.lastProcessed === undefined ? o.startBlock : Math.max(o.lastProcessed + 1, o.startBlock);
  if (fromBlock > confirmed) return undefined;
  return { fromBlock, toBlock: Math.min(confirmed, fromBlock + Math.max(1, o.maxRange) - 1) };
}

/**
 * The logs of `addresses` whose first topic is one of `topics`, in chain order (block, then log index). `indexed`
 * matches the event's indexed arguments (topics 1–3, 32-byte hex; null matches any).
 */
export async function logsInRange(
  provider: Pick<Provider, "getLogs">,
  addresses: readonly string[],
  topics: readonly string[],
  range: BlockRange,
  indexed: readonly (string | null)[] = [],
): Promise<Log[]> {
  const logs = await provider.getLogs({
    address: [...addresses],
    topics: [[...topics], ...indexed],
    fromBlock: range.fromBlock,
    toBlock: range.toBlock,
  });
  return [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
}

/** Block timestamps, each block read once. */
export class BlockTimes {
  private readonly cache = new Map<number, number>();

  constructor(
    private readonly provider: Pick<Provider, "getBlock">,
    private readonly capacity = 10_000,
  ) {}

  /** The timestamp (unix seconds) of block `blockNumber`. */
  async of(blockNumber: number): Promise<number> {
    const cached = this.cache.get(blockNumber);
    if (cached !== undefined) return cached;
    const block = await this.provider.getBlock(blockNumber);
    if (block === null) throw new Error(`The RPC node does not know block ${blockNumber}; is it fully synced?`);
    if (this.cache.size >= this.capacity) this.cache.clear();
    this.cache.set(blockNumber, block.timestamp);
    return block.timestamp;
  }

  /** The latest block's number and timestamp: the chain's "now" for windows and deadlines. */
  async latest(): Promise<{ number: number; timestamp: number }> {
    const block = await this.provider.getBlock("latest");
    if (block === null) throw new Error("The RPC node returned no latest block.");
    return { number: block.number, timestamp: block.timestamp };
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** What a `LogPoller` follows: one event of one contract. */
export interface LogPollerOptions {
  provider: Pick<Provider, "getBlockNumber" | "getLogs">;
  address: string;
  /** The contract's interface (decodes the logs). */
  iface: Interface;
  /** The event's name in `iface`. */
  event: string;
  /** Values of the event's indexed arguments to match (topics 1–3, 32-byte hex; null matches any). */
  indexed?: (string | null)[];
  /** The first block to read. */
  fromBlock: number;
  /** Blocks to stay behind the head (0: follow the head). */
  confirmations?: number;
  /** Most blocks one `eth_getLogs` call covers. */
  maxBlockRange?: number;
}

export interface PolledEvent {
  log: Log;
  event: LogDescription;
}

/**
 * Follows one event of one contract: each `poll` reads, with `nextRange` and `logsInRange`, the logs from the block
 * after the last one read up to the chain's head (minus `confirmations`), in ranges of at most `maxBlockRange` blocks.
 * The cursor lives in memory (a process that must resume after a restart keeps its own, as the verifier does).
 */
export class LogPoller {
  private next: number;
  private readonly topic: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LogPollerOptions) {
    if (!Number.isSafeInteger(options.fromBlock) || options.fromBlock < 0) {
      throw new RangeError(`fromBlock must be a block number ≥ 0, got ${options.fromBlock}.`);
    }
    const fragment = options.iface.getEvent(options.event);
    if (fragment === null) throw new Error(`The contract's ABI has no event ${options.event}.`);
    this.topic = fragment.topicHash;
    this.next = options.fromBlock;
  }

  /** The last block read (one before the next to read). */
  get cursor(): number {
    return this.next - 1;
  }

  /** The events since the last poll, in chain order. Concurrent calls run one after the other. */
  poll(): Promise<PolledEvent[]> {
    const run = this.queue.then(() => this.read());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(): Promise<PolledEvent[]> {
    const head = await this.options.provider.getBlockNumber();
    const out: PolledEvent[] = [];
    for (;;) {
      const range = nextRange({
        lastProcessed: this.next - 1,
        startBlock: this.options.fromBlock,
        head,
        confirmations: this.options.confirmations ?? 0,
        maxRange: this.options.maxBlockRange ?? 2_000,
      });
      if (range === undefined) return out;
      const { provider, address, indexed } = this.options;
      for (const log of await logsInRange(provider, [address], [this.topic], range, indexed)) {
        const event = this.options.iface.parseLog(log);
        if (event !== null) out.push({ log, event });
      }
      this.next = range.toBlock + 1;
    }
  }
}

/**
 * Runs `tick` every `intervalMs` until stopped, one at a time (a slow tick delays the next, never overlaps it).
 * Errors are logged and the loop goes on.
 */
export class Ticker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => Promise<unknown>,
    private readonly log: Logger,
    /** What the loop does, for the error log, e.g. `polling mode switches`. */
    private readonly what: string,
  ) {
    if (!(intervalMs > 0)) throw new RangeError(`The polling interval must be positive, got ${intervalMs} ms.`);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the loop and waits for a tick in progress to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.tick()
        .then(() => undefined)
        .catch((err: unknown) => this.log.error({ err }, `${this.what} failed; trying again at the next interval`))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.intervalMs);
        });
    }, delay);
    this.timer.unref();
  }
}
