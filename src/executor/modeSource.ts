import type { ExecutionMode } from "../sdk/economy";
import type { ScenarioRegistry } from "../../typechain-types";
import type { ModeSource } from "./types";

/**
 * The simplest `ModeSource`: asks the scenario registry (`modeOf`) each time, or at most every `ttlMs` per
 * scenario. The mode watcher (chain events) replaces it in production; this one serves tests and small setups.
 */
export class RegistryModeSource implements ModeSource {
  private readonly cache = new Map<string, { mode: ExecutionMode; at: number }>();

  constructor(
    private readonly registry: Pick<ScenarioRegistry, "modeOf">,
    private readonly ttlMs = 0,
  ) {}

  async modeOf(scenarioId: bigint): Promise<ExecutionMode> {
    const key = scenarioId.toString();
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.mode;
    return this.reread(scenarioId);
  }

  /** Asks the registry now, whatever the cache holds. */
  async reread(scenarioId: bigint): Promise<ExecutionMode> {
    const mode = Number(await this.registry.modeOf(scenarioId)) as ExecutionMode;
    this.cache.set(scenarioId.toString(), { mode, at: Date.now() });
    return mode;
  }
}
