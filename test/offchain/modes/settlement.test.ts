import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { TransactionReceipt } from "ethers";
import { DAY } from "../../helpers/fixtures";
import { hashlockOf, payersOf, randomId, signSettlement } from "../../../src/sdk/execution";
import { decodeContractError } from "../../../src/sdk/errors";
import { JobsRefused, type BatchPlan, type SettlementJob, type SettlementLegJob } from "../../../src/executor/types";
import { SettlementHandler, settlementOf } from "../../../src/executor/modes/settlement";
import { SettlementStatus } from "../../../src/sdk/economy";
import { nextBatchJobs } from "../../../src/executor/modes/common";
import {
  ERA,
  ExecutionMode,
  FINANCIAL,
  contextOf,
  land,
  modesFixture,
  planOf,
  rejectionOf,
  walletSubmitter,
  type ModesFixture,
} from "./helpers";

const DEPOSIT = 1_000n * ERA;

async function settlementSetup() {
  const f = await modesFixture();
  for (const who of [f.alice, f.bob, f.carol]) {
    await f.token.connect(who).approve(f.addresses.settlementEngine, DEPOSIT);
    await f.settlementEngine.connect(who).deposit(f.addresses.token, DEPOSIT);
  }
  const handler = new SettlementHandler(contextOf(f));
  return { f, handler, submitter: walletSubmitter(f.keys[0]), era: f.addresses.token };
}

type Setup = Awaited<ReturnType<typeof settlementSetup>>;

const legOf = (payer: HardhatEthersSigner, payee: HardhatEthersSigner, token: string, amount: bigint) =>
  ({ payer: payer.address, payee: payee.address, token, amount }) satisfies SettlementLegJob;

/** A settlement job signed by its payers (picked among alice, bob and carol). */
async function settlementJob(
  s: Setup,
  legs: SettlementLegJob[],
  opts: { path?: "atomic" | "lock"; preimage?: string; deadline?: bigint; hashlock?: string } = {},
): Promise<SettlementJob> {
  const path = opts.path ?? "atomic";
  const preimage = opts.preimage;
  const hashlock =
    opts.hashlock ?? (path === "lock" ? hashlockOf(preimage ?? ethers.id("unrevealed")) : ethers.ZeroHash);
  const job: SettlementJob = {
    kind: "settlement",
    scenarioId: FINANCIAL,
    path,
    id: randomId(),
    legs,
    deadline: opts.deadline ?? BigInt(await time.latest()) + DAY,
    hashlock,
    signatures: [],
    ...(preimage === undefined ? {} : { preimage }),
  };
  return { ...job, signatures: await signaturesOf(s.f, job) };
}

async function signaturesOf(f: ModesFixture, job: SettlementJob): Promise<string[]> {
  const signers = [f.alice, f.bob, f.carol];
  const out: string[] = [];
  for (const payer of payersOf(job.legs)) {
    out.push(
      await signSettlement(
        signers.find((x) => x.address === payer)!,
        f.engineDomain,
        settlementOf(job),
      ),
    );
  }
  return out;
}

async function freeOf(f: ModesFixture, who: HardhatEthersSigner): Promise<bigint> {
  return f.settlementEngine.freeBalance(who.address, f.addresses.token);
}

async function frozenOf(f: ModesFixture, who: HardhatEthersSigner): Promise<bigint> {
  return f.settlementEngine.frozenBalance(who.address, f.addresses.token);
}

/** Runs the follow-up of `kind` the handler owes `plan`, as the core does once it is due. */
async function runFollowUp(s: Setup, plan: BatchPlan, receipt: TransactionReceipt, kind: string) {
  const followUp = (await s.handler.followUps(plan, receipt)).find((x) => x.kind === kind);
  if (followUp === undefined) throw new Error(`no ${kind} follow-up`);
  return s.handler.runFollowUp(plan, followUp);
}

