import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseContract } from "ethers";
import { DAY, ERA, ROLES, ScenarioClass, fundedEconomyFixture, viaTimelock } from "../helpers/fixtures";
import { pausables, pausedFixture } from "./fixtures";

type Fixture = Awaited<ReturnType<typeof fundedEconomyFixture>>;

const HOUR = 3_600n;
const MAX = 2n ** 256n - 1n;

interface OutOfBounds {
  name: string;
  target: (f: Fixture) => BaseContract;
  data: (f: Fixture) => string;
  /** The custom error and its arguments. */
  error: [string, bigint[]];
  /** What the change would have changed, read before and after. */
  state: (f: Fixture) => Promise<unknown>;
}

const batchParameters = async (f: Fixture) =>
  Promise.all([
    f.batchCommitments.challengeWindow(),
    f.batchCommitments.answerWindow(),
    f.batchCommitments.challengeBond(),
    f.batchCommitments.fraudSlash(),
    f.batchCommitments.bountyBps(),
  ]);

/** `setParameters` of the commitments with one field replaced. */
const withParameter = (f: Fixture, index: number, value: bigint) => {
  const p: bigint[] = [2n * DAY, 12n * HOUR, 100n * ERA, 1_000n * ERA, 2_000n];
  p[index] = value;
  return f.batchCommitments.interface.encodeFunctionData("setParameters", [p[0], p[1], p[2], p[3], p[4]]);
};

/** Cases of a one-argument setter of `target` with bounds [min, max], tried just outside each bound. */
function singleValue(
  name: string,
  target: (f: Fixture) => BaseContract,
  setter: string,
  errorName: string,
  [min, max]: [bigint, bigint],
  state: (f: Fixture) => Promise<unknown>,
): OutOfBounds[] {
  return [min - 1n, max + 1n].map((v) => ({
    name: `${name}.${setter}(${v})`,
    target,
    data: (f: Fixture) => target(f).interface.encodeFunctionData(setter, [v]),
    error: [errorName, [v, min, max]],
    state,
  }));
}

const CASES: OutOfBounds[] = [
  ...singleValue(
    "nodeRegistry",
    (f) => f.nodeRegistry,
    "setMinBond",
    "NodeRegistryParameterOutOfBounds",
    [1n, 100_000_000n * ERA],
    (f) => f.nodeRegistry.minBond(),
  ),
  ...singleValue(
    "nodeRegistry",
    (f) => f.nodeRegistry,
    "setUnbondingPeriod",
    "NodeRegistryParameterOutOfBounds",
    [DAY, 90n * DAY],
    (f) => f.nodeRegistry.unbondingPeriod(),
  ),
  ...singleValue(
    "staking",
    (f) => f.staking,
    "setUnbondingPeriod",
    "StakingParameterOutOfBounds",
    [DAY, 60n * DAY],
    (f) => f.staking.unbondingPeriod(),
  ),
  ...(
    [
      [HOUR - 1n, 90n * DAY, HOUR - 1n, HOUR, 14n * DAY],
      [14n * DAY + 1n, 90n * DAY, 14n * DAY + 1n, HOUR, 14n * DAY],
      [2n * DAY, 7n * DAY - 1n, 7n * DAY - 1n, 7n * DAY, 730n * DAY],
      [2n * DAY, 730n * DAY + 1n, 730n * DAY + 1n, 7n * DAY, 730n * DAY],
    ] as const
  ).map(([dispute, claim, v, min, max]) => ({
    name: `distributor.setWindows(${dispute}, ${claim})`,
    target: (f: Fixture) => f.distributor,
    data: (f: Fixture) => f.distributor.interface.encodeFunctionData("setWindows", [dispute, claim]),
    error: ["DistributorParameterOutOfBounds", [v, min, max]] as [string, bigint[]],
    state: async (f: Fixture) => [await f.distributor.disputeWindow(), await f.distributor.claimPeriod()],
  })),
  ...(
    [
      [5_001n, 1_000n, 500n], // node above 50%
      [3_000n, 2_501n, 500n], // user pool above 25%
      [3_000n, 1_000n, 2_501n], // protocol above 25%
      [5_000n, 2_500n, 501n], // developer below 20%
    ] as const
  ).map(([nodeBps, userPoolBps, protocolBps]) => ({
    name: `revenueRouter.setClassShares(${nodeBps}, ${userPoolBps}, ${protocolBps})`,
    target: (f: Fixture) => f.revenueRouter,
    data: (f: Fixture) =>
      f.revenueRouter.interface.encodeFunctionData("setClassShares", [
        ScenarioClass.Financial,
        { nodeBps, userPoolBps, protocolBps },
      ]),
    error: ["RevenueSharesOutOfBounds", [nodeBps, userPoolBps, protocolBps]] as [string, bigint[]],
    state: async (f: Fixture) => {
      const s = await f.revenueRouter.sharesOf(ScenarioClass.Financial);
      return [s.nodeBps, s.userPoolBps, s.protocolBps];
    },
  })),
  ...(
    [
      [0, 10n * 60n - 1n, 10n * 60n, 7n * DAY],
      [0, 7n * DAY + 1n, 10n * 60n, 7n * DAY],
      [1, 3n * DAY + 1n, 10n * 60n, 3n * DAY],
      [4, 5_001n, 0n, 5_000n],
      [3, 0n, 1n, MAX],
    ] as const
  ).map(([index, v, min, max]) => ({
    name: `batchCommitments.setParameters(#${index} = ${v})`,
    target: (f: Fixture) => f.batchCommitments,
    data: (f: Fixture) => withParameter(f, index, v),
    error: ["CommitmentsParameterOutOfBounds", [v, min, max]] as [string, bigint[]],
    state: batchParameters,
  })),
];

