import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { notaryBatchTree } from "../../../src/executor/cosign";
import { JobsRefused, NotReadyYet } from "../../../src/executor/types";
import { batchNotarizationIdOf, executingNodeOf, recordHashOf, type NotaryRecord } from "../../../src/sdk/execution";
import { ENTERPRISE, ExecutionMode, land, planOf, rejectionOf, walletSubmitter, type ModesFixture } from "./helpers";
import {
  clientOf,
  knownResults,
  notarizedHandlerOf,
  peerHandler,
  resultJob,
  servePeer,
  silentPeer,
  subjectResults,
  twoOfThreeFixture,
  vouch,
  withPeers,
} from "./peers";

async function setup() {
  return { f: await twoOfThreeFixture(), known: new Set<string>() };
}

/** Runs `fn` with nodes 2 and 3 serving `POST /cosign` over HTTP and node 1's notarized handler asking them. */
async function withNetwork(
  f: ModesFixture,
  known: Set<string>,
  fn: (handler: ReturnType<typeof notarizedHandlerOf>) => Promise<void>,
  maxBatchSize?: number,
): Promise<void> {
  await withPeers(
    [servePeer(peerHandler(f, 2n, knownResults(known))), servePeer(peerHandler(f, 3n, knownResults(known)))],
    async ([p2, p3]) => {
      const client = clientOf(f, { 2: p2.url, 3: p3.url });
      await fn(notarizedHandlerOf(f, client, maxBatchSize));
    },
  );
}

/** The subject's records rebuilt from the notary's `Notarized` events, each with the executing node the hub named. */
async function trailOf(f: ModesFixture, subjectId: string): Promise<(NotaryRecord & { executingNodeId: bigint })[]> {
  const logs = await f.notaryRegistry.queryFilter(f.notaryRegistry.filters.Notarized(undefined, ENTERPRISE, subjectId));
  return Promise.all(
    logs.map(async ({ args, blockNumber }) => {
      const executingNodeId = await executingNodeOf(f.executionHub, args.notarizationId, blockNumber, blockNumber);
      return {
        scenarioId: args.scenarioId,
        subjectId: args.subjectId,
        resultHash: args.resultHash,
        timestamp: args.timestamp,
        previous: args.previous,
        signers: [...args.signers],
        executingNodeId: executingNodeId!,
      };
    }),
  );
}

