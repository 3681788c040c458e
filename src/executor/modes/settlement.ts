import {
  getAddress,
  isAddress,
  TypedDataEncoder,
  ZeroHash,
  type TransactionReceipt,
  type TypedDataDomain,
} from "ethers";
import { ExecutionMode, SettlementStatus } from "../../sdk/economy";
import { domainOf, hashlockOf, payersOf, SETTLEMENT_TYPES, type Leg, type SettlementFields } from "../../sdk/execution";
import type { TxRequest } from "../../node/types";
import {
  JobsRefused,
  type BatchGroup,
  type BatchPlan,
  type FollowUp,
  type Job,
  type ModeHandler,
  type SettlementJob,
} from "../types";
import { ChainReader, batchSizeOption, chainNow, isBytes32, jobsOfKind, type ModeContext } from "./common";
import { mapLimit } from "../../node/concurrency";
import { recoverStrict } from "../../sdk/signatures";

/** `SettlementEngine.MAX_LEGS`. */
export const MAX_LEGS = 64;
/** `ExecutionHub.MAX_BATCH_SIZE`: most settlements one batch may hold. */
export const MAX_SETTLEMENTS_PER_BATCH = 2_000;
const MAX_UINT64 = 2n ** 64n - 1n;
const MAX_LEG_AMOUNT = 2n ** 255n - 1n;

export interface SettlementHandlerOptions extends ModeContext {
  /** Most atomic settlements per batch (default 50; each costs tens of thousands of gas per leg). */
  maxBatchSize?: number;
  /**
   * Seconds a deadline must still be ahead of the chain's time: at intake and when a batch is built, so that the
   * transaction lands before it (default 60).
   */
  deadlineMarginSeconds?: number;
  /** Parallel RPC reads (balances, statuses) when checking a batch (default 16). */
  readConcurrency?: number;
}

/** The follow-ups a confirmed lock owes (see `SettlementHandler.followUps`). */
export type SettlementFollowUpKind = "commit" | "refund";

/**
 * Financial scenarios in atomic-settlement mode. `path: "atomic"` jobs go in batches through
 * `ExecutionHub.submitSettlements` (each settlement all-or-nothing, the batch too); a `path: "lock"` job travels alone
 * through `ExecutionHub.submitLock` and then owes a follow-up: `commit` with its preimage at once when the job carries
 * one, and in every case a `refund` due at the lock's deadline, which does nothing if the lock was committed.
 * So every lock ends committed or refunded, even when the commit comes too late.
 */
export class SettlementHandler extends ChainReader implements ModeHandler {
  readonly mode = ExecutionMode.AtomicSettlement;
  readonly kinds = ["settlement"] as const;
  readonly maxBatchSize: number;
  readonly engineDomain: TypedDataDomain;
  private readonly margin: bigint;

  constructor(options: SettlementHandlerOptions) {
    super(options);
    this.maxBatchSize = batchSizeOption(options.maxBatchSize, 50, MAX_SETTLEMENTS_PER_BATCH, "settlements");
    this.margin = BigInt(options.deadlineMarginSeconds ?? 60);
    this.engineDomain = domainOf("ERA SettlementEngine", options.chainId, options.addresses.settlementEngine);
  }

  /** Atomic settlements share batches; a lock travels alone. */
  groupOf(job: Job): BatchGroup {
    return job.kind === "settlement" && job.path === "lock"
      ? { key: "lock", maxSize: 1 }
      : { key: "atomic", maxSize: this.maxBatchSize };
  }

  /**
   * Refuses a settlement that the engine would refuse: malformed legs, a token not allow-listed, payer signatures
   * missing, out of order or not the payers', a deadline too close, an id already used, or (advisory: balances move
   * until the batch lands) free balances too small.
   */
  async precheck(job: Job): Promise<string | undefined> {
    if (job.kind !== "settlement") return `Atomic-settlement mode takes settlement jobs, not ${job.kind} jobs.`;
    const shape = checkSettlementShape(job);
    if (shape !== undefined) return shape;
    const { settlementEngine } = this.suite;
    const tokens = [...new Set(job.legs.map((l) => getAddress(l.token)))];
    const allowed = await Promise.all(tokens.map((t) => settlementEngine.tokenAllowed(t)));
    const refusedToken = tokens.find((_, i) => !allowed[i]);
    if (refusedToken !== undefined) {
      return `Token ${refusedToken} is not allow-listed by the settlement engine: settle in an allowed token.`;
    }
    const signatures = this.checkSignatures(job);
    if (signatures !== undefined) return signatures;
    const late = this.checkDeadline(job, await chainNow(this.ctx.provider));
    if (late !== undefined) return late;
    const status = Number(await settlementEngine.statusOf(job.id));
    if (status !== SettlementStatus.None) {
      return `Settlement id ${job.id} was used already (${SettlementStatus[status]}): give the settlement a new id.`;
    }
    const ledger = await this.readLedger([job]);
    return applyToLedger(ledger, job);
  }

