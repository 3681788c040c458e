import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseContract } from "ethers";
import {
  DAY,
  ECONOMY_DEFAULTS,
  ERA,
  ROLES,
  ScenarioClass,
  fundedEconomyFixture,
  viaTimelock,
} from "../helpers/fixtures";
import { IAccessControl__factory } from "../../typechain-types";
import { governed, viaTimelockBatch } from "./fixtures";

type Fixture = Awaited<ReturnType<typeof fundedEconomyFixture>>;

/** TimelockController's bitmap of the state an operation was expected to be in (1 << state). */
const OperationState = { Unset: 0n, Waiting: 1n, Ready: 2n, Done: 3n } as const;
const expectedStates = (...states: bigint[]) =>
  ethers.toBeHex(
    states.reduce((acc, s) => acc | (1n << s), 0n),
    32,
  );
const READY = expectedStates(OperationState.Ready);

const REASON = ethers.encodeBytes32String("governance");
const accessControl = IAccessControl__factory.createInterface();

interface ParameterChange {
  name: string;
  target: (f: Fixture) => BaseContract;
  data: (f: Fixture) => Promise<string>;
  /** The role the function requires (the timelock holds it). */
  role: string;
  setup?: (f: Fixture) => Promise<unknown>;
  /** The execution's proof of effect: event and arguments, then the state after. */
  emits: (f: Fixture) => Promise<[BaseContract, string, unknown[]]>;
  after: (f: Fixture) => Promise<void>;
}

