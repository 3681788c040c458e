import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract, ContractTransactionResponse } from "ethers";
import { DAY, ROLES, ScenarioClass, fundedEconomyFixture } from "../helpers/fixtures";
import { EpochKind } from "../../src/sdk/economy";
import { governed } from "./fixtures";

type Fixture = Awaited<ReturnType<typeof fundedEconomyFixture>>;

interface Gated {
  /** What the attack tries, completing "an attacker cannot …". */
  attack: string;
  contract: (f: Fixture) => BaseContract;
  call: (f: Fixture, who: HardhatEthersSigner) => Promise<ContractTransactionResponse>;
  /** The role the function requires. */
  role: string;
  /** Accounts of the cast that legitimately hold the role (not tried). */
  holders?: (f: Fixture) => HardhatEthersSigner[];
  /** State the attack needs (e.g. a paused contract for `unpause`). */
  setup?: (f: Fixture) => Promise<unknown>;
}

const REASON = ethers.encodeBytes32String("attack");

/** Everyone of the cast: the deployer (who renounced), the operational keys, users and the attacker. */
function cast(f: Fixture): HardhatEthersSigner[] {
  return [
    f.deployer,
    f.governor,
    f.guardian,
    f.publisher,
    f.scoreKeeper,
    f.treasury,
    f.operator1,
    f.developer,
    f.alice,
    f.attacker,
  ];
}

function pauseEntries(
  name: "nodeRegistry" | "staking" | "scenarioRegistry" | "distributor" | "revenueRouter" | "settlementEngine",
): Gated[] {
  return [
    {
      attack: `pause the ${name}`,
      contract: (f) => f[name],
      call: (f, who) => f[name].connect(who).pause(),
      role: ROLES.PAUSER,
      holders: (f) => [f.guardian],
    },
    {
      attack: `unpause the ${name} after the guardian paused it`,
      contract: (f) => f[name],
      call: (f, who) => f[name].connect(who).unpause(),
      role: ROLES.PAUSER,
      holders: (f) => [f.guardian],
      setup: (f) => f[name].connect(f.guardian).pause(),
    },
  ];
}

