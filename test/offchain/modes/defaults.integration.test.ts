import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ConfigError } from "../../../src/node/config";
import { runExecutor, type ExecutorHandle } from "../../../src/executor/run";
import { jobToJson } from "../../../src/executor/schemas";
import type { Job } from "../../../src/executor/types";
import { LightweightBatchTree } from "../../../src/sdk/execution";
import { EXECUTION_DEFAULTS } from "../../helpers/fixtures";
import { HttpSignatureSource } from "../../../src/verifier/signatures";
import { eventually, http, silent, testConfig } from "../executor/helpers";
import { ENTERPRISE, ExecutionMode, LIGHT, actionJob, type ModesFixture } from "./helpers";
import { resultJob, twoOfThreeFixture, vouch } from "./peers";

interface JobView {
  status: string;
  mode: string | null;
  batchId: string | null;
  error: string | null;
}

/** A free TCP port on 127.0.0.1 (so that each executor's peers can be configured before it starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The operators' result check (`resultCheckUrl`): confirms the results in `known`, counts the questions. */
async function resultCheckService(known: Set<string>): Promise<{ url: string; asked: number; server: Server }> {
  const service = { url: "", asked: 0, server: undefined as unknown as Server };
  service.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const q = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { subjectId: string; resultHash: string };
      service.asked += 1;
      const valid = known.has(`${q.resultHash}|${q.subjectId}`);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ valid }));
    });
  });
  await new Promise<void>((resolve) => service.server.listen(0, "127.0.0.1", resolve));
  service.url = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}/check`;
  return service;
}

/**
 * Three executors (nodes 1, 2 and 3) started from their configuration only — no handler, mode-source, route or
 * companion options — on one in-process chain. Scenario 2 (enterprise, notarized) is served by the three with a
 * 2-of-3 quorum; scenario 3 (light interaction, lightweight mode) by node 1. Each lists the two others as `peers`.
 */
describe("Executors run every mode from configuration alone", function () {
  let nodes: ExecutorHandle[] = [];
  let checker: Awaited<ReturnType<typeof resultCheckService>> | undefined;
  const known = new Set<string>();

  afterEach(async function () {
    await Promise.all(nodes.map((n) => n.close()));
    nodes = [];
    await new Promise<void>((resolve) => (checker ? checker.server.close(() => resolve()) : resolve()));
    checker = undefined;
    known.clear();
  });

  async function startThree(f: ModesFixture): Promise<ExecutorHandle[]> {
    checker = await resultCheckService(known);
    const ports = [await freePort(), await freePort(), await freePort()];
    const url = (i: number) => `http://127.0.0.1:${ports[i]}`;
    nodes = await Promise.all(
      [0, 1, 2].map((i) =>
        runExecutor(
          testConfig({
            executionHub: f.addresses.executionHub,
            httpPort: ports[i],
            peers: [0, 1, 2]
              .filter((j) => j !== i)
              .map((j) => `${j + 1}=${url(j)}`)
              .join(","),
            resultCheckUrl: checker!.url,
          }),
          { provider: ethers.provider, signer: f.keys[i], logger: silent },
        ),
      ),
    );
    return nodes;
  }

  async function post(e: ExecutorHandle, jobs: Job[]): Promise<string[]> {
    const res = await http<{ results: { id: string }[] }>("POST", `${e.apiUrl}/jobs`, jobs.map(jobToJson));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.results.map((r) => r.id);
  }

  async function finished(e: ExecutorHandle, id: string): Promise<JobView> {
    return eventually(`job ${id} finished`, async () => {
      const view = (await http<JobView>("GET", `${e.apiUrl}/jobs/${id}`)).body;
      return (view.status === "confirmed" || view.status === "failed") && view;
    });
  }

  it("notarizes a result with a peer's co-signature collected over HTTP, and fails one no peer confirms", async function () {
    const f = await loadFixture(twoOfThreeFixture);
    const [node1] = await startThree(f);
    const vouched = resultJob("vouched");
    vouch(known, vouched);
    const [id] = await post(node1, [vouched]);
    const view = await finished(node1, id);
    expect([view.status, view.mode, view.error]).to.deep.equal(["confirmed", "notarized", null]);
    expect(await f.notaryRegistry.headOf(ENTERPRISE, vouched.subjectId)).to.not.equal(ethers.ZeroHash);
    expect(checker!.asked).to.be.at.least(1);

    const unknown = resultJob("nobody can check this");
    const [refusedId] = await post(node1, [unknown]);
    const refused = await finished(node1, refusedId);
    expect(refused.status).to.equal("failed");
    expect(refused.error).to.match(/Quorum not reached for scenario 2: 1 of 2 signatures/);
    expect(refused.error).to.match(/node [23]: refused \(422 Refused: this node's check does not confirm result/);
    expect(await f.notaryRegistry.headOf(ENTERPRISE, unknown.subjectId)).to.equal(ethers.ZeroHash);
  });

  it("serves a lightweight batch's signatures in batch order, read back by the verifier's HttpSignatureSource", async function () {
    const f = await loadFixture(twoOfThreeFixture);
    const [node1] = await startThree(f);
    const jobs = [await actionJob(f, f.alice, 1, 7n), await actionJob(f, f.bob, 1, 8n)];
    const ids = await post(node1, jobs);
    const views = await Promise.all(ids.map((id) => finished(node1, id)));
    expect(views.map((v) => [v.status, v.mode])).to.deep.equal([
      ["confirmed", "lightweight"],
      ["confirmed", "lightweight"],
    ]);
    const batchId = views[0].batchId!;
    expect(views[1].batchId).to.equal(batchId);
    const onChain = await f.batchCommitments.getBatch(batchId);
    expect(onChain.nodeId).to.equal(1n);

    const source = new HttpSignatureSource(new Map([[1n, node1.apiUrl]]));
    const answer = await source.signaturesOf({ batchId, scenarioId: LIGHT, nodeId: 1n, count: 2 });
    expect(answer).to.deep.equal({ status: "served", signatures: jobs.map((j) => j.signature) });

    const other = ethers.id("no such batch");
    const missing = await http<{ error: { code: string; message: string } }>(
      "GET",
      `${node1.apiUrl}/lightweight/batches/${other}/signatures`,
    );
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal("not_found");
    expect(missing.body.error.message).to.contain(other);
    const malformed = await http<{ error: { code: string; message: string } }>(
      "GET",
      `${node1.apiUrl}/lightweight/batches/0x1234/signatures`,
    );
    expect([malformed.status, malformed.body.error.code]).to.deep.equal([400, "invalid"]);
    // Another node did not post the batch and answers 404, which the verifier reads as "unavailable".
    const fromNode2 = await new HttpSignatureSource(new Map([[1n, nodes[1].apiUrl]])).signaturesOf({
      batchId,
      scenarioId: LIGHT,
      nodeId: 1n,
      count: 2,
    });
    expect(fromNode2.status).to.equal("unavailable");
  });

  it("answers a signature challenge against its lightweight batch with the journaled signature", async function () {
    const f = await loadFixture(twoOfThreeFixture);
    const [node1] = await startThree(f);
    const jobs = [await actionJob(f, f.alice, 1, 5n), await actionJob(f, f.bob, 1, 6n)];
    const views = await Promise.all((await post(node1, jobs)).map((id) => finished(node1, id)));
    const batchId = views[0].batchId!;
    const tree = new LightweightBatchTree(LIGHT, batchId, jobs);
    await f.token.connect(f.attacker).approve(f.addresses.batchCommitments, EXECUTION_DEFAULTS.challengeBond);
    await f.batchCommitments.connect(f.attacker).challengeSignature(batchId, tree.ref(1), tree.proof(1));
    expect((await f.batchCommitments.getChallenge(batchId, 1)).challenger).to.equal(f.attacker.address);
    await eventually(
      "the challenge answered",
      async () => (await f.batchCommitments.getBatch(batchId)).openChallenges === 0n,
    );
    expect((await f.batchCommitments.getChallenge(batchId, 1)).challenger).to.equal(ethers.ZeroAddress);
  });

  it("follows a mode switch on chain without a restart", async function () {
    const f = await loadFixture(twoOfThreeFixture);
    const [node1] = await startThree(f);
    const [first] = await post(node1, [await actionJob(f, f.alice, 1, 1n)]);
    expect((await finished(node1, first)).mode).to.equal("lightweight");

    await f.scenarioRegistry.connect(f.developer).setMode(LIGHT, ExecutionMode.Standard);
    // The mode is read when a job arrives too: wait until the watcher has seen the switch by routing a job to it.
    const [second] = await post(node1, [await actionJob(f, f.alice, 2, 2n)]);
    const view = await finished(node1, second);
    expect([view.status, view.mode]).to.deep.equal(["confirmed", "standard"]);
    expect((await f.executionHub.actionRecord(LIGHT, f.alice.address, 2))[1]).to.equal(1n);
  });

  it("runs the mode policy for an opted-in scenario: a drained lightweight scenario goes back to standard", async function () {
    const f = await loadFixture(twoOfThreeFixture);
    await f.scenarioRegistry.connect(f.developer).setModeOperator(LIGHT, f.keys[0].address, true);
    const policy = { [LIGHT.toString()]: { high: 100, low: 0, minDwellMs: 0 } };
    nodes.push(
      await runExecutor(
        testConfig({ executionHub: f.addresses.executionHub, modePolicy: policy, modePolicyIntervalMs: 20 }),
        { provider: ethers.provider, signer: f.keys[0], logger: silent },
      ),
    );
    await eventually(
      "the policy switched scenario 3 to standard",
      async () => Number(await f.scenarioRegistry.modeOf(LIGHT)) === ExecutionMode.Standard,
    );
    const switches = await f.scenarioRegistry.queryFilter(f.scenarioRegistry.filters.ModeSwitched(LIGHT));
    const last = switches[switches.length - 1];
    expect([Number(last.args.to), last.args.by]).to.deep.equal([ExecutionMode.Standard, f.keys[0].address]);
  });

  describe("start-up checks of the mode settings against the chain", function () {
    async function refusal(f: ModesFixture, overrides: Parameters<typeof testConfig>[0]): Promise<ConfigError> {
      try {
        const e = await runExecutor(testConfig({ executionHub: f.addresses.executionHub, ...overrides }), {
          provider: ethers.provider,
          signer: f.keys[0],
          logger: silent,
        });
        await e.close();
      } catch (e) {
        expect(e).to.be.instanceOf(ConfigError);
        return e as ConfigError;
      }
      throw new Error("the executor started");
    }

    it("refuses a journal retention below the challenge window plus the answer window, naming both", async function () {
      const f = await loadFixture(twoOfThreeFixture);
      const [challenge, answer] = await Promise.all([
        f.batchCommitments.challengeWindow(),
        f.batchCommitments.answerWindow(),
      ]);
      const sum = challenge + answer;
      const e = await refusal(f, { journalRetentionSeconds: Number(sum) - 1 });
      expect(e.key).to.equal("journalRetentionSeconds");
      expect(e.message).to.contain(`challenge window (${challenge} s) + answer window (${answer} s) = ${sum} s`);
      expect(e.message).to.contain(`Set it to at least ${sum}`);
    });

    it("refuses peers naming this node or a node that does not exist", async function () {
      const f = await loadFixture(twoOfThreeFixture);
      const own = await refusal(f, { peers: "1=http://127.0.0.1:9" });
      expect([own.key, own.message]).to.satisfy(
        ([key, message]: [string, string]) => key === "peers" && message.includes("this executor's own node"),
      );
      const ghost = await refusal(f, { peers: "99=http://127.0.0.1:9" });
      expect(ghost.key).to.equal("peers");
      expect(ghost.message).to.match(/names node 99, but the node registry has nodes 1 to \d+: fix the node id/);
    });

    it("refuses a mode policy for a scenario that is not a light-interaction one, or not registered", async function () {
      const f = await loadFixture(twoOfThreeFixture);
      const policy = { high: 10, low: 2, minDwellMs: 1_000 };
      const enterprise = await refusal(f, { modePolicy: { [ENTERPRISE.toString()]: policy } });
      expect(enterprise.key).to.equal("modePolicy");
      expect(enterprise.message).to.contain("scenario 2, whose class is Enterprise: only light-interaction scenarios");
      const unknown = await refusal(f, { modePolicy: { "999": policy } });
      expect(unknown.message).to.contain("names scenario 999, which is not registered");
    });
  });
});
