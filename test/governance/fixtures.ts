import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseContract } from "ethers";
import { ERA, fundedEconomyFixture, type EconomyFixture } from "../helpers/fixtures";
import { EpochKind } from "../../src/sdk/economy";
import { RewardTree, SubsidyTree } from "../../src/sdk/merkle";

/** The contracts of the suite that have an emergency pause. */
export function pausables(f: EconomyFixture) {
  return {
    nodeRegistry: f.nodeRegistry,
    staking: f.staking,
    scenarioRegistry: f.scenarioRegistry,
    distributor: f.distributor,
    revenueRouter: f.revenueRouter,
    settlementEngine: f.settlementEngine,
  };
}

/** Every contract whose admin is the timelock: the economy and the execution layer. */
export function governed(f: EconomyFixture) {
  return {
    token: f.token,
    ...pausables(f),
    notaryRegistry: f.notaryRegistry,
    executionHub: f.executionHub,
    batchCommitments: f.batchCommitments,
  };
}

export interface TimelockCall {
  target: BaseContract;
  data: string;
}

/** Schedules a batch through the timelock (as the governor), waits the delay and executes it. */
export async function viaTimelockBatch(f: EconomyFixture, calls: TimelockCall[]) {
  const targets = await Promise.all(calls.map((c) => c.target.getAddress()));
  const values = calls.map(() => 0n);
  const payloads = calls.map((c) => c.data);
  const salt = ethers.hexlify(ethers.randomBytes(32));
  const delay = await f.timelock.getMinDelay();
  await f.timelock.connect(f.governor).scheduleBatch(targets, values, payloads, ethers.ZeroHash, salt, delay);
  await time.increase(delay);
  return f.timelock.connect(f.governor).executeBatch(targets, values, payloads, ethers.ZeroHash, salt);
}

/**
 * The funded economy with money in every flow, so that each inflow and outflow has something to act on:
 * - staking: a 100,000 ERA reserve; alice delegated 20,000 ERA to node 1 and undelegated 5,000 ERA of it (matured);
 * - node registry: operator1 topped up and unbonded 1,000 ERA (matured);
 * - revenue router: the developer paid 50,000 ERA to scenario 1, so the node, the developer and both pools hold
 *   balances;
 * - distributor: epoch 0 (user rewards, expired, sweepable), epoch 1 (user rewards for alice and bob, open) and
 *   epoch 2 (a developer subsidy with the MAU bonus, open).
 */
export async function flowsFixture() {
  const f = await fundedEconomyFixture();
  const addr = {
    registry: await f.nodeRegistry.getAddress(),
    staking: await f.staking.getAddress(),
    router: await f.revenueRouter.getAddress(),
    distributor: await f.distributor.getAddress(),
  };
  for (const who of [f.treasury, f.operator1, f.operator2, f.developer, f.alice, f.bob, f.carol]) {
    for (const spender of Object.values(addr)) await f.token.connect(who).approve(spender, ethers.MaxUint256);
  }

  await f.staking.connect(f.treasury).fundReserve(100_000n * ERA);
  await f.staking.connect(f.alice).delegate(1, 20_000n * ERA);
  await f.staking.connect(f.alice).undelegate(1, 5_000n * ERA);

  await f.nodeRegistry.connect(f.operator1).topUp(1, 1_000n * ERA);
  await f.nodeRegistry.connect(f.operator1).unbond(1, 1_000n * ERA);

  await f.revenueRouter.connect(f.developer).pay(1, 50_000n * ERA);

  await f.distributor.connect(f.treasury).fundSubsidies(10_000n * ERA);
  await f.distributor.connect(f.treasury).fundUserRewards(10_000n * ERA);
  const { chainId } = await ethers.provider.getNetwork();
  const scope = (epochId: bigint) => ({ chainId, distributor: addr.distributor, epochId });

  const expired = new RewardTree(scope(0n), [{ account: f.carol.address, amount: 100n * ERA }]);
  await f.distributor.connect(f.publisher).proposeEpoch(EpochKind.UserReward, expired.root, expired.budget, "");
  const epoch0 = await f.distributor.getEpoch(0);
  await time.increaseTo(epoch0.claimDeadline + 1n);

  const rewards = new RewardTree(scope(1n), [
    { account: f.alice.address, amount: 300n * ERA },
    { account: f.bob.address, amount: 200n * ERA },
  ]);
  await f.distributor.connect(f.publisher).proposeEpoch(EpochKind.UserReward, rewards.root, rewards.budget, "");
  const subsidies = new SubsidyTree(scope(2n), [
    { account: f.developer.address, scenarioId: 1n, baseAmount: 1_000n * ERA, mau: 100_001n },
  ]);
  await f.distributor
    .connect(f.publisher)
    .proposeEpoch(EpochKind.DeveloperSubsidy, subsidies.root, subsidies.budget, "");
  await time.increase(await f.distributor.disputeWindow());

  return { ...f, expired, rewards, subsidies };
}

/** `flowsFixture` with every pausable contract paused by the guardian. */
export async function pausedFixture() {
  const f = await flowsFixture();
  for (const c of Object.values(pausables(f))) await c.connect(f.guardian).pause();
  return f;
}

export type FlowsFixture = Awaited<ReturnType<typeof flowsFixture>>;
