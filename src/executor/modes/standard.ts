import type { TypedDataDomain } from "ethers";
import { ExecutionMode } from "../../sdk/economy";
import { ActionRecordReads } from "../../sdk/actionRecords";
import { domainOf } from "../../sdk/execution";
import { recoverStrict, SECP256K1_HALF_N } from "../../sdk/signatures";
import type { ExecutionHub } from "../../../typechain-types";
import type { TxRequest } from "../../node/types";
import type { BatchPlan, Job, JobKind, ModeHandler } from "../types";
import { actionDigestOf } from "./lightweight";

/**
 * The standard mode (DESIGN.md §2): every action is verified and applied on chain one by one. A batch is one
 * `ExecutionHub.submitStandard(scenarioId, batchId, actions)`; the hub checks each user's EIP-712 signature and
 * nonce, all or nothing, and records the batch id, which is how a batch is known to be applied.
 */
export class StandardHandler implements ModeHandler {
  readonly mode = ExecutionMode.Standard;
  readonly kinds: readonly JobKind[] = ["action"];
  readonly maxBatchSize: number;
  private readonly domain: TypedDataDomain;
  /** Nonce reads, coalesced into one call per burst of prechecks. */
  private readonly records: ActionRecordReads;

  constructor(
    private readonly hub: ExecutionHub,
    options: { hubAddress: string; chainId: bigint; maxBatchSize?: number },
  ) {
    this.domain = domainOf("ERA ExecutionHub", options.chainId, options.hubAddress);
    // ≈ 32k gas per action (signature check, nonce slot, calldata): 400 stay well under the 16,777,216 cap.
    this.maxBatchSize = options.maxBatchSize ?? 400;
    const runner = hub.runner;
    if (!runner?.call)
      throw new TypeError("StandardHandler needs a hub connected to a provider or signer that can call.");
    this.records = new ActionRecordReads({ call: (tx) => runner.call!(tx) }, options.hubAddress);
  }

  /**
   * The signature must recover to the user exactly as the hub (OpenZeppelin ECDSA) accepts it — 65 bytes, `v` 27 or
   * 28, low `s` (`recoverStrict`) — and the user's nonce must be unused on chain.
   */
  async precheck(job: Job): Promise<string | undefined> {
    if (job.kind !== "action") return `standard mode takes action jobs, not ${job.kind} jobs`;
    if (/^0x[0-9a-fA-F]{130}$/.test(job.signature) && BigInt(`0x${job.signature.slice(66, 130)}`) > SECP256K1_HALF_N) {
      return "signature: is not in canonical (low-s) form; the hub refuses it. Sign again with a standard wallet.";
    }
    if (recoverStrict(actionDigestOf(this.domain, job), job.signature) !== job.user) {
      return (
        `signature: does not recover to user ${job.user} for this action on this hub ` +
        `(chain ${String(this.domain.chainId)}, ${String(this.domain.verifyingContract)}). ` +
        `Have the user sign exactly these scenarioId, nonce and payload.`
      );
    }
    const seq = await this.records.seqOf(job);
    if (seq !== 0n) {
      return `nonce: ${job.nonce} of ${job.user} in scenario ${job.scenarioId} was already used on chain (batch #${seq}). Use a new nonce.`;
    }
    return undefined;
  }

  async build(plan: BatchPlan): Promise<TxRequest> {
    const actions = plan.jobs.map(({ job }) => {
      if (job.kind !== "action") throw new TypeError(`A standard batch holds action jobs only, not ${job.kind}.`);
      return { user: job.user, nonce: job.nonce, payload: job.payload, signature: job.signature };
    });
    return {
      to: await this.hub.getAddress(),
      data: this.hub.interface.encodeFunctionData("submitStandard", [plan.scenarioId, plan.batchId, actions]),
      label: "standard-batch",
    };
  }

  async isApplied(plan: BatchPlan): Promise<boolean> {
    const [used] = await this.hub.batchOf(plan.batchId);
    return used;
  }
}
