import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { randomId, signAction } from "../../../src/sdk/execution";
import { viaTimelock } from "../../helpers/fixtures";
import { malleate } from "../../helpers/execution";
import {
  BatchStatus,
  EXECUTION_DEFAULTS,
  FINANCIAL,
  FraudKind,
  LIGHT,
  challenge,
  expectSlashed,
  fraudReason,
  fraudSplit,
  lightweightFixture,
  makeActions,
  signed,
  snapshot,
  submitBatch,
  type LightweightFixture,
  type Submitted,
} from "./helpers";

const BOND = EXECUTION_DEFAULTS.challengeBond;

/**
 * A batch of four actions: 0–2 filler, 3 a real action of alice (nonce 5) whose signature the node keeps.
 * `aliceScenario` is the scenario alice actually signed for (another one makes the "wrong scenario" fraud).
 */
async function batchWithAlice(
  f: LightweightFixture,
  aliceScenario = LIGHT,
): Promise<{ s: Submitted; signature: string }> {
  const alice = await signed(f, f.alice, 5, 77n, aliceScenario);
  const s = await submitBatch(f, [...makeActions(3), alice.action]);
  return { s, signature: alice.signature };
}

async function challenged(f: LightweightFixture) {
  const { s, signature } = await batchWithAlice(f);
  const tx = await challenge(f, f.carol, s, 3);
  const deadline = (await f.batchCommitments.getChallenge(s.batchId, 3)).answerDeadline;
  return { s, signature, tx, deadline };
}

describe("BatchCommitments: challengeSignature", function () {
  it("pulls the bond, records the challenge, counts it on the batch and emits SignatureChallenged", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s } = await batchWithAlice(f);
    await f.token.connect(f.carol).approve(f.addresses.batchCommitments, BOND);
    const tx = f.batchCommitments.connect(f.carol).challengeSignature(s.batchId, s.tree.ref(3), s.tree.proof(3));
    await expect(tx).to.changeTokenBalances(f.token, [f.carol, f.batchCommitments], [-BOND, BOND]);
    const ts = BigInt(await time.latest());
    const deadline = ts + EXECUTION_DEFAULTS.answerWindow;
    await expect(tx)
      .to.emit(f.batchCommitments, "SignatureChallenged")
      .withArgs(s.batchId, 3n, f.carol.address, deadline);
    const c = await f.batchCommitments.getChallenge(s.batchId, 3);
    expect(c.challenger).to.equal(f.carol.address);
    expect(c.answerDeadline).to.equal(deadline);
    expect(c.bond).to.equal(BOND);
    expect(c.user).to.equal(f.alice.address);
    expect(c.nonce).to.equal(5n);
    expect(c.payload).to.equal(77n);
    expect((await f.batchCommitments.getBatch(s.batchId)).openChallenges).to.equal(1n);
  });

  it("counts challenges of different actions of one batch separately", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s } = await batchWithAlice(f);
    await challenge(f, f.carol, s, 3);
    await challenge(f, f.bob, s, 0);
    expect((await f.batchCommitments.getBatch(s.batchId)).openChallenges).to.equal(2n);
  });

  it("reverts with CommitmentsAlreadyChallenged for an action already under challenge", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s } = await challenged(f);
    await f.token.connect(f.bob).approve(f.addresses.batchCommitments, BOND);
    await expect(f.batchCommitments.connect(f.bob).challengeSignature(s.batchId, s.tree.ref(3), s.tree.proof(3)))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsAlreadyChallenged")
      .withArgs(s.batchId, 3n);
  });

  it("reverts with CommitmentsBadProof, CommitmentsUnknownBatch or CommitmentsWindowClosed", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s } = await batchWithAlice(f);
    const bc = f.batchCommitments.connect(f.carol);
    await f.token.connect(f.carol).approve(f.addresses.batchCommitments, BOND);
    await expect(bc.challengeSignature(s.batchId, s.tree.ref(3), s.tree.proof(2)))
      .to.be.revertedWithCustomError(bc, "CommitmentsBadProof")
      .withArgs(s.batchId, 3n);
    const unknown = randomId();
    await expect(bc.challengeSignature(unknown, s.tree.ref(3), s.tree.proof(3)))
      .to.be.revertedWithCustomError(bc, "CommitmentsUnknownBatch")
      .withArgs(unknown);
    const end = s.submittedAt + EXECUTION_DEFAULTS.challengeWindow;
    await time.setNextBlockTimestamp(end);
    await expect(bc.challengeSignature(s.batchId, s.tree.ref(3), s.tree.proof(3)))
      .to.be.revertedWithCustomError(bc, "CommitmentsWindowClosed")
      .withArgs(s.batchId, end);
  });

  it("reverts when the challenger did not approve the bond, and records nothing", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s } = await batchWithAlice(f);
    await expect(f.batchCommitments.connect(f.carol).challengeSignature(s.batchId, s.tree.ref(3), s.tree.proof(3)))
      .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
      .withArgs(f.addresses.batchCommitments, 0n, BOND);
    expect((await f.batchCommitments.getChallenge(s.batchId, 3)).challenger).to.equal(ethers.ZeroAddress);
    expect((await f.batchCommitments.getBatch(s.batchId)).openChallenges).to.equal(0n);
  });

  it("moves no ERA at any step when governance set the bond to zero", async function () {
    const f = await loadFixture(lightweightFixture);
    const d = EXECUTION_DEFAULTS;
    await viaTimelock(
      f,
      f.batchCommitments,
      f.batchCommitments.interface.encodeFunctionData("setParameters", [
        d.challengeWindow,
        d.answerWindow,
        0n,
        d.fraudSlash,
        d.bountyBps,
      ]),
    );
    const { s, signature } = await batchWithAlice(f);
    const bc = f.batchCommitments.connect(f.carol);
    // Challenge, answer: no approval needed, nothing moves.
    const c1 = bc.challengeSignature(s.batchId, s.tree.ref(3), s.tree.proof(3));
    await expect(c1).to.changeTokenBalances(f.token, [f.carol, f.batchCommitments], [0n, 0n]);
    expect((await bc.getChallenge(s.batchId, 3)).bond).to.equal(0n);
    const a = bc.answerChallenge(s.batchId, 3, signature);
    await expect(a).to.emit(bc, "SignatureAnswered").withArgs(s.batchId, 3n, f.operator1.address);
    await expect(a).to.changeTokenBalances(f.token, [f.operator1, f.batchCommitments], [0n, 0n]);
    // Two unanswered challenges: the first resolve rejects the batch and pays only the bounty, the second returns a
    // zero bond.
    await bc.challengeSignature(s.batchId, s.tree.ref(0), s.tree.proof(0));
    await bc.challengeSignature(s.batchId, s.tree.ref(1), s.tree.proof(1));
    await time.increase(d.answerWindow);
    const r = bc.resolveChallenge(s.batchId, 0);
    await expect(r).to.changeTokenBalances(f.token, [f.carol, f.batchCommitments], [fraudSplit().bounty, 0n]);
    const back = bc.resolveChallenge(s.batchId, 1);
    await expect(back).to.emit(bc, "ChallengeBondReturned").withArgs(s.batchId, 1n, f.carol.address, 0n);
    await expect(back).to.changeTokenBalances(f.token, [f.carol, f.batchCommitments], [0n, 0n]);
  });
});

