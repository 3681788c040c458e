import type { ContractTransactionReceipt, ContractTransactionResponse, Signer } from "ethers";
import type { ProofFile, RewardProof, SubsidyProof } from "../../../src/sdk/proofFile";
import { signPermit } from "../../../src/sdk/permit";
import type { StakingContracts } from "./chain";
import { isUnsupportedMethod } from "./wallets";

/**
 * What the page's buttons send. Each action reports its progress (waiting for the wallet, then each transaction's
 * hash while it is pending) and resolves with the receipts once every transaction is mined, or throws: the page turns
 * the error into a sentence with `describeError`.
 */

export type Progress =
  | { stage: "wallet"; text: string }
  | { stage: "pending"; text: string; hash: string }
  | { stage: "mined"; text: string; hash: string; blockNumber: number };

export type Reporter = (progress: Progress) => void;

/** Thrown when a transaction was mined but failed (the wallet sent it without simulating, say). */
export class TransactionFailedError extends Error {
  override readonly name = "TransactionFailedError";
  constructor(readonly hash: string) {
    super(`The transaction ${hash} was mined but failed; nothing changed. Refresh and try again.`);
  }
}

/** Sends one transaction: waits for the wallet, reports the hash, waits for it to be mined. */
export async function sendTx(
  report: Reporter,
  label: string,
  send: () => Promise<ContractTransactionResponse>,
): Promise<ContractTransactionReceipt> {
  report({ stage: "wallet", text: `Confirm “${label}” in your wallet…` });
  const tx = await send();
  report({ stage: "pending", text: `${label}: pending`, hash: tx.hash });
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new TransactionFailedError(tx.hash);
  report({ stage: "mined", text: `${label}: confirmed`, hash: tx.hash, blockNumber: receipt.blockNumber });
  return receipt;
}

/** A signer-bound view of the contracts, plus the chain time to date permits from. */
export interface ActionContext {
  contracts: StakingContracts;
  signer: Signer;
  /** The chain's current time (unix seconds). */
  chainTime: bigint;
}

/** How long a permit signed for a delegation stays valid. */
export const PERMIT_LIFETIME_SECONDS = 30n * 60n;

/**
 * Delegates `amount` ERA to `nodeId`, with as few wallet prompts as the wallet allows:
 * - the staking contract may already spend enough: one transaction (`delegate`);
 * - otherwise one permit signature plus one transaction (`delegateWithPermit`);
 * - a wallet that cannot sign typed data: an approval, then the delegation.
 */
export async function delegateStake(
  ctx: ActionContext,
  nodeId: bigint,
  amount: bigint,
  report: Reporter,
): Promise<ContractTransactionReceipt> {
  const { token, staking } = ctx.contracts;
  const owner = await ctx.signer.getAddress();
  const stakingAddress = await staking.getAddress();
  const delegate = () => sendTx(report, "Delegate", () => staking.connect(ctx.signer).delegate(nodeId, amount));
  if ((await token.allowance(owner, stakingAddress)) >= amount) return delegate();

  report({ stage: "wallet", text: "Sign the permit in your wallet (a signature, no gas)…" });
  let permit: Awaited<ReturnType<typeof signPermit>> | undefined;
  try {
    permit = await signPermit(token, ctx.signer, stakingAddress, amount, ctx.chainTime + PERMIT_LIFETIME_SECONDS);
  } catch (error) {
    if (!isUnsupportedMethod(error)) throw error;
  }
  if (permit) {
    const { deadline, v, r, s } = permit;
    return sendTx(report, "Delegate", () =>
      staking.connect(ctx.signer).delegateWithPermit(nodeId, amount, deadline, v, r, s),
    );
  }
  await sendTx(report, "Approve ERA", () => token.connect(ctx.signer).approve(stakingAddress, amount));
  return delegate();
}

/** `type(uint256).max`: undelegate the whole position. */
export const ALL = 2n ** 256n - 1n;

export function undelegateStake(ctx: ActionContext, nodeId: bigint, amount: bigint, report: Reporter) {
  return sendTx(report, "Undelegate", () => ctx.contracts.staking.connect(ctx.signer).undelegate(nodeId, amount));
}

export function withdrawUnbonded(ctx: ActionContext, nodeId: bigint, report: Reporter) {
  return sendTx(report, "Withdraw", () => ctx.contracts.staking.connect(ctx.signer).withdraw(nodeId));
}

export function claimYield(ctx: ActionContext, nodeId: bigint, report: Reporter) {
  return sendTx(report, "Claim yield", () => ctx.contracts.staking.connect(ctx.signer).claim(nodeId));
}

export function claimAndRedelegate(ctx: ActionContext, fromNodeId: bigint, toNodeId: bigint, report: Reporter) {
  return sendTx(report, "Claim and redelegate", () =>
    ctx.contracts.staking.connect(ctx.signer).claimAndRedelegate(fromNodeId, toNodeId),
  );
}

/** Claims one leaf of a proof file for its account (anyone may send it; the ERA goes to the leaf's account). */
export function claimLeaf(ctx: ActionContext, file: ProofFile, claim: SubsidyProof | RewardProof, report: Reporter) {
  const distributor = ctx.contracts.distributor.connect(ctx.signer);
  if (file.kind === "subsidy") {
    const c = claim as SubsidyProof;
    return sendTx(report, "Claim subsidy", () =>
      distributor.claimSubsidy(file.epochId, c.index, c.account, c.scenarioId, c.baseAmount, c.mau, c.proof),
    );
  }
  const c = claim as RewardProof;
  return sendTx(report, "Claim reward", () =>
    distributor.claimReward(file.epochId, c.index, c.account, c.amount, c.proof),
  );
}

/** Claims the sender's own reward leaf and delegates it to `nodeId` in the same transaction. */
export function claimRewardAndDelegate(
  ctx: ActionContext,
  file: ProofFile & { kind: "reward" },
  claim: RewardProof,
  nodeId: bigint,
  report: Reporter,
) {
  return sendTx(report, "Claim reward and delegate", () =>
    ctx.contracts.distributor
      .connect(ctx.signer)
      .claimRewardAndDelegate(file.epochId, claim.index, claim.amount, claim.proof, nodeId),
  );
}
