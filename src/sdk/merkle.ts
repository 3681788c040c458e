import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

/**
 * Leaf encodings of the EpochDistributor (see IEpochDistributor). Every leaf starts with the chain id, the
 * distributor's address and the epoch id, so a proof is only valid for one chain, one distributor and one epoch.
 */
export const SUBSIDY_LEAF_TYPES = [
  "uint256", // chainId
  "address", // distributor
  "uint256", // epochId
  "uint256", // index
  "address", // account
  "uint256", // scenarioId
  "uint256", // baseAmount
  "uint256", // mau
] as const;

export const REWARD_LEAF_TYPES = [
  "uint256", // chainId
  "address", // distributor
  "uint256", // epochId
  "uint256", // index
  "address", // account
  "uint256", // amount
] as const;

/** The scope every leaf is bound to. */
export interface EpochScope {
  chainId: bigint;
  distributor: string;
  epochId: bigint;
}

export interface SubsidyEntry {
  account: string;
  scenarioId: bigint;
  baseAmount: bigint;
  mau: bigint;
}

export interface RewardEntry {
  account: string;
  amount: bigint;
}

/** A claim as the contract takes it: the leaf's own fields plus its proof. */
export interface SubsidyClaim extends SubsidyEntry {
  epochId: bigint;
  index: bigint;
  proof: string[];
}

export interface RewardClaim extends RewardEntry {
  epochId: bigint;
  index: bigint;
  proof: string[];
}

/** MAU above which the contract adds the bonus (strictly greater). */
export const MAU_BONUS_THRESHOLD = 100_000n;
/** The bonus in basis points of the base subsidy. */
export const MAU_BONUS_BPS = 1_000n;

/** What the distributor pays for a leaf: base, plus 10% (rounded down) when MAU > 100,000. */
export function subsidyFor(baseAmount: bigint, mau: bigint): bigint {
  return mau > MAU_BONUS_THRESHOLD ? baseAmount + (baseAmount * MAU_BONUS_BPS) / 10_000n : baseAmount;
}

type SubsidyLeaf = [bigint, string, bigint, bigint, string, bigint, bigint, bigint];
type RewardLeaf = [bigint, string, bigint, bigint, string, bigint];

/** A developer-subsidy epoch tree with its claims and the budget it needs (bonus included). */
export class SubsidyTree {
  readonly tree: StandardMerkleTree<SubsidyLeaf>;
  readonly budget: bigint;

  constructor(
    readonly scope: EpochScope,
    readonly entries: readonly SubsidyEntry[],
  ) {
    if (entries.length === 0) throw new Error("A subsidy epoch needs at least one entry.");
    const leaves: SubsidyLeaf[] = entries.map((e, i) => [
      scope.chainId,
      scope.distributor,
      scope.epochId,
      BigInt(i),
      e.account,
      e.scenarioId,
      e.baseAmount,
      e.mau,
    ]);
    this.tree = StandardMerkleTree.of(leaves, [...SUBSIDY_LEAF_TYPES]);
    this.budget = entries.reduce((sum, e) => sum + subsidyFor(e.baseAmount, e.mau), 0n);
  }

  get root(): string {
    return this.tree.root;
  }

  claim(index: number): SubsidyClaim {
    const entry = this.entries[index];
    if (entry === undefined) throw new RangeError(`No subsidy leaf ${index}; the tree has ${this.entries.length}.`);
    return { ...entry, epochId: this.scope.epochId, index: BigInt(index), proof: this.tree.getProof(index) };
  }
}

/** A user-reward epoch tree with its claims and its budget. */
export class RewardTree {
  readonly tree: StandardMerkleTree<RewardLeaf>;
  readonly budget: bigint;

  constructor(
    readonly scope: EpochScope,
    readonly entries: readonly RewardEntry[],
  ) {
    if (entries.length === 0) throw new Error("A reward epoch needs at least one entry.");
    const leaves: RewardLeaf[] = entries.map((e, i) => [
      scope.chainId,
      scope.distributor,
      scope.epochId,
      BigInt(i),
      e.account,
      e.amount,
    ]);
    this.tree = StandardMerkleTree.of(leaves, [...REWARD_LEAF_TYPES]);
    this.budget = entries.reduce((sum, e) => sum + e.amount, 0n);
  }

  get root(): string {
    return this.tree.root;
  }

  claim(index: number): RewardClaim {
    const entry = this.entries[index];
    if (entry === undefined) throw new RangeError(`No reward leaf ${index}; the tree has ${this.entries.length}.`);
    return { ...entry, epochId: this.scope.epochId, index: BigInt(index), proof: this.tree.getProof(index) };
  }
}
