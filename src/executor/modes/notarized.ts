import { toBeHex, ZeroHash } from "ethers";
import { ExecutionMode } from "../../sdk/economy";
import {
  batchNotarizationIdOf,
  executingNodeOf,
  type AttestationFields,
  type BatchAttestationFields,
} from "../../sdk/execution";
import type { TxRequest } from "../../node/types";
import { LogPoller } from "../../node/blockScan";
import { CosignClient, notaryBatchTree, QuorumNotReached, type Cosignable, type SignedBy } from "../cosign";
import { JobsRefused, NotReadyYet, type BatchPlan, type Job, type ModeHandler, type ResultJob } from "../types";
import { ChainReader, batchSizeOption, chainNow, isBytes32, jobsOfKind, type ModeContext } from "./common";

export interface NotarizedHandlerOptions extends ModeContext {
  /** Collects the quorum's signatures (this node's own included). */
  cosigner: CosignClient;
  /**
   * Most results per batch (default 256). A plan of one result is notarized on its own, as the next record of its
   * subject's trail; a plan of several goes under one Merkle root with one quorum of signatures
   * (`submitNotarizationBatch`), proven per result with `verifyInBatch`. 1 keeps every result in its subject's trail.
   */
  maxBatchSize?: number;
  /** Seconds the signatures stay valid (default 600): the transaction must land before. */
  attestationTtlSeconds?: number;
  /** First block to search when checking, after a restart, whether a single notarization landed (default 0). */
  fromBlock?: number;
  maxBlockRange?: number;
  /** How long to wait before building again a result whose subject has a notarization in flight (default 2,000 ms). */
  inFlightRetryMs?: number;
}

interface InFlight {
  batchId: string;
  previous: string;
  deadline: bigint;
}

/** Seconds of clock difference tolerated between the executor's journal and the chain (see `isApplied`). */
const CLOCK_SKEW_SECONDS = 300;

/**
 * Enterprise scenarios in notarized mode: each result is recorded by the notary with the quorum's signatures.
 *
 * A single result is signed against its subject's current head, so it lands once and only right after that head. Two
 * results of one subject cannot be in flight together (the second would follow a stale head): `build` defers the
 * second (`NotReadyYet`) until the first has landed or its signatures have expired.
 */
