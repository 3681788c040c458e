import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import { ERA, fundedEconomyFixture, viaTimelock, type EconomyFixture } from "../helpers/fixtures";
import { EpochKind } from "../../src/sdk/economy";
import {
  RewardTree,
  SubsidyTree,
  type EpochScope,
  type RewardClaim,
  type RewardEntry,
  type SubsidyClaim,
  type SubsidyEntry,
} from "../../src/sdk/merkle";
import type { EpochDistributor } from "../../typechain-types";

export { EpochKind };

/** What the treasury puts in each pool in `distributorFixture`. */
export const POOL = 1_000_000n * ERA;

export type DistributorFixture = EconomyFixture & { chainId: bigint };

/** `fundedEconomyFixture` with 1,000,000 ERA from the treasury in each pool of the distributor. */
export async function distributorFixture(): Promise<DistributorFixture> {
  const f = await fundedEconomyFixture();
  const { chainId } = await ethers.provider.getNetwork();
  await f.token.connect(f.treasury).approve(await f.distributor.getAddress(), 2n * POOL);
  await f.distributor.connect(f.treasury).fundSubsidies(POOL);
  await f.distributor.connect(f.treasury).fundUserRewards(POOL);
  return { ...f, chainId };
}

/** The scope of the next epoch of `distributor` on this chain. */
export async function nextScope(
  f: DistributorFixture,
  distributor: EpochDistributor = f.distributor,
): Promise<EpochScope> {
  return { chainId: f.chainId, distributor: await distributor.getAddress(), epochId: await distributor.epochCount() };
}

/** Developer subsidies of one month: one leaf above the MAU threshold, one exactly at it, one far above. */
export function subsidyEntries(f: DistributorFixture): SubsidyEntry[] {
  return [
    { account: f.developer.address, scenarioId: 1n, baseAmount: 1_000n * ERA, mau: 100_001n },
    { account: f.developer.address, scenarioId: 2n, baseAmount: 500n * ERA, mau: 100_000n },
    { account: f.carol.address, scenarioId: 3n, baseAmount: 333n * ERA + 7n, mau: 2_500_000n },
  ];
}

/** User rewards of one month. */
export function rewardEntries(f: DistributorFixture): RewardEntry[] {
  return [
    { account: f.alice.address, amount: 100n * ERA },
    { account: f.bob.address, amount: 250n * ERA + 1n },
    { account: f.carol.address, amount: 1n },
  ];
}

export interface Proposed<T> {
  tree: T;
  epochId: bigint;
  opensAt: bigint;
  claimDeadline: bigint;
  tx: ContractTransactionResponse;
}

async function propose<T extends SubsidyTree | RewardTree>(
  f: DistributorFixture,
  kind: EpochKind,
  tree: T,
  budget: bigint,
  distributor: EpochDistributor,
): Promise<Proposed<T>> {
  const tx = await distributor
    .connect(f.publisher)
    .proposeEpoch(kind, tree.root, budget, `ipfs://epoch-${tree.scope.epochId}`);
  const epoch = await distributor.getEpoch(tree.scope.epochId);
  return { tree, epochId: tree.scope.epochId, opensAt: epoch.opensAt, claimDeadline: epoch.claimDeadline, tx };
}

/** Builds a subsidy tree for the next epoch and proposes it with its exact budget (or `budget`). */
export async function proposeSubsidies(
  f: DistributorFixture,
  entries: SubsidyEntry[] = subsidyEntries(f),
  opts: { budget?: bigint; scope?: Partial<EpochScope>; distributor?: EpochDistributor } = {},
): Promise<Proposed<SubsidyTree>> {
  const distributor = opts.distributor ?? f.distributor;
  const tree = new SubsidyTree({ ...(await nextScope(f, distributor)), ...opts.scope }, entries);
  return propose(f, EpochKind.DeveloperSubsidy, tree, opts.budget ?? tree.budget, distributor);
}

/** Builds a reward tree for the next epoch and proposes it with its exact budget (or `budget`). */
export async function proposeRewards(
  f: DistributorFixture,
  entries: RewardEntry[] = rewardEntries(f),
  opts: { budget?: bigint; scope?: Partial<EpochScope>; distributor?: EpochDistributor } = {},
): Promise<Proposed<RewardTree>> {
  const distributor = opts.distributor ?? f.distributor;
  const tree = new RewardTree({ ...(await nextScope(f, distributor)), ...opts.scope }, entries);
  return propose(f, EpochKind.UserReward, tree, opts.budget ?? tree.budget, distributor);
}

/** Submits a subsidy claim from `from` (anyone may submit; the ERA goes to the leaf's account). */
export function claimSubsidy(
  distributor: EpochDistributor,
  from: HardhatEthersSigner,
  c: SubsidyClaim,
  epochId: bigint = c.epochId,
): Promise<ContractTransactionResponse> {
  return distributor
    .connect(from)
    .claimSubsidy(epochId, c.index, c.account, c.scenarioId, c.baseAmount, c.mau, c.proof);
}

/** Submits a reward claim from `from` (anyone may submit; the ERA goes to the leaf's account). */
export function claimReward(
  distributor: EpochDistributor,
  from: HardhatEthersSigner,
  c: RewardClaim,
  epochId: bigint = c.epochId,
): Promise<ContractTransactionResponse> {
  return distributor.connect(from).claimReward(epochId, c.index, c.account, c.amount, c.proof);
}

/** Calls `setWindows` through the timelock. */
export function setWindowsViaTimelock(
  f: EconomyFixture,
  disputeWindow: bigint,
  claimPeriod: bigint,
): Promise<ContractTransactionResponse> {
  const data = f.distributor.interface.encodeFunctionData("setWindows", [disputeWindow, claimPeriod]);
  return viaTimelock(f, f.distributor, data);
}

/** Deploys a second, independent EpochDistributor administered directly by `admin`. */
export async function deployDistributor(
  f: EconomyFixture,
  admin: HardhatEthersSigner,
  args: Partial<{ era: string; staking: string; admin: string; disputeWindow: bigint; claimPeriod: bigint }> = {},
) {
  const factory = await ethers.getContractFactory("EpochDistributor");
  return factory.deploy(
    args.era ?? (await f.token.getAddress()),
    args.staking ?? (await f.staking.getAddress()),
    args.admin ?? admin.address,
    args.disputeWindow ?? (await f.distributor.disputeWindow()),
    args.claimPeriod ?? (await f.distributor.claimPeriod()),
  );
}
