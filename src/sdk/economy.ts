import type { ContractRunner } from "ethers";
import {
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

/** Reads the addresses of an Ignition result ({ name: contract }) into `EconomyAddresses`. */
export async function addressesOf(deployed: Record<keyof EconomyAddresses, { getAddress(): Promise<string> }>) {
  const entries = await Promise.all(
    (Object.keys(deployed) as (keyof EconomyAddresses)[]).map(async (k) => [k, await deployed[k].getAddress()]),
  );
  return Object.fromEntries(entries) as EconomyAddresses;
}
