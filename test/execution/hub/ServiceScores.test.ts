import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ERA, EXECUTION_DEFAULTS, ExecutionMode } from "../../helpers/fixtures";
import { hashlockOf } from "../../../src/sdk/execution";
import {
  BPS,
  MAX_APR_BPS,
  MIN_APR_BPS,
  SCENARIO,
  aprOfScore,
  batchId,
  commitmentsSigner,
  depositEra,
  expectedScore,
  hubFixture,
  lightweightBatch,
  oneLegSettlement,
  packedSpecs,
  signActions,
  signedAttestation,
  signedBatchAttestation,
  specs,
  type HubFixture,
} from "./helpers";

const S = SCENARIO.lightweight;
/** BatchCommitments.FraudKind.DuplicateNonceInBatch */
const DuplicateNonceInBatch = 0n;

/** Nonces handed out so far by `lightweightBatches` (never reused, so no batch duplicates another's actions). */
let nonceCursor = 1_000_000;

/** Node 1 commits `count` good lightweight batches of 2 actions on scenario 3 (labels `${label}-i`). */
async function lightweightBatches(f: HubFixture, count: number, label: string): Promise<void> {
  for (let i = 0; i < count; ++i) {
    const batch = lightweightBatch(S, batchId(`${label}-${i}`), packedSpecs(f.users, 2, nonceCursor++));
    await f.executionHub.connect(f.node1Key).submitLightweight(S, batch.id, batch.data);
  }
}

