import { ethers, ignition } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract, BigNumberish, Signature } from "ethers";
import SuiteModule, { ECONOMY_DEFAULTS, EXECUTION_DEFAULTS, ROLES } from "../../deploy/modules/Suite";
import localParameters from "../../deploy/parameters/local.json";
import { addressesOf, connectSuite, ExecutionMode, ScenarioClass, type Suite } from "../../src/sdk/economy";
import { PERMIT_TYPES } from "../../src/sdk/permit";
import type { EraToken } from "../../typechain-types";

export { ROLES, ECONOMY_DEFAULTS, EXECUTION_DEFAULTS, ScenarioClass, ExecutionMode };
export const ERA = 10n ** 18n;
export const DAY = 24n * 60n * 60n;
/** One month as DESIGN.md §3 defines it: 365/12 days. */
export const MONTH = (365n * DAY) / 12n;

export interface Actors {
  deployer: HardhatEthersSigner;
  governor: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  publisher: HardhatEthersSigner;
  scoreKeeper: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  operator1: HardhatEthersSigner;
  operator2: HardhatEthersSigner;
  developer: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  attacker: HardhatEthersSigner;
}

export interface EconomyFixture extends Suite, Actors {}

async function actors(): Promise<Actors> {
  const s = await ethers.getSigners();
  return {
    deployer: s[0],
    governor: s[1],
    guardian: s[2],
    publisher: s[3],
    scoreKeeper: s[4],
    treasury: s[5],
    operator1: s[6],
    operator2: s[7],
    developer: s[8],
    alice: s[9],
    bob: s[10],
    carol: s[11],
    attacker: s[12],
  };
}

/**
 * The whole suite (economy + execution layer) exactly as the Ignition module "Suite" deploys it: admin of every
 * contract = timelock, deployer powerless.
 */
export async function economyFixture(): Promise<EconomyFixture> {
  const a = await actors();
  const deployed = await ignition.deploy(SuiteModule, { parameters: localParameters });
  const suite = connectSuite(await addressesOf(deployed), a.deployer);
  return { ...suite, ...a };
}

/**
 * The economy with money where the tests need it: 1,000,000 ERA for each operator, developer and user, two active
 * nodes (operator1 → node 1, operator2 → node 2, bond = minimum) and one scenario of each class owned by `developer`
 * and served by node 1 (ids 1 financial, 2 enterprise, 3 lightweight).
 */
export async function fundedEconomyFixture(): Promise<EconomyFixture & { signingKeys: string[] }> {
  const f = await economyFixture();
  const grant = 1_000_000n * ERA;
  for (const who of [f.operator1, f.operator2, f.developer, f.alice, f.bob, f.carol, f.attacker]) {
    await f.token.connect(f.treasury).transfer(who.address, grant);
  }
  const signingKeys = [ethers.Wallet.createRandom().address, ethers.Wallet.createRandom().address];
  const minBond = await f.nodeRegistry.minBond();
  for (const [i, op] of [f.operator1, f.operator2].entries()) {
    await f.token.connect(op).approve(await f.nodeRegistry.getAddress(), minBond);
    await f.nodeRegistry.connect(op).register(signingKeys[i], `ipfs://node-${i + 1}`, minBond);
  }
  for (const cls of [ScenarioClass.Financial, ScenarioClass.Enterprise, ScenarioClass.Lightweight]) {
    await f.scenarioRegistry.connect(f.developer).registerScenario(cls, 1, `ipfs://scenario-${cls}`);
  }
  return { ...f, signingKeys };
}

/**
 * Runs `target.fn(...args)` through the timelock, as governance does: the governor schedules, the delay passes,
 * anyone executes. Returns the execution transaction.
 */
export async function viaTimelock(f: EconomyFixture, target: BaseContract, data: string) {
  const to = await target.getAddress();
  const salt = ethers.hexlify(ethers.randomBytes(32));
  const delay = await f.timelock.getMinDelay();
  await f.timelock.connect(f.governor).schedule(to, 0, data, ethers.ZeroHash, salt, delay);
  await time.increase(delay);
  return f.timelock.connect(f.governor).execute(to, 0, data, ethers.ZeroHash, salt);
}

/** Signs an EIP-2612 permit of `token` for `spender`. */
export async function signPermit(
  token: EraToken,
  owner: HardhatEthersSigner,
  spender: string,
  value: BigNumberish,
  deadline: BigNumberish,
): Promise<Signature> {
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { name: "ERA", version: "1", chainId, verifyingContract: await token.getAddress() };
  const nonce = await token.nonces(owner.address);
  const sig = await owner.signTypedData(domain, PERMIT_TYPES, {
    owner: owner.address,
    spender,
    value,
    nonce,
    deadline,
  });
  return ethers.Signature.from(sig);
}