  /**
   * Atomic: `submitSettlements(scenarioId, batchId, settlements, payerSignatures)`; lock: `submitLock(…)`. Refuses
   * (`JobsRefused`) the settlements that would make the transaction revert: an id used meanwhile or twice in the
   * plan, a deadline now too close, or free balances that no longer cover them (replayed in batch order, as the engine
   * applies them).
   */
  async build(plan: BatchPlan): Promise<TxRequest> {
    const jobs = jobsOfKind(plan.jobs, "settlement", "settlement");
    const path = jobs[0]?.job.path;
    if (path === undefined || jobs.some(({ job }) => job.path !== path)) {
      throw new Error(`Plan ${plan.batchId} must hold settlements of one path (see groupOf).`);
    }
    const max = path === "lock" ? 1 : this.maxBatchSize;
    if (jobs.length > max) {
      throw new Error(`A ${path} batch holds at most ${max} settlement(s); plan ${plan.batchId} has ${jobs.length}.`);
    }

    const refused = new Map<string, string>();
    const now = await chainNow(this.ctx.provider);
    const statuses = await mapLimit(jobs, this.readConcurrency, ({ job }) =>
      this.suite.settlementEngine.statusOf(job.id),
    );
    const ledger = await this.readLedger(jobs.map(({ job }) => job));
    const seen = new Set<string>();
    jobs.forEach(({ record, job }, i) => {
      const id = job.id.toLowerCase();
      const status = Number(statuses[i]);
      const reason =
        job.scenarioId !== plan.scenarioId
          ? `It belongs to scenario ${job.scenarioId}, not to the batch's scenario ${plan.scenarioId}.`
          : seen.has(id)
            ? `Its settlement id ${job.id} appears earlier in the same batch.`
            : status !== SettlementStatus.None
              ? `Settlement id ${job.id} was used on chain meanwhile (${SettlementStatus[status]}).`
              : (this.checkDeadline(job, now) ?? applyToLedger(ledger, job));
      seen.add(id);
      if (reason !== undefined) refused.set(record.id, reason);
    });
    if (refused.size > 0) throw new JobsRefused(refused);

    const { executionHub } = this.suite;
    const settlements = jobs.map(({ job }) => settlementOf(job));
    const data =
      path === "atomic"
        ? executionHub.interface.encodeFunctionData("submitSettlements", [
            plan.scenarioId,
            plan.batchId,
            settlements,
            jobs.map(({ job }) => job.signatures),
          ])
        : executionHub.interface.encodeFunctionData("submitLock", [
            plan.scenarioId,
            plan.batchId,
            settlements[0],
            jobs[0].job.signatures,
          ]);
    return {
      to: this.suite.addresses.executionHub,
      data,
      label: path === "atomic" ? "settlement-batch" : "settlement-lock",
    };
  }

  /** Whether the hub recorded the batch id (atomic and lock batches alike). */
  async isApplied(plan: BatchPlan): Promise<boolean> {
    const [used] = await this.suite.executionHub.batchOf(plan.batchId);
    return used;
  }

  /**
   * For a lock: `commit` at once when the job carries the preimage, and a `refund` due at the deadline in every case
   * (it does nothing if the lock was committed, and frees the funds if the commit never made it). None for atomic
   * batches, which are terminal when mined.
   */
  async followUps(plan: BatchPlan, _receipt: TransactionReceipt): Promise<FollowUp[]> {
    const jobs = jobsOfKind(plan.jobs, "settlement", "settlement");
    const out: FollowUp[] = [];
    for (const { job } of jobs) {
      if (job.path !== "lock") continue;
      const data = { settlementId: job.id };
      if (job.preimage !== undefined) out.push({ kind: "commit", dueAt: 0, data });
      out.push({ kind: "refund", dueAt: Number(job.deadline), data });
    }
    return out;
  }

