import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { AddressLike, BaseContract, BigNumberish } from "ethers";
import { DAY, ERA, ROLES, fundedEconomyFixture, viaTimelock, type EconomyFixture } from "../helpers/fixtures";
import type { DelegatedStaking, EraToken, HookToken, StakingMockRegistry } from "../../typechain-types";

// ---------------------------------------------------------------------------------------------------------------------
// The contract's arithmetic, mirrored in bigint (every division rounds down unless named `ceil…`).
// ---------------------------------------------------------------------------------------------------------------------

export const BPS = 10_000n;
export const WAD = 10n ** 18n;
export const YEAR = 365n * DAY;
/** stake × aprBps × wad-seconds / YIELD_DENOMINATOR = ERA wei. */
export const YIELD_DENOMINATOR = BPS * YEAR * WAD;
/** Scale of a node's accumulator (`accYieldPerShare`): wei per share × YIELD_DENOMINATOR. */
export const ACC_PRECISION = YIELD_DENOMINATOR;
export const MIN_APR_BPS = 800n;
export const MAX_APR_BPS = 1_200n;
export const MAX_SCORE_BPS = 10_000n;
export const MAX_UNBONDING_ENTRIES = 32n;
export const UNBONDING_PERIOD = 7n * DAY;
export const MIN_UNBONDING_PERIOD = DAY;
export const MAX_UNBONDING_PERIOD = 60n * DAY;
/** Reserve funded by `stakingFixture`. */
export const RESERVE = 1_000_000n * ERA;

export const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** APR of a score: 8% + 4% × score, rounded down to a basis point. */
export const aprOfScore = (scoreBps: bigint): bigint =>
  MIN_APR_BPS + ((MAX_APR_BPS - MIN_APR_BPS) * scoreBps) / MAX_SCORE_BPS;

/** What a node with `stake` at `aprBps` accrues over `effWad` wad-seconds of the effective clock (rounded down). */
export const nodeYieldEff = (stake: bigint, aprBps: bigint, effWad: bigint): bigint =>
  (stake * aprBps * effWad) / YIELD_DENOMINATOR;

/** What a node with `stake` at `aprBps` accrues over `seconds` of fully funded time (rounded down). */
export const nodeYield = (stake: bigint, aprBps: bigint, seconds: bigint): bigint =>
  nodeYieldEff(stake, aprBps, seconds * WAD);

/**
 * Accumulator growth of a pool over `effWad` wad-seconds of the effective clock: stake × aprBps × effWad / shares,
 * rounded down once (exact while stake = shares).
 */
export const accIncrementEff = (stake: bigint, shares: bigint, aprBps: bigint, effWad: bigint): bigint =>
  shares === 0n ? 0n : (stake * aprBps * effWad) / shares;

/** Accumulator growth of a pool over `seconds` of fully funded time. */
export const accIncrement = (stake: bigint, shares: bigint, aprBps: bigint, seconds: bigint): bigint =>
  accIncrementEff(stake, shares, aprBps, seconds * WAD);

/** Yield of a position of `shares` for an accumulator growth of `accDelta`. */
export const positionYield = (shares: bigint, accDelta: bigint): bigint => (shares * accDelta) / ACC_PRECISION;

/** What the reserve is charged for an interval of `seconds` at global rate `rate` (rounded up). */
export const reserveCharge = (rate: bigint, seconds: bigint): bigint =>
  ceilDiv(rate * seconds * WAD, YIELD_DENOMINATOR);

// ---------------------------------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------------------------------

export interface StakingFixture extends EconomyFixture {
  /** Holds NodeRegistry's SLASHER_ROLE (granted through the timelock). */
  slasher: HardhatEthersSigner;
  /** Receives slashed ERA. */
  slashRecipient: HardhatEthersSigner;
  stakingAddress: string;
}

/**
 * The funded economy, plus: a `slasher` signer holding NodeRegistry's SLASHER_ROLE (granted through the timelock),
 * unlimited approvals of the staking contract by alice, bob, carol, attacker and treasury, and an EMPTY reserve.
 */
export async function unfundedStakingFixture(): Promise<StakingFixture> {
  const f = await fundedEconomyFixture();
  const signers = await ethers.getSigners();
  const slasher = signers[13];
  const slashRecipient = signers[14];
  await viaTimelock(
    f,
    f.nodeRegistry,
    f.nodeRegistry.interface.encodeFunctionData("grantRole", [ROLES.SLASHER, slasher.address]),
  );
  const stakingAddress = await f.staking.getAddress();
  for (const who of [f.alice, f.bob, f.carol, f.attacker, f.treasury]) {
    await f.token.connect(who).approve(stakingAddress, ethers.MaxUint256);
  }
  return { ...f, slasher, slashRecipient, stakingAddress };
}

/** `unfundedStakingFixture` with a reserve of `RESERVE` (1,000,000 ERA) funded by the treasury. */
export async function stakingFixture(): Promise<StakingFixture> {
  const f = await unfundedStakingFixture();
  await f.staking.connect(f.treasury).fundReserve(RESERVE);
  return f;
}

export interface IsolatedFixture {
  staking: DelegatedStaking;
  token: HookToken;
  registry: StakingMockRegistry;
  admin: HardhatEthersSigner;
  scoreKeeper: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  recipient: HardhatEthersSigner;
  stakingAddress: string;
}