const GATED: Gated[] = [
  {
    attack: "mint ERA",
    contract: (f) => f.token,
    call: (f, who) => f.token.connect(who).mint(who.address, 1n),
    role: ROLES.MINTER,
  },
  {
    attack: "rewire the node registry to another staking contract",
    contract: (f) => f.nodeRegistry,
    call: (f, who) => f.nodeRegistry.connect(who).setStaking(who.address),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "change the minimum bond",
    contract: (f) => f.nodeRegistry,
    call: (f, who) => f.nodeRegistry.connect(who).setMinBond(1n),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "change the bond unbonding period",
    contract: (f) => f.nodeRegistry,
    call: (f, who) => f.nodeRegistry.connect(who).setUnbondingPeriod(DAY),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "slash a node",
    contract: (f) => f.nodeRegistry,
    call: async (f, who) => f.nodeRegistry.connect(who).slash(1, await f.nodeRegistry.minBond(), who.address, REASON),
    role: ROLES.SLASHER,
  },
  {
    attack: "set a node's service score",
    contract: (f) => f.staking,
    call: (f, who) => f.staking.connect(who).setScore(1, 10_000),
    role: ROLES.SCORE_KEEPER,
    holders: (f) => [f.scoreKeeper],
  },
  {
    attack: "change the staking unbonding period",
    contract: (f) => f.staking,
    call: (f, who) => f.staking.connect(who).setUnbondingPeriod(DAY),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "propose a distribution epoch",
    contract: (f) => f.distributor,
    call: (f, who) => f.distributor.connect(who).proposeEpoch(EpochKind.UserReward, ethers.id("root"), 1n, ""),
    role: ROLES.PUBLISHER,
    holders: (f) => [f.publisher],
  },
  {
    attack: "veto a distribution epoch",
    contract: (f) => f.distributor,
    call: (f, who) => f.distributor.connect(who).vetoEpoch(0, REASON),
    role: ROLES.GUARDIAN,
    holders: (f) => [f.guardian],
  },
  {
    attack: "change the distributor's windows",
    contract: (f) => f.distributor,
    call: (f, who) => f.distributor.connect(who).setWindows(3_600n, 7n * DAY),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "change a class's revenue split",
    contract: (f) => f.revenueRouter,
    call: (f, who) =>
      f.revenueRouter
        .connect(who)
        .setClassShares(ScenarioClass.Financial, { nodeBps: 5_000, userPoolBps: 0, protocolBps: 0 }),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "recover tokens from the revenue router",
    contract: (f) => f.revenueRouter,
    call: async (f, who) => f.revenueRouter.connect(who).recover(await f.token.getAddress(), who.address, 1n),
    role: ROLES.DEFAULT_ADMIN,
  },
  ...pauseEntries("nodeRegistry"),
  ...pauseEntries("staking"),
  ...pauseEntries("scenarioRegistry"),
  ...pauseEntries("distributor"),
  ...pauseEntries("revenueRouter"),
  ...pauseEntries("settlementEngine"),
  {
    attack: "point the settlement engine at another hub",
    contract: (f) => f.settlementEngine,
    call: (f, who) => f.settlementEngine.connect(who).setHub(who.address),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "allow a token in the settlement engine",
    contract: (f) => f.settlementEngine,
    call: (f, who) => f.settlementEngine.connect(who).setTokenAllowed(who.address, true),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "point the notary registry at another hub",
    contract: (f) => f.notaryRegistry,
    call: (f, who) => f.notaryRegistry.connect(who).setHub(who.address),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "point the execution hub at another commitments contract",
    contract: (f) => f.executionHub,
    call: (f, who) => f.executionHub.connect(who).setCommitments(who.address),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "change the batch-commitment parameters",
    contract: (f) => f.batchCommitments,
    call: (f, who) => f.batchCommitments.connect(who).setParameters(3_600n, 3_600n, 1n, 1n, 0n),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "grant itself MINTER_ROLE on the token",
    contract: (f) => f.token,
    call: (f, who) => f.token.connect(who).grantRole(ROLES.MINTER, who.address),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "grant itself SLASHER_ROLE on the node registry",
    contract: (f) => f.nodeRegistry,
    call: (f, who) => f.nodeRegistry.connect(who).grantRole(ROLES.SLASHER, who.address),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "grant itself SCORE_KEEPER_ROLE on the staking contract",
    contract: (f) => f.staking,
    call: (f, who) => f.staking.connect(who).grantRole(ROLES.SCORE_KEEPER, who.address),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "grant itself PUBLISHER_ROLE on the distributor",
    contract: (f) => f.distributor,
    call: (f, who) => f.distributor.connect(who).grantRole(ROLES.PUBLISHER, who.address),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "grant itself DEFAULT_ADMIN_ROLE on the revenue router",
    contract: (f) => f.revenueRouter,
    call: (f, who) => f.revenueRouter.connect(who).grantRole(ROLES.DEFAULT_ADMIN, who.address),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "grant itself PAUSER_ROLE on the scenario registry",
    contract: (f) => f.scenarioRegistry,
    call: (f, who) => f.scenarioRegistry.connect(who).grantRole(ROLES.PAUSER, who.address),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "revoke the guardian's PAUSER_ROLE",
    contract: (f) => f.nodeRegistry,
    call: (f, who) => f.nodeRegistry.connect(who).revokeRole(ROLES.PAUSER, f.guardian.address),
    role: ROLES.DEFAULT_ADMIN,
  },
  {
    attack: "revoke the timelock's admin role on the token",
    contract: (f) => f.token,
    call: async (f, who) => f.token.connect(who).revokeRole(ROLES.DEFAULT_ADMIN, await f.timelock.getAddress()),
    role: ROLES.DEFAULT_ADMIN,
  },
];

