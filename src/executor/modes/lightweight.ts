import { concat, getAddress, isAddress, keccak256, TypedDataEncoder, type TypedDataDomain } from "ethers";
import { ExecutionMode } from "../../sdk/economy";
import { ACTION_TYPES, domainOf, packActions, type PackedAction } from "../../sdk/execution";
import type { TxRequest } from "../../node/types";
import { JobsRefused, type ActionJob, type BatchPlan, type Job, type ModeHandler } from "../types";
import { recoverStrict } from "../../sdk/signatures";
import { ChainReader, batchSizeOption, jobsOfKind, type ModeContext } from "./common";
import { mapLimit } from "../../node/concurrency";

/** `BatchCommitments.MAX_ACTIONS`: most actions one lightweight batch may hold. */
export const MAX_LIGHTWEIGHT_ACTIONS = 4_096;
const MAX_UINT32 = 2 ** 32 - 1;
/** Most prechecked actions remembered for `build` (beyond it, the memory starts again: more nonces are read). */
const MAX_REMEMBERED = 100_000;
const MAX_UINT64 = 2n ** 64n - 1n;

export interface LightweightHandlerOptions extends ModeContext {
  /** Most actions per batch (default 1,024; at most 4,096, the contract's limit). */
  maxBatchSize?: number;
  /** Parallel RPC reads when checking a batch's nonces before it is built (default 16). */
  readConcurrency?: number;
}

/** The key that makes an action unique on chain: a (scenario, user, nonce) is applied at most once. */
export function actionKey(job: Pick<ActionJob, "scenarioId" | "user" | "nonce">): string {
  return `${job.scenarioId}:${job.user.toLowerCase()}:${job.nonce}`;
}

/**
 * The jobs that repeat an earlier job's (scenario, user, nonce), each mapped to the id of the job it repeats. The core
 * uses it on its pending work: a lightweight batch holding a nonce twice, or a nonce of an earlier batch, is a fraud
 * anyone can prove, and the node is slashed for it.
 */
export function duplicateActions(records: readonly { id: string; job: Job }[]): Map<string, string> {
  const first = new Map<string, string>();
  const duplicates = new Map<string, string>();
  for (const { id, job } of records) {
    if (job.kind !== "action") continue;
    const key = actionKey(job);
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, id);
    else duplicates.set(id, earlier);
  }
  return duplicates;
}

const ACTION_ENCODER = TypedDataEncoder.from(ACTION_TYPES);
const domainSeparators = new WeakMap<TypedDataDomain, string>();

/**
 * The EIP-712 digest a user signs for an action, as `ExecutionHub.actionDigest` computes it. The type encoder and the
 * domain separator (per domain object) are computed once: hashing every action anew cost more than a millisecond.
 */
export function actionDigestOf(hubDomain: TypedDataDomain, job: Omit<ActionJob, "kind" | "signature">): string {
  let separator = domainSeparators.get(hubDomain);
  if (separator === undefined) {
    separator = TypedDataEncoder.hashDomain(hubDomain);
    domainSeparators.set(hubDomain, separator);
  }
  const struct = ACTION_ENCODER.hash({
    scenarioId: job.scenarioId,
    user: job.user,
    nonce: job.nonce,
    payload: job.payload,
  });
  return keccak256(concat(["0x1901", separator, struct]));
}

/**
 * Lightweight mode: a batch of user actions goes on chain as a Merkle commitment with 32 bytes of data per action
 * (`ExecutionHub.submitLightweight`), with no per-action check. The users' signatures stay with the executor, which
 * must produce them if challenged (see `ChallengeResponder`); a batch holding a bad action is a fraud that slashes the
 * node, so everything a challenger could prove is checked here first.
 */
export class LightweightHandler extends ChainReader implements ModeHandler {
  readonly mode = ExecutionMode.Lightweight;
  readonly kinds = ["action"] as const;
  readonly maxBatchSize: number;
  readonly hubDomain: TypedDataDomain;
  /**
   * Action key → the hub's `actionCount` of the scenario read before the action's nonce was found unused. The count
   * grows with every action applied in standard mode (and every lightweight batch finalized): while it has not
   * moved, no nonce of the scenario can have been used since, and `build` need not read that nonce again.
   */
  private readonly unusedAt = new Map<string, bigint>();
  private countRead?: { scenarioId: bigint; at: number; count: Promise<bigint> };

  constructor(options: LightweightHandlerOptions) {
    super(options);
    this.maxBatchSize = batchSizeOption(options.maxBatchSize, 1_024, MAX_LIGHTWEIGHT_ACTIONS, "actions");
    this.hubDomain = domainOf("ERA ExecutionHub", options.chainId, options.addresses.executionHub);
  }

