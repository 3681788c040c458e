import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { ModeWatcher } from "../../../src/executor/modeWatcher";
import type { ModeChange } from "../../../src/executor/types";
import { ENTERPRISE, ExecutionMode, FINANCIAL, LIGHT, modesFixture, rejectionOf, type ModesFixture } from "./helpers";

function watcherOf(f: ModesFixture, opts: { scenarioIds?: bigint[]; pollIntervalMs?: number } = {}): ModeWatcher {
  return new ModeWatcher({ scenarioRegistry: f.reader.scenarioRegistry, provider: ethers.provider, ...opts });
}

const setMode = (f: ModesFixture, id: bigint, mode: ExecutionMode) =>
  f.scenarioRegistry.connect(f.developer).setMode(id, mode);

/** Tests that poll by hand (`refresh`) `open` the watcher but never `start` it: its loop would take the events first. */
describe("ModeWatcher", function () {
  it("reads the modes at start, then follows standard → lightweight → standard from the registry's events", async function () {
    const f = await loadFixture(modesFixture);
    const watcher = watcherOf(f, { scenarioIds: [FINANCIAL, ENTERPRISE, LIGHT] });
    const heard: ModeChange[] = [];
    watcher.onChange((c) => heard.push(c));
    await watcher.open();
    expect(await watcher.modeOf(FINANCIAL)).to.equal(ExecutionMode.AtomicSettlement);
    expect(await watcher.modeOf(ENTERPRISE)).to.equal(ExecutionMode.Notarized);
    expect(await watcher.modeOf(LIGHT)).to.equal(ExecutionMode.Lightweight);

    await setMode(f, LIGHT, ExecutionMode.Standard);
    const first = await watcher.refresh();
    expect(await watcher.modeOf(LIGHT)).to.equal(ExecutionMode.Standard);
    await setMode(f, LIGHT, ExecutionMode.Lightweight);
    await watcher.refresh();
    expect(await watcher.modeOf(LIGHT)).to.equal(ExecutionMode.Lightweight);
    await setMode(f, LIGHT, ExecutionMode.Standard);
    await watcher.refresh();
    expect(await watcher.modeOf(LIGHT)).to.equal(ExecutionMode.Standard);

    expect(first).to.deep.equal([
      {
        scenarioId: LIGHT,
        from: ExecutionMode.Lightweight,
        to: ExecutionMode.Standard,
        blockNumber: heard[0].blockNumber,
      },
    ]);
    expect(heard.map((c) => [c.scenarioId, c.from, c.to])).to.deep.equal([
      [LIGHT, ExecutionMode.Lightweight, ExecutionMode.Standard],
      [LIGHT, ExecutionMode.Standard, ExecutionMode.Lightweight],
      [LIGHT, ExecutionMode.Lightweight, ExecutionMode.Standard],
    ]);
    expect(heard[0].blockNumber).to.be.lessThan(heard[2].blockNumber);
    expect(await watcher.modeOf(FINANCIAL)).to.equal(ExecutionMode.AtomicSettlement);
  });

  it("follows a switch by itself once started, without a restart", async function () {
    const f = await loadFixture(modesFixture);
    const watcher = watcherOf(f, { scenarioIds: [LIGHT], pollIntervalMs: 20 });
    await watcher.start();
    try {
      const heard = new Promise<ModeChange>((resolve) => watcher.onChange(resolve));
      await setMode(f, LIGHT, ExecutionMode.Standard);
      expect((await heard).to).to.equal(ExecutionMode.Standard);
      expect(await watcher.modeOf(LIGHT)).to.equal(ExecutionMode.Standard);
    } finally {
      await watcher.stop();
    }
  });

  it("reads a scenario first asked for as of the last block it polled, so no switch is lost or applied twice", async function () {
    const f = await loadFixture(modesFixture);
    const watcher = watcherOf(f);
    await watcher.open();
    await setMode(f, ENTERPRISE, ExecutionMode.Standard);
    // Not polled yet: the watcher still answers as of its cursor, and then hears the switch.
    expect(await watcher.modeOf(ENTERPRISE)).to.equal(ExecutionMode.Notarized);
    expect((await watcher.refresh()).map((c) => c.to)).to.deep.equal([ExecutionMode.Standard]);
    expect(await watcher.modeOf(ENTERPRISE)).to.equal(ExecutionMode.Standard);
    expect(await watcher.refresh()).to.deep.equal([]);
  });

  it("reads a scenario's mode again at the head on demand (reread), and a poll of an older switch is heard but changes nothing", async function () {
    const f = await loadFixture(modesFixture);
    const watcher = watcherOf(f, { scenarioIds: [LIGHT] });
    const heard: ModeChange[] = [];
    watcher.onChange((c) => heard.push(c));
    await watcher.open();
    await setMode(f, LIGHT, ExecutionMode.Standard);
    expect(await watcher.modeOf(LIGHT)).to.equal(ExecutionMode.Lightweight);
    expect(await watcher.reread(LIGHT)).to.equal(ExecutionMode.Standard);
    expect(await watcher.modeOf(LIGHT)).to.equal(ExecutionMode.Standard);
    expect(heard).to.deep.equal([]);
    // The poll finds the switch the read already told: heard, and the mode stays.
    expect((await watcher.refresh()).map((c) => c.to)).to.deep.equal([ExecutionMode.Standard]);
    expect(heard.map((c) => c.to)).to.deep.equal([ExecutionMode.Standard]);
    expect(await watcher.modeOf(LIGHT)).to.equal(ExecutionMode.Standard);
    // A switch after the read is learnt from its event as before.
    await setMode(f, LIGHT, ExecutionMode.Lightweight);
    await watcher.refresh();
    expect(await watcher.modeOf(LIGHT)).to.equal(ExecutionMode.Lightweight);
  });

  it("learns a scenario registered after it started from its registration event", async function () {
    const f = await loadFixture(modesFixture);
    const watcher = watcherOf(f);
    await watcher.open();
    await f.scenarioRegistry.connect(f.developer).registerScenario(2, 1, "ipfs://late");
    const [change] = await watcher.refresh();
    expect([change.scenarioId, change.to]).to.deep.equal([4n, ExecutionMode.Lightweight]);
    expect(await watcher.modeOf(4n)).to.equal(ExecutionMode.Lightweight);
  });

  it("names an unknown scenario", async function () {
    const f = await loadFixture(modesFixture);
    const err = await rejectionOf(watcherOf(f).modeOf(99n));
    expect(err.message).to.equal("Scenario 99 is not registered in the scenario registry: check the scenario id.");
  });
});
