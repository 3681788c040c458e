import type { Logger } from "../node/logger";
import type { TxSubmitter } from "../node/types";
import { ExecutionMode, ScenarioClass } from "../sdk/economy";
import { decodeContractError, describeError } from "../sdk/errors";
import type { ScenarioRegistry } from "../../typechain-types";
import { Ticker } from "../node/blockScan";
import { silentLogger } from "./modes/common";
import type { ModeSource } from "./types";

/**
 * Automatic mode policy for light-interaction scenarios (opt-in per scenario): run in lightweight mode while the
 * backlog of queued actions is high (a sales peak), in standard mode when it is low. Two thresholds make a hysteresis
 * band, and a minimum dwell time between switches keeps a backlog hovering near a threshold from flapping the mode.
 */
export interface ModePolicyThresholds {
  /** Switch standard → lightweight when the backlog reaches this many queued actions. */
  high: number;
  /** Switch lightweight → standard when the backlog falls to this many or fewer (below `high`). */
  low: number;
  /** Least time between two switches of the scenario, in milliseconds. */
  minDwellMs: number;
}

export interface PolicyInput {
  mode: ExecutionMode;
  /** Queued action jobs of the scenario. */
  backlog: number;
  /** When the scenario's mode last changed (ms since the epoch), if known. */
  lastSwitchAt: number | undefined;
  /** Now (ms since the epoch). */
  now: number;
}

export type PolicyDecision =
  { action: "switch"; to: ExecutionMode; reason: string } | { action: "stay"; reason: string };

/** Throws a `RangeError` naming the problem when thresholds cannot make a hysteresis band. */
export function checkThresholds(t: ModePolicyThresholds, what = "mode policy"): void {
  if (!Number.isInteger(t.low) || t.low < 0)
    throw new RangeError(`${what}: low must be a whole number ≥ 0, got ${t.low}.`);
  if (!Number.isInteger(t.high) || t.high <= t.low) {
    throw new RangeError(`${what}: high must be a whole number above low (${t.low}), got ${t.high}.`);
  }
  if (!Number.isFinite(t.minDwellMs) || t.minDwellMs < 0) {
    throw new RangeError(`${what}: minDwellMs must be ≥ 0, got ${t.minDwellMs}.`);
  }
}

/** The policy's decision for one scenario now. Pure: same input, same decision. */
export function decideMode(t: ModePolicyThresholds, input: PolicyInput): PolicyDecision {
  const { mode, backlog } = input;
  let to: ExecutionMode | undefined;
  let reason: string;
  if (mode === ExecutionMode.Standard) {
    if (backlog >= t.high) {
      to = ExecutionMode.Lightweight;
      reason = `backlog ${backlog} reached the high threshold ${t.high}`;
    } else reason = `backlog ${backlog} is below the high threshold ${t.high}`;
  } else if (mode === ExecutionMode.Lightweight) {
    if (backlog <= t.low) {
      to = ExecutionMode.Standard;
      reason = `backlog ${backlog} drained to the low threshold ${t.low}`;
    } else reason = `backlog ${backlog} is above the low threshold ${t.low}`;
  } else {
    return { action: "stay", reason: `mode ${ExecutionMode[mode]} is not one the policy switches` };
  }
  if (to === undefined) return { action: "stay", reason };
  if (input.lastSwitchAt !== undefined && input.now - input.lastSwitchAt < t.minDwellMs) {
    const left = t.minDwellMs - (input.now - input.lastSwitchAt);
    return { action: "stay", reason: `${reason}, but the last switch was too recent (${left} ms of dwell left)` };
  }
  return { action: "switch", to, reason };
}

export interface ModePolicyDriverOptions {
  /** The scenario registry, connected to a provider (reads; switches go through `submitter`). */
  scenarioRegistry: ScenarioRegistry;
  modes: ModeSource;
  /** Sends `setMode` with the node's key. */
  submitter: TxSubmitter;
  /** The address `submitter` sends from: each scenario's owner must make it a mode operator (`setModeOperator`). */
  operator: string;
  /** The scenarios that opted in, with their thresholds. */
  scenarios: ReadonlyMap<bigint, ModePolicyThresholds>;
  /** Queued action jobs of a scenario (from the executor's journal). */
  backlogOf(scenarioId: bigint): Promise<number> | number;
  /** How often to decide (default 10 s). */
  intervalMs?: number;
  /** The clock (default `Date.now`). */
  now?: () => number;
  logger?: Logger;
}

