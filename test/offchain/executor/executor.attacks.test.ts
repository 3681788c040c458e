import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ExecutionMode } from "../../../src/sdk/economy";
import type { ExecutorHandle } from "../../../src/executor/run";
import { jobToJson } from "../../../src/executor/schemas";
import type { Job } from "../../../src/executor/types";
import type { ModeWatcher } from "../../../src/executor/modeWatcher";
import type { HubFixture } from "../../execution/hub/helpers";
import { LIGHT, actionJob, modesFixture, startWithModes } from "../modes/helpers";
import {
  STANDARD_SCENARIO as S,
  eventually,
  http,
  listJobs,
  signedActions,
  standardFixture,
  startStandardExecutor,
  users,
  type JobJsonView,
} from "./helpers";

type JobView = JobJsonView;

interface Posted {
  results?: { outcome: string; id: string }[];
  accepted?: number;
  error?: { code: string; message: string };
}

const viewOf = async (e: ExecutorHandle, id: string) => (await http<JobView>("GET", `${e.apiUrl}/jobs/${id}`)).body;

/** Every job of the journal, whatever its status. */
const allJobs = (e: ExecutorHandle): Promise<JobView[]> => listJobs(e.apiUrl);

describe("executor — attacks", function () {
  /** What a test started, stopped after it in reverse order. */
  const running: (() => Promise<unknown>)[] = [];
  afterEach(async function () {
    while (running.length > 0) await running.pop()!();
  });
  const started = (e: ExecutorHandle, watcher?: ModeWatcher): ExecutorHandle => {
    if (watcher) running.push(() => watcher.stop());
    running.push(() => e.close());
    return e;
  };

  describe("attack 11: a job whose scenario switched mode between intake and batching", function () {
    it("is applied under the mode it is batched in (standard, after intake in lightweight), and its status says so", async function () {
      const f = await loadFixture(modesFixture);
      // Batches form by age only, long after the switch below.
      const modes = await startWithModes(f, { maxBatchAgeMs: 3_000, maxBatchSize: 1_000 });
      const { watcher } = modes;
      const exec = started(modes.exec, watcher);
      expect(await watcher.modeOf(LIGHT)).to.equal(ExecutionMode.Lightweight);
      const jobs = [await actionJob(f, f.alice, 1, 1n), await actionJob(f, f.bob, 1, 2n)];
      const posted = await http<Posted>("POST", `${exec.apiUrl}/jobs`, jobs.map(jobToJson));
      expect(posted.status).to.equal(200);
      const ids = posted.body.results!.map((r) => r.id);
      // Taken in while the scenario is lightweight: queued, no mode chosen yet.
      for (const id of ids) expect(await viewOf(exec, id)).to.include({ status: "queued", mode: null });

      await f.scenarioRegistry.connect(f.developer).setMode(LIGHT, ExecutionMode.Standard);
      await eventually(
        "the watcher saw the switch",
        async () => (await watcher!.modeOf(LIGHT)) === ExecutionMode.Standard,
      );

      const views = await eventually("both jobs confirmed", async () => {
        const v = await Promise.all(ids.map((id) => viewOf(exec, id)));
        const failed = v.find((j) => j.status === "failed");
        if (failed) throw new Error(`a job failed: ${failed.error}`);
        return v.every((j) => j.status === "confirmed") && v;
      });
      expect(views.map((v) => v.mode)).to.deep.equal(["standard", "standard"]);
      // On chain too: applied through the standard path (nonce records), not committed as a lightweight batch.
      for (const job of jobs) {
        const [seq] = await f.executionHub.actionRecord(LIGHT, job.user, 1);
        expect(seq).to.not.equal(0n);
      }
      expect((await f.batchCommitments.getBatch(views[0].batchId!)).nodeId).to.equal(0n);
    });
  });

  describe("attack 11: a flood of invalid jobs through the HTTP API", function () {
    it("refuses every invalid request with a 4xx while every valid job is accepted and confirmed", async function () {
      const f: HubFixture = await loadFixture(standardFixture);
      const e = started(await startStandardExecutor(f, { maxRequestBytes: 16_384 }));
      const valid = await signedActions(f.hubDomain, S, users(10), 40);
      const [template] = await signedActions(f.hubDomain, S, users(1, "flood"), 1);
      const INVALID = 200;
      const invalid: { what: string; send: () => Promise<{ status: number }> }[] = [];
      for (let i = 0; i < INVALID; i++) {
        const forged: Job = { ...template, user: users(3, "forger")[i % 3].address, nonce: 1_000 + i };
        const kinds = [
          { what: "not JSON", send: () => http("POST", `${e.apiUrl}/jobs`, undefined, `{"kind": "action", ${i}`) },
          {
            what: "a job missing its signature",
            send: () => http("POST", `${e.apiUrl}/jobs`, { ...jobToJson(template), signature: undefined }),
          },
          { what: "a forged signature", send: () => http("POST", `${e.apiUrl}/jobs`, jobToJson(forged)) },
          {
            what: "an unknown kind",
            send: () => http("POST", `${e.apiUrl}/jobs`, { ...jobToJson(template), kind: "mint" }),
          },
          {
            what: "an oversized body",
            send: () => http("POST", `${e.apiUrl}/jobs`, { ...jobToJson(template), pad: "x".repeat(20_000) }),
          },
        ];
        invalid.push(kinds[i % kinds.length]);
      }
      // Interleaved and concurrent: one valid job after every five invalid requests.
      const sends: Promise<{ status: number; valid: boolean; what: string; id?: string }>[] = [];
      let v = 0;
      for (let i = 0; i < INVALID; i++) {
        const bad = invalid[i];
        sends.push(bad.send().then((r) => ({ status: r.status, valid: false, what: bad.what })));
        if (i % 5 === 4 && v < valid.length) {
          const job = valid[v++];
          sends.push(
            http<{ id: string }>("POST", `${e.apiUrl}/jobs`, jobToJson(job)).then((r) => ({
              status: r.status,
              valid: true,
              what: "valid",
              id: r.body.id,
            })),
          );
        }
      }
      const outcomes = await Promise.all(sends);
      const refused = outcomes.filter((o) => !o.valid);
      const accepted = outcomes.filter((o) => o.valid);
      expect(refused).to.have.length(INVALID);
      for (const o of refused) expect(o.status, o.what).to.be.within(400, 499);
      expect(new Set(refused.map((o) => o.status))).to.deep.equal(new Set([400, 413, 422]));
      expect(accepted).to.have.length(40);
      for (const o of accepted) expect(o.status).to.equal(202);

      await eventually("40 confirmed", async () => {
        const views = await Promise.all(accepted.map((o) => viewOf(e, o.id!)));
        return views.every((j) => j.status === "confirmed");
      });
      expect(await f.executionHub.actionCount(S)).to.equal(40n);
      // Nothing of the flood reached the journal.
      expect((await allJobs(e)).map((j) => j.id).sort()).to.deep.equal(accepted.map((o) => o.id!).sort());
    });
  });

  describe("attack 11: a job with an oversized payload", function () {
    it("is refused with 413 naming the limit (maxRequestBytes), journals nothing, and the executor goes on", async function () {
      const f: HubFixture = await loadFixture(standardFixture);
      const exec = started(await startStandardExecutor(f, { maxRequestBytes: 8_192 }));
      const [job, next] = await signedActions(f.hubDomain, S, users(2), 2);
      // One job, its signature padded to 64 KiB.
      const oversized = { ...jobToJson(job), signature: `0x${"ab".repeat(32_768)}` };
      const res = await http<Posted>("POST", `${exec.apiUrl}/jobs`, oversized);
      expect(res.status).to.equal(413);
      expect(res.body.error!.message).to.equal(
        "The request body is larger than 8192 bytes (maxRequestBytes): send fewer jobs per request.",
      );
      expect(await allJobs(exec)).to.deep.equal([]);
      const ok = await http<{ id: string }>("POST", `${exec.apiUrl}/jobs`, jobToJson(next));
      expect(ok.status).to.equal(202);
      await eventually("the next job confirmed", async () => (await viewOf(exec, ok.body.id)).status === "confirmed");
    });
  });
});