describe("ExecutionHub — service scores", function () {
  describe("nodeStats", function () {
    it("counts one applied batch per accepted batch, in every mode", async function () {
      const f = await loadFixture(hubFixture);
      const hub = f.executionHub.connect(f.node1Key);
      const applied = async () => (await f.executionHub.nodeStats(1)).appliedBatches;

      await depositEra(f, f.alice, 1_000n * ERA);
      const settlement = await oneLegSettlement(f, {
        id: batchId("s"),
        scenarioId: SCENARIO.financial,
        payer: f.alice,
        payee: f.bob.address,
        amount: ERA,
      });
      await hub.submitSettlements(
        SCENARIO.financial,
        batchId("settle"),
        [settlement.settlement],
        [settlement.signatures],
      );
      expect(await applied()).to.equal(1n);

      const lock = await oneLegSettlement(f, {
        id: batchId("l"),
        scenarioId: SCENARIO.financial,
        payer: f.alice,
        payee: f.bob.address,
        amount: ERA,
        hashlock: hashlockOf(ethers.id("secret")),
      });
      await hub.submitLock(SCENARIO.financial, batchId("lock"), lock.settlement, lock.signatures);
      expect(await applied()).to.equal(2n);

      const single = await signedAttestation(f, SCENARIO.enterprise, "one");
      await hub.submitNotarization(single.attestation, single.signatures);
      expect(await applied()).to.equal(3n);

      const many = await signedBatchAttestation(f, SCENARIO.enterprise, "many", 50);
      await hub.submitNotarizationBatch(many.attestation, many.signatures);
      expect(await applied()).to.equal(4n);

      const lw = lightweightBatch(S, batchId("lw"), packedSpecs(f.users, 100));
      await hub.submitLightweight(S, lw.id, lw.data);
      expect(await applied()).to.equal(5n);

      await f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Standard);
      await hub.submitStandard(S, batchId("std"), await signActions(f.hubDomain, S, specs(f.users, 3, 500)));
      expect(await f.executionHub.nodeStats(1)).to.deep.equal([6n, 0n]);
      // A batch counts once, whatever its size; other nodes are untouched.
      expect(await f.executionHub.nodeStats(2)).to.deep.equal([0n, 0n]);
    });

    it("does not count a refused batch", async function () {
      const f = await loadFixture(hubFixture);
      const hub = f.executionHub.connect(f.node1Key);
      const lw = lightweightBatch(S, batchId("lw"), packedSpecs(f.users, 2));
      await hub.submitLightweight(S, lw.id, lw.data);
      await expect(hub.submitLightweight(S, lw.id, lw.data)).to.be.revertedWithCustomError(
        f.batchCommitments,
        "CommitmentsBatchExists",
      );
      await expect(hub.submitStandard(S, batchId("std"), [])).to.be.revertedWithCustomError(
        f.executionHub,
        "ExecutionModeMismatch",
      );
      expect(await f.executionHub.nodeStats(1)).to.deep.equal([1n, 0n]);
    });
  });

  describe("scoreOf", function () {
    it("is 10,000 × applied / (applied + 20 × frauds + 10), rounded down", async function () {
      const f = await loadFixture(hubFixture);
      const commitments = await commitmentsSigner(f);
      // (applied, frauds) reached in this order: applied only grows by batches, frauds by reports of the commitments.
      const points: [bigint, bigint][] = [
        [0n, 0n],
        [1n, 0n],
        [3n, 0n],
        [10n, 0n],
        [10n, 1n],
        [25n, 1n],
        [25n, 2n],
        [40n, 2n],
        [40n, 3n],
      ];
      let applied = 0n;
      let frauds = 0n;
      for (const [a, fr] of points) {
        await lightweightBatches(f, Number(a - applied), `p${a}`);
        for (; frauds < fr; ++frauds) await f.executionHub.connect(commitments).onFraud(1);
        applied = a;
        expect(await f.executionHub.nodeStats(1)).to.deep.equal([applied, frauds]);
        expect(await f.executionHub.scoreOf(1)).to.equal(expectedScore(applied, frauds));
      }
      // Spot checks of the formula by hand: 10 batches and no fraud weigh as much as the prior → 50%;
      // one fraud then weighs 20 batches → 10,000 × 10 / 40; 40 batches and 3 frauds → 10,000 × 40 / 110.
      expect(expectedScore(10n, 0n)).to.equal(5_000n);
      expect(expectedScore(10n, 1n)).to.equal(2_500n);
      expect(expectedScore(40n, 3n)).to.equal(3_636n);
      expect(expectedScore(1n, 0n)).to.equal(909n);
    });
  });

  describe("syncScore", function () {
    it("pushes the score to DelegatedStaking (APR = 8% + 4% × score), emits ScoreSynced, and is open to anyone", async function () {
      const f = await loadFixture(hubFixture);
      await lightweightBatches(f, 10, "good");
      const score = expectedScore(10n, 0n);
      expect(await f.staking.aprOf(1)).to.equal(MIN_APR_BPS);
      expect(await f.executionHub.connect(f.attacker).syncScore.staticCall(1)).to.equal(score);
      await expect(f.executionHub.connect(f.attacker).syncScore(1))
        .to.emit(f.executionHub, "ScoreSynced")
        .withArgs(1n, score, 10n, 0n)
        .and.to.emit(f.staking, "ScoreUpdated")
        .withArgs(1n, 0n, score, aprOfScore(score));
      expect(await f.staking.aprOf(1)).to.equal(aprOfScore(score));
      expect(aprOfScore(score)).to.equal(1_000n); // 8% + 4% × 50%
      // Syncing again without news changes nothing.
      await expect(f.executionHub.syncScore(1))
        .to.emit(f.staking, "ScoreUpdated")
        .withArgs(1n, score, score, aprOfScore(score));
    });

    it("syncs a node without batches to score 0, the minimum APR", async function () {
      const f = await loadFixture(hubFixture);
      await expect(f.executionHub.syncScore(2)).to.emit(f.executionHub, "ScoreSynced").withArgs(2n, 0n, 0n, 0n);
      expect(await f.staking.aprOf(2)).to.equal(MIN_APR_BPS);
    });

    it("keeps every synced APR inside [8%, 12%] as batches and frauds add up", async function () {
      const f = await loadFixture(hubFixture);
      const commitments = await commitmentsSigner(f);
      let applied = 0n;
      let frauds = 0n;
      for (const [batches, newFrauds] of [
        [5, 0],
        [0, 2],
        [30, 0],
        [0, 1],
        [15, 0],
      ] as const) {
        await lightweightBatches(f, batches, `r${applied}`);
        applied += BigInt(batches);
        for (let i = 0; i < newFrauds; ++i) await f.executionHub.connect(commitments).onFraud(1);
        frauds += BigInt(newFrauds);
        await f.executionHub.syncScore(1);
        const apr = await f.staking.aprOf(1);
        expect(apr).to.equal(aprOfScore(expectedScore(applied, frauds)));
        expect(apr >= MIN_APR_BPS && apr <= MAX_APR_BPS).to.equal(true);
        expect(await f.executionHub.scoreOf(1)).to.be.lessThan(BPS);
      }
    });
  });

  describe("onFraud and onLightweightFinal (from the batch commitments)", function () {
    it("onFraud counts a fraud against the node and syncs its score at once", async function () {
      const f = await loadFixture(hubFixture);
      await lightweightBatches(f, 10, "good");
      const commitments = await commitmentsSigner(f);
      const before = expectedScore(10n, 0n);
      await f.executionHub.syncScore(1);
      const after = expectedScore(10n, 1n);
      await expect(f.executionHub.connect(commitments).onFraud(1))
        .to.emit(f.executionHub, "ScoreSynced")
        .withArgs(1n, after, 10n, 1n)
        .and.to.emit(f.staking, "ScoreUpdated")
        .withArgs(1n, before, after, aprOfScore(after));
      expect(await f.executionHub.nodeStats(1)).to.deep.equal([10n, 1n]);
    });

    it("onLightweightFinal adds a final batch's actions to the scenario's count", async function () {
      const f = await loadFixture(hubFixture);
      const commitments = await commitmentsSigner(f);
      await f.executionHub.connect(commitments).onLightweightFinal(S, 7);
      await f.executionHub.connect(commitments).onLightweightFinal(S, 5);
      expect(await f.executionHub.actionCount(S)).to.equal(12n);
      expect(await f.executionHub.actionCount(SCENARIO.enterprise)).to.equal(0n);
    });
  });

  describe("a proven fraud", function () {
    it("(duplicate nonce in a lightweight batch) sets frauds = 1, lowers the score and the APR within [8%, 12%], and slashes the node out of service", async function () {
      const f = await loadFixture(hubFixture);
      await lightweightBatches(f, 9, "good");
      const actions = packedSpecs(f.users, 10, 1);
      actions[7] = { ...actions[2], payload: 1_234n }; // same user and nonce as action 2
      const bad = lightweightBatch(S, batchId("bad"), actions);
      await f.executionHub.connect(f.node1Key).submitLightweight(S, bad.id, bad.data);
      const before = expectedScore(10n, 0n);
      await f.executionHub.syncScore(1);
      expect(await f.staking.aprOf(1)).to.equal(aprOfScore(before));

      const slash = EXECUTION_DEFAULTS.fraudSlash; // covered by the node's bond (10,000 ERA)
      const bounty = (slash * EXECUTION_DEFAULTS.bountyBps) / BPS;
      const after = expectedScore(10n, 1n);
      const challengerBefore = await f.token.balanceOf(f.carol.address);
      await expect(
        f.batchCommitments
          .connect(f.carol)
          .proveDuplicateInBatch(bad.id, bad.tree.ref(2), bad.tree.proof(2), bad.tree.ref(7), bad.tree.proof(7)),
      )
        .to.emit(f.batchCommitments, "FraudProven")
        .withArgs(bad.id, DuplicateNonceInBatch, 1n, f.carol.address, slash, bounty)
        .and.to.emit(f.executionHub, "ScoreSynced")
        .withArgs(1n, after, 10n, 1n)
        .and.to.emit(f.staking, "ScoreUpdated")
        .withArgs(1n, before, after, aprOfScore(after));

      expect(await f.executionHub.nodeStats(1)).to.deep.equal([10n, 1n]);
      expect(await f.executionHub.scoreOf(1)).to.equal(after);
      expect(after).to.be.lessThan(before);
      const apr = await f.staking.aprOf(1);
      expect(apr).to.equal(aprOfScore(after));
      expect(apr >= MIN_APR_BPS && apr <= MAX_APR_BPS).to.equal(true);
      expect(await f.token.balanceOf(f.carol.address)).to.equal(challengerBefore + bounty);
      // Node 2 is untouched.
      expect(await f.executionHub.nodeStats(2)).to.deep.equal([0n, 0n]);
      expect(await f.staking.aprOf(2)).to.equal(MIN_APR_BPS);

      // The slash took the bond below the minimum: the node may not submit until it tops up.
      expect(await f.nodeRegistry.isActive(1)).to.equal(false);
      const next = lightweightBatch(S, batchId("next"), packedSpecs(f.users, 2, 50));
      await expect(f.executionHub.connect(f.node1Key).submitLightweight(S, next.id, next.data))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionNotServingNode")
        .withArgs(S, f.node1Key.address, 1n);
      await f.token.connect(f.operator1).approve(await f.nodeRegistry.getAddress(), slash);
      await f.nodeRegistry.connect(f.operator1).topUp(1, slash);
      await f.executionHub.connect(f.node1Key).submitLightweight(S, next.id, next.data);
      // Good batches earn the score back slowly: one fraud weighs 20 batches.
      await lightweightBatches(f, 9, "after");
      await f.executionHub.syncScore(1);
      expect(await f.staking.aprOf(1)).to.equal(aprOfScore(expectedScore(20n, 1n)));
    });
  });
});