/** What one tick did for one scenario. */
export interface PolicyOutcome {
  scenarioId: bigint;
  decision: PolicyDecision;
  /** The switch transaction, when one was mined. */
  txHash?: string;
  /** Why a decided switch did not happen. */
  error?: string;
}

/** Runs the policy: every `intervalMs`, decides each opted-in scenario and sends the switches decided. */
export class ModePolicyDriver {
  private readonly lastSwitchAt = new Map<bigint, number>();
  private readonly ticker: Ticker;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: ModePolicyDriverOptions) {
    for (const [id, t] of options.scenarios) checkThresholds(t, `mode policy of scenario ${id}`);
    this.ticker = new Ticker(options.intervalMs ?? 10_000, () => this.tick(), this.log, "the mode policy tick");
  }

  private get log(): Logger {
    return this.options.logger ?? silentLogger;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * Checks that every opted-in scenario is a light-interaction one (the only class with two modes worth switching
   * on load), warns about scenarios whose owner has not authorised the operator yet, and starts the loop.
   */
  async start(): Promise<void> {
    const { scenarioRegistry, operator } = this.options;
    for (const id of this.options.scenarios.keys()) {
      const scenario = await scenarioRegistry.getScenario(id);
      if (Number(scenario.scenarioClass) !== ScenarioClass.Lightweight) {
        throw new Error(
          `Scenario ${id} is a ${ScenarioClass[Number(scenario.scenarioClass)]} scenario: the automatic mode policy only switches light-interaction scenarios. Remove it from the policy's scenarios.`,
        );
      }
      if (!(await scenarioRegistry.isModeOperator(id, operator))) {
        this.log.warn(
          { scenarioId: id.toString(), operator },
          "the policy cannot switch this scenario yet: its owner must call setModeOperator(scenarioId, operator, true)",
        );
      }
    }
    this.unsubscribe = this.options.modes.onChange?.((change) => {
      if (this.options.scenarios.has(change.scenarioId)) this.lastSwitchAt.set(change.scenarioId, this.now());
    });
    this.ticker.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.ticker.stop();
  }

  /** Decides every opted-in scenario once and sends the switches decided. */
  async tick(): Promise<PolicyOutcome[]> {
    const outcomes: PolicyOutcome[] = [];
    for (const [scenarioId, thresholds] of this.options.scenarios) {
      const decision = decideMode(thresholds, {
        mode: await this.options.modes.modeOf(scenarioId),
        backlog: await this.options.backlogOf(scenarioId),
        lastSwitchAt: this.lastSwitchAt.get(scenarioId),
        now: this.now(),
      });
      const outcome: PolicyOutcome = { scenarioId, decision };
      if (decision.action === "switch") await this.send(outcome, decision.to);
      outcomes.push(outcome);
    }
    return outcomes;
  }

  private async send(outcome: PolicyOutcome, to: ExecutionMode): Promise<void> {
    const { scenarioRegistry } = this.options;
    const at = { scenarioId: outcome.scenarioId.toString(), to: ExecutionMode[to], reason: outcome.decision.reason };
    try {
      const receipt = await this.options.submitter.submit({
        to: await scenarioRegistry.getAddress(),
        data: scenarioRegistry.interface.encodeFunctionData("setMode", [outcome.scenarioId, to]),
        label: "mode-switch",
      });
      outcome.txHash = receipt.hash;
      this.lastSwitchAt.set(outcome.scenarioId, this.now());
      this.log.info({ ...at, txHash: receipt.hash }, "mode switched by policy");
    } catch (err) {
      const decoded = decodeContractError(err);
      outcome.error =
        decoded?.errorName === "ScenarioNotModeOperator"
          ? `${this.options.operator} may not switch scenario ${outcome.scenarioId}: its owner must call setModeOperator(${outcome.scenarioId}, ${this.options.operator}, true).`
          : describeError(err);
      this.log.warn({ ...at, error: outcome.error }, "mode switch decided by policy failed");
    }
  }
}
