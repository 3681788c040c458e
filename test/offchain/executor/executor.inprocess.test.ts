import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Transaction } from "ethers";
import { Journal } from "../../../src/executor/journal";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ExecutionMode } from "../../../src/sdk/economy";
import { runExecutor, type ExecutorHandle } from "../../../src/executor/run";
import { StandardHandler } from "../../../src/executor/modes/standard";
import { jobKey, jobToJson } from "../../../src/executor/schemas";
import {
  JobsRefused,
  NotReadyYet,
  type BatchPlan,
  type FollowUp,
  type Job,
  type ModeHandler,
} from "../../../src/executor/types";
import type { HubFixture } from "../../execution/hub/helpers";
import {
  STANDARD_SCENARIO,
  eventually,
  http,
  listJobs,
  signedActions,
  silent,
  standardFixture,
  testConfig,
  users,
  type JobJsonView,
} from "./helpers";

const S = STANDARD_SCENARIO;

describe("executor against the in-process network", function () {
  let f: HubFixture;
  let exec: ExecutorHandle | undefined;

  beforeEach(async function () {
    f = await loadFixture(standardFixture);
  });

  afterEach(async function () {
    await exec?.close();
    exec = undefined;
  });

  async function start(overrides: Parameters<typeof testConfig>[0] = {}, extra?: () => ModeHandler[]) {
    exec = await runExecutor(testConfig({ executionHub: await f.executionHub.getAddress(), ...overrides }), {
      provider: ethers.provider,
      signer: f.node1Key,
      logger: silent,
      // The standard handler alone unless a test adds others (the default handlers would take every mode).
      handlers: extra ?? (() => []),
    });
    return exec;
  }

  const jobsIn = (status: string): Promise<JobJsonView[]> => listJobs(exec!.apiUrl, status);

  it("takes jobs over HTTP, batches them by size and age, and confirms them on chain", async function () {
    const e = await start({ maxBatchSize: 100 });
    const jobs = await signedActions(f.hubDomain, S, users(25), 250);
    const posted = await http<{ results: { outcome: string; id: string }[]; accepted: number }>(
      "POST",
      `${e.apiUrl}/jobs`,
      jobs.map(jobToJson),
    );
    expect(posted.status).to.equal(200);
    expect(posted.body.accepted).to.equal(250);

    const confirmed = await eventually("250 confirmed jobs", async () => {
      const list = await jobsIn("confirmed");
      return list.length === 250 && list;
    });
    expect(await f.executionHub.actionCount(S)).to.equal(250n);
    for (const job of jobs) {
      const [seq] = await f.executionHub.actionRecord(S, job.user, job.nonce);
      expect(seq, `${job.user}/${job.nonce}`).to.not.equal(0n);
    }
    // Two full batches and one formed by age.
    const batchIds = new Set(confirmed.map((j) => j.batchId));
    expect(batchIds.size).to.equal(3);
    expect(confirmed.every((j) => j.mode === "standard" && j.txHash !== null)).to.equal(true);
    for (const id of batchIds) expect((await f.executionHub.batchOf(id!)).used).to.equal(true);

    const one = await http<JobJsonView>("GET", `${e.apiUrl}/jobs/${posted.body.results[0].id}`);
    expect(one.body).to.include({ status: "confirmed", mode: "standard" });

    const metrics = await (await fetch(`${e.opsUrl}/metrics`)).text();
    expect(metrics).to.match(/era_executor_jobs\{state="confirmed",mode="standard"\} 250/);
    expect(metrics).to.match(/era_executor_batch_size_count\{mode="standard"\} 3/);
    expect((await fetch(`${e.opsUrl}/healthz`)).status).to.equal(200);
  });

  it("answers a retried job with its id, refuses a different job for the same nonce, and one already used on chain", async function () {
    const e = await start();
    const [job] = await signedActions(f.hubDomain, S, users(1), 1);
    const first = await http<{ id: string }>("POST", `${e.apiUrl}/jobs`, jobToJson(job));
    expect(first.status).to.equal(202);
    const again = await http<{ id: string; duplicate: boolean }>("POST", `${e.apiUrl}/jobs`, jobToJson(job));
    expect(again.status).to.equal(200);
    expect(again.body).to.include({ id: first.body.id, duplicate: true });

    const [other] = await signedActions(f.hubDomain, S, users(1), 1, 1).then((js) =>
      js.map((j) => ({ ...j, payload: 99n })),
    );
    const conflict = await http<{ error: { code: string; message: string } }>(
      "POST",
      `${e.apiUrl}/jobs`,
      jobToJson(other),
    );
    expect(conflict.status).to.equal(409);
    expect(conflict.body.error.message).to.contain(first.body.id);

    await eventually(
      "the job confirmed",
      async () => (await http<JobJsonView>("GET", `${e.apiUrl}/jobs/${first.body.id}`)).body.status === "confirmed",
    );
    // A fresh executor (empty journal) checks the chain: the nonce is used.
    await e.close();
    const fresh = await start();
    const refused = await http<{ error: { code: string; message: string } }>(
      "POST",
      `${fresh.apiUrl}/jobs`,
      jobToJson(job),
    );
    expect(refused.status).to.equal(422);
    expect(refused.body.error.message).to.match(
      /nonce: 1 of 0x[0-9a-fA-F]{40} in scenario 3 was already used on chain/,
    );
  });

  it("refuses a job whose signature is not the user's", async function () {
    const e = await start();
    const [job] = await signedActions(f.hubDomain, S, users(1), 1);
    const forged: Job = { ...job, user: users(2)[1].address };
    const res = await http<{ error: { message: string } }>("POST", `${e.apiUrl}/jobs`, jobToJson(forged));
    expect(res.status).to.equal(422);
    expect(res.body.error.message).to.match(/^signature: does not recover to user/);
    expect(await f.executionHub.actionCount(S)).to.equal(0n);
  });

  it("keeps jobs waiting with a reason while the scenario is in a mode that cannot take them, and runs them after the switch back", async function () {
    const e = await start();
    await f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Lightweight);
    const jobs = await signedActions(f.hubDomain, S, users(3), 6);
    const posted = await http<{ results: { id: string }[] }>("POST", `${e.apiUrl}/jobs`, jobs.map(jobToJson));
    const id = posted.body.results[0].id;
    const waiting = await eventually("a waiting reason", async () => {
      const view = (await http<JobJsonView>("GET", `${e.apiUrl}/jobs/${id}`)).body;
      return view.waitingReason !== null && view;
    });
    expect(waiting.status).to.equal("queued");
    expect(waiting.waitingReason).to.equal(
      "Scenario 3 is in lightweight mode, which this executor has no handler for; waiting for a switch to a mode that takes action jobs (standard).",
    );
    await f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Standard);
    await eventually("6 confirmed", async () => (await jobsIn("confirmed")).length === 6);
    const done = (await http<JobJsonView>("GET", `${e.apiUrl}/jobs/${id}`)).body;
    expect(done.waitingReason).to.equal(null);
    expect(await f.executionHub.actionCount(S)).to.equal(6n);
  });

  it("fails a job that waited for a mode longer than queueTimeoutMs, saying why", async function () {
    const e = await start({ queueTimeoutMs: 1_000 });
    await f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Lightweight);
    const [job] = await signedActions(f.hubDomain, S, users(1), 1);
    const { body } = await http<{ id: string }>("POST", `${e.apiUrl}/jobs`, jobToJson(job));
    const failed = await eventually("the job failed", async () => {
      const view = (await http<JobJsonView>("GET", `${e.apiUrl}/jobs/${body.id}`)).body;
      return view.status === "failed" && view;
    });
    expect(failed.error).to.match(/^Gave up after waiting 1 s: Scenario 3 is in lightweight mode/);
    expect(await f.executionHub.actionCount(S)).to.equal(0n);
  });

  it("fails only the job the hub refuses and applies the others in a new batch", async function () {
    const e = await start({ maxBatchSize: 10, maxBatchAgeMs: 2_000 });
    const jobs = await signedActions(f.hubDomain, S, users(5), 10);
    // Job 4's nonce gets used on chain after it was accepted (by another node's batch, say).
    const posted = await http<{ results: { id: string }[] }>(
      "POST",
      `${e.apiUrl}/jobs`,
      jobs.slice(0, 9).map(jobToJson),
    );
    const victim = jobs[4];
    await f.executionHub.connect(f.node1Key).submitStandard(S, ethers.id("elsewhere"), [victim]);
    await http("POST", `${e.apiUrl}/jobs`, [jobToJson(jobs[9])]);
    await eventually("9 confirmed", async () => (await jobsIn("confirmed")).length === 9);
    const failed = (await http<JobJsonView>("GET", `${e.apiUrl}/jobs/${posted.body.results[4].id}`)).body;
    expect(failed.status).to.equal("failed");
    expect(failed.error).to.match(/ExecutionNonceUsed|already used/);
    expect(await f.executionHub.actionCount(S)).to.equal(10n);
  });

  describe("after a crash", function () {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "executor-crash-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** A journal as a killed run leaves it: `count` jobs in a batch whose transaction was signed and journaled. */
    async function leftOver(count: number, broadcast: boolean) {
      const journal = new Journal(join(dir, "j.sqlite"));
      journal.bind({
        chainId: f.chainId.toString(),
        executionHub: f.addresses.executionHub,
        account: f.node1Key.address,
      });
      const jobs = await signedActions(f.hubDomain, S, users(count, "left-over"), count);
      const ids = journal.addJobs(jobs.map((job) => ({ job, key: jobKey(job) }))).map((o) => o.id);
      const plan = journal.createBatch(S, ExecutionMode.Standard, ids);
      const handler = new StandardHandler(f.executionHub, { hubAddress: f.addresses.executionHub, chainId: f.chainId });
      const req = await handler.build(plan);
      const nonce = await ethers.provider.getTransactionCount(f.node1Key.address, "pending");
      const fees = await ethers.provider.getFeeData();
      const raw = await f.node1Key.signTransaction({
        ...req,
        type: 2,
        chainId: f.chainId,
        nonce,
        gasLimit: 2_000_000n,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      journal.recordBatchTx(plan.batchId, { hash: Transaction.from(raw).hash!, nonce });
      journal.close();
      if (broadcast) await ethers.provider.broadcastTransaction(raw);
      return { plan, ids, nonce };
    }

    it("confirms a batch whose transaction landed, without sending anything", async function () {
      const { plan, ids, nonce } = await leftOver(3, true);
      const e = await start({ journal: join(dir, "j.sqlite") });
      await eventually("confirmed", () => e.journal.batch(plan.batchId)?.status === "confirmed");
      expect(ids.map((id) => e.journal.getJob(id)!.status)).to.deep.equal(["confirmed", "confirmed", "confirmed"]);
      expect(await ethers.provider.getTransactionCount(f.node1Key.address)).to.equal(nonce + 1);
    });

    it("requeues the jobs of a batch whose transaction never left, once its nonce is retired, when the mode switched meanwhile", async function () {
      const { plan, ids } = await leftOver(3, false);
      await f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Lightweight);
      const e = await start({ journal: join(dir, "j.sqlite") });
      await eventually("the batch abandoned", () => e.journal.batch(plan.batchId)?.status === "failed");
      expect(e.journal.batch(plan.batchId)!.error).to.match(/^The scenario switched mode before the batch landed/);
      const requeued = e.journal.getJob(ids[0])!;
      expect([requeued.status, requeued.attempts]).to.deep.equal(["queued", 1]);
      await f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Standard);
      await eventually("confirmed", () => ids.every((id) => e.journal.getJob(id)!.status === "confirmed"));
      expect((await f.executionHub.batchOf(plan.batchId)).used).to.equal(false);
      expect(await f.executionHub.actionCount(S)).to.equal(3n);
    });
  });

  describe("what mode handlers can ask of the core", function () {
    /** A notarized-mode stand-in for `result` jobs of scenario 2: each batch pushes node 1's score. */
    class FakeNotary implements ModeHandler {
      readonly mode = ExecutionMode.Notarized;
      readonly kinds = ["result"] as const;
      readonly maxBatchSize = 10;
      readonly builds: BatchPlan[] = [];
      groupOf?: ModeHandler["groupOf"];
      constructor(private readonly before: (plan: BatchPlan, build: number) => void = () => undefined) {}
      async build(plan: BatchPlan) {
        this.builds.push(plan);
        this.before(plan, this.builds.length);
        return {
          to: f.addresses.executionHub,
          data: f.executionHub.interface.encodeFunctionData("syncScore", [1n]),
          label: "fake-notary",
        };
      }
      isApplied = async () => false;
    }
    const results = (n: number, subject = (i: number) => `subject-${i}`) =>
      Array.from({ length: n }, (_, i) => ({
        kind: "result",
        scenarioId: "2",
        subjectId: ethers.id(subject(i)),
        resultHash: ethers.id(`result-${i}`),
      }));
    const post = async (e: ExecutorHandle, jobs: unknown[]) =>
      (await http<{ results: { id: string }[] }>("POST", `${e.apiUrl}/jobs`, jobs)).body.results.map((r) => r.id);
    const settle = (e: ExecutorHandle, ids: string[]) =>
      eventually("every job ended", () => {
        const views = ids.map((id) => e.journal.getJob(id)!);
        return views.every((v) => v.status === "confirmed" || v.status === "failed") && views;
      });

    it("forms batches by the handler's groups: a job of a group of one travels alone", async function () {
      const handler = new FakeNotary();
      handler.groupOf = (job) =>
        job.kind === "result" && job.subjectId === ethers.id("subject-lock")
          ? { key: "lock", maxSize: 1 }
          : { key: "plain", maxSize: 10 };
      const e = await start({}, () => [handler]);
      const ids = await post(
        e,
        results(6, (i) => (i === 3 ? "subject-lock" : `subject-${i}`)),
      );
      const views = await settle(e, ids);
      const sizes = handler.builds.map((p) => p.jobs.length).sort();
      expect(sizes).to.deep.equal([1, 5]);
      const lockBatch = handler.builds.find((p) => p.jobs.length === 1)!;
      expect(lockBatch.jobs[0].id).to.equal(ids[3]);
      expect(views.every((v) => v.status === "confirmed")).to.equal(true);
    });

    it("fails the jobs a handler refuses at build time and batches the others again", async function () {
      const handler = new FakeNotary((plan, build) => {
        if (build === 1) throw new JobsRefused(new Map([[plan.jobs[1].id, "subject-1 is busy: send it again later"]]));
      });
      const e = await start({}, () => [handler]);
      const ids = await post(e, results(3));
      const views = await settle(e, ids);
      expect(views.map((v) => v.status)).to.deep.equal(["confirmed", "failed", "confirmed"]);
      expect(views[1].error).to.equal("subject-1 is busy: send it again later");
      expect(e.journal.batch(handler.builds[0].batchId)!.status).to.equal("failed");
      expect(handler.builds[1].jobs.map((j) => j.id)).to.deep.equal([ids[0], ids[2]]);
    });

    it("keeps a batch the handler is not ready to build, and builds the same batch again later", async function () {
      const handler = new FakeNotary((_plan, build) => {
        if (build === 1) throw new NotReadyYet("an earlier result of the subject is in flight", Date.now() + 100);
      });
      const e = await start({}, () => [handler]);
      const ids = await post(e, results(2));
      const views = await settle(e, ids);
      expect(views.map((v) => v.status)).to.deep.equal(["confirmed", "confirmed"]);
      expect(handler.builds).to.have.length(2);
      expect(handler.builds[1].batchId).to.equal(handler.builds[0].batchId);
    });

    it("serves extra routes and runs companions from start to shutdown", async function () {
      const events: string[] = [];
      const e = await runExecutor(testConfig({ executionHub: f.addresses.executionHub }), {
        provider: ethers.provider,
        signer: f.node1Key,
        logger: silent,
        routes: () => ({ "/cosign": async (_req, res) => void res.writeHead(200).end("co-signed") }),
        companions: ({ journal }) => [
          {
            start: () => void events.push(`start:${journal.open}`),
            stop: () => void events.push(`stop:${journal.open}`),
          },
        ],
      });
      expect(await (await fetch(`${e.apiUrl}/cosign`, { method: "POST" })).text()).to.equal("co-signed");
      await e.close();
      expect(events).to.deep.equal(["start:true", "stop:true"]);
    });
  });

  it("journals the follow-ups of a confirmed batch and runs them when due", async function () {
    const standard = () =>
      new StandardHandler(f.executionHub, { hubAddress: f.addresses.executionHub, chainId: f.chainId });
    // The standard handler with a follow-up: push node 1's score to staking after each batch.
    class Scoring implements ModeHandler {
      readonly inner = standard();
      readonly mode = ExecutionMode.Notarized;
      readonly kinds = ["result"] as const;
      readonly maxBatchSize = 10;
      precheck = async () => undefined;
      build = async (plan: BatchPlan) => ({
        to: f.addresses.executionHub,
        data: f.executionHub.interface.encodeFunctionData("syncScore", [1n]),
        label: `score-${plan.batchId}`,
      });
      isApplied = async () => false;
      followUps = async (): Promise<FollowUp[]> => [{ kind: "sync", dueAt: 0, data: { nodeId: "1" } }];
      runFollowUp = async (_p: BatchPlan, fu: FollowUp) => ({
        to: f.addresses.executionHub,
        data: f.executionHub.interface.encodeFunctionData("syncScore", [BigInt(fu.data.nodeId as string)]),
        label: "sync-score",
      });
    }
    const e = await start({}, () => [new Scoring()]);
    const job = { kind: "result", scenarioId: "2", subjectId: ethers.id("s"), resultHash: ethers.id("r") };
    const posted = await http<{ id: string }>("POST", `${e.apiUrl}/jobs`, job);
    expect(posted.status).to.equal(202);
    const view = await eventually("the job confirmed", async () => {
      const v = (await http<JobJsonView>("GET", `${e.apiUrl}/jobs/${posted.body.id}`)).body;
      return v.status === "confirmed" && v;
    });
    const followUps = await eventually("the follow-up done", () => {
      const list = e.journal.followUpsOf(view.batchId!);
      return list.length === 1 && list[0].status === "done" && list;
    });
    const receipt = await ethers.provider.getTransactionReceipt(followUps[0].txHash!);
    expect(receipt?.status).to.equal(1);
    expect(receipt?.to).to.equal(f.addresses.executionHub);
  });
});
