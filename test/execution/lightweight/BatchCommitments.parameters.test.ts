import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ERA, ROLES, viaTimelock } from "../../helpers/fixtures";
import {
  EXECUTION_DEFAULTS,
  FraudKind,
  challenge,
  lightweightFixture,
  makeActions,
  submitBatch,
  type LightweightFixture,
} from "./helpers";

interface Params {
  challengeWindow: bigint;
  answerWindow: bigint;
  challengeBond: bigint;
  fraudSlash: bigint;
  bountyBps: bigint;
}

function calldata(f: LightweightFixture, p: Params): string {
  return f.batchCommitments.interface.encodeFunctionData("setParameters", [
    p.challengeWindow,
    p.answerWindow,
    p.challengeBond,
    p.fraudSlash,
    p.bountyBps,
  ]);
}

async function bounds(f: LightweightFixture) {
  const bc = f.batchCommitments;
  return {
    minChallenge: await bc.MIN_CHALLENGE_WINDOW(),
    maxChallenge: await bc.MAX_CHALLENGE_WINDOW(),
    minAnswer: await bc.MIN_ANSWER_WINDOW(),
    maxAnswer: await bc.MAX_ANSWER_WINDOW(),
    maxBounty: await bc.MAX_BOUNTY_BPS(),
  };
}

