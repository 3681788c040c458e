import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { domainOf, hashlockOf, randomId, signSettlement, type SettlementFields } from "../../../src/sdk/execution";
import {
  BatchStatus,
  EXECUTION_DEFAULTS,
  FINANCIAL,
  FraudKind,
  applyStandard,
  expectSlashed,
  fraudSplit,
  snapshot,
} from "../../execution/lightweight/helpers";
import { ERA } from "../../helpers/fixtures";
import { VerifierStore } from "../../../src/verifier/store";
import {
  harness,
  honestActions,
  metricValue,
  post,
  postWithUnsigned,
  sign,
  verifierFixture,
  type Harness,
  type VerifierFixture,
} from "./helpers";

const BOND = EXECUTION_DEFAULTS.challengeBond;

describe("Verifier: lightweight batches", function () {
  let h: Harness | undefined;
  afterEach(() => h?.dispose());

  async function setup(overrides: Parameters<typeof harness>[1] = {}) {
    const f = await loadFixture(verifierFixture);
    h = harness(f, overrides);
    return { f, h };
  }

  async function fraudOf(f: VerifierFixture, batchId: string) {
    const events = await f.batchCommitments.queryFilter(f.batchCommitments.filters.FraudProven(batchId));
    return events.map((e) => ({ kind: Number(e.args.kind), challenger: e.args.challenger }));
  }

  it("leaves an honest batch alone: checks every action, sends nothing, slashes no one", async function () {
    const { f, h } = await setup();
    const s = await post(f, h.node, await honestActions(f, 7));
    const before = await snapshot(f, 1n);

    const report = await h.verifier.tick();

    expect(report.batchesJudged).to.equal(1);
    expect(h.store.batch(s.batchId)?.state).to.equal("clean");
    expect(h.submitter.sent).to.deep.equal([]);
    expect(await snapshot(f, 1n)).to.deep.equal(before);
    expect((await f.batchCommitments.getBatch(s.batchId)).status).to.equal(BigInt(BatchStatus.Pending));
    expect(await metricValue(h.metrics, "era_verifier_batches_checked_total")).to.equal(1);
    expect(await metricValue(h.metrics, "era_verifier_actions_checked_total")).to.equal(7);
    expect(await metricValue(h.metrics, "era_verifier_last_block")).to.equal(await ethers.provider.getBlockNumber());
  });

  it("proves a nonce used twice within a batch; the node is slashed and the verifier earns the bounty", async function () {
    const { f, h } = await setup();
    const actions = await honestActions(f, 5);
    actions.push(await sign(f, f.users[1], actions[1].action.nonce, 999n));
    const s = await post(f, h.node, actions);
    const before = await snapshot(f, 1n);
    const balance = await f.token.balanceOf(f.carol.address);

    await h.verifier.tick();

    expect(await fraudOf(f, s.batchId)).to.deep.equal([
      { kind: FraudKind.DuplicateNonceInBatch, challenger: f.carol.address },
    ]);
    await expectSlashed(f, 1n, before);
    expect(await f.token.balanceOf(f.carol.address)).to.equal(balance + fraudSplit().bounty);
    expect(h.store.batch(s.batchId)?.state).to.equal("rejected");
    expect(h.store.proofs().map((p) => [p.batchId, p.action, p.index, p.outcome])).to.deep.equal([
      [s.batchId, "duplicate-in-batch", 5, "landed"],
    ]);
    expect(await metricValue(h.metrics, "era_verifier_frauds_found_total", { kind: "duplicate-in-batch" })).to.equal(1);
    expect(await metricValue(h.metrics, "era_verifier_proofs_landed_total", { kind: "duplicate-in-batch" })).to.equal(
      1,
    );
  });

  it("proves a nonce reused from an earlier batch and leaves the earlier batch alone", async function () {
    const { f, h } = await setup();
    const first = await honestActions(f, 3);
    const a = await post(f, h.node, first);
    const b = await post(f, h.node, [...(await honestActions(f, 2, 100)), first[2]]);
    const before = await snapshot(f, 1n);

    await h.verifier.tick();

    expect(await fraudOf(f, a.batchId)).to.deep.equal([]);
    expect(await fraudOf(f, b.batchId)).to.deep.equal([
      { kind: FraudKind.DuplicateNonceAcrossBatches, challenger: f.carol.address },
    ]);
    await expectSlashed(f, 1n, before);
    expect(h.store.batch(a.batchId)?.state).to.equal("clean");
    expect(h.store.batch(b.batchId)?.state).to.equal("rejected");
  });

  it("proves a nonce that standard mode applied before the batch", async function () {
    const { f, h } = await setup();
    const used = await sign(f, f.users[0], 42, 1n);
    await applyStandard(f, f.node2Key, [used]);
    const s = await post(f, h.node, [...(await honestActions(f, 2)), used]);
    const before = await snapshot(f, 1n);

    await h.verifier.tick();

    expect(await fraudOf(f, s.batchId)).to.deep.equal([
      { kind: FraudKind.NonceUsedInStandardMode, challenger: f.carol.address },
    ]);
    await expectSlashed(f, 1n, before);
  });

  it("proves a standard-mode replay of a lightweight action once that batch is final: the standard node is slashed", async function () {
    const { f, h } = await setup();
    const actions = await honestActions(f, 3);
    const s = await post(f, h.node, actions);
    await h.verifier.tick();
    await applyStandard(f, f.node2Key, [actions[1]]);

    await h.verifier.tick();
    expect(h.submitter.sent).to.deep.equal([]);
    expect(await metricValue(h.metrics, "era_verifier_frauds_found_total", { kind: "standard-replay" })).to.equal(1);

    const before = await snapshot(f, 2n);
    await time.increase(EXECUTION_DEFAULTS.challengeWindow);
    const report = await h.verifier.tick();

    expect(report.replaysProven).to.equal(1);
    const proven = await f.batchCommitments.queryFilter(f.batchCommitments.filters.StandardReplayProven(s.batchId));
    expect(proven.map((e) => [e.args.index, e.args.standardNodeId, e.args.challenger])).to.deep.equal([
      [1n, 2n, f.carol.address],
    ]);
    await expectSlashed(f, 2n, before);
    expect((await f.batchCommitments.getBatch(s.batchId)).status).to.not.equal(BigInt(BatchStatus.Rejected));
    await h.verifier.tick();
    expect(h.submitter.sent).to.have.length(1);
  });

  it("challenges an action the node cannot sign for, then resolves it after the unanswered window: node slashed", async function () {
    const { f, h } = await setup();
    const { s } = await postWithUnsigned(f, h.node, 4);
    const balance = await f.token.balanceOf(f.carol.address);

    await h.verifier.tick();

    const c = await f.batchCommitments.getChallenge(s.batchId, 4);
    expect(c.challenger).to.equal(f.carol.address);
    expect(await f.token.balanceOf(f.carol.address)).to.equal(balance - BOND);
    expect(h.store.batch(s.batchId)?.state).to.equal("challenged");
    expect(await metricValue(h.metrics, "era_verifier_frauds_found_total", { kind: "missing-signature" })).to.equal(1);

    // Before the answer deadline nothing more happens.
    await h.verifier.tick();
    expect(h.store.challenge(s.batchId, 4)?.state).to.equal("open");

    const before = await snapshot(f, 1n);
    await time.increaseTo(c.answerDeadline);
    await h.verifier.tick();

    expect(await fraudOf(f, s.batchId)).to.deep.equal([
      { kind: FraudKind.SignatureNotProduced, challenger: f.carol.address },
    ]);
    await expectSlashed(f, 1n, before);
    expect(await f.token.balanceOf(f.carol.address)).to.equal(balance + fraudSplit().bounty);
    expect(h.store.challenge(s.batchId, 4)?.state).to.equal("resolved");
    expect(h.store.batch(s.batchId)?.state).to.equal("rejected");
    expect(await metricValue(h.metrics, "era_verifier_proofs_landed_total", { kind: "resolve-challenge" })).to.equal(1);
  });

  it("challenges an action signed for another scenario, and reports it as a wrong-scenario fraud", async function () {
    const { f, h } = await setup();
    const other = await sign(f, f.users[2], 9, 3n, f.otherLight);
    const s = await post(f, h.node, [...(await honestActions(f, 2)), other]);

    await h.verifier.tick();

    expect((await f.batchCommitments.getChallenge(s.batchId, 2)).challenger).to.equal(f.carol.address);
    expect(await metricValue(h.metrics, "era_verifier_frauds_found_total", { kind: "wrong-scenario" })).to.equal(1);
    const before = await snapshot(f, 1n);
    await time.increase(EXECUTION_DEFAULTS.answerWindow);
    await h.verifier.tick();
    expect(await fraudOf(f, s.batchId)).to.deep.equal([
      { kind: FraudKind.SignatureNotProduced, challenger: f.carol.address },
    ]);
    await expectSlashed(f, 1n, before);
  });

  it("loses only one bond when the node answers, and never challenges the answered action again", async function () {
    const { f, h } = await setup();
    const actions = await honestActions(f, 3);
    // The node's signature server is broken for action 1, but the node holds the real signature and answers.
    const s = await post(f, h.node, actions, { signatures: [actions[0].signature, undefined, actions[2].signature] });
    await h.verifier.tick();
    await f.batchCommitments.connect(f.node1Key).answerChallenge(s.batchId, 1, actions[1].signature);

    await h.verifier.tick();
    await h.verifier.tick();

    const challenges = await f.batchCommitments.queryFilter(f.batchCommitments.filters.SignatureChallenged(s.batchId));
    expect(challenges).to.have.length(1);
    expect(h.store.challenge(s.batchId, 1)?.state).to.equal("answered");
    expect(h.store.batch(s.batchId)?.state).to.equal("clean");
    expect(await metricValue(h.metrics, "era_verifier_challenges_answered_total")).to.equal(1);
  });

  it("does not bond a second challenge on an action someone already challenged, and resolves it if they walk away", async function () {
    const { f, h } = await setup();
    const { s } = await postWithUnsigned(f, h.node, 2);
    await f.token.connect(f.attacker).approve(f.addresses.batchCommitments, BOND);
    await f.batchCommitments.connect(f.attacker).challengeSignature(s.batchId, s.tree.ref(2), s.tree.proof(2));
    const balance = await f.token.balanceOf(f.carol.address);

    await h.verifier.tick();
    expect(h.submitter.sent).to.deep.equal([]);
    expect(h.store.batch(s.batchId)?.state).to.equal("challenged");

    await time.increase(EXECUTION_DEFAULTS.answerWindow);
    await h.verifier.tick();

    expect(await fraudOf(f, s.batchId)).to.deep.equal([
      { kind: FraudKind.SignatureNotProduced, challenger: f.attacker.address },
    ]);
    expect(await f.token.balanceOf(f.carol.address)).to.equal(balance);
  });

  it("waits for signatures the node cannot serve yet, and leaves the batch unverified (no bond risked) by default", async function () {
    const { f, h } = await setup();
    const s = await post(f, h.node, await honestActions(f, 2));
    h.node.unavailable = true;

    await h.verifier.tick();
    expect(h.store.batch(s.batchId)?.state).to.equal("awaiting-signatures");
    await time.increase(EXECUTION_DEFAULTS.challengeWindow - 3_000n);
    await h.verifier.tick();

    expect(h.store.batch(s.batchId)?.state).to.equal("unverified");
    expect(h.submitter.sent).to.deep.equal([]);
    expect(await metricValue(h.metrics, "era_verifier_signatures_unavailable_total")).to.equal(2);
  });

  it("with challengeUnserved, challenges once a batch whose node never served its signatures before the window ends", async function () {
    const { f, h } = await setup({ challengeUnserved: true });
    const actions = await honestActions(f, 2);
    const s = await post(f, h.node, actions);
    h.node.unavailable = true;
    await time.increase(EXECUTION_DEFAULTS.challengeWindow - 3_000n);

    await h.verifier.tick();

    expect((await f.batchCommitments.getChallenge(s.batchId, 0)).challenger).to.equal(f.carol.address);

    // The node answers: it is alive and holds its signatures, so no second bond is risked on this batch.
    await f.batchCommitments.connect(f.node1Key).answerChallenge(s.batchId, 0, actions[0].signature);
    await h.verifier.tick();
    await h.verifier.tick();
    const challenges = await f.batchCommitments.queryFilter(f.batchCommitments.filters.SignatureChallenged(s.batchId));
    expect(challenges).to.have.length(1);
    expect(h.store.batch(s.batchId)?.state).to.equal("unverified");
  });

  it("reports a fraud found after the window closed without sending anything", async function () {
    const { f, h } = await setup();
    const actions = await honestActions(f, 2);
    const s = await post(f, h.node, [...actions, actions[0]]);
    await time.increase(EXECUTION_DEFAULTS.challengeWindow);

    await h.verifier.tick();

    expect(h.store.batch(s.batchId)?.state).to.equal("too-late");
    expect(h.submitter.sent).to.deep.equal([]);
  });

  it("records a batch someone else proved first, without sending a proof", async function () {
    const { f, h } = await setup();
    const actions = await honestActions(f, 2);
    const s = await post(f, h.node, [...actions, actions[1]]);
    await f.batchCommitments
      .connect(f.bob)
      .proveDuplicateInBatch(s.batchId, s.tree.ref(1), s.tree.proof(1), s.tree.ref(2), s.tree.proof(2));

    await h.verifier.tick();

    expect(h.store.batch(s.batchId)?.state).to.equal("rejected");
    expect(h.submitter.sent).to.deep.equal([]);
  });

  it("resumes after a restart from its state file: no batch judged twice, no second challenge, resolution done", async function () {
    const { f, h } = await setup();
    const { s } = await postWithUnsigned(f, h.node, 2);
    await h.verifier.tick();
    const lastBlock = h.store.lastBlock();
    h.close();

    const again = h.restart();
    expect(again.store.lastBlock()).to.equal(lastBlock);
    await again.verifier.tick();
    expect(again.submitter.sent).to.deep.equal([]);
    expect(await metricValue(again.metrics, "era_verifier_batches_checked_total")).to.equal(0);

    const before = await snapshot(f, 1n);
    await time.increase(EXECUTION_DEFAULTS.answerWindow);
    await again.verifier.tick();
    again.close();

    const challenges = await f.batchCommitments.queryFilter(f.batchCommitments.filters.SignatureChallenged(s.batchId));
    expect(challenges).to.have.length(1);
    expect(await fraudOf(f, s.batchId)).to.deep.equal([
      { kind: FraudKind.SignatureNotProduced, challenger: f.carol.address },
    ]);
    await expectSlashed(f, 1n, before);
  });

  it("adopts its own challenge found on chain when its state file lost it (crash between send and record)", async function () {
    const { f, h } = await setup();
    const { s } = await postWithUnsigned(f, h.node, 2);
    // The challenge landed, but the process died before writing anything.
    await f.token.connect(f.carol).approve(f.addresses.batchCommitments, BOND);
    await f.batchCommitments.connect(f.carol).challengeSignature(s.batchId, s.tree.ref(2), s.tree.proof(2));

    await h.verifier.tick();

    expect(h.submitter.sent).to.deep.equal([]);
    expect(h.store.challenge(s.batchId, 2)).to.include({ ours: true, state: "open" });
  });

  it("counts a failed poll as an RPC error, reports it on /healthz, and catches up at the next poll", async function () {
    const f = await loadFixture(verifierFixture);
    let calls = 0;
    let healthDuringRetry: ReturnType<Harness["verifier"]["health"]> | undefined;
    const flaky = new Proxy(ethers.provider, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        const bound = typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        if (prop !== "getLogs") return bound;
        calls += 1;
        if (calls === 1) return () => Promise.reject(Object.assign(new Error("upstream timeout"), { code: "TIMEOUT" }));
        healthDuringRetry ??= h?.verifier.health(60_000);
        return bound;
      },
    });
    h = harness(f, { provider: flaky });
    await post(f, h.node, await honestActions(f, 2));
    const stop = new AbortController();

    await h.verifier.run(1, stop.signal, () => stop.abort());

    expect(await metricValue(h.metrics, "era_verifier_rpc_errors_total")).to.equal(1);
    expect(healthDuringRetry?.ok).to.equal(false);
    expect(healthDuringRetry?.details.lastError).to.match(/RPC endpoint did not answer/);
    expect(h.verifier.health(60_000).ok).to.equal(true);
    expect(await metricValue(h.metrics, "era_verifier_batches_checked_total")).to.equal(1);
  });

  it("refuses a state file of another deployment", async function () {
    const { f, h } = await setup();
    h.close();
    expect(
      () => new VerifierStore(h.dbPath, { chainId: "31337", executionHub: f.addresses.batchCommitments }),
    ).to.throw(/belongs to executionHub/);
  });
});