export class NotarizedHandler extends ChainReader implements ModeHandler {
  readonly mode = ExecutionMode.Notarized;
  readonly kinds = ["result"] as const;
  readonly maxBatchSize: number;
  private readonly ttl: bigint;
  private readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly options: NotarizedHandlerOptions) {
    super(options);
    this.maxBatchSize = batchSizeOption(options.maxBatchSize, 256, 2 ** 32 - 1, "results");
    this.ttl = BigInt(options.attestationTtlSeconds ?? 600);
  }

  /** Refuses a malformed result, and one whose scenario's quorum this node cannot reach with the peers it knows. */
  async precheck(job: Job): Promise<string | undefined> {
    if (job.kind !== "result") return `Notarized mode takes result jobs, not ${job.kind} jobs.`;
    if (!isBytes32(job.subjectId)) return `The subject id ${job.subjectId} is not a 32-byte hex value.`;
    if (!isBytes32(job.resultHash) || BigInt(job.resultHash) === 0n) {
      return `The result hash ${job.resultHash} is not a non-zero 32-byte hex value.`;
    }
    if (job.scenarioId <= 0n) return `The scenario id ${job.scenarioId} is not a registered id (ids start at 1).`;
    const { quorum, askable, unknown } = await this.options.cosigner.reach(job.scenarioId);
    if (askable.length + 1 < quorum) {
      return `Scenario ${job.scenarioId} needs ${quorum} node signatures but this node knows the URL of only ${askable.length} serving peer(s)${unknown.length > 0 ? ` (none for node(s) ${unknown.join(", ")})` : ""}: configure the peers' URLs.`;
    }
    return undefined;
  }

  /**
   * One result: `submitNotarization(attestation, signatures)` against the subject's head. Several:
   * `submitNotarizationBatch` with the plan's batch id as salt. Fails every job of the plan (`JobsRefused`) when the
   * quorum cannot be collected.
   */
  async build(plan: BatchPlan): Promise<TxRequest> {
    const jobs = jobsOfKind(plan.jobs, "result", "notarized");
    if (jobs.length === 0 || jobs.length > this.maxBatchSize) {
      throw new Error(
        `A notarized batch holds 1 to ${this.maxBatchSize} results; plan ${plan.batchId} has ${jobs.length}.`,
      );
    }
    const strangers = jobs.filter(({ job }) => job.scenarioId !== plan.scenarioId);
    if (strangers.length > 0) {
      throw new JobsRefused(
        new Map(
          strangers.map(({ record, job }) => [
            record.id,
            `It belongs to scenario ${job.scenarioId}, not to the batch's scenario ${plan.scenarioId}.`,
          ]),
        ),
      );
    }
    const deadline = (await chainNow(this.options.provider)) + this.ttl;
    const { executionHub } = this.suite;

    if (jobs.length === 1) {
      const job = jobs[0].job;
      const previous = await this.reserveHead(plan, job, deadline);
      const attestation: AttestationFields = { ...fieldsOf(job), previous, deadline };
      let signatures: string[];
      try {
        signatures = await this.signatures(plan, { type: "single", attestation });
      } catch (err) {
        // Nothing was signed by a quorum: the subject is free for the next result.
        const key = subjectKey(job);
        if (this.inFlight.get(key)?.batchId === plan.batchId) this.inFlight.delete(key);
        throw err;
      }
      return {
        to: this.suite.addresses.executionHub,
        data: executionHub.interface.encodeFunctionData("submitNotarization", [attestation, signatures]),
        label: "notarization",
      };
    }

    const results = jobs.map(({ job }) => ({ subjectId: job.subjectId, resultHash: job.resultHash }));
    const salt = toBeHex(BigInt(plan.batchId), 32);
    const { tree } = notaryBatchTree(plan.scenarioId, salt, results);
    const attestation: BatchAttestationFields = {
      scenarioId: plan.scenarioId,
      salt,
      root: tree.root,
      count: results.length,
      deadline,
    };
    const signatures = await this.signatures(plan, { type: "batch", attestation, results });
    return {
      to: this.suite.addresses.executionHub,
      data: executionHub.interface.encodeFunctionData("submitNotarizationBatch", [attestation, signatures]),
      label: "notarization-batch",
    };
  }

  /**
   * A batch: whether the notary holds a commitment under the id derived from the batch id. A single result: whether
   * its subject's trail holds a record of this result executed by this node since the job was created (`createdAt`,
   * ms since the epoch, with 5 minutes of clock skew allowed).
   */
  async isApplied(plan: BatchPlan): Promise<boolean> {
    const jobs = jobsOfKind(plan.jobs, "result", "notarized");
    const { notaryRegistry } = this.suite;
    if (jobs.length > 1) {
      const id = batchNotarizationIdOf(plan.scenarioId, toBeHex(BigInt(plan.batchId), 32));
      return (await notaryRegistry.batchCommitmentOf(id)) !== ZeroHash;
    }
    const { record, job } = jobs[0];
    const since = BigInt(Math.floor(record.createdAt / 1000) - CLOCK_SKEW_SECONDS);
    const records = await new LogPoller({
      provider: this.options.provider,
      address: this.suite.addresses.notaryRegistry,
      iface: notaryRegistry.interface,
      event: "Notarized",
      indexed: [null, toBeHex(job.scenarioId, 32), job.subjectId.toLowerCase()],
      fromBlock: this.options.fromBlock ?? 0,
      maxBlockRange: this.options.maxBlockRange,
    }).poll();
    const candidates = records.filter(
      ({ event }) =>
        (event.args.resultHash as string).toLowerCase() === job.resultHash.toLowerCase() &&
        (event.args.timestamp as bigint) >= since,
    );
    for (const { log, event } of candidates) {
      const id = event.args.notarizationId as string;
      const node = await executingNodeOf(this.suite.executionHub, id, log.blockNumber, log.blockNumber);
      if (node === this.options.nodeId) return true;
    }
    return false;
  }

  /**
   * The subject's head to sign against, once no earlier notarization of the subject can still land; reserves the
   * subject for this plan until the result lands or its signatures expire. The check and the reservation run in one
   * synchronous step after the chain reads, so two plans of one subject built at once (batches run concurrently, and
   * collecting co-signatures takes a round trip) cannot both sign against the same head: the second is deferred.
   */
  private async reserveHead(plan: BatchPlan, job: ResultJob, deadline: bigint): Promise<string> {
    const [head, now] = await Promise.all([
      this.suite.notaryRegistry.headOf(job.scenarioId, job.subjectId),
      chainNow(this.options.provider),
    ]);
    const key = subjectKey(job);
    const pending = this.inFlight.get(key);
    if (
      pending !== undefined &&
      pending.batchId !== plan.batchId &&
      pending.previous.toLowerCase() === head.toLowerCase() &&
      now <= pending.deadline
    ) {
      throw new NotReadyYet(
        `Subject ${job.subjectId} has a notarization in flight (batch ${pending.batchId}); this result follows it once it lands.`,
        Date.now() + (this.options.inFlightRetryMs ?? 2_000),
      );
    }
    this.inFlight.set(key, { batchId: plan.batchId, previous: head, deadline });
    return head;
  }

  private async signatures(plan: BatchPlan, item: Cosignable): Promise<string[]> {
    let signed: SignedBy[];
    try {
      signed = await this.options.cosigner.collect(item);
    } catch (err) {
      if (!(err instanceof QuorumNotReached)) throw err;
      this.log.warn({ batchId: plan.batchId, error: err.message }, "notarization quorum not reached");
      throw new JobsRefused(new Map(plan.jobs.map((r) => [r.id, err.message])));
    }
    return signed.map((s) => s.signature);
  }
}

const subjectKey = (job: ResultJob): string => `${job.scenarioId}:${job.subjectId.toLowerCase()}`;

const fieldsOf = (job: ResultJob) => ({
  scenarioId: job.scenarioId,
  subjectId: job.subjectId,
  resultHash: job.resultHash,
});