describe("BatchCommitments: answerChallenge", function () {
  it("attack 9: a challenge against a good action is answered with the user's signature, the bond goes to the operator, the batch finalizes", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s, signature } = await challenged(f);
    const tx = f.batchCommitments.connect(f.node1Key).answerChallenge(s.batchId, 3, signature);
    await expect(tx).to.emit(f.batchCommitments, "SignatureAnswered").withArgs(s.batchId, 3n, f.operator1.address);
    await expect(tx).to.changeTokenBalances(f.token, [f.operator1, f.batchCommitments, f.carol], [BOND, -BOND, 0n]);
    expect((await f.batchCommitments.getChallenge(s.batchId, 3)).challenger).to.equal(ethers.ZeroAddress);
    const batch = await f.batchCommitments.getBatch(s.batchId);
    expect(batch.openChallenges).to.equal(0n);
    expect(batch.status).to.equal(BatchStatus.Pending);
    expect((await f.executionHub.nodeStats(1)).frauds).to.equal(0n);
    await time.increaseTo(s.submittedAt + EXECUTION_DEFAULTS.challengeWindow);
    expect(await f.batchCommitments.isFinal(s.batchId)).to.equal(true);
    await expect(f.batchCommitments.finalize(s.batchId))
      .to.emit(f.batchCommitments, "BatchFinalized")
      .withArgs(s.batchId, LIGHT, 4n);
  });

  it("accepts the answer from anyone holding the signature, one second before the deadline", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s, signature, deadline } = await challenged(f);
    await time.setNextBlockTimestamp(deadline - 1n);
    await expect(f.batchCommitments.connect(f.bob).answerChallenge(s.batchId, 3, signature))
      .to.emit(f.batchCommitments, "SignatureAnswered")
      .withArgs(s.batchId, 3n, f.operator1.address);
  });

  it("reverts with CommitmentsAnswerWindow at the deadline", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s, signature, deadline } = await challenged(f);
    await time.setNextBlockTimestamp(deadline);
    await expect(f.batchCommitments.connect(f.node1Key).answerChallenge(s.batchId, 3, signature))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsAnswerWindow")
      .withArgs(s.batchId, 3n, deadline);
  });

  it("reverts with CommitmentsNoChallenge without an open challenge (never challenged, or already answered)", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s, signature } = await challenged(f);
    await expect(f.batchCommitments.answerChallenge(s.batchId, 2, signature))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNoChallenge")
      .withArgs(s.batchId, 2n);
    await f.batchCommitments.answerChallenge(s.batchId, 3, signature);
    await expect(f.batchCommitments.answerChallenge(s.batchId, 3, signature))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNoChallenge")
      .withArgs(s.batchId, 3n);
  });

  it("reverts with CommitmentsBadAnswer for another signer's, another payload's or a malformed signature", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s, signature } = await challenged(f);
    const byBob = await signAction(f.bob, f.hubDomain, {
      scenarioId: LIGHT,
      user: f.alice.address,
      nonce: 5,
      payload: 77n,
    });
    const otherPayload = (await signed(f, f.alice, 5, 78n)).signature;
    const otherChain = await signAction(
      f.alice,
      { ...f.hubDomain, chainId: 1n },
      {
        scenarioId: LIGHT,
        user: f.alice.address,
        nonce: 5,
        payload: 77n,
      },
    );
    const malformed = ethers.dataSlice(signature, 0, 40);
    for (const bad of [byBob, otherPayload, otherChain, malformed]) {
      await expect(f.batchCommitments.answerChallenge(s.batchId, 3, bad))
        .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsBadAnswer")
        .withArgs(s.batchId, 3n);
    }
    expect((await f.batchCommitments.getBatch(s.batchId)).openChallenges).to.equal(1n);
  });

  it("attack: reverts with CommitmentsBadAnswer for a malleated (high-s) copy of the user's signature", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s, signature } = await challenged(f);
    await expect(f.batchCommitments.answerChallenge(s.batchId, 3, malleate(signature)))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsBadAnswer")
      .withArgs(s.batchId, 3n);
  });

  it("wrong scenario: an action signed for another scenario cannot be answered, and the batch is rejected after the deadline", async function () {
    const f = await loadFixture(lightweightFixture);
    // Alice signed (nonce 5, payload 77) for the financial scenario; the node put it in a lightweight batch.
    const { s, signature } = await batchWithAlice(f, FINANCIAL);
    await challenge(f, f.carol, s, 3);
    const deadline = (await f.batchCommitments.getChallenge(s.batchId, 3)).answerDeadline;
    await expect(f.batchCommitments.connect(f.node1Key).answerChallenge(s.batchId, 3, signature))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsBadAnswer")
      .withArgs(s.batchId, 3n);
    await time.increaseTo(deadline);
    const before = await snapshot(f, 1n);
    const { slashed, bounty } = fraudSplit();
    const tx = f.batchCommitments.connect(f.carol).resolveChallenge(s.batchId, 3);
    await expect(tx)
      .to.emit(f.batchCommitments, "FraudProven")
      .withArgs(s.batchId, FraudKind.SignatureNotProduced, 1n, f.carol.address, slashed, bounty);
    await expect(tx).to.changeTokenBalances(f.token, [f.carol], [BOND + bounty]);
    expect((await f.batchCommitments.getBatch(s.batchId)).status).to.equal(BatchStatus.Rejected);
    await expectSlashed(f, 1n, before);
  });
});

