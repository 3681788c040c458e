import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ExecutorHandle } from "../../../src/executor/run";
import { jobToJson } from "../../../src/executor/schemas";
import type { ModeWatcher, ModeWatcherOptions } from "../../../src/executor/modeWatcher";
import type { ScenarioRegistry } from "../../../typechain-types";
import type { Job, SettlementJob } from "../../../src/executor/types";
import { hashlockOf, randomId, signSettlement } from "../../../src/sdk/execution";
import { settlementOf } from "../../../src/executor/modes/settlement";
import { SettlementStatus } from "../../../src/sdk/economy";
import { eventually, http } from "../executor/helpers";
import {
  ERA,
  ExecutionMode,
  FINANCIAL,
  LIGHT,
  actionJob,
  modesFixture,
  startWithModes,
  type ModesFixture,
} from "./helpers";

interface JobView {
  status: string;
  mode: string | null;
  batchId: string | null;
  error: string | null;
}

/**
 * The executor's core with the mode handlers installed and the mode watcher as its mode source, on the in-process
 * network, as node 1 runs it.
 */
describe("Executor core with the mode handlers and the mode watcher", function () {
  let exec: ExecutorHandle | undefined;
  let watcher: ModeWatcher | undefined;

  afterEach(async function () {
    await exec?.close();
    await watcher?.stop();
    exec = undefined;
    watcher = undefined;
  });

  async function start(f: ModesFixture, watcherOptions: Partial<ModeWatcherOptions> = {}): Promise<ExecutorHandle> {
    ({ exec, watcher } = await startWithModes(f, {}, watcherOptions));
    return exec;
  }

  async function post(e: ExecutorHandle, jobs: Job[]): Promise<string[]> {
    const res = await http<{ results: { id: string }[] }>("POST", `${e.apiUrl}/jobs`, jobs.map(jobToJson));
    expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 202]);
    return res.body.results.map((r) => r.id);
  }

  async function settled(e: ExecutorHandle, ids: string[]): Promise<JobView[]> {
    return eventually(`${ids.length} job(s) confirmed`, async () => {
      const views = await Promise.all(
        ids.map(async (id) => (await http<JobView>("GET", `${e.apiUrl}/jobs/${id}`)).body),
      );
      const failed = views.find((v) => v.status === "failed");
      if (failed) throw new Error(`a job failed: ${failed.error}`);
      return views.every((v) => v.status === "confirmed") && views;
    });
  }

  it("commits lightweight batches, then follows a live switch to standard without a restart", async function () {
    const f = await loadFixture(modesFixture);
    const e = await start(f);
    const light = await post(e, [await actionJob(f, f.alice, 1, 1n), await actionJob(f, f.bob, 1, 2n)]);
    const lightViews = await settled(e, light);
    expect(lightViews.every((v) => v.mode === "lightweight")).to.equal(true);
    for (const batchId of new Set(lightViews.map((v) => v.batchId!))) {
      expect((await f.batchCommitments.getBatch(batchId)).nodeId).to.equal(1n);
    }

    await f.scenarioRegistry.connect(f.developer).setMode(LIGHT, ExecutionMode.Standard);
    await eventually(
      "the watcher saw the switch",
      async () => (await watcher!.modeOf(LIGHT)) === ExecutionMode.Standard,
    );
    const standard = await post(e, [await actionJob(f, f.alice, 2, 3n)]);
    const [view] = await settled(e, standard);
    expect(view.mode).to.equal("standard");
    expect((await f.executionHub.actionRecord(LIGHT, f.alice.address, 2))[1]).to.equal(1n);
  });

  it("reads the mode again at once when the hub refuses a batch for a switch the watcher has not seen, and applies its jobs in the new mode", async function () {
    const f = await loadFixture(modesFixture);
    let reads = 0;
    const registry = countingModeReads(f.reader.scenarioRegistry, () => (reads += 1));
    const e = await start(f, { scenarioRegistry: registry, pollIntervalMs: 3_600_000 });
    // Its poll at start is over (or never happens) and no other will: only a read of the registry can tell it.
    await watcher!.open();
    await watcher!.stop();
    expect(await watcher!.modeOf(LIGHT)).to.equal(ExecutionMode.Lightweight);
    const readsBefore = reads;

    await f.scenarioRegistry.connect(f.developer).setMode(LIGHT, ExecutionMode.Standard);
    const ids = await post(e, [await actionJob(f, f.alice, 1, 1n), await actionJob(f, f.bob, 1, 2n)]);
    const views = await settled(e, ids);
    // Batched once in lightweight mode (the hub answered ExecutionModeMismatch), then in standard mode.
    expect(views.map((v) => v.mode)).to.deep.equal(["standard", "standard"]);
    expect(ids.map((id) => e.journal.getJob(id)!.attempts)).to.deep.equal([1, 1]);
    expect(reads - readsBefore).to.equal(1);
    expect(await watcher!.modeOf(LIGHT)).to.equal(ExecutionMode.Standard);
    expect((await f.executionHub.actionRecord(LIGHT, f.bob.address, 1))[1]).to.equal(1n);
  });

  it("settles atomically, and commits a lock through its follow-up", async function () {
    const f = await loadFixture(modesFixture);
    const era = f.addresses.token;
    for (const who of [f.bob, f.carol]) {
      await f.token.connect(who).approve(f.addresses.settlementEngine, 100n * ERA);
      await f.settlementEngine.connect(who).deposit(era, 100n * ERA);
    }
    const deadline = BigInt(await time.latest()) + 3_600n;
    const sign = async (job: SettlementJob): Promise<SettlementJob> => ({
      ...job,
      signatures: [await signSettlement(f.bob, f.engineDomain, settlementOf(job))],
    });
    const base = {
      kind: "settlement" as const,
      scenarioId: FINANCIAL,
      legs: [{ payer: f.bob.address, payee: f.carol.address, token: era, amount: 10n * ERA }],
      deadline,
      signatures: [],
    };
    const e = await start(f);
    const atomic = await sign({ ...base, path: "atomic", id: randomId(), hashlock: ethers.ZeroHash });
    await settled(e, await post(e, [atomic]));
    expect(await f.settlementEngine.statusOf(atomic.id)).to.equal(SettlementStatus.Settled);

    const preimage = ethers.id("delivery confirmed");
    const lock = await sign({ ...base, path: "lock", id: randomId(), hashlock: hashlockOf(preimage), preimage });
    await settled(e, await post(e, [lock]));
    await eventually(
      "the lock committed by its follow-up",
      async () => (await f.settlementEngine.statusOf(lock.id)) === BigInt(SettlementStatus.Committed),
    );
    expect(await f.settlementEngine.freeBalance(f.carol.address, era)).to.equal(120n * ERA);
  });
});

/** The registry, counting its `modeOf` calls. */
function countingModeReads(registry: ScenarioRegistry, count: () => void): ScenarioRegistry {
  return new Proxy(registry, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === "modeOf") {
        return (...args: unknown[]) => {
          count();
          return (value as (...a: unknown[]) => unknown)(...args);
        };
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
