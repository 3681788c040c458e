import type { ContractRunner, Provider } from "ethers";
import {
  DelegatedStaking__factory,
  EpochDistributor__factory,
  EraToken__factory,
  NodeRegistry__factory,
  type DelegatedStaking,
  type EpochDistributor,
  type EraToken,
  type NodeRegistry,
} from "../../../typechain-types";
import type { StakingAddresses } from "./deployment";
import { nodeStatusOf, parseNodeMetadata, type NodeRow } from "./nodes";

/** Typed handles on the contracts the page uses. */
export interface StakingContracts {
  token: EraToken;
  registry: NodeRegistry;
  staking: DelegatedStaking;
  distributor: EpochDistributor;
}

export function connectStaking(addresses: StakingAddresses, runner: ContractRunner): StakingContracts {
  return {
    token: EraToken__factory.connect(addresses.token, runner),
    registry: NodeRegistry__factory.connect(addresses.nodeRegistry, runner),
    staking: DelegatedStaking__factory.connect(addresses.staking, runner),
    distributor: EpochDistributor__factory.connect(addresses.distributor, runner),
  };
}

export interface UnbondingView {
  /** Index in the contract's list (changes when entries are withdrawn). */
  index: number;
  releaseAt: bigint;
  /** ERA the entry is worth now (less than undelegated if the node was slashed since). */
  value: bigint;
}

export interface PositionView {
  nodeId: bigint;
  /** ERA of active stake. */
  stake: bigint;
  /** Yield accrued on this node and not yet settled (excludes the account's settled yield). */
  unsettledYield: bigint;
  unbondings: UnbondingView[];
}

export interface AccountView {
  address: string;
  balance: bigint;
  /** What the staking contract may already spend of the account's ERA. */
  allowance: bigint;
  /** Yield settled from any node and not yet claimed (paid by the next claim on any node). */
  settledYield: bigint;
  /** Positions with stake, yield or unbonding entries, by node id. */
  positions: PositionView[];
}

export interface ChainSnapshot {
  blockNumber: number;
  blockTimestamp: bigint;
  /** Wall-clock milliseconds when the snapshot was read. */
  readAtMs: number;
  unbondingPeriod: bigint;
  /** Seconds of yield the staking reserve still covers at the current rate. */
  secondsCovered: bigint;
  nodes: NodeRow[];
  account?: AccountView;
}

/** Every read of a snapshot is made at the same block. */
interface At {
  blockTag: number;
}

async function readNode(c: StakingContracts, id: bigint, at: At): Promise<NodeRow> {
  const [node, pool] = await Promise.all([c.registry.getNode(id, at), c.staking.nodePool(id, at)]);
  const metadata = parseNodeMetadata(node.metadataURI);
  return {
    id,
    name: metadata.name ?? `Node ${id}`,
    description: metadata.description ?? "",
    website: metadata.website ?? "",
    metadataURI: node.metadataURI,
    operator: node.operator,
    status: nodeStatusOf(node.status),
    bond: node.bond,
    delegated: pool.stake,
    scoreBps: pool.scoreBps,
    aprBps: pool.aprBps,
  };
}

async function readPosition(c: StakingContracts, account: string, nodeId: bigint, settled: bigint, at: At) {
  const [stake, claimable, entries] = await Promise.all([
    c.staking.stakeOf(account, nodeId, at),
    c.staking.claimableYield(account, nodeId, at),
    c.staking.unbondingsOf(account, nodeId, at),
  ]);
  const values = await Promise.all(entries.map((_, i) => c.staking.unbondingValue(account, nodeId, i, at)));
  const unbondings = entries
    .map((entry, index): UnbondingView => ({ index, releaseAt: entry.releaseAt, value: values[index] }))
    .sort((a, b) => (a.releaseAt < b.releaseAt ? -1 : a.releaseAt > b.releaseAt ? 1 : a.index - b.index));
  const position: PositionView = { nodeId, stake, unsettledYield: claimable - settled, unbondings };
  return position;
}

/** Reads everything the page shows, at one block (the latest when the read starts). */
export async function readSnapshot(c: StakingContracts, provider: Provider, account?: string): Promise<ChainSnapshot> {
  const block = await provider.getBlock("latest");
  if (!block) throw new Error("The RPC endpoint returned no latest block.");
  const at: At = { blockTag: block.number };
  const [count, unbondingPeriod, reserve] = await Promise.all([
    c.registry.nodeCount(at),
    c.staking.unbondingPeriod(at),
    c.staking.reserveStatus(at),
  ]);
  const ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
  const nodes = await Promise.all(ids.map((id) => readNode(c, id, at)));
  let accountView: AccountView | undefined;
  if (account) {
    const [balance, allowance, settledYield] = await Promise.all([
      c.token.balanceOf(account, at),
      c.token.allowance(account, await c.staking.getAddress(), at),
      c.staking.settledYield(account, at),
    ]);
    const positions = await Promise.all(ids.map((id) => readPosition(c, account, id, settledYield, at)));
    accountView = {
      address: account,
      balance,
      allowance,
      settledYield,
      positions: positions.filter((p) => p.stake > 0n || p.unsettledYield > 0n || p.unbondings.length > 0),
    };
  }
  return {
    blockNumber: block.number,
    blockTimestamp: BigInt(block.timestamp),
    readAtMs: Date.now(),
    unbondingPeriod,
    secondsCovered: reserve.secondsCovered,
    nodes,
    account: accountView,
  };
}

/** The chain's time now, extrapolated from the snapshot's block by the wall-clock time since it was read. */
export function chainTimeAt(snapshot: Pick<ChainSnapshot, "blockTimestamp" | "readAtMs">, nowMs: number): bigint {
  return snapshot.blockTimestamp + BigInt(Math.max(0, Math.floor((nowMs - snapshot.readAtMs) / 1000)));
}