describe("BatchCommitments: resolveChallenge", function () {
  it("unanswered: rejects the batch, slashes the node, pays the bounty and returns the bond to the challenger", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s, deadline } = await challenged(f);
    await time.setNextBlockTimestamp(deadline);
    const before = await snapshot(f, 1n);
    const { slashed, bounty, rest } = fraudSplit();
    const tx = f.batchCommitments.connect(f.carol).resolveChallenge(s.batchId, 3);
    await expect(tx)
      .to.emit(f.batchCommitments, "FraudProven")
      .withArgs(s.batchId, FraudKind.SignatureNotProduced, 1n, f.carol.address, slashed, bounty);
    await expect(tx)
      .to.emit(f.nodeRegistry, "NodeSlashed")
      .withArgs(1n, f.addresses.batchCommitments, slashed, slashed, 0n, fraudReason(FraudKind.SignatureNotProduced));
    await expect(tx).to.changeTokenBalances(
      f.token,
      [f.carol, f.batchCommitments, f.staking, f.operator1],
      [BOND + bounty, -BOND, rest, 0n],
    );
    expect((await f.batchCommitments.getChallenge(s.batchId, 3)).challenger).to.equal(ethers.ZeroAddress);
    const batch = await f.batchCommitments.getBatch(s.batchId);
    expect(batch.status).to.equal(BatchStatus.Rejected);
    expect(batch.openChallenges).to.equal(0n);
    await expectSlashed(f, 1n, before);
  });

  it("attack: a third party resolving an unanswered challenge cannot take the challenger's bounty", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s, deadline } = await challenged(f);
    await time.increaseTo(deadline);
    const { slashed, bounty } = fraudSplit();
    const tx = f.batchCommitments.connect(f.attacker).resolveChallenge(s.batchId, 3);
    await expect(tx)
      .to.emit(f.batchCommitments, "FraudProven")
      .withArgs(s.batchId, FraudKind.SignatureNotProduced, 1n, f.carol.address, slashed, bounty);
    await expect(tx).to.changeTokenBalances(f.token, [f.carol, f.attacker], [BOND + bounty, 0n]);
  });

  it("reverts with CommitmentsAnswerWindow one second before the deadline", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s, deadline } = await challenged(f);
    await time.setNextBlockTimestamp(deadline - 1n);
    await expect(f.batchCommitments.resolveChallenge(s.batchId, 3))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsAnswerWindow")
      .withArgs(s.batchId, 3n, deadline);
    expect((await f.batchCommitments.getBatch(s.batchId)).openChallenges).to.equal(1n);
  });

  it("reverts with CommitmentsNoChallenge without a challenge, after an answer and after a resolve", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s, signature } = await challenged(f);
    await expect(f.batchCommitments.resolveChallenge(s.batchId, 1))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNoChallenge")
      .withArgs(s.batchId, 1n);
    await challenge(f, f.bob, s, 1);
    await f.batchCommitments.answerChallenge(s.batchId, 3, signature);
    await expect(f.batchCommitments.resolveChallenge(s.batchId, 3))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNoChallenge")
      .withArgs(s.batchId, 3n);
    await time.increaseTo((await f.batchCommitments.getChallenge(s.batchId, 1)).answerDeadline);
    await f.batchCommitments.resolveChallenge(s.batchId, 1);
    await expect(f.batchCommitments.resolveChallenge(s.batchId, 1))
      .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsNoChallenge")
      .withArgs(s.batchId, 1n);
  });

  it("returns the bond without a second slash when another fraud already rejected the batch", async function () {
    const f = await loadFixture(lightweightFixture);
    const actions = makeActions(4);
    actions[2] = { ...actions[1], payload: 9n };
    const s = await submitBatch(f, actions);
    await challenge(f, f.carol, s, 0);
    await f.batchCommitments
      .connect(f.bob)
      .proveDuplicateInBatch(s.batchId, s.tree.ref(1), s.tree.proof(1), s.tree.ref(2), s.tree.proof(2));
    const after = await snapshot(f, 1n);
    // No need to wait for the deadline: the batch is already rejected.
    const tx = f.batchCommitments.connect(f.attacker).resolveChallenge(s.batchId, 0);
    await expect(tx)
      .to.emit(f.batchCommitments, "ChallengeBondReturned")
      .withArgs(s.batchId, 0n, f.carol.address, BOND);
    await expect(tx).not.to.emit(f.batchCommitments, "FraudProven");
    await expect(tx).not.to.emit(f.nodeRegistry, "NodeSlashed");
    await expect(tx).to.changeTokenBalances(f.token, [f.carol, f.batchCommitments, f.attacker], [BOND, -BOND, 0n]);
    expect(await snapshot(f, 1n)).to.deep.equal(after);
    const batch = await f.batchCommitments.getBatch(s.batchId);
    expect(batch.status).to.equal(BatchStatus.Rejected);
    expect(batch.openChallenges).to.equal(0n);
  });

  it("lets a challenged action be challenged again after a valid answer (each false challenge costs a bond)", async function () {
    const f = await loadFixture(lightweightFixture);
    const { s, signature } = await challenged(f);
    await f.batchCommitments.answerChallenge(s.batchId, 3, signature);
    await expect(challenge(f, f.attacker, s, 3)).to.emit(f.batchCommitments, "SignatureChallenged");
    await expect(f.batchCommitments.answerChallenge(s.batchId, 3, signature)).to.changeTokenBalances(
      f.token,
      [f.operator1, f.attacker],
      [BOND, 0n],
    );
  });
});