const CHANGES: ParameterChange[] = [
  {
    name: "token.mint",
    target: (f) => f.token,
    data: async (f) => f.token.interface.encodeFunctionData("mint", [f.alice.address, 1_000n * ERA]),
    role: ROLES.MINTER,
    emits: async (f) => [f.token, "Transfer", [ethers.ZeroAddress, f.alice.address, 1_000n * ERA]],
    after: async (f) => {
      expect(await f.token.totalSupply()).to.equal(ECONOMY_DEFAULTS.genesisSupply + 1_000n * ERA);
    },
  },
  {
    name: "nodeRegistry.setMinBond",
    target: (f) => f.nodeRegistry,
    data: async (f) => f.nodeRegistry.interface.encodeFunctionData("setMinBond", [2n * ECONOMY_DEFAULTS.minBond]),
    role: ROLES.DEFAULT_ADMIN,
    emits: async (f) => [f.nodeRegistry, "MinBondChanged", [ECONOMY_DEFAULTS.minBond, 2n * ECONOMY_DEFAULTS.minBond]],
    after: async (f) => {
      expect(await f.nodeRegistry.minBond()).to.equal(2n * ECONOMY_DEFAULTS.minBond);
    },
  },
  {
    name: "nodeRegistry.setUnbondingPeriod",
    target: (f) => f.nodeRegistry,
    data: async (f) => f.nodeRegistry.interface.encodeFunctionData("setUnbondingPeriod", [30n * DAY]),
    role: ROLES.DEFAULT_ADMIN,
    emits: async (f) => [
      f.nodeRegistry,
      "BondUnbondingPeriodChanged",
      [ECONOMY_DEFAULTS.nodeUnbondingPeriod, 30n * DAY],
    ],
    after: async (f) => {
      expect(await f.nodeRegistry.unbondingPeriod()).to.equal(30n * DAY);
    },
  },
  {
    name: "nodeRegistry.slash",
    target: (f) => f.nodeRegistry,
    data: async (f) => f.nodeRegistry.interface.encodeFunctionData("slash", [2, ERA, f.treasury.address, REASON]),
    role: ROLES.SLASHER,
    emits: async (f) => [f.nodeRegistry, "NodeSlashed", [2n, f.treasury.address, ERA, ERA, 0n, REASON]],
    after: async (f) => {
      expect((await f.nodeRegistry.getNode(2)).totalSlashed).to.equal(ERA);
    },
  },
  {
    name: "nodeRegistry.grantRole",
    target: (f) => f.nodeRegistry,
    data: async (f) => f.nodeRegistry.interface.encodeFunctionData("grantRole", [ROLES.SLASHER, f.alice.address]),
    role: ROLES.DEFAULT_ADMIN,
    emits: async (f) => [
      f.nodeRegistry,
      "RoleGranted",
      [ROLES.SLASHER, f.alice.address, await f.timelock.getAddress()],
    ],
    after: async (f) => {
      expect(await f.nodeRegistry.hasRole(ROLES.SLASHER, f.alice.address)).to.equal(true);
    },
  },
  {
    name: "staking.setUnbondingPeriod",
    target: (f) => f.staking,
    data: async (f) => f.staking.interface.encodeFunctionData("setUnbondingPeriod", [14n * DAY]),
    role: ROLES.DEFAULT_ADMIN,
    emits: async (f) => [f.staking, "UnbondingPeriodChanged", [ECONOMY_DEFAULTS.stakingUnbondingPeriod, 14n * DAY]],
    after: async (f) => {
      expect(await f.staking.unbondingPeriod()).to.equal(14n * DAY);
    },
  },
  {
    name: "distributor.setWindows",
    target: (f) => f.distributor,
    data: async (f) => f.distributor.interface.encodeFunctionData("setWindows", [3n * DAY, 60n * DAY]),
    role: ROLES.DEFAULT_ADMIN,
    emits: async (f) => [f.distributor, "WindowsChanged", [3n * DAY, 60n * DAY]],
    after: async (f) => {
      expect(await f.distributor.disputeWindow()).to.equal(3n * DAY);
      expect(await f.distributor.claimPeriod()).to.equal(60n * DAY);
    },
  },
  {
    name: "revenueRouter.setClassShares",
    target: (f) => f.revenueRouter,
    data: async (f) =>
      f.revenueRouter.interface.encodeFunctionData("setClassShares", [
        ScenarioClass.Lightweight,
        { nodeBps: 2_500, userPoolBps: 1_500, protocolBps: 700 },
      ]),
    role: ROLES.DEFAULT_ADMIN,
    emits: async (f) => [f.revenueRouter, "ClassSharesChanged", [ScenarioClass.Lightweight, [2_500n, 1_500n, 700n]]],
    after: async (f) => {
      const s = await f.revenueRouter.sharesOf(ScenarioClass.Lightweight);
      expect([s.nodeBps, s.userPoolBps, s.protocolBps]).to.deep.equal([2_500n, 1_500n, 700n]);
    },
  },
  {
    name: "revenueRouter.recover",
    target: (f) => f.revenueRouter,
    // Alice sent 5 ERA to the router by mistake: that is excess over what the router owes.
    setup: async (f) => f.token.connect(f.alice).transfer(await f.revenueRouter.getAddress(), 5n * ERA),
    data: async (f) =>
      f.revenueRouter.interface.encodeFunctionData("recover", [await f.token.getAddress(), f.alice.address, 5n * ERA]),
    role: ROLES.DEFAULT_ADMIN,
    emits: async (f) => [f.revenueRouter, "Recovered", [await f.token.getAddress(), f.alice.address, 5n * ERA]],
    after: async (f) => {
      expect(await f.token.balanceOf(await f.revenueRouter.getAddress())).to.equal(0n);
    },
  },
];

