import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import {
  checkThresholds,
  decideMode,
  ModePolicyDriver,
  type ModePolicyDriverOptions,
  type ModePolicyThresholds,
} from "../../../src/executor/modePolicy";
import { ModeWatcher } from "../../../src/executor/modeWatcher";
import {
  FINANCIAL,
  LIGHT,
  ExecutionMode,
  modesFixture,
  rejectionOf,
  walletSubmitter,
  type ModesFixture,
} from "./helpers";

const T: ModePolicyThresholds = { high: 100, low: 20, minDwellMs: 60_000 };

/**
 * Feeds a series of backlogs, one per minute plus `stepMs`, through the pure policy, applying each switch it
 * decides; returns the mode after each step.
 */
function simulate(backlogs: readonly number[], stepMs = 60_000, t = T): ExecutionMode[] {
  let mode = ExecutionMode.Standard;
  let lastSwitchAt: number | undefined;
  return backlogs.map((backlog, i) => {
    const now = i * stepMs;
    const d = decideMode(t, { mode, backlog, lastSwitchAt, now });
    if (d.action === "switch") {
      mode = d.to;
      lastSwitchAt = now;
    }
    return mode;
  });
}

const S = ExecutionMode.Standard;
const L = ExecutionMode.Lightweight;

describe("decideMode (pure policy)", function () {
  it("switches to lightweight at the high threshold and back to standard at the low one, not in between", function () {
    expect(simulate([0, 99, 100, 150, 99, 50, 21, 20, 19, 99, 100])).to.deep.equal([S, S, L, L, L, L, L, S, S, S, L]);
  });

  it("never flaps: a backlog swinging across both thresholds switches at most once per dwell time", function () {
    const swinging = [150, 0, 150, 0, 150, 0, 150, 0];
    expect(simulate(swinging, 60_000)).to.deep.equal([L, S, L, S, L, S, L, S]);
    // With 20 s steps and a 60 s dwell, a switch can only happen every third step.
    expect(simulate(swinging, 20_000)).to.deep.equal([L, L, L, S, S, S, L, L]);
  });

  it("explains a switch held back by the dwell time and stays", function () {
    const d = decideMode(T, { mode: L, backlog: 0, lastSwitchAt: 1_000, now: 31_000 });
    expect(d).to.deep.equal({
      action: "stay",
      reason: "backlog 0 drained to the low threshold 20, but the last switch was too recent (30000 ms of dwell left)",
    });
    expect(decideMode(T, { mode: L, backlog: 0, lastSwitchAt: 1_000, now: 61_000 })).to.deep.equal({
      action: "switch",
      to: S,
      reason: "backlog 0 drained to the low threshold 20",
    });
  });

  it("leaves the other modes alone", function () {
    for (const mode of [ExecutionMode.AtomicSettlement, ExecutionMode.Notarized]) {
      expect(decideMode(T, { mode, backlog: 1_000_000, lastSwitchAt: undefined, now: 0 }).action).to.equal("stay");
    }
  });

  it("refuses thresholds that make no hysteresis band", function () {
    expect(() => checkThresholds({ high: 10, low: 10, minDwellMs: 0 })).to.throw(
      RangeError,
      /high must be .* above low/,
    );
    expect(() => checkThresholds({ high: 10, low: -1, minDwellMs: 0 })).to.throw(RangeError, /low must be/);
    expect(() => checkThresholds({ high: 10, low: 1, minDwellMs: -5 })).to.throw(RangeError, /minDwellMs/);
    expect(() => checkThresholds({ high: 10, low: 1, minDwellMs: 0 })).not.to.throw();
  });
});

describe("ModePolicyDriver", function () {
  /** Node 1's driver over `scenarios`, reading modes from a watcher of the registry. */
  function driverOf(
    f: ModesFixture,
    scenarios: Map<bigint, ModePolicyThresholds>,
    extra: Partial<ModePolicyDriverOptions> = {},
  ): { watcher: ModeWatcher; driver: ModePolicyDriver } {
    const watcher = new ModeWatcher({ scenarioRegistry: f.reader.scenarioRegistry, provider: ethers.provider });
    const driver = new ModePolicyDriver({
      scenarioRegistry: f.reader.scenarioRegistry,
      modes: watcher,
      submitter: walletSubmitter(f.keys[0]),
      operator: f.keys[0].address,
      scenarios,
      backlogOf: () => 0,
      ...extra,
    });
    return { watcher, driver };
  }

  /** The driver of node 1 on scenario 3 (lightweight class) with a backlog and a clock the test sets. */
  async function driverSetup() {
    const f = await loadFixture(modesFixture);
    const state = { backlog: 0, now: 1_000_000 };
    const { watcher, driver } = driverOf(f, new Map([[LIGHT, T]]), {
      backlogOf: () => state.backlog,
      now: () => state.now,
    });
    await watcher.open();
    return { f, watcher, state, driver };
  }

  const modeOnChain = (f: ModesFixture) => f.scenarioRegistry.modeOf(LIGHT);

  it("switches a real scenario with the node's key: down when drained, up at a peak once the dwell has passed", async function () {
    const { f, watcher, state, driver } = await driverSetup();
    await f.scenarioRegistry.connect(f.developer).setModeOperator(LIGHT, f.keys[0].address, true);

    // Lightweight with nothing queued: back to standard.
    const [down] = await driver.tick();
    expect(down.decision).to.deep.include({ action: "switch", to: S });
    expect(await modeOnChain(f)).to.equal(S);
    await expect(down.txHash)
      .to.emit(f.scenarioRegistry, "ModeSwitched")
      .withArgs(LIGHT, ExecutionMode.Lightweight, ExecutionMode.Standard, f.keys[0].address);
    await watcher.refresh();

    // A peak right after: held back by the dwell time.
    state.backlog = 500;
    state.now += T.minDwellMs - 1;
    const [held] = await driver.tick();
    expect(held.decision.action).to.equal("stay");
    expect(await modeOnChain(f)).to.equal(S);

    // Once the dwell has passed: lightweight.
    state.now += 1;
    const [up] = await driver.tick();
    expect(up.decision).to.deep.include({ action: "switch", to: L });
    expect(await modeOnChain(f)).to.equal(L);
  });

  it("reports, without switching, a scenario whose owner has not authorised the node's key", async function () {
    const { f, driver } = await driverSetup();
    const [outcome] = await driver.tick();
    expect(outcome.decision.action).to.equal("switch");
    expect(outcome.txHash).to.equal(undefined);
    expect(outcome.error).to.equal(
      `${f.keys[0].address} may not switch scenario 3: its owner must call setModeOperator(3, ${f.keys[0].address}, true).`,
    );
    expect(await modeOnChain(f)).to.equal(L);
  });

  it("refuses to run on a scenario that is not a light-interaction one", async function () {
    const f = await loadFixture(modesFixture);
    const { driver } = driverOf(f, new Map([[FINANCIAL, T]]));
    const err = await rejectionOf(driver.start());
    expect(err.message).to.match(/Scenario 1 is a Financial scenario: .* only switches light-interaction scenarios/);
    expect(() => driverOf(f, new Map([[LIGHT, { ...T, low: 200 }]]))).to.throw(
      RangeError,
      /mode policy of scenario 3: high must be/,
    );
  });
});
