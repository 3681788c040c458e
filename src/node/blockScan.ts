import type { Log, Provider } from "ethers";

/**
 * Polling over plain JSON-RPC, shared by the verifier and the activity indexer: which block range to read next (only
 * blocks `confirmations` deep, at most `maxRange` at a time), the logs of a range in chain order, and block
 * timestamps. No websocket, no filter subscription: `eth_blockNumber`, `eth_getLogs` and `eth_getBlockByNumber` work
 * on every node and survive a restart of either side.
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

/** The logs of `addresses` whose first topic is one of `topics`, in chain order (block, then log index). */
export async function logsInRange(
  provider: Pick<Provider, "getLogs">,
  addresses: readonly string[],
  topics: readonly string[],
  range: BlockRange,
): Promise<Log[]> {
  const logs = await provider.getLogs({
    address: [...addresses],
    topics: [[...topics]],
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

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
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