  /** Refuses an action whose fields do not fit, whose signature is not its user's, or whose nonce was used. */
  async precheck(job: Job): Promise<string | undefined> {
    if (job.kind !== "action") return `Lightweight mode takes action jobs, not ${job.kind} jobs.`;
    const shape = checkActionShape(job);
    if (shape !== undefined) return shape;
    if (recoverStrict(actionDigestOf(this.hubDomain, job), job.signature) !== getAddress(job.user)) {
      return (
        `The signature is not ${job.user}'s over this action (scenario ${job.scenarioId}, nonce ${job.nonce}, ` +
        `payload ${job.payload}) under the hub's EIP-712 domain: sign it again with the user's key.`
      );
    }
    const count = await this.actionCount(job.scenarioId);
    const used = await this.nonceUsed(job);
    if (used === undefined) {
      if (this.unusedAt.size >= MAX_REMEMBERED) this.unusedAt.clear();
      this.unusedAt.set(actionKey(job), count);
    }
    return used;
  }

  /**
   * `submitLightweight(scenarioId, batchId, packedActions)`. Refuses (`JobsRefused`) a plan that repeats a nonce or
   * holds one used in standard mode meanwhile: either would be a provable fraud.
   */
  async build(plan: BatchPlan): Promise<TxRequest> {
    const jobs = jobsOfKind(plan.jobs, "action", "lightweight");
    if (jobs.length === 0 || jobs.length > this.maxBatchSize) {
      throw new Error(
        `A lightweight batch holds 1 to ${this.maxBatchSize} actions; plan ${plan.batchId} has ${jobs.length}.`,
      );
    }
    const refused = new Map<string, string>();
    for (const [id, earlier] of duplicateActions(plan.jobs)) {
      refused.set(id, `It repeats the user and nonce of job ${earlier} in the same batch (a provable fraud).`);
    }
    // Only the nonces the scenario's action count cannot vouch for are read again (see `unusedAt`).
    const count = await this.suite.executionHub.actionCount(plan.scenarioId);
    const used = await mapLimit(jobs, this.readConcurrency, async ({ job }) =>
      this.unusedAt.get(actionKey(job)) === count ? undefined : this.nonceUsed(job),
    );
    jobs.forEach(({ record }, i) => {
      const reason = used[i];
      if (reason !== undefined) refused.set(record.id, reason);
    });
    for (const { record, job } of jobs) {
      if (job.scenarioId !== plan.scenarioId) {
        refused.set(
          record.id,
          `It belongs to scenario ${job.scenarioId}, not to the batch's scenario ${plan.scenarioId}.`,
        );
      }
    }
    if (refused.size > 0) throw new JobsRefused(refused);

    for (const { job } of jobs) this.unusedAt.delete(actionKey(job));
    const actions: PackedAction[] = jobs.map(({ job }) => ({ user: job.user, nonce: job.nonce, payload: job.payload }));
    return {
      to: this.suite.addresses.executionHub,
      data: this.suite.executionHub.interface.encodeFunctionData("submitLightweight", [
        plan.scenarioId,
        plan.batchId,
        packActions(actions),
      ]),
      label: "lightweight-batch",
    };
  }

  /** Whether `BatchCommitments` holds the batch id (pending, final or rejected: it landed either way). */
  async isApplied(plan: BatchPlan): Promise<boolean> {
    const batch = await this.suite.batchCommitments.getBatch(plan.batchId);
    return batch.status !== 0n;
  }

  /**
   * The hub's action count of the scenario, read at most every 100 ms: an older count only makes `build` read more
   * nonces again, never fewer.
   */
  private actionCount(scenarioId: bigint): Promise<bigint> {
    const last = this.countRead;
    if (last && last.scenarioId === scenarioId && Date.now() - last.at < 100) return last.count;
    const count = this.suite.executionHub.actionCount(scenarioId);
    this.countRead = { scenarioId, at: Date.now(), count };
    count.catch(() => {
      if (this.countRead?.count === count) this.countRead = undefined;
    });
    return count;
  }

  /** A reason when the nonce was applied in standard mode already (then a lightweight batch holding it is a fraud). */
  private async nonceUsed(job: ActionJob): Promise<string | undefined> {
    const [seq] = await this.suite.executionHub.actionRecord(job.scenarioId, job.user, job.nonce);
    if (seq === 0n) return undefined;
    this.log.debug(
      { scenarioId: job.scenarioId.toString(), user: job.user, nonce: job.nonce, seq: seq.toString() },
      "action nonce already used on chain",
    );
    return `Nonce ${job.nonce} of ${job.user} was already applied on chain for scenario ${job.scenarioId} (batch #${seq}): sign the action with a new nonce.`;
  }
}

/** A reason when an action's fields do not fit the contracts' types. */
export function checkActionShape(job: ActionJob): string | undefined {
  if (!isAddress(job.user) || BigInt(job.user) === 0n) return `The user ${job.user} is not an address.`;
  if (!Number.isInteger(job.nonce) || job.nonce < 0 || job.nonce > MAX_UINT32) {
    return `The nonce ${job.nonce} is not a whole number from 0 to ${MAX_UINT32}.`;
  }
  if (job.payload < 0n || job.payload > MAX_UINT64) return `The payload ${job.payload} does not fit in 64 bits.`;
  if (job.scenarioId <= 0n) return `The scenario id ${job.scenarioId} is not a registered id (ids start at 1).`;
  return undefined;
}