describe("BatchCommitments: setParameters", function () {
  it("sets every parameter through the timelock and emits ParametersChanged", async function () {
    const f = await loadFixture(lightweightFixture);
    const p: Params = {
      challengeWindow: 2n * 3600n,
      answerWindow: 30n * 60n,
      challengeBond: 250n * ERA,
      fraudSlash: 1_234n * ERA,
      bountyBps: 1_000n,
    };
    await expect(viaTimelock(f, f.batchCommitments, calldata(f, p)))
      .to.emit(f.batchCommitments, "ParametersChanged")
      .withArgs(p.challengeWindow, p.answerWindow, p.challengeBond, p.fraudSlash, p.bountyBps);
    const bc = f.batchCommitments;
    expect([
      await bc.challengeWindow(),
      await bc.answerWindow(),
      await bc.challengeBond(),
      await bc.fraudSlash(),
      await bc.bountyBps(),
    ]).to.deep.equal([p.challengeWindow, p.answerWindow, p.challengeBond, p.fraudSlash, p.bountyBps]);
  });

  it("accepts every bound itself (minimum windows and zero bounty; maximum windows and bounty)", async function () {
    const f = await loadFixture(lightweightFixture);
    const b = await bounds(f);
    const low: Params = {
      challengeWindow: b.minChallenge,
      answerWindow: b.minAnswer,
      challengeBond: 0n,
      fraudSlash: 1n,
      bountyBps: 0n,
    };
    const high: Params = {
      challengeWindow: b.maxChallenge,
      answerWindow: b.maxAnswer,
      challengeBond: ethers.MaxUint256,
      fraudSlash: ethers.MaxUint256,
      bountyBps: b.maxBounty,
    };
    for (const p of [low, high]) {
      await expect(viaTimelock(f, f.batchCommitments, calldata(f, p)))
        .to.emit(f.batchCommitments, "ParametersChanged")
        .withArgs(p.challengeWindow, p.answerWindow, p.challengeBond, p.fraudSlash, p.bountyBps);
    }
  });

  it("reverts with CommitmentsParameterOutOfBounds(value, min, max) for each bound violated", async function () {
    const f = await loadFixture(lightweightFixture);
    const b = await bounds(f);
    const d: Params = { ...EXECUTION_DEFAULTS };
    const cases: [Partial<Params>, bigint, bigint, bigint][] = [
      [{ challengeWindow: b.minChallenge - 1n }, b.minChallenge - 1n, b.minChallenge, b.maxChallenge],
      [{ challengeWindow: b.maxChallenge + 1n }, b.maxChallenge + 1n, b.minChallenge, b.maxChallenge],
      [{ answerWindow: b.minAnswer - 1n }, b.minAnswer - 1n, b.minAnswer, b.maxAnswer],
      [{ answerWindow: b.maxAnswer + 1n }, b.maxAnswer + 1n, b.minAnswer, b.maxAnswer],
      [{ bountyBps: b.maxBounty + 1n }, b.maxBounty + 1n, 0n, b.maxBounty],
      [{ fraudSlash: 0n }, 0n, 1n, ethers.MaxUint256],
    ];
    for (const [change, value, min, max] of cases) {
      await expect(viaTimelock(f, f.batchCommitments, calldata(f, { ...d, ...change })))
        .to.be.revertedWithCustomError(f.batchCommitments, "CommitmentsParameterOutOfBounds")
        .withArgs(value, min, max);
    }
    expect(await f.batchCommitments.challengeWindow()).to.equal(d.challengeWindow);
    expect(await f.batchCommitments.fraudSlash()).to.equal(d.fraudSlash);
  });

  it("reverts with AccessControlUnauthorizedAccount for anyone but the admin (the deployer included)", async function () {
    const f = await loadFixture(lightweightFixture);
    const d = EXECUTION_DEFAULTS;
    for (const who of [f.attacker, f.deployer, f.governor]) {
      await expect(
        f.batchCommitments
          .connect(who)
          .setParameters(d.challengeWindow, d.answerWindow, d.challengeBond, d.fraudSlash, d.bountyBps),
      )
        .to.be.revertedWithCustomError(f.batchCommitments, "AccessControlUnauthorizedAccount")
        .withArgs(who.address, ROLES.DEFAULT_ADMIN);
    }
  });

  it("keeps an open challenge's bond and deadline when the bond and answer window change", async function () {
    const f = await loadFixture(lightweightFixture);
    const d = EXECUTION_DEFAULTS;
    // A long challenge window, so that the batch outlives the timelock delay.
    await viaTimelock(f, f.batchCommitments, calldata(f, { ...d, challengeWindow: 7n * 24n * 3600n }));
    const s = await submitBatch(f, makeActions(2));
    await challenge(f, f.carol, s, 0);
    const before = await f.batchCommitments.getChallenge(s.batchId, 0);
    await viaTimelock(
      f,
      f.batchCommitments,
      calldata(f, { ...d, challengeWindow: 7n * 24n * 3600n, answerWindow: 3n * 24n * 3600n, challengeBond: 1n }),
    );
    expect(await f.batchCommitments.getChallenge(s.batchId, 0)).to.deep.equal(before);
    // A new challenge uses the new values.
    await challenge(f, f.bob, s, 1);
    const now = BigInt(await time.latest());
    const c = await f.batchCommitments.getChallenge(s.batchId, 1);
    expect(c.bond).to.equal(1n);
    expect(c.answerDeadline).to.equal(now + 3n * 24n * 3600n);
    // The timelock delay outlasted the old 12-hour deadline but not the new 3-day window: the old challenge resolves
    // now, at its own deadline, and returns its own bond.
    expect(now).to.be.lessThan(before.answerDeadline - d.answerWindow + 3n * 24n * 3600n);
    expect(now).to.be.greaterThanOrEqual(before.answerDeadline);
    await expect(f.batchCommitments.resolveChallenge(s.batchId, 0)).to.changeTokenBalance(
      f.token,
      f.carol,
      before.bond + (d.fraudSlash * d.bountyBps) / 10_000n,
    );
  });

  it("applies a new slash and bounty share to the next proven fraud", async function () {
    const f = await loadFixture(lightweightFixture);
    const d = EXECUTION_DEFAULTS;
    const fraudSlash = 2_000n * ERA;
    const bountyBps = 5_000n;
    await viaTimelock(f, f.batchCommitments, calldata(f, { ...d, fraudSlash, bountyBps }));
    const actions = makeActions(3);
    actions[2] = { ...actions[0], payload: 1n };
    const s = await submitBatch(f, actions);
    const bounty = (fraudSlash * bountyBps) / 10_000n;
    await expect(
      f.batchCommitments
        .connect(f.carol)
        .proveDuplicateInBatch(s.batchId, s.tree.ref(0), s.tree.proof(0), s.tree.ref(2), s.tree.proof(2)),
    )
      .to.emit(f.batchCommitments, "FraudProven")
      .withArgs(s.batchId, FraudKind.DuplicateNonceInBatch, 1n, f.carol.address, fraudSlash, bounty);
  });
});