  /**
   * The commit or refund transaction, or undefined when the lock is terminal already (committed or refunded, by this
   * executor or anyone) or, for a commit, when its deadline has passed (the refund follow-up then frees the funds).
   * A refund asked for before the latest block has reached the deadline throws a plain error (not a contract
   * error), so that the core tries it again later: wall clocks and block times differ by a block or so.
   */
  async runFollowUp(plan: BatchPlan, followUp: FollowUp): Promise<TxRequest | undefined> {
    const kind = followUp.kind as SettlementFollowUpKind;
    if (kind !== "commit" && kind !== "refund") {
      throw new Error(`The settlement handler has no follow-up "${followUp.kind}" (batch ${plan.batchId}).`);
    }
    const id = String(followUp.data.settlementId);
    const job = jobsOfKind(plan.jobs, "settlement", "settlement").find((j) => j.job.id === id)?.job;
    if (job === undefined) throw new Error(`Batch ${plan.batchId} holds no settlement ${id}.`);
    const { settlementEngine, addresses } = this.suite;
    const status = Number(await settlementEngine.statusOf(id));
    const log = this.log;
    if (status !== SettlementStatus.Locked) {
      log.info({ settlementId: id, status: SettlementStatus[status], followUp: kind }, "lock already terminal");
      return undefined;
    }
    const legs = legsOf(job);
    const now = await chainNow(this.ctx.provider);
    if (kind === "refund") {
      if (now < job.deadline) {
        // Not a contract error: the core tries the follow-up again later instead of giving it up.
        throw new Error(
          `The refund of lock ${id} is not due on chain yet: the latest block's time ${now} is before its deadline ${job.deadline}.`,
        );
      }
      return {
        to: addresses.settlementEngine,
        data: settlementEngine.interface.encodeFunctionData("refund", [id, legs]),
        label: "settlement-refund",
      };
    }
    if (job.preimage === undefined) throw new Error(`Settlement ${id} has no preimage to commit with.`);
    if (now >= job.deadline) {
      log.warn(
        { settlementId: id, deadline: job.deadline.toString() },
        "too late to commit the lock: its refund follow-up will free the payers' funds",
      );
      return undefined;
    }
    return {
      to: addresses.settlementEngine,
      data: settlementEngine.interface.encodeFunctionData("commit", [id, legs, job.preimage]),
      label: "settlement-commit",
    };
  }