describe("Access control of the suite", function () {
  describe("roles in the deployment", function () {
    it("grants every role to exactly its holder", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const timelock = await f.timelock.getAddress();
      const expected: [BaseContract & { getRoleMembers(role: string): Promise<string[]> }, string, string[]][] = [
        [f.token, ROLES.DEFAULT_ADMIN, [timelock]],
        [f.token, ROLES.MINTER, [timelock]],
        [f.nodeRegistry, ROLES.DEFAULT_ADMIN, [timelock]],
        // The timelock (governance) and the fraud-proof contract of the execution layer.
        [f.nodeRegistry, ROLES.SLASHER, [timelock, await f.batchCommitments.getAddress()]],
        [f.nodeRegistry, ROLES.PAUSER, [f.guardian.address]],
        [f.staking, ROLES.DEFAULT_ADMIN, [timelock]],
        // The oracle key and the execution hub, which scores nodes from execution results.
        [f.staking, ROLES.SCORE_KEEPER, [f.scoreKeeper.address, await f.executionHub.getAddress()]],
        [f.staking, ROLES.PAUSER, [f.guardian.address]],
        [f.scenarioRegistry, ROLES.DEFAULT_ADMIN, [timelock]],
        [f.scenarioRegistry, ROLES.PAUSER, [f.guardian.address]],
        [f.distributor, ROLES.DEFAULT_ADMIN, [timelock]],
        [f.distributor, ROLES.PUBLISHER, [f.publisher.address]],
        [f.distributor, ROLES.GUARDIAN, [f.guardian.address]],
        [f.distributor, ROLES.PAUSER, [f.guardian.address]],
        [f.revenueRouter, ROLES.DEFAULT_ADMIN, [timelock]],
        [f.revenueRouter, ROLES.PAUSER, [f.guardian.address]],
        [f.settlementEngine, ROLES.DEFAULT_ADMIN, [timelock]],
        [f.settlementEngine, ROLES.PAUSER, [f.guardian.address]],
        [f.notaryRegistry, ROLES.DEFAULT_ADMIN, [timelock]],
        [f.executionHub, ROLES.DEFAULT_ADMIN, [timelock]],
        [f.batchCommitments, ROLES.DEFAULT_ADMIN, [timelock]],
      ];
      for (const [contract, role, members] of expected) {
        expect(await contract.getRoleMembers(role)).to.deep.equal(members);
      }
    });

    it("leaves the deployer without any role", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      for (const contract of Object.values(governed(f))) {
        for (const role of Object.values(ROLES)) {
          expect(await contract.hasRole(role, f.deployer.address)).to.equal(false);
        }
      }
    });

    it("makes every role administered by DEFAULT_ADMIN_ROLE", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      for (const contract of Object.values(governed(f))) {
        for (const role of Object.values(ROLES)) {
          expect(await contract.getRoleAdmin(role)).to.equal(ROLES.DEFAULT_ADMIN);
        }
      }
    });
  });

  describe("role-gated functions", function () {
    for (const g of GATED) {
      it(`an attacker cannot ${g.attack} (nor can the deployer or any key without the role)`, async function () {
        const f = await loadFixture(fundedEconomyFixture);
        if (g.setup) await g.setup(f);
        const holders = new Set((g.holders?.(f) ?? []).map((h) => h.address));
        const callers = cast(f).filter((who) => !holders.has(who.address));
        expect(callers).to.include(f.attacker);
        expect(callers).to.include(f.deployer);
        for (const who of callers) {
          await expect(g.call(f, who), who.address)
            .to.be.revertedWithCustomError(g.contract(f), "AccessControlUnauthorizedAccount")
            .withArgs(who.address, g.role);
        }
      });
    }

    it("an attacker cannot slash delegations directly (only the node registry may: StakingOnlyRegistry)", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      for (const who of cast(f)) {
        await expect(f.staking.connect(who).slashDelegations(1, 1n, who.address), who.address)
          .to.be.revertedWithCustomError(f.staking, "StakingOnlyRegistry")
          .withArgs(who.address);
      }
    });

    it("an attacker cannot renounce a role on someone else's behalf (AccessControlBadConfirmation)", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      await expect(
        f.nodeRegistry.connect(f.attacker).renounceRole(ROLES.PAUSER, f.guardian.address),
      ).to.be.revertedWithCustomError(f.nodeRegistry, "AccessControlBadConfirmation");
      await expect(
        f.token.connect(f.attacker).renounceRole(ROLES.DEFAULT_ADMIN, await f.timelock.getAddress()),
      ).to.be.revertedWithCustomError(f.token, "AccessControlBadConfirmation");
      expect(await f.nodeRegistry.hasRole(ROLES.PAUSER, f.guardian.address)).to.equal(true);
    });
  });

  describe("the timelock's own roles", function () {
    it("an attacker cannot schedule an operation", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const proposer = await f.timelock.PROPOSER_ROLE();
      const data = f.token.interface.encodeFunctionData("mint", [f.attacker.address, 1n]);
      const delay = await f.timelock.getMinDelay();
      for (const who of cast(f).filter((s) => s.address !== f.governor.address)) {
        await expect(
          f.timelock
            .connect(who)
            .schedule(await f.token.getAddress(), 0, data, ethers.ZeroHash, ethers.ZeroHash, delay),
          who.address,
        )
          .to.be.revertedWithCustomError(f.timelock, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, proposer);
      }
    });

    it("an attacker cannot cancel governance's operation", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const id = ethers.id("any operation");
      await expect(f.timelock.connect(f.attacker).cancel(id))
        .to.be.revertedWithCustomError(f.timelock, "AccessControlUnauthorizedAccount")
        .withArgs(f.attacker.address, await f.timelock.CANCELLER_ROLE());
    });

    it("an attacker cannot change the timelock delay directly", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      for (const who of [f.attacker, f.governor, f.deployer]) {
        await expect(f.timelock.connect(who).updateDelay(0))
          .to.be.revertedWithCustomError(f.timelock, "TimelockUnauthorizedCaller")
          .withArgs(who.address);
      }
    });

    it("an attacker cannot make itself a proposer", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const proposer = await f.timelock.PROPOSER_ROLE();
      for (const who of [f.attacker, f.governor, f.deployer]) {
        await expect(f.timelock.connect(who).grantRole(proposer, who.address))
          .to.be.revertedWithCustomError(f.timelock, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, ROLES.DEFAULT_ADMIN);
      }
    });
  });
});
