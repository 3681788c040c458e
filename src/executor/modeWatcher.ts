import type { Provider } from "ethers";
import type { Logger } from "../node/logger";
import { ExecutionMode } from "../sdk/economy";
import { decodeContractError } from "../sdk/errors";
import type { ScenarioRegistry } from "../../typechain-types";
import { LogPoller, Ticker } from "../node/blockScan";
import { silentLogger } from "./modes/common";
import type { ModeChange, ModeSource } from "./types";

export interface ModeWatcherOptions {
  /** The scenario registry, connected to `provider`. */
  scenarioRegistry: ScenarioRegistry;
  provider: Provider;
  /** Scenarios to read at start (others are read the first time they are asked for). */
  scenarioIds?: readonly bigint[];
  /** How often to poll for `ModeSwitched` (default 5 s). */
  pollIntervalMs?: number;
  /** Blocks to stay behind the head (default 0: a switch counts from the block it is mined in). */
  confirmations?: number;
  maxBlockRange?: number;
  logger?: Logger;
}

interface Known {
  mode: ExecutionMode;
  /** The block the mode was read at or switched in: a read never overwrites a newer fact. */
  block: number;
}

/**
 * The executor's view of every scenario's live mode (`ModeSource`): read from the scenario registry once, then kept
 * current by polling `ModeSwitched` events over JSON-RPC, so a switch is followed without a restart. Listeners hear
 * every switch; the core re-routes queued jobs with it, and calls `reread` when the hub answers
 * `ExecutionModeMismatch` (a switch newer than the last poll).
 */
export class ModeWatcher implements ModeSource {
  private readonly known = new Map<bigint, Known>();
  private readonly listeners = new Set<(change: ModeChange) => void>();
  private readonly ticker: Ticker;
  private poller: LogPoller | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly options: ModeWatcherOptions) {
    this.ticker = new Ticker(options.pollIntervalMs ?? 5_000, () => this.refresh(), this.log, "polling mode switches");
  }

  private get log(): Logger {
    return this.options.logger ?? silentLogger;
  }

  /**
   * Reads the configured scenarios' modes and fixes the block from which switches are followed (every other method
   * does it first too). Idempotent.
   */
  open(): Promise<void> {
    return this.init();
  }

  /** `open`, then polls every `pollIntervalMs` until `stop`. */
  async start(): Promise<void> {
    await this.init();
    this.ticker.start();
  }

  async stop(): Promise<void> {
    await this.ticker.stop();
  }

  /** The scenario's mode as of the last poll (read from the registry the first time). */
  async modeOf(scenarioId: bigint): Promise<ExecutionMode> {
    await this.init();
    const cached = this.known.get(scenarioId);
    if (cached !== undefined) return cached.mode;
    const block = this.poller!.cursor;
    this.learn(scenarioId, await this.read(scenarioId, block), block);
    return this.known.get(scenarioId)!.mode;
  }

  /**
   * The scenario's mode read from the registry now, at the head (not `confirmations` behind: the hub that refused a
   * batch answered at the head), and answered by `modeOf` from then on. The `ModeSwitched` event that the next poll
   * finds is still heard by the listeners; it changes nothing more, being no newer than this read.
   */
  async reread(scenarioId: bigint): Promise<ExecutionMode> {
    await this.init();
    const block = await this.options.provider.getBlockNumber();
    this.learn(scenarioId, await this.read(scenarioId, block), block);
    return this.known.get(scenarioId)!.mode;
  }

  onChange(listener: (change: ModeChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Polls for switches now; returns the switches seen, in chain order. */
  async refresh(): Promise<ModeChange[]> {
    await this.init();
    const changes: ModeChange[] = [];
    for (const { log, event } of await this.poller!.poll()) {
      const change: ModeChange = {
        scenarioId: event.args.scenarioId as bigint,
        from: Number(event.args.from) as ExecutionMode,
        to: Number(event.args.to) as ExecutionMode,
        blockNumber: log.blockNumber,
      };
      this.learn(change.scenarioId, change.to, change.blockNumber);
      changes.push(change);
      this.log.info(
        {
          scenarioId: change.scenarioId.toString(),
          from: ExecutionMode[change.from],
          to: ExecutionMode[change.to],
          block: change.blockNumber,
        },
        "scenario mode switched",
      );
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch (err) {
          this.log.error({ err }, "a mode-change listener threw");
        }
      }
    }
    return changes;
  }

  private init(): Promise<void> {
    this.starting ??= (async () => {
      const block = (await this.options.provider.getBlockNumber()) - (this.options.confirmations ?? 0);
      const ids = this.options.scenarioIds ?? [];
      const modes = await Promise.all(ids.map((id) => this.read(id, block)));
      ids.forEach((id, i) => this.learn(id, modes[i], block));
      this.poller = new LogPoller({
        provider: this.options.provider,
        address: await this.options.scenarioRegistry.getAddress(),
        iface: this.options.scenarioRegistry.interface,
        event: "ModeSwitched",
        fromBlock: block + 1,
        confirmations: this.options.confirmations,
        maxBlockRange: this.options.maxBlockRange,
      });
    })().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private async read(scenarioId: bigint, blockTag: number): Promise<ExecutionMode> {
    try {
      return Number(await this.options.scenarioRegistry.modeOf(scenarioId, { blockTag })) as ExecutionMode;
    } catch (err) {
      if (decodeContractError(err)?.errorName === "ScenarioUnknown") {
        throw new Error(`Scenario ${scenarioId} is not registered in the scenario registry: check the scenario id.`);
      }
      throw err;
    }
  }

  private learn(scenarioId: bigint, mode: ExecutionMode, block: number): void {
    const current = this.known.get(scenarioId);
    if (current === undefined || block >= current.block) this.known.set(scenarioId, { mode, block });
  }
}
