import { getAddress } from "ethers";
import { decodeContractError } from "../../../src/sdk/errors";
import { claimsOf, type ProofFile, type RewardProof, type SubsidyProof } from "../../../src/sdk/proofFile";
import type { StakingContracts } from "./chain";
import { describeChain } from "./deployment";
import { formatUtc } from "./format";

/**
 * Claims from the indexer's proof files: whether a file belongs to this deployment, and where each of its claims
 * stands on chain.
 */

/** A sentence when `file` was published for another chain or distributor than the page's; `undefined` when it fits. */
export function proofFileMismatch(file: ProofFile, chainId: number, distributor: string): string | undefined {
  if (file.chainId !== BigInt(chainId)) {
    return (
      `This proof file is for ${describeChain(file.chainId)}, but this page is on ${describeChain(chainId)}. ` +
      "Open the page of that network, or use this network's file."
    );
  }
  if (getAddress(file.distributor) !== getAddress(distributor)) {
    return (
      `This proof file is for the distributor at ${file.distributor}, not this deployment's (${distributor}). ` +
      "Use the file published for this deployment."
    );
  }
  return undefined;
}

/** What a claim pays. */
export function payoutOf(claim: SubsidyProof | RewardProof): bigint {
  return "payout" in claim ? claim.payout : claim.amount;
}

export type ClaimState =
  | { state: "claimable" }
  | { state: "claimed" }
  | { state: "not-open"; opensAt: bigint }
  | { state: "expired"; deadline: bigint }
  | { state: "vetoed" }
  | { state: "wrong-kind" }
  | { state: "unknown-epoch" };

/** Epoch fields that decide whether a leaf can be claimed. */
export interface EpochFacts {
  /** The contract's EpochKind: 0 developer subsidy, 1 user reward. */
  kind: bigint;
  vetoed: boolean;
  opensAt: bigint;
  claimDeadline: bigint;
}

/** Where a leaf stands, as the contract would judge a claim at `chainTime`. */
export function claimStateOf(
  fileKind: ProofFile["kind"],
  epoch: EpochFacts | undefined,
  claimed: boolean,
  chainTime: bigint,
): ClaimState {
  if (!epoch) return { state: "unknown-epoch" };
  if (claimed) return { state: "claimed" };
  if (epoch.kind !== (fileKind === "subsidy" ? 0n : 1n)) return { state: "wrong-kind" };
  if (epoch.vetoed) return { state: "vetoed" };
  if (chainTime < epoch.opensAt) return { state: "not-open", opensAt: epoch.opensAt };
  if (chainTime > epoch.claimDeadline) return { state: "expired", deadline: epoch.claimDeadline };
  return { state: "claimable" };
}

/** A sentence for a claim's state. */
export function describeClaimState(s: ClaimState): string {
  switch (s.state) {
    case "claimable":
      return "Ready to claim.";
    case "claimed":
      return "Already claimed.";
    case "not-open":
      return `Claims open at ${formatUtc(s.opensAt)}, after the epoch's dispute window.`;
    case "expired":
      return `Claims closed at ${formatUtc(s.deadline)}.`;
    case "vetoed":
      return "Governance vetoed this epoch; wait for a corrected one.";
    case "wrong-kind":
      return "The epoch on chain is of another kind than this file says; the file does not belong to it.";
    case "unknown-epoch":
      return "This epoch is not published on chain (yet).";
  }
}

export interface ClaimRow {
  claim: SubsidyProof | RewardProof;
  payout: bigint;
  status: ClaimState;
}

/** The claims of `file` for `account`, with their on-chain state. */
export async function readClaims(
  c: StakingContracts,
  file: ProofFile,
  account: string,
  chainTime: bigint,
): Promise<ClaimRow[]> {
  const mine: (SubsidyProof | RewardProof)[] = claimsOf(file, account);
  let epoch: EpochFacts | undefined;
  try {
    epoch = await c.distributor.getEpoch(file.epochId);
  } catch (error) {
    if (decodeContractError(error)?.errorName !== "DistributorUnknownEpoch") throw error;
  }
  const claimed = await Promise.all(mine.map((claim) => c.distributor.isClaimed(file.epochId, claim.index)));
  return mine.map((claim, i) => ({
    claim,
    payout: payoutOf(claim),
    status: claimStateOf(file.kind, epoch, claimed[i], chainTime),
  }));
}