describe("Governance — attacks", function () {
  describe("attack 10: parameter changes outside their bounds or without the timelock revert", function () {
    for (const c of CASES) {
      it(`${c.name}: reverts without the timelock (AccessControlUnauthorizedAccount) and through it (${c.error[0]}), changing nothing`, async function () {
        const f = await loadFixture(fundedEconomyFixture);
        const target = c.target(f);
        const data = c.data(f);
        const before = await c.state(f);
        for (const caller of [f.governor, f.guardian, f.attacker]) {
          await expect(caller.sendTransaction({ to: await target.getAddress(), data }))
            .to.be.revertedWithCustomError(target, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, ROLES.DEFAULT_ADMIN);
        }
        await expect(viaTimelock(f, target, data))
          .to.be.revertedWithCustomError(target, c.error[0])
          .withArgs(...c.error[1]);
        expect(await c.state(f)).to.deep.equal(before);
      });
    }
  });

  describe("attack 10: a pause never blocks what is owed", function () {
    it("with every pausable contract paused, the settlement engine still pays a free balance out, and takes no deposit", async function () {
      const f = await loadFixture(pausedFixture);
      for (const c of Object.values(pausables(f))) expect(await c.paused()).to.equal(true);
      const era = await f.token.getAddress();
      const engine = f.settlementEngine;
      // Deposited before the pause (through an unpause window): the pause must not trap it.
      await engine.connect(f.guardian).unpause();
      await f.token.connect(f.bob).approve(await engine.getAddress(), ethers.MaxUint256);
      await engine.connect(f.bob).deposit(era, 300n * ERA);
      await engine.connect(f.guardian).pause();
      await expect(engine.connect(f.bob).deposit(era, ERA)).to.be.revertedWithCustomError(engine, "EnforcedPause");
      const tx = engine.connect(f.bob).withdraw(era, 300n * ERA, f.carol.address);
      await expect(tx)
        .to.emit(engine, "Withdrawn")
        .withArgs(f.bob.address, era, 300n * ERA, f.carol.address);
      await expect(tx).to.changeTokenBalances(f.token, [engine, f.carol], [-300n * ERA, 300n * ERA]);
      expect(await engine.freeBalance(f.bob.address, era)).to.equal(0n);
    });
  });
});