describe("Governance through the timelock (EraTimelock)", function () {
  describe("deployment", function () {
    it("delays by the configured minimum, lets the governor propose and cancel, anyone execute, and administers itself", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const t = f.timelock;
      const self = await t.getAddress();
      expect(await t.getMinDelay()).to.equal(ECONOMY_DEFAULTS.timelockDelay);
      expect(await t.hasRole(await t.PROPOSER_ROLE(), f.governor.address)).to.equal(true);
      expect(await t.hasRole(await t.CANCELLER_ROLE(), f.governor.address)).to.equal(true);
      expect(await t.hasRole(await t.EXECUTOR_ROLE(), ethers.ZeroAddress)).to.equal(true);
      expect(await t.hasRole(ROLES.DEFAULT_ADMIN, self)).to.equal(true);
      for (const role of [ROLES.DEFAULT_ADMIN, await t.PROPOSER_ROLE(), await t.CANCELLER_ROLE()]) {
        expect(await t.hasRole(role, f.deployer.address)).to.equal(false);
      }
    });
  });

  describe("attack 10: parameter changes only work through the timelock", function () {
    for (const change of CHANGES) {
      it(`${change.name}: reverts when called directly, reverts one second before the delay, works at the delay`, async function () {
        const f = await loadFixture(fundedEconomyFixture);
        if (change.setup) await change.setup(f);
        const target = change.target(f);
        const to = await target.getAddress();
        const data = await change.data(f);

        // The governor holds no role on the contract itself: a direct call fails.
        await expect(f.governor.sendTransaction({ to, data }))
          .to.be.revertedWithCustomError(target, "AccessControlUnauthorizedAccount")
          .withArgs(f.governor.address, change.role);

        const delay = await f.timelock.getMinDelay();
        const salt = ethers.id(change.name);
        const id = await f.timelock.hashOperation(to, 0, data, ethers.ZeroHash, salt);
        const scheduledAt = BigInt(await time.latest()) + 1n;
        await time.setNextBlockTimestamp(scheduledAt);
        await expect(f.timelock.connect(f.governor).schedule(to, 0, data, ethers.ZeroHash, salt, delay))
          .to.emit(f.timelock, "CallScheduled")
          .withArgs(id, 0n, to, 0n, data, ethers.ZeroHash, delay);
        expect(await f.timelock.getTimestamp(id)).to.equal(scheduledAt + delay);

        await time.setNextBlockTimestamp(scheduledAt + delay - 1n);
        await expect(f.timelock.execute(to, 0, data, ethers.ZeroHash, salt))
          .to.be.revertedWithCustomError(f.timelock, "TimelockUnexpectedOperationState")
          .withArgs(id, READY);

        await time.setNextBlockTimestamp(scheduledAt + delay);
        const tx = f.timelock.execute(to, 0, data, ethers.ZeroHash, salt);
        const [emitter, event, args] = await change.emits(f);
        await expect(tx)
          .to.emit(emitter, event)
          .withArgs(...args);
        await expect(tx).to.emit(f.timelock, "CallExecuted").withArgs(id, 0n, to, 0n, data);
        expect(await f.timelock.isOperationDone(id)).to.equal(true);
        await change.after(f);
      });
    }
  });

  describe("operations", function () {
    async function scheduledFixture() {
      const f = await fundedEconomyFixture();
      const to = await f.nodeRegistry.getAddress();
      const data = f.nodeRegistry.interface.encodeFunctionData("setMinBond", [ERA]);
      const salt = ethers.id("scheduled");
      const delay = await f.timelock.getMinDelay();
      await f.timelock.connect(f.governor).schedule(to, 0, data, ethers.ZeroHash, salt, delay);
      const id = await f.timelock.hashOperation(to, 0, data, ethers.ZeroHash, salt);
      return { ...f, to, data, salt, delay, id };
    }

    it("reverts with TimelockInsufficientDelay when scheduled with less than the minimum delay", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const delay = await f.timelock.getMinDelay();
      const data = f.nodeRegistry.interface.encodeFunctionData("setMinBond", [ERA]);
      await expect(
        f.timelock
          .connect(f.governor)
          .schedule(await f.nodeRegistry.getAddress(), 0, data, ethers.ZeroHash, ethers.ZeroHash, delay - 1n),
      )
        .to.be.revertedWithCustomError(f.timelock, "TimelockInsufficientDelay")
        .withArgs(delay - 1n, delay);
    });

    it("lets anyone execute a ready operation (the executor role is open), but only once", async function () {
      const f = await loadFixture(scheduledFixture);
      await time.increase(f.delay);
      await expect(f.timelock.connect(f.attacker).execute(f.to, 0, f.data, ethers.ZeroHash, f.salt))
        .to.emit(f.nodeRegistry, "MinBondChanged")
        .withArgs(ECONOMY_DEFAULTS.minBond, ERA);
      // An attacker cannot replay it.
      await expect(f.timelock.connect(f.attacker).execute(f.to, 0, f.data, ethers.ZeroHash, f.salt))
        .to.be.revertedWithCustomError(f.timelock, "TimelockUnexpectedOperationState")
        .withArgs(f.id, READY);
    });

    it("an attacker cannot execute an operation governance never scheduled", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const to = await f.token.getAddress();
      const data = f.token.interface.encodeFunctionData("mint", [f.attacker.address, ERA]);
      const id = await f.timelock.hashOperation(to, 0, data, ethers.ZeroHash, ethers.ZeroHash);
      await expect(f.timelock.connect(f.attacker).execute(to, 0, data, ethers.ZeroHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(f.timelock, "TimelockUnexpectedOperationState")
        .withArgs(id, READY);
    });

    it("lets the governor cancel a pending operation, which then never executes", async function () {
      const f = await loadFixture(scheduledFixture);
      await expect(f.timelock.connect(f.governor).cancel(f.id)).to.emit(f.timelock, "Cancelled").withArgs(f.id);
      await time.increase(f.delay);
      await expect(f.timelock.execute(f.to, 0, f.data, ethers.ZeroHash, f.salt))
        .to.be.revertedWithCustomError(f.timelock, "TimelockUnexpectedOperationState")
        .withArgs(f.id, READY);
      expect(await f.nodeRegistry.minBond()).to.equal(ECONOMY_DEFAULTS.minBond);
    });

    it("changes its own delay only through an operation", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const delay = await f.timelock.getMinDelay();
      const data = f.timelock.interface.encodeFunctionData("updateDelay", [3n * DAY]);
      await expect(viaTimelock(f, f.timelock, data))
        .to.emit(f.timelock, "MinDelayChange")
        .withArgs(delay, 3n * DAY);
      expect(await f.timelock.getMinDelay()).to.equal(3n * DAY);
    });
  });

  describe("attack 10: the last admin cannot be removed by accident (AdminGuarded)", function () {
    for (const name of [
      "token",
      "nodeRegistry",
      "staking",
      "scenarioRegistry",
      "distributor",
      "revenueRouter",
      "settlementEngine",
      "notaryRegistry",
      "executionHub",
      "batchCommitments",
    ] as const) {
      it(`the timelock can neither renounce nor revoke its own admin role on the ${name}`, async function () {
        const f = await loadFixture(fundedEconomyFixture);
        const c = governed(f)[name];
        const timelock = await f.timelock.getAddress();
        for (const data of [
          accessControl.encodeFunctionData("renounceRole", [ROLES.DEFAULT_ADMIN, timelock]),
          accessControl.encodeFunctionData("revokeRole", [ROLES.DEFAULT_ADMIN, timelock]),
        ]) {
          await expect(viaTimelock(f, c, data))
            .to.be.revertedWithCustomError(c, "AdminGuardedLastAdmin")
            .withArgs(timelock);
        }
        expect(await c.getRoleMembers(ROLES.DEFAULT_ADMIN)).to.deep.equal([timelock]);
      });
    }

    async function handedOverFixture() {
      const f = await fundedEconomyFixture();
      const council = (await ethers.getSigners())[15];
      const timelockAddress = await f.timelock.getAddress();
      const tx = await viaTimelockBatch(f, [
        {
          target: f.nodeRegistry,
          data: f.nodeRegistry.interface.encodeFunctionData("grantRole", [ROLES.DEFAULT_ADMIN, council.address]),
        },
        {
          target: f.nodeRegistry,
          data: f.nodeRegistry.interface.encodeFunctionData("revokeRole", [ROLES.DEFAULT_ADMIN, timelockAddress]),
        },
      ]);
      return { ...f, council, timelockAddress, tx };
    }

    it("hands admin over grant-then-revoke in one timelock batch", async function () {
      const f = await loadFixture(handedOverFixture);
      await expect(f.tx)
        .to.emit(f.nodeRegistry, "RoleGranted")
        .withArgs(ROLES.DEFAULT_ADMIN, f.council.address, f.timelockAddress);
      await expect(f.tx)
        .to.emit(f.nodeRegistry, "RoleRevoked")
        .withArgs(ROLES.DEFAULT_ADMIN, f.timelockAddress, f.timelockAddress);
      expect(await f.nodeRegistry.getRoleMembers(ROLES.DEFAULT_ADMIN)).to.deep.equal([f.council.address]);
      // The new admin governs; the old one no longer can.
      await expect(f.nodeRegistry.connect(f.council).setMinBond(ERA))
        .to.emit(f.nodeRegistry, "MinBondChanged")
        .withArgs(ECONOMY_DEFAULTS.minBond, ERA);
      await expect(
        viaTimelock(f, f.nodeRegistry, f.nodeRegistry.interface.encodeFunctionData("setMinBond", [2n * ERA])),
      )
        .to.be.revertedWithCustomError(f.nodeRegistry, "AccessControlUnauthorizedAccount")
        .withArgs(f.timelockAddress, ROLES.DEFAULT_ADMIN);
    });

    it("keeps the new sole admin from renouncing or revoking itself", async function () {
      const f = await loadFixture(handedOverFixture);
      await expect(f.nodeRegistry.connect(f.council).renounceRole(ROLES.DEFAULT_ADMIN, f.council.address))
        .to.be.revertedWithCustomError(f.nodeRegistry, "AdminGuardedLastAdmin")
        .withArgs(f.council.address);
      await expect(f.nodeRegistry.connect(f.council).revokeRole(ROLES.DEFAULT_ADMIN, f.council.address))
        .to.be.revertedWithCustomError(f.nodeRegistry, "AdminGuardedLastAdmin")
        .withArgs(f.council.address);
    });

    it("reverts revoke-then-grant (the wrong order) as a whole", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const council = (await ethers.getSigners())[15];
      const timelock = await f.timelock.getAddress();
      await expect(
        viaTimelockBatch(f, [
          {
            target: f.staking,
            data: f.staking.interface.encodeFunctionData("revokeRole", [ROLES.DEFAULT_ADMIN, timelock]),
          },
          {
            target: f.staking,
            data: f.staking.interface.encodeFunctionData("grantRole", [ROLES.DEFAULT_ADMIN, council.address]),
          },
        ]),
      )
        .to.be.revertedWithCustomError(f.staking, "AdminGuardedLastAdmin")
        .withArgs(timelock);
      expect(await f.staking.getRoleMembers(ROLES.DEFAULT_ADMIN)).to.deep.equal([timelock]);
    });

    it("lets one of two admins renounce", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const council = (await ethers.getSigners())[15];
      await viaTimelock(
        f,
        f.token,
        f.token.interface.encodeFunctionData("grantRole", [ROLES.DEFAULT_ADMIN, council.address]),
      );
      await expect(f.token.connect(council).renounceRole(ROLES.DEFAULT_ADMIN, council.address))
        .to.emit(f.token, "RoleRevoked")
        .withArgs(ROLES.DEFAULT_ADMIN, council.address, council.address);
      expect(await f.token.getRoleMembers(ROLES.DEFAULT_ADMIN)).to.deep.equal([await f.timelock.getAddress()]);
    });

    it("treats revoking admin from a non-admin as a no-op, and revokes other roles normally", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const timelock = await f.timelock.getAddress();
      const noop = viaTimelock(
        f,
        f.distributor,
        f.distributor.interface.encodeFunctionData("revokeRole", [ROLES.DEFAULT_ADMIN, f.attacker.address]),
      );
      await expect(noop).not.to.emit(f.distributor, "RoleRevoked");
      // The guard is for the admin role only: the last pauser can be revoked.
      await expect(
        viaTimelock(
          f,
          f.distributor,
          f.distributor.interface.encodeFunctionData("revokeRole", [ROLES.PAUSER, f.guardian.address]),
        ),
      )
        .to.emit(f.distributor, "RoleRevoked")
        .withArgs(ROLES.PAUSER, f.guardian.address, timelock);
      expect(await f.distributor.getRoleMemberCount(ROLES.PAUSER)).to.equal(0n);
      await expect(f.distributor.connect(f.guardian).pause())
        .to.be.revertedWithCustomError(f.distributor, "AccessControlUnauthorizedAccount")
        .withArgs(f.guardian.address, ROLES.PAUSER);
    });
  });
});
