import { getAddress, isAddress, TypedDataEncoder, type TypedDataDomain } from "ethers";
import { ExecutionMode } from "../../sdk/economy";
import { ACTION_TYPES, domainOf, packActions, type PackedAction } from "../../sdk/execution";
import type { TxRequest } from "../../node/types";
import { JobsRefused, type ActionJob, type BatchPlan, type Job, type ModeHandler } from "../types";
import { ChainReader, batchSizeOption, jobsOfKind, mapLimited, recoverStrict, type ModeContext } from "./common";

/** `BatchCommitments.MAX_ACTIONS`: most actions one lightweight batch may hold. */
export const MAX_LIGHTWEIGHT_ACTIONS = 4_096;
const MAX_UINT32 = 2 ** 32 - 1;
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

/** The EIP-712 digest a user signs for an action, as `ExecutionHub.actionDigest` computes it. */
export function actionDigestOf(hubDomain: TypedDataDomain, job: ActionJob): string {
  return TypedDataEncoder.hash(hubDomain, ACTION_TYPES, {
    scenarioId: job.scenarioId,
    user: job.user,
    nonce: job.nonce,
    payload: job.payload,
  });
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
    return this.nonceUsed(job);
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
    const used = await mapLimited(jobs, this.readConcurrency, ({ job }) => this.nonceUsed(job));
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
