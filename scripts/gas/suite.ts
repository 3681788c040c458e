import hre from "hardhat";
import { ethers as ethersLib, type ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import SuiteModule from "../../deploy/modules/Suite";
import localParameters from "../../deploy/parameters/local.json";
import { addressesOf, connectSuite, type Suite } from "../../src/sdk/economy";

export const ERA = 10n ** 18n;
/** Deterministic signing-key addresses (random ones would change calldata, hence gas, from run to run). */
export const keyOf = (label: string) => ethersLib.getAddress(ethersLib.dataSlice(ethersLib.id(label), 12));

/** Receipt `gasUsed` of a transaction. */
export async function gas(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction was not mined");
  return Number(receipt.gasUsed);
}

export interface GasSigners {
  deployer: HardhatEthersSigner;
  publisher: HardhatEthersSigner;
  scoreKeeper: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  op1: HardhatEthersSigner;
  op2: HardhatEthersSigner;
  developer: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  /** The signers after the named ones (free for other uses). */
  rest: HardhatEthersSigner[];
}

/**
 * The suite as Ignition deploys it with the local parameters, with 1,000,000 ERA for each of op1, op2, developer,
 * alice and bob, a staking reserve of 1,000,000 ERA, nodes 1 (op1, score 5,000) and 2 (op2) registered. Returns the
 * gas of node 1's registration too.
 */
export async function deployFundedSuite(): Promise<{ e: Suite; s: GasSigners; registerGas: number }> {
  const all = await hre.ethers.getSigners();
  const [deployer, , , publisher, scoreKeeper, treasury, op1, op2, developer, alice, bob, ...rest] = all;
  const s: GasSigners = { deployer, publisher, scoreKeeper, treasury, op1, op2, developer, alice, bob, rest };
  const deployed = await hre.ignition.deploy(SuiteModule, { parameters: localParameters });
  const e = connectSuite(await addressesOf(deployed), deployer);
  const a = e.addresses;
  for (const who of [op1, op2, developer, alice, bob])
    await (await e.token.connect(treasury).transfer(who, 1_000_000n * ERA)).wait();
  await (await e.token.connect(treasury).approve(a.staking, 1_000_000n * ERA)).wait();
  await (await e.staking.connect(treasury).fundReserve(1_000_000n * ERA)).wait();

  const minBond = await e.nodeRegistry.minBond();
  await (await e.token.connect(op1).approve(a.nodeRegistry, minBond)).wait();
  const registerGas = await gas(e.nodeRegistry.connect(op1).register(keyOf("node-1"), "ipfs://n1", minBond));
  await (await e.token.connect(op2).approve(a.nodeRegistry, minBond)).wait();
  await (await e.nodeRegistry.connect(op2).register(keyOf("node-2"), "ipfs://n2", minBond)).wait();
  await (await e.staking.connect(scoreKeeper).setScore(1, 5_000)).wait();
  return { e, s, registerGas };
}
