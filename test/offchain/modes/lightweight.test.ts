import { expect } from "chai";
import { AbiCoder } from "ethers";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { EXECUTION_DEFAULTS } from "../../helpers/fixtures";
import { ActionRecordReader__factory } from "../../../typechain-types";
import { LightweightBatchTree, randomId } from "../../../src/sdk/execution";
import { JobsRefused, type ActionJob, type BatchPlan } from "../../../src/executor/types";
import { duplicateActions, LightweightHandler } from "../../../src/executor/modes/lightweight";
import { ChallengeResponder } from "../../../src/executor/modes/challengeResponder";
import {
  ExecutionMode,
  LIGHT,
  actionJob,
  contextOf,
  land,
  modesFixture,
  planOf,
  recordOf,
  rejectionOf,
  walletSubmitter,
  type ModesFixture,
} from "./helpers";

const BOND = EXECUTION_DEFAULTS.challengeBond;

/** Three actions of alice, bob and carol on the lightweight scenario. */
async function threeActions(f: ModesFixture, salt = 0): Promise<ActionJob[]> {
  return [
    await actionJob(f, f.alice, 1 + salt, 11n),
    await actionJob(f, f.bob, 1 + salt, 22n),
    await actionJob(f, f.carol, 7 + salt, 33n),
  ];
}

async function lightweightSetup() {
  const f = await modesFixture();
  const handler = new LightweightHandler(contextOf(f));
  return { f, handler, submitter: walletSubmitter(f.keys[0]) };
}

/** Applies `jobs` in standard mode straight through the hub (what a standard batch of any executor does). */
async function applyInStandard(f: ModesFixture, jobs: readonly ActionJob[]): Promise<void> {
  await f.scenarioRegistry.connect(f.developer).setMode(LIGHT, ExecutionMode.Standard);
  await f.executionHub.connect(f.keys[0]).submitStandard(
    LIGHT,
    randomId(),
    jobs.map((j) => ({ user: j.user, nonce: j.nonce, payload: j.payload, signature: j.signature })),
  );
  await f.scenarioRegistry.connect(f.developer).setMode(LIGHT, ExecutionMode.Lightweight);
}

