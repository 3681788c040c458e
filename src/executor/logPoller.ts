import type { Interface, Log, LogDescription, Provider } from "ethers";
import type { Logger } from "../node/logger";

/**
 * Follows one event of one contract over plain JSON-RPC (`eth_getLogs`; no websocket or filter subscription, which
 * many RPC endpoints drop): each `poll` reads the logs from the block after the last one read up to the chain's head
 * (minus `confirmations`), in ranges of at most `maxBlockRange` blocks, which RPC providers cap.
 */
export interface LogPollerOptions {
  provider: Provider;
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
    const head = (await this.options.provider.getBlockNumber()) - (this.options.confirmations ?? 0);
    const range = this.options.maxBlockRange ?? 2_000;
    const out: PolledEvent[] = [];
    while (this.next <= head) {
      const toBlock = Math.min(head, this.next + range - 1);
      const logs = await this.options.provider.getLogs({
        address: this.options.address,
        topics: [this.topic, ...(this.options.indexed ?? [])],
        fromBlock: this.next,
        toBlock,
      });
      for (const log of [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)) {
        const event = this.options.iface.parseLog(log);
        if (event !== null) out.push({ log, event });
      }
      this.next = toBlock + 1;
    }
    return out;
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