describe("NotarizedHandler", function () {
  it("notarizes one result with a 2-of-3 quorum as the next record of its subject's trail", async function () {
    const { f, known } = await loadFixture(setup);
    const [first, second] = subjectResults(known, "shipment 7", "packed", "delivered");
    await withNetwork(f, known, async (handler) => {
      const submitter = walletSubmitter(f.keys[0]);
      const statsBefore = await f.executionHub.nodeStats(1);
      for (const job of [first, second]) {
        const plan = planOf(ExecutionMode.Notarized, ENTERPRISE, [job]);
        expect(await handler.isApplied(plan)).to.equal(false);
        await land(handler, plan, submitter);
        expect(await handler.isApplied(plan)).to.equal(true);
      }
      expect((await f.executionHub.nodeStats(1)).appliedBatches).to.equal(statsBefore.appliedBatches + 2n);
    });

    const trail = await trailOf(f, first.subjectId);
    expect(trail.map((r) => r.resultHash)).to.deep.equal([first.resultHash, second.resultHash]);
    expect(trail[0].previous).to.equal(ethers.ZeroHash);
    expect(trail[1].previous).to.equal(recordHashOf(trail[0]));
    expect(await f.notaryRegistry.headOf(ENTERPRISE, first.subjectId)).to.equal(recordHashOf(trail[1]));
    for (const r of trail) {
      expect(r.executingNodeId).to.equal(1n);
      expect(r.signers).to.have.length(2);
      expect(r.signers).to.include(f.keys[0].address);
      expect(BigInt(r.signers[0])).to.be.lessThan(BigInt(r.signers[1]));
    }
    expect(await f.notaryRegistry.verifyTrail(ENTERPRISE, first.subjectId, trail)).to.equal(true);
  });

  it("notarizes many queued results under one root with one quorum, each provable in the batch", async function () {
    const { f, known } = await loadFixture(setup);
    const jobs = [resultJob("a"), resultJob("b"), resultJob("c")];
    jobs.forEach((j) => vouch(known, j));
    const plan = planOf(ExecutionMode.Notarized, ENTERPRISE, jobs);
    await withNetwork(f, known, async (handler) => {
      expect(await handler.isApplied(plan)).to.equal(false);
      const receipt = await land(handler, plan, walletSubmitter(f.keys[0]));
      expect(await handler.isApplied(plan)).to.equal(true);

      const [event] = await f.notaryRegistry.queryFilter(
        f.notaryRegistry.filters.BatchNotarized(undefined, ENTERPRISE),
        receipt.blockNumber,
      );
      const results = jobs.map((j) => ({ subjectId: j.subjectId, resultHash: j.resultHash }));
      const { notarizationId, tree } = notaryBatchTree(ENTERPRISE, plan.batchId, results);
      expect(event.args.notarizationId).to.equal(notarizationId);
      expect(notarizationId).to.equal(batchNotarizationIdOf(ENTERPRISE, plan.batchId));
      expect(event.args.root).to.equal(tree.root);
      expect(event.args.count).to.equal(3n);
      const batch = {
        scenarioId: ENTERPRISE,
        notarizationId,
        root: tree.root,
        count: 3n,
        timestamp: event.args.timestamp,
        signers: [...event.args.signers],
      };
      for (const [i, r] of results.entries()) {
        expect(await f.notaryRegistry.verifyInBatch(batch, i, r.subjectId, r.resultHash, tree.getProof(i))).to.equal(
          true,
        );
      }
    });
  });

  it("defers a second result of a subject until the first has landed, then chains it", async function () {
    const { f, known } = await loadFixture(setup);
    const [first, second] = subjectResults(known, "order 1", "paid", "shipped");
    await withNetwork(f, known, async (handler) => {
      const firstTx = await handler.build(planOf(ExecutionMode.Notarized, ENTERPRISE, [first]));
      const secondPlan = planOf(ExecutionMode.Notarized, ENTERPRISE, [second]);
      const err = await rejectionOf(handler.build(secondPlan));
      expect(err).to.be.instanceOf(NotReadyYet);
      expect(err.message).to.match(/has a notarization in flight/);

      await walletSubmitter(f.keys[0]).submit(firstTx);
      await land(handler, secondPlan, walletSubmitter(f.keys[0]));
      const trail = await trailOf(f, first.subjectId);
      expect(trail.map((r) => r.resultHash)).to.deep.equal([first.resultHash, second.resultHash]);
    });
  });

  it("defers the second of two results of a subject built at the same time, instead of signing both against one head", async function () {
    const { f, known } = await loadFixture(setup);
    const [first, second] = subjectResults(known, "order 2", "paid", "shipped");
    await withNetwork(f, known, async (handler) => {
      const firstPlan = planOf(ExecutionMode.Notarized, ENTERPRISE, [first]);
      const secondPlan = planOf(ExecutionMode.Notarized, ENTERPRISE, [second]);
      // Both builds read the head and then wait for their co-signatures over HTTP at the same time: whichever reads
      // first reserves the subject, the other is deferred.
      const settled = await Promise.allSettled([handler.build(firstPlan), handler.build(secondPlan)]);
      const built = settled.findIndex((r) => r.status === "fulfilled");
      expect(settled.map((r) => r.status).sort()).to.deep.equal(["fulfilled", "rejected"]);
      const won = settled[built] as PromiseFulfilledResult<Awaited<ReturnType<typeof handler.build>>>;
      const deferred = (settled[1 - built] as PromiseRejectedResult).reason as Error;
      expect(deferred).to.be.instanceOf(NotReadyYet);
      expect(deferred.message).to.match(/has a notarization in flight/);

      await walletSubmitter(f.keys[0]).submit(won.value);
      const [winner, loser] = built === 0 ? [first, second] : [second, first];
      await land(handler, built === 0 ? secondPlan : firstPlan, walletSubmitter(f.keys[0]));
      const trail = await trailOf(f, first.subjectId);
      expect(trail.map((r) => r.resultHash)).to.deep.equal([winner.resultHash, loser.resultHash]);
    });
  });

  it("frees the subject when a result's quorum cannot be reached, so the next result is not held back", async function () {
    const { f, known } = await loadFixture(setup);
    // Same subject, a result the peers cannot confirm (not vouched for): they refuse to co-sign it.
    const unknown = { ...resultJob("order 3"), resultHash: ethers.id("order 3: not known to the peers") };
    const [next] = subjectResults(known, "order 3", "paid");
    await withNetwork(f, known, async (handler) => {
      const refused = await rejectionOf(handler.build(planOf(ExecutionMode.Notarized, ENTERPRISE, [unknown])));
      expect(refused).to.be.instanceOf(JobsRefused);
      await land(handler, planOf(ExecutionMode.Notarized, ENTERPRISE, [next]), walletSubmitter(f.keys[0]));
      const trail = await trailOf(f, next.subjectId);
      expect(trail.map((r) => r.resultHash)).to.deep.equal([next.resultHash]);
    });
  });

  it("fails every job of the plan, saying why, when the quorum cannot be reached", async function () {
    const { f, known } = await loadFixture(setup);
    const job = resultJob("unconfirmed");
    await withPeers([servePeer(peerHandler(f, 2n, knownResults(known))), silentPeer()], async ([p2, hanging]) => {
      const client = clientOf(f, { 2: p2.url, 3: hanging.url }, 300);
      const plan = planOf(ExecutionMode.Notarized, ENTERPRISE, [job]);
      const err = await rejectionOf(notarizedHandlerOf(f, client).build(plan));
      expect(err).to.be.instanceOf(JobsRefused);
      const reason = (err as JobsRefused).reasons.get(plan.jobs[0].id);
      expect(reason).to.match(/^Quorum not reached for scenario 2: 1 of 2 signatures/);
      expect(reason).to.match(/node 2: refused .*node 3: timeout|node 3: timeout .*node 2: refused/);
    });
    expect(await f.notaryRegistry.headOf(ENTERPRISE, job.subjectId)).to.equal(ethers.ZeroHash);
  });

  it("prechecks results: malformed fields and a quorum out of reach of the configured peers", async function () {
    const { f } = await loadFixture(setup);
    const handler = notarizedHandlerOf(f, clientOf(f, { 2: "http://127.0.0.1:1" }));
    const job = resultJob("precheck");
    expect(await handler.precheck(job)).to.equal(undefined);
    expect(await handler.precheck({ ...job, resultHash: ethers.ZeroHash })).to.match(/not a non-zero 32-byte/);
    expect(await handler.precheck({ ...job, subjectId: "0x12" })).to.match(/subject id/);
    await f.scenarioRegistry.connect(f.developer).setQuorum(ENTERPRISE, 3);
    expect(await handler.precheck(job)).to.equal(
      "Scenario 2 needs 3 node signatures but this node knows the URL of only 1 serving peer(s) (none for node(s) 3): configure the peers' URLs.",
    );
  });
});