  /** A reason when the payer signatures are not one valid signature per payer, in order of first appearance. */
  private checkSignatures(job: SettlementJob): string | undefined {
    const payers = payersOf(job.legs);
    if (job.signatures.length !== payers.length) {
      return `The settlement has ${payers.length} distinct payer(s) but ${job.signatures.length} signature(s): send one per payer, in order of first appearance in the legs.`;
    }
    const digest = TypedDataEncoder.hash(this.engineDomain, SETTLEMENT_TYPES, settlementOf(job));
    for (const [i, payer] of payers.entries()) {
      const signer = recoverStrict(digest, job.signatures[i]);
      if (signer !== payer) {
        return `Signature ${i} is not ${payer}'s over this settlement${signer === undefined ? "" : ` (it is ${signer}'s)`}: each payer signs the whole settlement, and signatures follow the payers' order of first appearance.`;
      }
    }
    return undefined;
  }

  private checkDeadline(job: SettlementJob, now: bigint): string | undefined {
    if (job.deadline > now + this.margin) return undefined;
    return `The deadline ${new Date(Number(job.deadline) * 1000).toISOString()} is less than ${this.margin} s ahead of the chain's time: sign the settlement again with a later deadline.`;
  }

  /** Free balances of every (account, token) the jobs touch. */
  private async readLedger(jobs: readonly SettlementJob[]): Promise<Map<string, bigint>> {
    const keys = new Set<string>();
    for (const job of jobs) {
      for (const l of job.legs) {
        keys.add(ledgerKey(l.payer, l.token));
        keys.add(ledgerKey(l.payee, l.token));
      }
    }
    const list = [...keys];
    const free = await mapLimit(list, this.readConcurrency, (k) => {
      const [account, token] = k.split("|");
      return this.suite.settlementEngine.freeBalance(account, token);
    });
    return new Map(list.map((k, i) => [k, free[i]]));
  }
}

const ledgerKey = (account: string, token: string): string => `${getAddress(account)}|${getAddress(token)}`;

/**
 * Applies a settlement to `ledger` (free balances) as the engine would: an atomic settlement moves each account's net
 * position per token, a lock freezes each payer's gross debit per token. Returns a reason (and leaves `ledger`
 * unchanged) when a balance falls short.
 */
export function applyToLedger(ledger: Map<string, bigint>, job: SettlementJob): string | undefined {
  const delta = new Map<string, bigint>();
  const add = (k: string, v: bigint) => delta.set(k, (delta.get(k) ?? 0n) + v);
  for (const l of job.legs) {
    add(ledgerKey(l.payer, l.token), -l.amount);
    if (job.path === "atomic") add(ledgerKey(l.payee, l.token), l.amount);
  }
  for (const [k, d] of delta) {
    const free = ledger.get(k) ?? 0n;
    if (free + d < 0n) {
      const [account, token] = k.split("|");
      return `${account} has ${free} of token ${token} free in the settlement engine but the settlement needs ${-d}: the payer must deposit more first.`;
    }
  }
  for (const [k, d] of delta) ledger.set(k, (ledger.get(k) ?? 0n) + d);
  return undefined;
}

/** A reason when a settlement job's fields do not fit what the engine accepts. */
export function checkSettlementShape(job: SettlementJob): string | undefined {
  if (!isBytes32(job.id) || BigInt(job.id) === 0n)
    return `The settlement id ${job.id} is not a non-zero 32-byte hex value.`;
  if (job.path !== "atomic" && job.path !== "lock") return `The path must be "atomic" or "lock".`;
  if (job.legs.length === 0 || job.legs.length > MAX_LEGS) {
    return `A settlement has 1 to ${MAX_LEGS} legs; this one has ${job.legs.length}.`;
  }
  for (const [i, l] of job.legs.entries()) {
    for (const [name, value] of [
      ["payer", l.payer],
      ["payee", l.payee],
      ["token", l.token],
    ] as const) {
      if (!isAddress(value) || BigInt(value) === 0n) return `Leg ${i}: the ${name} ${value} is not a non-zero address.`;
    }
    if (getAddress(l.payer) === getAddress(l.payee)) return `Leg ${i} pays its payer ${l.payer} itself.`;
    if (l.amount <= 0n || l.amount > MAX_LEG_AMOUNT)
      return `Leg ${i}: the amount ${l.amount} must be positive and below 2^255.`;
  }
  if (job.deadline <= 0n || job.deadline > MAX_UINT64) return `The deadline ${job.deadline} does not fit in 64 bits.`;
  if (!isBytes32(job.hashlock)) return `The hashlock ${job.hashlock} is not a 32-byte hex value.`;
  if (job.path === "atomic") {
    if (job.hashlock !== ZeroHash) return 'An atomic settlement has a zero hashlock (a lock uses the "lock" path).';
    if (job.preimage !== undefined) return "An atomic settlement takes no preimage.";
  } else {
    if (BigInt(job.hashlock) === 0n) return "A lock needs a non-zero hashlock: keccak256(abi.encode(preimage)).";
    if (
      job.preimage !== undefined &&
      (!isBytes32(job.preimage) || hashlockOf(job.preimage) !== job.hashlock.toLowerCase())
    ) {
      return "The preimage does not match the hashlock (hashlock = keccak256(abi.encode(bytes32 preimage))).";
    }
  }
  return undefined;
}

function legsOf(job: SettlementJob): Leg[] {
  return job.legs.map((l) => ({ payer: l.payer, payee: l.payee, token: l.token, amount: l.amount }));
}

/** The `ISettlementEngine.Settlement` a job stands for (what its payers signed). */
export function settlementOf(job: SettlementJob): SettlementFields {
  return { id: job.id, scenarioId: job.scenarioId, legs: legsOf(job), deadline: job.deadline, hashlock: job.hashlock };
}