describe("Verifier: settlement locks", function () {
  let h: Harness | undefined;
  afterEach(() => h?.dispose());

  async function lockFixture() {
    const f = await loadFixture(verifierFixture);
    const { chainId } = await ethers.provider.getNetwork();
    const engine = f.addresses.settlementEngine;
    const amount = 250n * ERA;
    await f.token.connect(f.alice).approve(engine, amount);
    await f.settlementEngine.connect(f.alice).deposit(f.addresses.token, amount);
    const deadline = BigInt(await time.latest()) + 3_600n;
    const settlement: SettlementFields = {
      id: randomId(),
      scenarioId: FINANCIAL,
      legs: [{ payer: f.alice.address, payee: f.bob.address, token: f.addresses.token, amount }],
      deadline,
      hashlock: hashlockOf(ethers.id("preimage")),
    };
    const signature = await signSettlement(f.alice, domainOf("ERA SettlementEngine", chainId, engine), settlement);
    await f.executionHub.connect(f.node1Key).submitLock(FINANCIAL, randomId(), settlement, [signature]);
    return { f, settlement, amount };
  }

  it("refunds a lock once its deadline has passed, not before", async function () {
    const { f, settlement, amount } = await lockFixture();
    h = harness(f);

    await h.verifier.tick();
    expect(await f.settlementEngine.statusOf(settlement.id)).to.equal(2n);

    await time.increaseTo(settlement.deadline);
    await h.verifier.tick();

    expect(await f.settlementEngine.statusOf(settlement.id)).to.equal(4n);
    expect(await f.settlementEngine.freeBalance(f.alice.address, f.addresses.token)).to.equal(amount);
    expect(await f.settlementEngine.frozenBalance(f.alice.address, f.addresses.token)).to.equal(0n);
    expect(await metricValue(h.metrics, "era_verifier_locks_refunded_total")).to.equal(1);
    expect(await metricValue(h.metrics, "era_verifier_live_locks")).to.equal(0);
  });

  it("leaves a committed lock alone", async function () {
    const { f, settlement } = await lockFixture();
    h = harness(f);
    await f.settlementEngine.commit(settlement.id, settlement.legs, ethers.id("preimage"));
    await time.increaseTo(settlement.deadline);

    await h.verifier.tick();

    expect(h.submitter.sent).to.deep.equal([]);
    expect(await f.settlementEngine.statusOf(settlement.id)).to.equal(3n);
  });

  it("does not refund when refunds are switched off", async function () {
    const { f, settlement } = await lockFixture();
    h = harness(f, { refundLocks: false });
    await time.increaseTo(settlement.deadline);

    await h.verifier.tick();

    expect(await f.settlementEngine.statusOf(settlement.id)).to.equal(2n);
  });
});