/** A DelegatedStaking of `token` reading `registry`, `admin` holding DEFAULT_ADMIN_ROLE, unbonding `UNBONDING_PERIOD`. */
export async function deployStaking(
  token: BaseContract,
  registry: BaseContract,
  admin: string,
): Promise<DelegatedStaking> {
  return ethers.deployContract("DelegatedStaking", [
    await token.getAddress(),
    await registry.getAddress(),
    admin,
    UNBONDING_PERIOD,
  ]);
}

/**
 * A DelegatedStaking on its own: a mintable token with a transfer hook (no supply cap, re-entrancy attempts), and a
 * mock registry (node 1 active) that forwards any slash. `admin` holds DEFAULT_ADMIN_ROLE and SCORE_KEEPER_ROLE.
 */
export async function isolatedFixture(): Promise<IsolatedFixture> {
  const [admin, scoreKeeper, alice, bob, recipient] = await ethers.getSigners();
  const token = await ethers.deployContract("HookToken");
  const registry = await ethers.deployContract("StakingMockRegistry");
  const staking = await deployStaking(token, registry, admin.address);
  await registry.setStaking(await staking.getAddress());
  await registry.setActive(1, true);
  await staking.grantRole(ROLES.SCORE_KEEPER, scoreKeeper.address);
  const stakingAddress = await staking.getAddress();
  for (const who of [admin, alice, bob]) {
    await token.connect(who).approve(stakingAddress, ethers.MaxUint256);
  }
  return { staking, token, registry, admin, scoreKeeper, alice, bob, recipient, stakingAddress };
}

// ---------------------------------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------------------------------

/** Timestamp of the latest block, as a bigint. */
export const now = async (): Promise<bigint> => BigInt(await time.latest());

/** Makes the next transaction land exactly at `timestamp`. */
export const at = async (timestamp: bigint): Promise<void> => time.setNextBlockTimestamp(timestamp);

/** Timestamp of the block that mined `tx`. */
export async function timestampOf(tx: { wait(): Promise<{ blockNumber: number } | null> }): Promise<bigint> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("transaction not mined");
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  if (block === null) throw new Error("block not found");
  return BigInt(block.timestamp);
}

/**
 * Slashes `fromDelegators` ERA from `nodeId`'s delegators through NodeRegistry.slash: the registry takes the node's
 * whole bond (active and unbonding) first, so the requested amount is the bond plus `fromDelegators`.
 */
export async function slashThroughRegistry(f: StakingFixture, nodeId: BigNumberish, fromDelegators: bigint) {
  const node = await f.nodeRegistry.getNode(nodeId);
  const amount = node.bond + node.unbondingBond + fromDelegators;
  return f.nodeRegistry
    .connect(f.slasher)
    .slash(nodeId, amount, f.slashRecipient.address, ethers.encodeBytes32String("test"));
}

/** The operator of `nodeId` tops its bond back up to the minimum, which reactivates an exiting node. */
export async function reactivate(f: StakingFixture, nodeId: bigint, operator: HardhatEthersSigner) {
  const minBond = await f.nodeRegistry.minBond();
  const bond = (await f.nodeRegistry.getNode(nodeId)).bond;
  await f.token.connect(operator).approve(await f.nodeRegistry.getAddress(), minBond - bond);
  await f.nodeRegistry.connect(operator).topUp(nodeId, minBond - bond);
}

// ---------------------------------------------------------------------------------------------------------------------
// Solvency
// ---------------------------------------------------------------------------------------------------------------------

export interface Solvency {
  balance: bigint;
  pools: bigint;
  reserve: bigint;
  yieldOwed: bigint;
  claimable: bigint;
}

/**
 * Asserts the staking contract is solvent, as of the latest block:
 *   token.balanceOf(staking) ≥ Σ pool stakes + Σ unbonding stakes + reserve + yieldOwed, and
 *   yieldOwed ≥ Σ over `delegators` of everything they could claim (settled yield + unsettled yield of every node).
 */
export async function expectSolvent(
  staking: DelegatedStaking,
  token: EraToken | HookToken,
  nodeIds: BigNumberish[],
  delegators: AddressLike[],
): Promise<Solvency> {
  const balance = await token.balanceOf(await staking.getAddress());
  let pools = 0n;
  for (const id of nodeIds) {
    const pool = await staking.nodePool(id);
    pools += pool.stake + pool.unbondingStake;
  }
  const [reserve, yieldOwed] = await staking.reserveStatus();
  expect(balance, "balance covers stakes, unbonding, reserve and owed yield").to.be.gte(pools + reserve + yieldOwed);

  let claimable = 0n;
  for (const who of delegators) {
    const address = await ethers.resolveAddress(who);
    // claimableYield(d, n) = settledYield(d) + what is still unsettled with n.
    const settled = await staking.settledYield(address);
    claimable += settled;
    for (const id of nodeIds) claimable += (await staking.claimableYield(address, id)) - settled;
  }
  expect(yieldOwed, "owed yield covers every delegator's claim").to.be.gte(claimable);
  return { balance, pools, reserve, yieldOwed, claimable };
}
