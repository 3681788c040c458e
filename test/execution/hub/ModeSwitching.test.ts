import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ERA, EXECUTION_DEFAULTS, ExecutionMode } from "../../helpers/fixtures";
import { hashlockOf, notarizationIdOf } from "../../../src/sdk/execution";
import { fundedWallet } from "../../helpers/execution";
import {
  SCENARIO,
  batchId,
  depositEra,
  hubFixture,
  lightweightBatch,
  oneLegSettlement,
  packedSpecs,
  signActions,
  signedAttestation,
  specs,
  type HubFixture,
} from "./helpers";

const S = SCENARIO.lightweight;
const WINDOW = EXECUTION_DEFAULTS.challengeWindow;

/** BatchCommitments.BatchStatus */
const Pending = 1n;
const Rejected = 2n;
const Finalized = 3n;

/** `hubFixture` with scenario 3 (lightweight class) in standard mode, as before a sales peak. */
async function liveFixture(): Promise<HubFixture> {
  const f = await hubFixture();
  await f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Standard);
  return f;
}

describe("ExecutionHub — live mode switching", function () {
  it("runs standard → lightweight → standard on a live scenario with batches in flight: stale batches are rejected naming both modes, submitted ones finish under their mode", async function () {
    const f = await loadFixture(liveFixture);
    const hub = f.executionHub.connect(f.node1Key);
    const executor = await fundedWallet("executor-policy");
    await f.scenarioRegistry.connect(f.developer).setModeOperator(S, executor.address, true);

    // Standard: one batch applied, the next one built (in flight) under standard.
    const std1 = await signActions(f.hubDomain, S, specs(f.users, 4, 1));
    await expect(hub.submitStandard(S, batchId("std1"), std1))
      .to.emit(f.executionHub, "BatchApplied")
      .withArgs(batchId("std1"), S, ExecutionMode.Standard, 1n, 1n, 4n);
    const stdInFlight = await signActions(f.hubDomain, S, specs(f.users, 4, 2));

    // The owner switches to lightweight for the peak: takes effect for the next batch.
    await expect(f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Lightweight))
      .to.emit(f.scenarioRegistry, "ModeSwitched")
      .withArgs(S, ExecutionMode.Standard, ExecutionMode.Lightweight, f.developer.address);
    await expect(hub.submitStandard(S, batchId("std2"), stdInFlight))
      .to.be.revertedWithCustomError(f.executionHub, "ExecutionModeMismatch")
      .withArgs(S, ExecutionMode.Standard, ExecutionMode.Lightweight);
    expect(await f.executionHub.actionRecord(S, stdInFlight[0].user, stdInFlight[0].nonce)).to.deep.equal([0n, 0n]);
    expect((await f.executionHub.batchOf(batchId("std2"))).used).to.equal(false);

    // Lightweight: one batch committed, the next one built under lightweight.
    const lw1 = lightweightBatch(S, batchId("lw1"), packedSpecs(f.users, 8, 3));
    await expect(hub.submitLightweight(S, lw1.id, lw1.data))
      .to.emit(f.executionHub, "BatchApplied")
      .withArgs(lw1.id, S, ExecutionMode.Lightweight, 1n, 2n, 8n);
    const lwInFlight = lightweightBatch(S, batchId("lw2"), packedSpecs(f.users, 4, 5));

    // The executor's policy switches back to standard while lw1 is still in its challenge window.
    await expect(f.scenarioRegistry.connect(executor).setMode(S, ExecutionMode.Standard))
      .to.emit(f.scenarioRegistry, "ModeSwitched")
      .withArgs(S, ExecutionMode.Lightweight, ExecutionMode.Standard, executor.address);
    await expect(hub.submitLightweight(S, lwInFlight.id, lwInFlight.data))
      .to.be.revertedWithCustomError(f.executionHub, "ExecutionModeMismatch")
      .withArgs(S, ExecutionMode.Lightweight, ExecutionMode.Standard);
    expect((await f.batchCommitments.getBatch(lwInFlight.id)).status).to.equal(0n); // None

    // The next batch runs under the new mode: the standard batch that was refused goes through now.
    await expect(hub.submitStandard(S, batchId("std2"), stdInFlight))
      .to.emit(f.executionHub, "BatchApplied")
      .withArgs(batchId("std2"), S, ExecutionMode.Standard, 1n, 3n, 4n);
    // Each batch records the mode it ran under.
    expect((await f.executionHub.batchOf(batchId("std1"))).mode).to.equal(BigInt(ExecutionMode.Standard));
    expect((await f.executionHub.batchOf(batchId("std2"))).mode).to.equal(BigInt(ExecutionMode.Standard));
    expect((await f.executionHub.batchOf(lw1.id)).used).to.equal(false); // kept by the commitments instead
    expect((await f.batchCommitments.getBatch(lw1.id)).seq).to.equal(2n);

    // lw1 finishes under lightweight: pending during its window, final after it, then counted on finalize.
    expect((await f.batchCommitments.getBatch(lw1.id)).status).to.equal(Pending);
    expect(await f.batchCommitments.isFinal(lw1.id)).to.equal(false);
    expect(await f.executionHub.actionCount(S)).to.equal(8n);
    const submittedAt = (await f.batchCommitments.getBatch(lw1.id)).submittedAt;
    await time.increaseTo(submittedAt + WINDOW);
    expect(await f.batchCommitments.isFinal(lw1.id)).to.equal(true);
    await expect(f.batchCommitments.connect(f.carol).finalize(lw1.id))
      .to.emit(f.batchCommitments, "BatchFinalized")
      .withArgs(lw1.id, S, 8n);
    expect((await f.batchCommitments.getBatch(lw1.id)).status).to.equal(Finalized);
    expect(await f.executionHub.actionCount(S)).to.equal(4n + 8n + 4n);
    expect(await f.executionHub.nodeStats(1)).to.deep.equal([3n, 0n]);
    expect(await f.scenarioRegistry.modeOf(S)).to.equal(BigInt(ExecutionMode.Standard));
  });

  it("still lets anyone prove fraud in a lightweight batch after the scenario switched back to standard", async function () {
    const f = await loadFixture(liveFixture);
    const hub = f.executionHub.connect(f.node1Key);
    await f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Lightweight);
    // The node posts the same (user, nonce) twice in one batch.
    const actions = packedSpecs(f.users, 6);
    actions[5] = { ...actions[1], payload: 77n };
    const bad = lightweightBatch(S, batchId("bad"), actions);
    await hub.submitLightweight(S, bad.id, bad.data);
    await f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Standard);

    await expect(
      f.batchCommitments
        .connect(f.carol)
        .proveDuplicateInBatch(bad.id, bad.tree.ref(1), bad.tree.proof(1), bad.tree.ref(5), bad.tree.proof(5)),
    )
      .to.emit(f.batchCommitments, "FraudProven")
      .and.to.emit(f.executionHub, "ScoreSynced");
    expect((await f.batchCommitments.getBatch(bad.id)).status).to.equal(Rejected);
    expect(await f.executionHub.nodeStats(1)).to.deep.equal([1n, 1n]);
    // A rejected batch never becomes final and never counts.
    await time.increase(WINDOW);
    expect(await f.batchCommitments.isFinal(bad.id)).to.equal(false);
    await expect(f.batchCommitments.finalize(bad.id))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNotFinalizable")
      .withArgs(bad.id);
    expect(await f.executionHub.actionCount(S)).to.equal(0n);
  });

  it("lets a lightweight batch submitted after a switch be proven to replay a nonce applied in standard mode before it", async function () {
    const f = await loadFixture(liveFixture);
    const hub = f.executionHub.connect(f.node1Key);
    const std = await signActions(f.hubDomain, S, specs(f.users, 2));
    await hub.submitStandard(S, batchId("std"), std);
    await f.scenarioRegistry.connect(f.developer).setMode(S, ExecutionMode.Lightweight);
    // The lightweight batch re-uses the standard batch's (user, nonce) at index 0.
    const replay = lightweightBatch(S, batchId("lw"), [
      { user: std[0].user, nonce: std[0].nonce, payload: 9n },
      ...packedSpecs(f.users, 2, 2),
    ]);
    await hub.submitLightweight(S, replay.id, replay.data);
    await expect(
      f.batchCommitments.connect(f.carol).proveNonceUsedInStandard(replay.id, replay.tree.ref(0), replay.tree.proof(0)),
    ).to.emit(f.batchCommitments, "FraudProven");
    expect(await f.executionHub.nodeStats(1)).to.deep.equal([2n, 1n]);
  });

  it("rejects a settlement built for atomic mode once the financial scenario runs standard, while a lock taken before still commits", async function () {
    const f = await loadFixture(hubFixture);
    const era = await f.token.getAddress();
    const hub = f.executionHub.connect(f.node1Key);
    await depositEra(f, f.alice, 1_000n * ERA);
    const preimage = ethers.id("secret");
    const lock = await oneLegSettlement(f, {
      id: batchId("lock"),
      scenarioId: SCENARIO.financial,
      payer: f.alice,
      payee: f.bob.address,
      amount: 100n * ERA,
      hashlock: hashlockOf(preimage),
    });
    await hub.submitLock(SCENARIO.financial, batchId("b-lock"), lock.settlement, lock.signatures);
    const inFlight = await oneLegSettlement(f, {
      id: batchId("settle"),
      scenarioId: SCENARIO.financial,
      payer: f.alice,
      payee: f.bob.address,
      amount: 10n * ERA,
    });

    await f.scenarioRegistry.connect(f.developer).setMode(SCENARIO.financial, ExecutionMode.Standard);
    await expect(
      hub.submitSettlements(SCENARIO.financial, batchId("b-settle"), [inFlight.settlement], [inFlight.signatures]),
    )
      .to.be.revertedWithCustomError(f.executionHub, "ExecutionModeMismatch")
      .withArgs(SCENARIO.financial, ExecutionMode.AtomicSettlement, ExecutionMode.Standard);
    expect(await f.settlementEngine.statusOf(inFlight.settlement.id)).to.equal(0n);

    // The lock finishes under the mode it was taken in.
    await expect(f.settlementEngine.connect(f.carol).commit(lock.settlement.id, lock.settlement.legs, preimage))
      .to.emit(f.settlementEngine, "Committed")
      .withArgs(lock.settlement.id, preimage);
    expect(await f.settlementEngine.freeBalance(f.bob.address, era)).to.equal(100n * ERA);

    // Back to atomic settlement: the settlement that was refused goes through.
    await f.scenarioRegistry.connect(f.developer).setMode(SCENARIO.financial, ExecutionMode.AtomicSettlement);
    await expect(
      hub.submitSettlements(SCENARIO.financial, batchId("b-settle"), [inFlight.settlement], [inFlight.signatures]),
    )
      .to.emit(f.executionHub, "BatchApplied")
      .withArgs(batchId("b-settle"), SCENARIO.financial, ExecutionMode.AtomicSettlement, 1n, 0n, 1n);
  });

  it("rejects a notarization built for notarized mode once the enterprise scenario runs standard, and the trail resumes after switching back", async function () {
    const f = await loadFixture(hubFixture);
    const hub = f.executionHub.connect(f.node1Key);
    const first = await signedAttestation(f, SCENARIO.enterprise, "first");
    await hub.submitNotarization(first.attestation, first.signatures);
    const inFlight = await signedAttestation(f, SCENARIO.enterprise, "second");

    await f.scenarioRegistry.connect(f.developer).setMode(SCENARIO.enterprise, ExecutionMode.Standard);
    await expect(hub.submitNotarization(inFlight.attestation, inFlight.signatures))
      .to.be.revertedWithCustomError(f.executionHub, "ExecutionModeMismatch")
      .withArgs(SCENARIO.enterprise, ExecutionMode.Notarized, ExecutionMode.Standard);
    // Standard batches of the enterprise scenario run meanwhile.
    const std = await signActions(f.hubDomain, SCENARIO.enterprise, specs(f.users, 2));
    await expect(hub.submitStandard(SCENARIO.enterprise, batchId("std"), std))
      .to.emit(f.executionHub, "BatchApplied")
      .withArgs(batchId("std"), SCENARIO.enterprise, ExecutionMode.Standard, 1n, 1n, 2n);

    await f.scenarioRegistry.connect(f.developer).setMode(SCENARIO.enterprise, ExecutionMode.Notarized);
    const { subjectId } = inFlight.attestation;
    await expect(hub.submitNotarization(inFlight.attestation, inFlight.signatures))
      .to.emit(f.executionHub, "BatchApplied")
      .withArgs(
        notarizationIdOf(SCENARIO.enterprise, subjectId, ethers.ZeroHash),
        SCENARIO.enterprise,
        ExecutionMode.Notarized,
        1n,
        0n,
        1n,
      );
    expect(await f.notaryRegistry.headOf(SCENARIO.enterprise, subjectId)).not.to.equal(ethers.ZeroHash);
  });
});