describe("SettlementHandler", function () {
  describe("atomic path", function () {
    it("settles many settlements in one batch: escrow moves by the net, ids become Settled, nothing is owed", async function () {
      const s = await loadFixture(settlementSetup);
      const { f, era } = s;
      const first = await settlementJob(s, [
        legOf(f.alice, f.bob, era, 100n * ERA),
        legOf(f.bob, f.carol, era, 30n * ERA),
      ]);
      const second = await settlementJob(s, [legOf(f.carol, f.alice, era, 5n * ERA)]);
      const plan = planOf(ExecutionMode.AtomicSettlement, FINANCIAL, [first, second]);

      expect(await s.handler.isApplied(plan)).to.equal(false);
      const receipt = await land(s.handler, plan, s.submitter);
      expect(await s.handler.isApplied(plan)).to.equal(true);

      expect(await freeOf(f, f.alice)).to.equal(DEPOSIT - 100n * ERA + 5n * ERA);
      expect(await freeOf(f, f.bob)).to.equal(DEPOSIT + 100n * ERA - 30n * ERA);
      expect(await freeOf(f, f.carol)).to.equal(DEPOSIT + 30n * ERA - 5n * ERA);
      expect(await f.settlementEngine.statusOf(first.id)).to.equal(SettlementStatus.Settled);
      expect(await f.settlementEngine.statusOf(second.id)).to.equal(SettlementStatus.Settled);
      await expect(receipt.hash)
        .to.emit(f.executionHub, "BatchApplied")
        .withArgs(plan.batchId, FINANCIAL, ExecutionMode.AtomicSettlement, 1n, 0n, 2n);
      expect(await s.handler.followUps(plan, receipt)).to.deep.equal([]);
    });

    it("refuses, at build time, the settlements the escrow no longer covers when replayed in batch order", async function () {
      const s = await loadFixture(settlementSetup);
      const { f, era } = s;
      const spendsAll = await settlementJob(s, [legOf(f.alice, f.bob, era, DEPOSIT)]);
      const overdraws = await settlementJob(s, [legOf(f.alice, f.carol, era, 1n)]);
      const fine = await settlementJob(s, [legOf(f.bob, f.carol, era, 1n)]);
      const plan = planOf(ExecutionMode.AtomicSettlement, FINANCIAL, [spendsAll, overdraws, fine]);
      const err = await rejectionOf(s.handler.build(plan));
      expect(err).to.be.instanceOf(JobsRefused);
      const reasons = (err as JobsRefused).reasons;
      expect([...reasons.keys()]).to.deep.equal([plan.jobs[1].id]);
      expect(reasons.get(plan.jobs[1].id)).to.match(/has 0 of token .* free .* needs 1/);
    });

    it("refuses, at build time, an id used meanwhile or twice, and a deadline now too close", async function () {
      const s = await loadFixture(settlementSetup);
      const { f, era } = s;
      const used = await settlementJob(s, [legOf(f.alice, f.bob, era, 1n)]);
      await land(s.handler, planOf(ExecutionMode.AtomicSettlement, FINANCIAL, [used]), s.submitter);
      const once = await settlementJob(s, [legOf(f.bob, f.carol, era, 1n)]);
      const soon = await settlementJob(s, [legOf(f.carol, f.alice, era, 1n)], {
        deadline: BigInt(await time.latest()) + 30n,
      });
      const plan = planOf(ExecutionMode.AtomicSettlement, FINANCIAL, [used, once, once, soon]);
      const reasons = ((await rejectionOf(s.handler.build(plan))) as JobsRefused).reasons;
      expect(reasons.get(plan.jobs[0].id)).to.match(/used on chain meanwhile \(Settled\)/);
      expect(reasons.has(plan.jobs[1].id)).to.equal(false);
      expect(reasons.get(plan.jobs[2].id)).to.match(/appears earlier in the same batch/);
      expect(reasons.get(plan.jobs[3].id)).to.match(/less than 60 s ahead/);
    });
  });

  describe("precheck", function () {
    it("accepts a settlement its payers signed, in order of first appearance", async function () {
      const s = await loadFixture(settlementSetup);
      const { f, era } = s;
      const job = await settlementJob(s, [legOf(f.bob, f.alice, era, 2n), legOf(f.alice, f.carol, era, 1n)]);
      expect(await s.handler.precheck(job)).to.equal(undefined);
    });

    it("refuses missing, swapped and foreign payer signatures", async function () {
      const s = await loadFixture(settlementSetup);
      const { f, era } = s;
      const job = await settlementJob(s, [legOf(f.bob, f.alice, era, 2n), legOf(f.alice, f.carol, era, 1n)]);
      expect(await s.handler.precheck({ ...job, signatures: job.signatures.slice(0, 1) })).to.match(
        /2 distinct payer\(s\) but 1 signature/,
      );
      expect(await s.handler.precheck({ ...job, signatures: [...job.signatures].reverse() })).to.match(
        /Signature 0 is not 0x[0-9a-fA-F]{40}'s .*it is 0x[0-9a-fA-F]{40}'s/,
      );
      const foreign = await signSettlement(f.carol, f.engineDomain, settlementOf(job));
      expect(await s.handler.precheck({ ...job, signatures: [job.signatures[0], foreign] })).to.match(/Signature 1/);
    });

    it("refuses a token that is not allow-listed, a past deadline, a used id and an escrow too small", async function () {
      const s = await loadFixture(settlementSetup);
      const { f, era } = s;
      const stranger = await ethers.deployContract("SettlementToken", ["Stranger", "STR"]);
      const notAllowed = await settlementJob(s, [legOf(f.alice, f.bob, await stranger.getAddress(), 1n)]);
      expect(await s.handler.precheck(notAllowed)).to.match(/is not allow-listed/);

      const late = await settlementJob(s, [legOf(f.alice, f.bob, era, 1n)], {
        deadline: BigInt(await time.latest()) - 1n,
      });
      expect(await s.handler.precheck(late)).to.match(/less than 60 s ahead of the chain's time/);

      const done = await settlementJob(s, [legOf(f.alice, f.bob, era, 1n)]);
      await land(s.handler, planOf(ExecutionMode.AtomicSettlement, FINANCIAL, [done]), s.submitter);
      expect(await s.handler.precheck(done)).to.match(/was used already \(Settled\)/);

      const tooMuch = await settlementJob(s, [legOf(f.alice, f.bob, era, DEPOSIT + 1n)]);
      expect(await s.handler.precheck(tooMuch)).to.match(/must deposit more/);
    });

    it("refuses malformed legs, hashlocks and preimages", async function () {
      const s = await loadFixture(settlementSetup);
      const { f, era } = s;
      const job = await settlementJob(s, [legOf(f.alice, f.bob, era, 1n)]);
      const cases: [Partial<SettlementJob>, RegExp][] = [
        [{ legs: [] }, /1 to 64 legs/],
        [{ legs: [legOf(f.alice, f.alice, era, 1n)] }, /pays its payer/],
        [{ legs: [legOf(f.alice, f.bob, era, 0n)] }, /must be positive/],
        [
          { legs: [{ ...legOf(f.alice, f.bob, era, 1n), payee: ethers.ZeroAddress }] },
          /payee .* not a non-zero address/,
        ],
        [{ hashlock: ethers.id("x") }, /zero hashlock/],
        [{ preimage: ethers.id("x") }, /takes no preimage/],
        [{ path: "lock", hashlock: ethers.ZeroHash }, /non-zero hashlock/],
        [
          { path: "lock", hashlock: hashlockOf(ethers.id("a")), preimage: ethers.id("b") },
          /does not match the hashlock/,
        ],
        [{ id: ethers.ZeroHash }, /not a non-zero 32-byte/],
      ];
      for (const [patch, reason] of cases) expect(await s.handler.precheck({ ...job, ...patch })).to.match(reason);
    });
  });

  describe("lock path", function () {
    async function locked(s: Setup, preimage?: string) {
      const { f, era } = s;
      const job = await settlementJob(
        s,
        [legOf(f.alice, f.bob, era, 40n * ERA), legOf(f.bob, f.carol, era, 10n * ERA)],
        {
          path: "lock",
          preimage,
        },
      );
      const plan = planOf(ExecutionMode.AtomicSettlement, FINANCIAL, [job]);
      expect(await s.handler.isApplied(plan)).to.equal(false);
      const receipt = await land(s.handler, plan, s.submitter);
      expect(await s.handler.isApplied(plan)).to.equal(true);
      expect(await f.settlementEngine.statusOf(job.id)).to.equal(SettlementStatus.Locked);
      expect(await frozenOf(f, f.alice)).to.equal(40n * ERA);
      expect(await frozenOf(f, f.bob)).to.equal(10n * ERA);
      return { job, plan, receipt };
    }

    it("travels alone: locks get their own batch group of size 1", async function () {
      const s = await loadFixture(settlementSetup);
      const lock = await settlementJob(s, [legOf(s.f.alice, s.f.bob, s.era, 1n)], { path: "lock" });
      const atomic = await settlementJob(s, [legOf(s.f.alice, s.f.bob, s.era, 1n)]);
      expect(s.handler.groupOf(lock)).to.deep.equal({ key: "lock", maxSize: 1 });
      expect(s.handler.groupOf(atomic)).to.deep.equal({ key: "atomic", maxSize: 50 });
      const err = await rejectionOf(s.handler.build(planOf(ExecutionMode.AtomicSettlement, FINANCIAL, [lock, atomic])));
      expect(err.message).to.match(/one path/);
    });

    it("batches with nextBatchJobs: the oldest job's group only, a lock alone, atomic settlements together", async function () {
      const s = await loadFixture(settlementSetup);
      const atomic = async () => settlementJob(s, [legOf(s.f.alice, s.f.bob, s.era, 1n)]);
      const lock = async () => settlementJob(s, [legOf(s.f.alice, s.f.bob, s.era, 1n)], { path: "lock" });
      const queued = [await lock(), await atomic(), await lock(), await atomic(), await atomic()].map((job, i) => ({
        id: `q${i}`,
        job,
      }));
      const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
      expect(ids(nextBatchJobs(s.handler, queued, 10))).to.deep.equal(["q0"]);
      expect(ids(nextBatchJobs(s.handler, queued.slice(1), 10))).to.deep.equal(["q1", "q3", "q4"]);
      expect(ids(nextBatchJobs(s.handler, queued.slice(1), 2))).to.deep.equal(["q1", "q3"]);
      expect(ids(nextBatchJobs({}, queued, 2))).to.deep.equal(["q0", "q1"]);
    });

    it("lock → commit at once with the preimage; the refund then finds the lock terminal", async function () {
      const s = await loadFixture(settlementSetup);
      const { f } = s;
      const preimage = ethers.id("the secret");
      const { job, plan, receipt } = await locked(s, preimage);
      const followUps = await s.handler.followUps(plan, receipt);
      expect(followUps).to.deep.equal([
        { kind: "commit", dueAt: 0, data: { settlementId: job.id } },
        { kind: "refund", dueAt: Number(job.deadline), data: { settlementId: job.id } },
      ]);

      const commit = await runFollowUp(s, plan, receipt, "commit");
      expect(commit?.label).to.equal("settlement-commit");
      await s.submitter.submit(commit!);
      expect(await f.settlementEngine.statusOf(job.id)).to.equal(SettlementStatus.Committed);
      expect(await freeOf(f, f.alice)).to.equal(DEPOSIT - 40n * ERA);
      expect(await freeOf(f, f.bob)).to.equal(DEPOSIT - 10n * ERA + 40n * ERA);
      expect(await freeOf(f, f.carol)).to.equal(DEPOSIT + 10n * ERA);
      expect(await frozenOf(f, f.alice)).to.equal(0n);

      await time.increaseTo(job.deadline);
      expect(await runFollowUp(s, plan, receipt, "refund")).to.equal(undefined);
      expect(await runFollowUp(s, plan, receipt, "commit")).to.equal(undefined);
    });

    it("lock → refund at the deadline when no preimage comes; asked early, it says to try again later", async function () {
      const s = await loadFixture(settlementSetup);
      const { f } = s;
      const { job, plan, receipt } = await locked(s);
      expect((await s.handler.followUps(plan, receipt)).map((x) => [x.kind, x.dueAt])).to.deep.equal([
        ["refund", Number(job.deadline)],
      ]);

      const early = await rejectionOf(runFollowUp(s, plan, receipt, "refund"));
      expect(early.message).to.match(/is not due on chain yet: the latest block's time \d+ is before its deadline/);
      expect(decodeContractError(early)).to.equal(undefined);

      await time.increaseTo(job.deadline);
      const refund = await runFollowUp(s, plan, receipt, "refund");
      expect(refund?.label).to.equal("settlement-refund");
      await s.submitter.submit(refund!);
      expect(await f.settlementEngine.statusOf(job.id)).to.equal(SettlementStatus.Refunded);
      for (const who of [f.alice, f.bob, f.carol]) {
        expect(await freeOf(f, who)).to.equal(DEPOSIT);
        expect(await frozenOf(f, who)).to.equal(0n);
      }
      expect(await runFollowUp(s, plan, receipt, "refund")).to.equal(undefined);
    });

    it("gives up a commit that comes after the deadline and refunds instead", async function () {
      const s = await loadFixture(settlementSetup);
      const { job, plan, receipt } = await locked(s, ethers.id("late secret"));
      await time.increaseTo(job.deadline);
      expect(await runFollowUp(s, plan, receipt, "commit")).to.equal(undefined);
      await s.submitter.submit((await runFollowUp(s, plan, receipt, "refund"))!);
      expect(await s.f.settlementEngine.statusOf(job.id)).to.equal(SettlementStatus.Refunded);
    });
  });
});
