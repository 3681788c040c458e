import type { ContractRunner } from "ethers";
import {
  BatchCommitments__factory,
  ExecutionHub__factory,
  NotaryRegistry__factory,
  SettlementEngine__factory,
  type BatchCommitments,
  type ExecutionHub,
  type NotaryRegistry,
  type SettlementEngine,
  DelegatedStaking__factory,
  EpochDistributor__factory,
  EraTimelock__factory,
  EraToken__factory,
  NodeRegistry__factory,
  RevenueRouter__factory,
  ScenarioRegistry__factory,
  type DelegatedStaking,
  type EpochDistributor,
  type EraTimelock,
  type EraToken,
  type NodeRegistry,
  type RevenueRouter,
  type ScenarioRegistry,
} from "../../typechain-types";

/** Addresses of a deployed economy, as the Ignition module "Economy" names them. */
export interface EconomyAddresses {
  timelock: string;
  token: string;
  nodeRegistry: string;
  staking: string;
  scenarioRegistry: string;
  distributor: string;
  revenueRouter: string;
}

/** Typed handles on every contract of the economy. */
export interface Economy {
  addresses: EconomyAddresses;
  timelock: EraTimelock;
  token: EraToken;
  nodeRegistry: NodeRegistry;
  staking: DelegatedStaking;
  scenarioRegistry: ScenarioRegistry;
  distributor: EpochDistributor;
  revenueRouter: RevenueRouter;
}

/** Scenario classes, in the contracts' enum order. */
export enum ScenarioClass {
  Financial = 0,
  Enterprise = 1,
  Lightweight = 2,
}

/** Epoch kinds, in the contracts' enum order. */
export enum EpochKind {
  DeveloperSubsidy = 0,
  UserReward = 1,
}

/** Connects typed contract handles to a deployment. */
export function connectEconomy(addresses: EconomyAddresses, runner: ContractRunner): Economy {
  return {
    addresses,
    timelock: EraTimelock__factory.connect(addresses.timelock, runner),
    token: EraToken__factory.connect(addresses.token, runner),
    nodeRegistry: NodeRegistry__factory.connect(addresses.nodeRegistry, runner),
    staking: DelegatedStaking__factory.connect(addresses.staking, runner),
    scenarioRegistry: ScenarioRegistry__factory.connect(addresses.scenarioRegistry, runner),
    distributor: EpochDistributor__factory.connect(addresses.distributor, runner),
    revenueRouter: RevenueRouter__factory.connect(addresses.revenueRouter, runner),
  };
}

/** Addresses of the whole suite (economy + execution layer), as the Ignition module "Suite" names them. */
export interface SuiteAddresses extends EconomyAddresses {
  settlementEngine: string;
  notaryRegistry: string;
  executionHub: string;
  batchCommitments: string;
}

/** Typed handles on every contract of the suite. */
export interface Suite extends Omit<Economy, "addresses"> {
  addresses: SuiteAddresses;
  settlementEngine: SettlementEngine;
  notaryRegistry: NotaryRegistry;
  executionHub: ExecutionHub;
  batchCommitments: BatchCommitments;
}

/** Execution modes, in the contracts' enum order. */
export enum ExecutionMode {
  Standard = 0,
  AtomicSettlement = 1,
  Notarized = 2,
  Lightweight = 3,
}

/** Settlement statuses (`ISettlementEngine.Status`), in the contract's enum order. */
export enum SettlementStatus {
  None = 0,
  Settled = 1,
  Locked = 2,
  Committed = 3,
  Refunded = 4,
}

/** Connects typed contract handles to a whole-suite deployment. */
export function connectSuite(addresses: SuiteAddresses, runner: ContractRunner): Suite {
  return {
    ...connectEconomy(addresses, runner),
    addresses,
    settlementEngine: SettlementEngine__factory.connect(addresses.settlementEngine, runner),
    notaryRegistry: NotaryRegistry__factory.connect(addresses.notaryRegistry, runner),
    executionHub: ExecutionHub__factory.connect(addresses.executionHub, runner),
    batchCommitments: BatchCommitments__factory.connect(addresses.batchCommitments, runner),
  };
}

/** Reads the addresses of an Ignition result ({ name: contract }) into `EconomyAddresses`. */
export async function addressesOf<K extends string>(
  deployed: Record<K, { getAddress(): Promise<string> }>,
): Promise<Record<K, string>> {
  const entries = await Promise.all(
    (Object.keys(deployed) as K[]).map(async (k) => [k, await deployed[k].getAddress()] as const),
  );
  return Object.fromEntries(entries) as Record<K, string>;
}
