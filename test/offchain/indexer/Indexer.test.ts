import { readFileSync } from "node:fs";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { Indexer, MonthNotReadyError, type ScanProgress } from "../../../src/indexer/indexer";
import { IndexerStore } from "../../../src/indexer/store";
import { claimsOf, parseProofFileText, type RewardProof, type SubsidyProof } from "../../../src/sdk/proofFile";
import { domainOf, hashlockOf, randomId, signSettlement, type SettlementFields } from "../../../src/sdk/execution";
import { ECONOMY_DEFAULTS, ERA, ExecutionMode, MONTH } from "../../helpers/fixtures";
import { EXECUTION_DEFAULTS, FINANCIAL, LIGHT, submitBatch } from "../../execution/lightweight/helpers";
import { rejection, signerSubmitter, silentLogger, tempDir } from "../helpers";
import { sign, verifierFixture, type VerifierFixture } from "../verifier/helpers";

/** Scenario 4 of the fixture, switched to standard mode for this month. */
const STANDARD = 4n;

/**
 * A month of activity, by hand (users u0–u4 are the fixture's keyed users):
 * - scenario 4 (standard): u0 nonces 1 and 2, u1 nonce 1                          → MAU 2, 3 actions
 * - scenario 3 (lightweight): batch A u0/1, u2/1, u2/2, u3/1; batch B u4/1 twice (proven fraudulent, not counted);
 *   batch D at the month's last second: u1/3                                       → MAU 4, 5 actions
 * - scenario 1 (settlement): alice → bob atomic; alice → carol lock committed; alice → u1 lock refunded (not
 *   counted)                                                                          → MAU 3, 4 actions
 * - next month, at its first second: scenario 3 batch C u0/5.
 * Per user: u0 3, u1 2, u2 2, u3 1, alice 2, bob 1, carol 1 (12 actions).
 */
async function monthFixture() {
  const f = await verifierFixture();
  const [u0, u1, u2, u3, u4] = f.users;
  const { chainId } = await ethers.provider.getNetwork();
  await f.scenarioRegistry.connect(f.developer).setMode(STANDARD, ExecutionMode.Standard);
  const start = (await time.latest()) + 1_000;
  const end = start + Number(MONTH);
  await time.increaseTo(start);

  // Scenario 4, standard.
  const standard = [
    await sign(f, u0, 1, 1n, STANDARD),
    await sign(f, u0, 2, 2n, STANDARD),
    await sign(f, u1, 1, 3n, STANDARD),
  ];
  await f.executionHub.connect(f.node1Key).submitStandard(
    STANDARD,
    randomId(),
    standard.map((s) => ({ ...s.action, signature: s.signature })),
  );

  // Scenario 3, lightweight.
  const act = (u: { address: string }, nonce: number) => ({ user: u.address, nonce, payload: 0n });
  await submitBatch(f, [act(u0, 1), act(u2, 1), act(u2, 2), act(u3, 1)]);
  // Posted by node 2 (which the fraud proof slashes below its minimum bond), so node 1 keeps serving.
  const b = await submitBatch(f, [act(u4, 1), act(u4, 1)], { key: f.node2Key });
  await f.batchCommitments
    .connect(f.carol)
    .proveDuplicateInBatch(b.batchId, b.tree.ref(0), b.tree.proof(0), b.tree.ref(1), b.tree.proof(1));

  // Scenario 1, settlements.
  const engine = f.addresses.settlementEngine;
  const engineDomain = domainOf("ERA SettlementEngine", chainId, engine);
  await f.token.connect(f.alice).approve(engine, 300n * ERA);
  await f.settlementEngine.connect(f.alice).deposit(f.addresses.token, 300n * ERA);
  const settlement = async (payee: string, hashlock: string, deadline: bigint): Promise<SettlementFields> => {
    const s = {
      id: randomId(),
      scenarioId: FINANCIAL,
      legs: [{ payer: f.alice.address, payee, token: f.addresses.token, amount: 10n * ERA }],
      deadline,
      hashlock,
    };
    return s;
  };
  const now = BigInt(await time.latest());
  const atomic = await settlement(f.bob.address, ethers.ZeroHash, now + 3_600n);
  await f.executionHub
    .connect(f.node1Key)
    .submitSettlements(FINANCIAL, randomId(), [atomic], [[await signSettlement(f.alice, engineDomain, atomic)]]);
  const preimage = ethers.id("preimage");
  const committed = await settlement(f.carol.address, hashlockOf(preimage), now + 3_600n);
  await f.executionHub
    .connect(f.node1Key)
    .submitLock(FINANCIAL, randomId(), committed, [await signSettlement(f.alice, engineDomain, committed)]);
  await f.settlementEngine.commit(committed.id, committed.legs, preimage);
  const refunded = await settlement(u1.address, hashlockOf(preimage), now + 600n);
  await f.executionHub
    .connect(f.node1Key)
    .submitLock(FINANCIAL, randomId(), refunded, [await signSettlement(f.alice, engineDomain, refunded)]);
  await time.increase(600);
  await f.settlementEngine.refund(refunded.id, refunded.legs);

  // The month's last second, then the next month's first.
  await time.setNextBlockTimestamp(end - 1);
  await submitBatch(f, [act(u1, 3)]);
  await time.setNextBlockTimestamp(end);
  await submitBatch(f, [act(u0, 5)], { scenarioId: LIGHT });

  // Budgets: the treasury funds both pools.
  await f.token.connect(f.treasury).approve(f.addresses.distributor, 20_000n * ERA);
  await f.distributor.connect(f.treasury).fundSubsidies(10_000n * ERA);
  await f.distributor.connect(f.treasury).fundUserRewards(1_200n * ERA);
  return { ...f, start, end };
}