describe("LightweightHandler", function () {
  describe("build and isApplied", function () {
    it("commits the batch as root + packed actions: the commitment is stored and finalizes into the counters", async function () {
      const { f, handler, submitter } = await loadFixture(lightweightSetup);
      const jobs = await threeActions(f);
      const plan = planOf(ExecutionMode.Lightweight, LIGHT, jobs);
      const statsBefore = await f.executionHub.nodeStats(1);

      expect(await handler.isApplied(plan)).to.equal(false);
      const receipt = await land(handler, plan, submitter);
      expect(await handler.isApplied(plan)).to.equal(true);

      const tree = new LightweightBatchTree(LIGHT, plan.batchId, jobs);
      const batch = await f.batchCommitments.getBatch(plan.batchId);
      expect(batch.root).to.equal(tree.root);
      expect(batch.count).to.equal(3n);
      expect(batch.nodeId).to.equal(1n);
      expect(batch.scenarioId).to.equal(LIGHT);
      await expect(receipt.hash)
        .to.emit(f.executionHub, "BatchApplied")
        .withArgs(plan.batchId, LIGHT, ExecutionMode.Lightweight, 1n, batch.seq, 3n);
      expect((await f.executionHub.nodeStats(1)).appliedBatches).to.equal(statsBefore.appliedBatches + 1n);

      // Every action is provable against the stored root, and the batch counts once its window is over.
      for (let i = 0; i < jobs.length; i++) {
        expect(await f.batchCommitments.leafOf(LIGHT, plan.batchId, tree.ref(i))).to.equal(tree.levels[0][i]);
      }
      await time.increase(EXECUTION_DEFAULTS.challengeWindow);
      await f.batchCommitments.finalize(plan.batchId);
      expect(await f.executionHub.actionCount(LIGHT)).to.equal(3n);
    });

    it("refuses, naming the job, an action that repeats a nonce of the same plan", async function () {
      const { f, handler } = await loadFixture(lightweightSetup);
      const [a, b] = await threeActions(f);
      const again = await actionJob(f, f.alice, a.nonce, 99n);
      const plan: BatchPlan = {
        batchId: randomId(),
        scenarioId: LIGHT,
        mode: ExecutionMode.Lightweight,
        jobs: [recordOf(a, "first"), recordOf(b, "other"), recordOf(again, "repeat")],
      };
      const err = await rejectionOf(handler.build(plan));
      expect(err).to.be.instanceOf(JobsRefused);
      expect([...(err as JobsRefused).reasons.keys()]).to.deep.equal(["repeat"]);
      expect((err as JobsRefused).reasons.get("repeat")).to.match(/job first/);
    });

    it("refuses an action whose nonce was applied in standard mode since intake", async function () {
      const { f, handler } = await loadFixture(lightweightSetup);
      const jobs = await threeActions(f);
      const plan = planOf(ExecutionMode.Lightweight, LIGHT, jobs);
      await applyInStandard(f, [jobs[1]]);
      const err = await rejectionOf(handler.build(plan));
      expect(err).to.be.instanceOf(JobsRefused);
      const reasons = (err as JobsRefused).reasons;
      expect([...reasons.keys()]).to.deep.equal([plan.jobs[1].id]);
      expect(reasons.get(plan.jobs[1].id)).to.match(/already applied on chain/);
      expect(await handler.isApplied(plan)).to.equal(false);
    });

    it("reads no nonce again at build time while the scenario's action count is what it was at precheck", async function () {
      const f = await loadFixture(modesFixture);
      // Nonces are read through the deployless ActionRecordReader: count the queries its calls carry.
      const bytecode = ActionRecordReader__factory.bytecode;
      let nonceReads = 0;
      const provider = new Proxy(ethers.provider, {
        get(target, key) {
          if (key === "call") {
            return (tx: { data?: string }) => {
              if (tx.data?.startsWith(bytecode)) {
                const [, queries] = AbiCoder.defaultAbiCoder().decode(
                  ["address", "tuple(uint256,address,uint32)[]"],
                  `0x${tx.data.slice(bytecode.length)}`,
                );
                nonceReads += (queries as unknown[]).length;
              }
              return target.call(tx);
            };
          }
          const value = Reflect.get(target, key) as unknown;
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const handler = new LightweightHandler({ ...contextOf(f), provider });
      const jobs = await threeActions(f);
      for (const job of jobs) expect(await handler.precheck(job)).to.equal(undefined);
      expect(nonceReads, "one read per action at precheck").to.equal(3);
      await handler.build(planOf(ExecutionMode.Lightweight, LIGHT, jobs));
      expect(nonceReads, "none at build").to.equal(3);

      // Once the count moved (an action applied in standard mode), every nonce is read again.
      const later = await threeActions(f, 1);
      for (const job of later) expect(await handler.precheck(job)).to.equal(undefined);
      await applyInStandard(f, [later[1]]);
      const plan = planOf(ExecutionMode.Lightweight, LIGHT, later);
      const err = await rejectionOf(handler.build(plan));
      expect([...(err as JobsRefused).reasons.keys()]).to.deep.equal([plan.jobs[1].id]);
      expect(nonceReads).to.equal(9);
    });

    it("refuses a plan larger than its batch size", async function () {
      const f = await loadFixture(modesFixture);
      const handler = new LightweightHandler({ ...contextOf(f), maxBatchSize: 2 });
      const err = await rejectionOf(handler.build(planOf(ExecutionMode.Lightweight, LIGHT, await threeActions(f))));
      expect(err.message).to.match(/1 to 2 actions/);
      expect(() => new LightweightHandler({ ...contextOf(f), maxBatchSize: 4_097 })).to.throw(/4096/);
    });
  });

  describe("precheck", function () {
    it("accepts a well-formed action signed by its user", async function () {
      const { f, handler } = await loadFixture(lightweightSetup);
      expect(await handler.precheck(await actionJob(f, f.alice, 1, 5n))).to.equal(undefined);
    });

    it("refuses a signature by someone else, for another scenario, or malleated", async function () {
      const { f, handler } = await loadFixture(lightweightSetup);
      const good = await actionJob(f, f.alice, 1, 5n);
      const forged = { ...good, signature: (await actionJob(f, f.bob, 1, 5n)).signature };
      const otherScenario = { ...good, signature: (await actionJob(f, f.alice, 1, 5n, 4n)).signature };
      const sig = ethers.Signature.from(good.signature);
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const highS = ethers.concat([sig.r, ethers.toBeHex(n - BigInt(sig.s), 32), sig.v === 27 ? "0x1c" : "0x1b"]);
      for (const job of [forged, otherScenario, { ...good, signature: highS }, { ...good, signature: "0x1234" }]) {
        expect(await handler.precheck(job)).to.match(/not 0x[0-9a-fA-F]{40}'s over this action/);
      }
    });

    it("refuses fields that do not fit, a nonce already used and jobs of other kinds", async function () {
      const { f, handler } = await loadFixture(lightweightSetup);
      const good = await actionJob(f, f.alice, 1, 5n);
      expect(await handler.precheck({ ...good, nonce: 2 ** 32 })).to.match(/nonce/);
      expect(await handler.precheck({ ...good, nonce: 1.5 })).to.match(/nonce/);
      expect(await handler.precheck({ ...good, payload: 2n ** 64n })).to.match(/64 bits/);
      expect(await handler.precheck({ ...good, user: "0x1234" })).to.match(/not an address/);
      expect(
        await handler.precheck({
          kind: "result",
          scenarioId: 2n,
          subjectId: ethers.ZeroHash,
          resultHash: ethers.ZeroHash,
        }),
      ).to.match(/action jobs/);
      await applyInStandard(f, [good]);
      expect(await handler.precheck(good)).to.match(/Nonce 1 of 0x[0-9a-fA-F]{40} was already applied/);
    });
  });

  describe("duplicateActions", function () {
    it("maps every repeat of a (scenario, user, nonce) to the first job that used it, whatever the case of the address", async function () {
      const base = { kind: "action" as const, scenarioId: 3n, nonce: 1, payload: 0n, signature: "0x" };
      const user = "0x00000000000000000000000000000000000000Ab";
      const jobs = [
        { id: "a", job: { ...base, user } },
        { id: "b", job: { ...base, user: user.toLowerCase(), payload: 5n } },
        { id: "c", job: { ...base, user, scenarioId: 4n } },
        { id: "d", job: { ...base, user, nonce: 2 } },
        { id: "e", job: { ...base, user: user.toUpperCase().replace("0X", "0x") } },
      ];
      expect([...duplicateActions(jobs)]).to.deep.equal([
        ["b", "a"],
        ["e", "a"],
      ]);
    });
  });
});

describe("ChallengeResponder", function () {
  /** A batch of three actions landed by node 1, with the block to watch from. */
  async function challengedSetup() {
    const { f, handler, submitter } = await lightweightSetup();
    const jobs = await threeActions(f);
    const plan = planOf(ExecutionMode.Lightweight, LIGHT, jobs);
    const fromBlock = await ethers.provider.getBlockNumber();
    await land(handler, plan, submitter);
    return { f, plan, jobs, fromBlock };
  }

  /** A fresh responder of node 1 (never shared between tests: its cursor follows the chain) and its journal. */
  async function setup() {
    const s = await loadFixture(challengedSetup);
    const journal = new Map<string, ActionJob[]>([[s.plan.batchId, s.jobs]]);
    const responder = new ChallengeResponder({
      ...contextOf(s.f),
      submitter: walletSubmitter(s.f.keys[0]),
      fromBlock: s.fromBlock,
      actions: { actionsOf: async (batchId) => journal.get(batchId) },
    });
    const tree = new LightweightBatchTree(LIGHT, s.plan.batchId, s.jobs);
    const challenge = async (index: number) => {
      await s.f.token.connect(s.f.attacker).approve(s.f.addresses.batchCommitments, BOND);
      await s.f.batchCommitments
        .connect(s.f.attacker)
        .challengeSignature(s.plan.batchId, tree.ref(index), tree.proof(index));
    };
    return { ...s, journal, responder, challenge };
  }

  it("answers a challenge of its batch with the journaled signature: the challenger's bond goes to the operator", async function () {
    const { f, plan, responder, challenge } = await setup();
    const attackerBefore = await f.token.balanceOf(f.attacker.address);
    const operatorBefore = await f.token.balanceOf(f.operator1.address);
    await challenge(1);
    expect((await f.batchCommitments.getBatch(plan.batchId)).openChallenges).to.equal(1n);

    const outcomes = await responder.poll();
    expect(outcomes.map((o) => [o.kind, o.batchId, o.index])).to.deep.equal([["answered", plan.batchId, 1n]]);
    expect((await f.batchCommitments.getChallenge(plan.batchId, 1)).challenger).to.equal(ethers.ZeroAddress);
    expect((await f.batchCommitments.getBatch(plan.batchId)).openChallenges).to.equal(0n);
    expect(await f.token.balanceOf(f.attacker.address)).to.equal(attackerBefore - BOND);
    expect(await f.token.balanceOf(f.operator1.address)).to.equal(operatorBefore + BOND);

    // The batch becomes final as if never challenged; a second poll finds nothing new.
    await time.increase(EXECUTION_DEFAULTS.challengeWindow);
    expect(await f.batchCommitments.isFinal(plan.batchId)).to.equal(true);
    expect(await responder.poll()).to.deep.equal([]);
  });

  it("reports a challenge it cannot answer and leaves it open (the node will be slashed at the deadline)", async function () {
    const { f, plan, journal, responder, challenge } = await setup();
    journal.set(plan.batchId, journal.get(plan.batchId)!.slice(0, 2));
    await challenge(2);
    const [outcome] = await responder.poll();
    expect(outcome.kind).to.equal("unanswerable");
    expect(outcome.kind === "unanswerable" && outcome.reason).to.match(/no action of 0x[0-9a-fA-F]{40} with nonce 7/);
    expect((await f.batchCommitments.getChallenge(plan.batchId, 2)).challenger).to.equal(f.attacker.address);
  });

  it("reports a challenge it saw only after the answer window as missed", async function () {
    const { f, plan, responder, challenge } = await setup();
    await challenge(0);
    await time.increase(EXECUTION_DEFAULTS.answerWindow);
    const [outcome] = await responder.poll();
    expect(outcome.kind).to.equal("missed");
    expect((await f.batchCommitments.getChallenge(plan.batchId, 0)).challenger).to.equal(f.attacker.address);
  });

  it("leaves challenges of other nodes' batches alone", async function () {
    const { f, responder } = await setup();
    await f.scenarioRegistry.connect(f.developer).addServingNode(LIGHT, 2);
    const node2 = new LightweightHandler(contextOf(f, 2n));
    const jobs = [await actionJob(f, f.alice, 50, 1n)];
    const plan = planOf(ExecutionMode.Lightweight, LIGHT, jobs);
    await land(node2, plan, walletSubmitter(f.keys[1]));
    const tree = new LightweightBatchTree(LIGHT, plan.batchId, jobs);
    await f.token.connect(f.attacker).approve(f.addresses.batchCommitments, BOND);
    await f.batchCommitments.connect(f.attacker).challengeSignature(plan.batchId, tree.ref(0), tree.proof(0));
    expect((await responder.poll()).map((o) => o.kind)).to.deep.equal(["not-ours"]);
    expect((await f.batchCommitments.getChallenge(plan.batchId, 0)).challenger).to.equal(f.attacker.address);
  });
});
