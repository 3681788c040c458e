import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  ECONOMY_DEFAULTS,
  ERA,
  ROLES,
  fundedEconomyFixture,
  viaTimelock,
  type EconomyFixture,
} from "../helpers/fixtures";
import type { EraToken, NodeRegistry } from "../../typechain-types";

export interface RegistryFixture extends EconomyFixture {
  signingKeys: string[];
  /** A test signer holding SLASHER_ROLE, granted by governance through the timelock. */
  slasher: HardhatEthersSigner;
  /** Receives slashed ERA. */
  recipient: HardhatEthersSigner;
  minBond: bigint;
  period: bigint;
}

/**
 * `fundedEconomyFixture` plus a slasher: governance grants SLASHER_ROLE of the node registry to a test signer, as it
 * would to a fraud-proof contract of the execution layer.
 */
export async function registryFixture(): Promise<RegistryFixture> {
  const f = await fundedEconomyFixture();
  const signers = await ethers.getSigners();
  const slasher = signers[13];
  const recipient = signers[14];
  await viaTimelock(
    f,
    f.nodeRegistry,
    f.nodeRegistry.interface.encodeFunctionData("grantRole", [ROLES.SLASHER, slasher.address]),
  );
  return {
    ...f,
    slasher,
    recipient,
    minBond: await f.nodeRegistry.minBond(),
    period: await f.nodeRegistry.unbondingPeriod(),
  };
}

export interface FreshRegistryFixture {
  token: EraToken;
  registry: NodeRegistry;
  admin: HardhatEthersSigner;
  operator: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
}

/**
 * A NodeRegistry deployed directly (no Ignition), whose admin is a plain signer that also holds SLASHER_ROLE, and whose
 * staking contract is not wired in yet.
 */
export async function freshRegistryFixture(): Promise<FreshRegistryFixture> {
  const [admin, operator, stranger] = await ethers.getSigners();
  const token = await ethers.deployContract("EraToken", [
    1_000_000n * ERA,
    admin.address,
    operator.address,
    100_000n * ERA,
  ]);
  const registry = await ethers.deployContract("NodeRegistry", [
    await token.getAddress(),
    admin.address,
    ECONOMY_DEFAULTS.minBond,
    ECONOMY_DEFAULTS.nodeUnbondingPeriod,
  ]);
  await registry.grantRole(ROLES.SLASHER, admin.address);
  return { token, registry, admin, operator, stranger };
}