type MonthFixture = VerifierFixture & { start: number; end: number };

describe("Activity indexer: a month on chain", function () {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.cleanup());

  function indexer(f: MonthFixture, onProgress?: (p: ScanProgress) => void) {
    const store = new IndexerStore(dir.file("indexer.sqlite"), {
      chainId: "31337",
      distributor: f.addresses.distributor,
    });
    const ix = new Indexer({
      provider: ethers.provider,
      addresses: f.addresses,
      store,
      logger: silentLogger,
      calendar: { start: f.start, length: Number(MONTH) },
      startBlock: 0,
      confirmations: 0,
      maxBlockRange: 50,
      onProgress,
    });
    return { ix, store };
  }

  const publishOptions = (f: MonthFixture, subsidyBudget = 9_000n * ERA + 5n) => ({
    submitter: signerSubmitter(f.publisher),
    subsidyBudget,
    rewardPool: 1_200n * ERA,
    outDir: dir.file("proofs"),
    uriBase: "https://proofs.example/",
  });

  it("counts MAU per scenario exactly, leaving out a rejected batch, a refunded lock and the next month", async function () {
    const f = await loadFixture(monthFixture);
    const { ix, store } = indexer(f);
    await ix.scan();
    const [u0, u1, u2, u3] = f.users.map((u) => u.address);

    const s = await ix.summarize(0, { subsidyBudget: 9_000n * ERA + 5n, rewardPool: 1_200n * ERA });
    store.close();

    expect(s.scenarios.map((x) => [x.scenarioId, x.mau, x.actions])).to.deep.equal([
      [1n, 3n, 4],
      [3n, 4n, 5],
      [4n, 2n, 3],
    ]);
    expect(s.scenarios.find((x) => x.scenarioId === 3n)?.rejected).to.equal(1);
    expect(s.users).to.equal(7);
    // 9,000 ERA + 5 wei split 3 : 4 : 2, each share rounded down; 1 wei of dust stays in the pool.
    expect(s.subsidy.entries.map((e) => [e.scenarioId, e.baseAmount, e.account])).to.deep.equal([
      [1n, 3_000n * ERA + 1n, f.developer.address],
      [3n, 4_000n * ERA + 2n, f.developer.address],
      [4n, 2_000n * ERA + 1n, f.developer.address],
    ]);
    expect(s.subsidy.dust).to.equal(1n);
    const rewards = new Map(s.reward.entries.map((e) => [e.account, e.amount]));
    expect(rewards).to.deep.equal(
      new Map([
        [u0, 300n * ERA],
        [u1, 200n * ERA],
        [u2, 200n * ERA],
        [u3, 100n * ERA],
        [f.alice.address, 200n * ERA],
        [f.bob.address, 100n * ERA],
        [f.carol.address, 100n * ERA],
      ]),
    );
    expect(s.reward.dust).to.equal(0n);
    expect(s.topUsers[0]).to.deep.equal({ account: u0, actions: 3n, reward: 300n * ERA });
  });

  it("counts the action at the next month's first second in that month", async function () {
    const f = await loadFixture(monthFixture);
    const { ix, store } = indexer(f);
    await ix.scan();
    const s = await ix.summarize(1, { subsidyBudget: 0n, rewardPool: 0n });
    store.close();
    expect(s.scenarios.map((x) => [x.scenarioId, x.mau])).to.deep.equal([[3n, 1n]]);
    expect(s.complete).to.equal(false);
    expect(s.undecidedBatches).to.equal(1);
  });

  it("refuses to publish a month that has not ended, or whose lightweight batches are still challengeable", async function () {
    const f = await loadFixture(monthFixture);
    const { ix, store } = indexer(f);
    await ix.scan();
    try {
      const notOver = await rejection(ix.publish(1, publishOptions(f)));
      expect(notOver).to.be.instanceOf(MonthNotReadyError);
      expect(notOver.message).to.match(/^Month 1 ends at .*Scan again after the month has ended/);
      const undecided = await rejection(ix.publish(0, publishOptions(f)));
      expect(undecided).to.be.instanceOf(MonthNotReadyError);
      expect(undecided.message).to.match(/1 lightweight batch\(es\) of month 0 are still in their challenge window/);
      expect(await f.distributor.epochCount()).to.equal(0n);
    } finally {
      store.close();
    }
  });

  it("refuses to publish more than the distributor's pool holds, naming the function that funds it", async function () {
    const f = await loadFixture(monthFixture);
    await time.increase(EXECUTION_DEFAULTS.challengeWindow);
    const { ix, store } = indexer(f);
    await ix.scan();
    try {
      const poor = await rejection(ix.publish(0, publishOptions(f, 20_000n * ERA)));
      expect(poor).to.be.instanceOf(MonthNotReadyError);
      expect(poor.message).to.match(/subsidy pool holds .* Fund it \(fundSubsidies\)/);
      expect(await f.distributor.epochCount()).to.equal(0n);
    } finally {
      store.close();
    }
  });

  it("publishes both epochs after resuming its scan; a user and the developer claim with the proof files", async function () {
    const f = await loadFixture(monthFixture);
    const progress: ScanProgress[] = [];
    // First run: scans up to here and stops.
    const first = indexer(f, (p) => progress.push(p));
    await first.ix.scan();
    first.store.close();
    expect(progress.length).to.be.greaterThan(1);
    expect(progress[progress.length - 1].toBlock).to.equal(await ethers.provider.getBlockNumber());

    const firstEnd = progress[progress.length - 1].toBlock;

    await time.increase(EXECUTION_DEFAULTS.challengeWindow);
    await mine();
    const resumed: ScanProgress[] = [];
    const second = indexer(f, (p) => resumed.push(p));
    await second.ix.scan();
    expect(resumed.map((p) => p.fromBlock)).to.deep.equal([firstEnd + 1]);
    const { summary, publications } = await second.ix.publish(0, publishOptions(f));

    expect(summary.scenarios.map((x) => x.mau)).to.deep.equal([3n, 4n, 2n]);
    expect(publications.map((p) => [p.kind, p.epochId, p.state])).to.deep.equal([
      ["subsidy", 0n, "proposed"],
      ["reward", 1n, "proposed"],
    ]);
    const subsidyEpoch = await f.distributor.getEpoch(0);
    expect(subsidyEpoch.root).to.equal(publications[0].root);
    expect(subsidyEpoch.budget).to.equal(9_000n * ERA + 4n);
    expect((await f.distributor.getEpoch(1)).budget).to.equal(1_200n * ERA);
    const proposed = await f.distributor.queryFilter(f.distributor.filters.EpochProposed());
    expect(proposed.map((e) => e.args.uri)).to.deep.equal([
      "https://proofs.example/epoch-0-subsidy.json",
      "https://proofs.example/epoch-1-reward.json",
    ]);

    // Publishing again does nothing.
    await second.ix.publish(0, publishOptions(f));
    second.store.close();
    expect(await f.distributor.epochCount()).to.equal(2n);

    await time.increase(ECONOMY_DEFAULTS.disputeWindow);
    const rewardFile = parseProofFileText(readFileSync(publications[1].file, "utf8"));
    const [aliceClaim] = claimsOf(rewardFile, f.alice.address) as RewardProof[];
    await expect(
      f.distributor.claimReward(
        rewardFile.epochId,
        aliceClaim.index,
        f.alice.address,
        aliceClaim.amount,
        aliceClaim.proof,
      ),
    ).to.changeTokenBalance(f.token, f.alice, 200n * ERA);

    const subsidyFile = parseProofFileText(readFileSync(publications[0].file, "utf8"));
    const claims = claimsOf(subsidyFile, f.developer.address) as SubsidyProof[];
    expect(claims.map((c) => c.scenarioId)).to.deep.equal([1n, 3n, 4n]);
    const light = claims[1];
    await expect(
      f.distributor
        .connect(f.developer)
        .claimSubsidy(
          subsidyFile.epochId,
          light.index,
          light.account,
          light.scenarioId,
          light.baseAmount,
          light.mau,
          light.proof,
        ),
    ).to.changeTokenBalance(f.token, f.developer, 4_000n * ERA + 2n);
  });

  it("finishes a publication a crash left half-done instead of proposing it twice", async function () {
    const f = await loadFixture(monthFixture);
    await time.increase(EXECUTION_DEFAULTS.challengeWindow);
    const { ix, store } = indexer(f);
    await ix.scan();
    const { publications } = await ix.publish(0, publishOptions(f));
    // As if the process died after the subsidy proposal landed but before recording it.
    store.savePublication({ ...publications[0], state: "proposing", txHash: undefined });

    const again = await ix.publish(0, publishOptions(f));
    store.close();

    expect(again.publications.map((p) => [p.kind, p.epochId, p.state])).to.deep.equal([
      ["subsidy", 0n, "proposed"],
      ["reward", 1n, "proposed"],
    ]);
    expect(await f.distributor.epochCount()).to.equal(2n);
  });
});
