import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ERA, DAY, ROLES, economyFixture, signPermit, viaTimelock, type EconomyFixture } from "../helpers/fixtures";
import { NodeRegistry__factory } from "../../typechain-types";
import { freshRegistryFixture, registryFixture } from "./fixtures";

/** NodeStatus, in the contract's enum order. */
const Status = { None: 0n, Active: 1n, Exiting: 2n } as const;
const REASON = ethers.encodeBytes32String("double-sign");

async function approveRegistry(f: EconomyFixture, who: HardhatEthersSigner) {
  await f.token.connect(who).approve(await f.nodeRegistry.getAddress(), ethers.MaxUint256);
}

/** Fixes the timestamp of the next transaction and returns it. */
async function nextTimestamp(offset = 10n): Promise<bigint> {
  const t = BigInt(await time.latest()) + offset;
  await time.setNextBlockTimestamp(t);
  return t;
}

function setMinBondCall(f: EconomyFixture, value: bigint) {
  return viaTimelock(f, f.nodeRegistry, f.nodeRegistry.interface.encodeFunctionData("setMinBond", [value]));
}

function setPeriodCall(f: EconomyFixture, value: bigint) {
  return viaTimelock(f, f.nodeRegistry, f.nodeRegistry.interface.encodeFunctionData("setUnbondingPeriod", [value]));
}

describe("NodeRegistry", function () {
  describe("constructor", function () {
    it("sets the token, the admin and the parameters, emitting their change events", async function () {
      const [admin] = await ethers.getSigners();
      const token = await ethers.deployContract("EraToken", [1_000n * ERA, admin.address, admin.address, 0n]);
      const registry = await ethers.deployContract("NodeRegistry", [await token.getAddress(), admin.address, 5n, DAY]);
      await expect(registry.deploymentTransaction()).to.emit(registry, "MinBondChanged").withArgs(0n, 5n);
      await expect(registry.deploymentTransaction()).to.emit(registry, "BondUnbondingPeriodChanged").withArgs(0n, DAY);
      expect(await registry.era()).to.equal(await token.getAddress());
      expect(await registry.hasRole(ROLES.DEFAULT_ADMIN, admin.address)).to.equal(true);
      expect(await registry.minBond()).to.equal(5n);
      expect(await registry.unbondingPeriod()).to.equal(DAY);
      expect(await registry.staking()).to.equal(ethers.ZeroAddress);
      expect(await registry.nodeCount()).to.equal(0n);
    });

    it("reverts with AdminGuardedZeroAddress for a zero token or a zero admin", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("NodeRegistry");
      await expect(factory.deploy(ethers.ZeroAddress, admin.address, ERA, DAY)).to.be.revertedWithCustomError(
        factory,
        "AdminGuardedZeroAddress",
      );
      await expect(factory.deploy(admin.address, ethers.ZeroAddress, ERA, DAY)).to.be.revertedWithCustomError(
        factory,
        "AdminGuardedZeroAddress",
      );
    });

    it("reverts with NodeRegistryParameterOutOfBounds for a minimum bond of 0 or above MAX_MIN_BOND", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("NodeRegistry");
      const max = 100_000_000n * ERA;
      for (const bad of [0n, max + 1n]) {
        await expect(factory.deploy(admin.address, admin.address, bad, DAY))
          .to.be.revertedWithCustomError(factory, "NodeRegistryParameterOutOfBounds")
          .withArgs(bad, 1n, max);
      }
    });

    it("reverts with NodeRegistryParameterOutOfBounds for an unbonding period outside [1 day, 90 days]", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("NodeRegistry");
      for (const bad of [DAY - 1n, 90n * DAY + 1n]) {
        await expect(factory.deploy(admin.address, admin.address, ERA, bad))
          .to.be.revertedWithCustomError(factory, "NodeRegistryParameterOutOfBounds")
          .withArgs(bad, DAY, 90n * DAY);
      }
    });
  });

  describe("setStaking", function () {
    it("reverts with NodeRegistryStakingAlreadySet in the deployment, where it was wired once", async function () {
      const f = await loadFixture(economyFixture);
      const staking = await f.staking.getAddress();
      expect(await f.nodeRegistry.staking()).to.equal(staking);
      await expect(
        viaTimelock(f, f.nodeRegistry, f.nodeRegistry.interface.encodeFunctionData("setStaking", [f.alice.address])),
      )
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryStakingAlreadySet")
        .withArgs(staking);
    });

    it("wires the staking contract once and emits StakingSet", async function () {
      const { registry, admin, stranger } = await loadFixture(freshRegistryFixture);
      await expect(registry.connect(admin).setStaking(stranger.address))
        .to.emit(registry, "StakingSet")
        .withArgs(stranger.address);
      expect(await registry.staking()).to.equal(stranger.address);
      await expect(registry.connect(admin).setStaking(admin.address))
        .to.be.revertedWithCustomError(registry, "NodeRegistryStakingAlreadySet")
        .withArgs(stranger.address);
    });

    it("reverts with AdminGuardedZeroAddress for the zero address", async function () {
      const { registry, admin } = await loadFixture(freshRegistryFixture);
      await expect(registry.connect(admin).setStaking(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        registry,
        "AdminGuardedZeroAddress",
      );
    });

    it("an attacker cannot wire a staking contract of their own", async function () {
      const { registry, stranger } = await loadFixture(freshRegistryFixture);
      await expect(registry.connect(stranger).setStaking(stranger.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, ROLES.DEFAULT_ADMIN);
    });
  });

  describe("register", function () {
    it("gives the first node id 1, pulls the bond and records the node", async function () {
      const f = await loadFixture(economyFixture);
      const bond = await f.nodeRegistry.minBond();
      await f.token.connect(f.treasury).transfer(f.alice.address, bond);
      await approveRegistry(f, f.alice);
      const key = ethers.Wallet.createRandom().address;
      expect(await f.nodeRegistry.connect(f.alice).register.staticCall(key, "ipfs://a", bond)).to.equal(1n);
      const tx = f.nodeRegistry.connect(f.alice).register(key, "ipfs://a", bond);
      await expect(tx).to.emit(f.nodeRegistry, "NodeRegistered").withArgs(1n, f.alice.address, key, bond, "ipfs://a");
      await expect(tx).to.changeTokenBalances(f.token, [f.alice, f.nodeRegistry], [-bond, bond]);
      expect(await f.nodeRegistry.nodeCount()).to.equal(1n);
      expect(await f.nodeRegistry.nodeOfOperator(f.alice.address)).to.equal(1n);
      expect(await f.nodeRegistry.nodeOfSigningKey(key)).to.equal(1n);
      expect(await f.nodeRegistry.operatorOf(1)).to.equal(f.alice.address);
      expect(await f.nodeRegistry.isActive(1)).to.equal(true);
      const node = await f.nodeRegistry.getNode(1);
      expect(node.operator).to.equal(f.alice.address);
      expect(node.signingKey).to.equal(key);
      expect(node.status).to.equal(Status.Active);
      expect(node.bond).to.equal(bond);
      expect(node.unbondingBond).to.equal(0n);
      expect(node.totalSlashed).to.equal(0n);
      expect(node.metadataURI).to.equal("ipfs://a");
      expect(await f.nodeRegistry.getBondUnbondings(1)).to.deep.equal([]);
    });

    it("numbers nodes consecutively and accepts a bond above the minimum", async function () {
      const f = await loadFixture(registryFixture);
      const bond = f.minBond + 1n;
      await approveRegistry(f, f.alice);
      const key = ethers.Wallet.createRandom().address;
      await expect(f.nodeRegistry.connect(f.alice).register(key, "", bond))
        .to.emit(f.nodeRegistry, "NodeRegistered")
        .withArgs(3n, f.alice.address, key, bond, "");
      expect(await f.nodeRegistry.nodeCount()).to.equal(3n);
      expect((await f.nodeRegistry.getNode(3)).bond).to.equal(bond);
    });

    it("reverts with NodeRegistryOperatorHasNode when the operator already runs a node", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      await expect(f.nodeRegistry.connect(f.operator1).register(ethers.Wallet.createRandom().address, "", f.minBond))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryOperatorHasNode")
        .withArgs(f.operator1.address, 1n);
    });

    it("reverts with NodeRegistryOperatorHasNode even after the operator's node exited", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      await f.nodeRegistry.connect(f.operator1).unbond(1, f.minBond);
      await expect(f.nodeRegistry.connect(f.operator1).register(ethers.Wallet.createRandom().address, "", f.minBond))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryOperatorHasNode")
        .withArgs(f.operator1.address, 1n);
    });

    it("reverts with NodeRegistryInvalidSigningKey for the zero key or a key already in use", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.alice);
      for (const key of [ethers.ZeroAddress, f.signingKeys[0], f.signingKeys[1]]) {
        await expect(f.nodeRegistry.connect(f.alice).register(key, "", f.minBond))
          .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryInvalidSigningKey")
          .withArgs(key);
      }
    });

    it("reverts with NodeRegistryBondTooLow one wei below the minimum", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.alice);
      await expect(f.nodeRegistry.connect(f.alice).register(ethers.Wallet.createRandom().address, "", f.minBond - 1n))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryBondTooLow")
        .withArgs(f.minBond - 1n, f.minBond);
    });

    it("reverts with ERC20InsufficientAllowance when the bond is not approved", async function () {
      const f = await loadFixture(registryFixture);
      await expect(f.nodeRegistry.connect(f.alice).register(ethers.Wallet.createRandom().address, "", f.minBond))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(await f.nodeRegistry.getAddress(), 0n, f.minBond);
    });

    it("reverts with EnforcedPause while paused", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.alice);
      await f.nodeRegistry.connect(f.guardian).pause();
      await expect(
        f.nodeRegistry.connect(f.alice).register(ethers.Wallet.createRandom().address, "", f.minBond),
      ).to.be.revertedWithCustomError(f.nodeRegistry, "EnforcedPause");
    });
  });

  describe("registerWithPermit", function () {
    it("registers with a permit for the bond, without a prior approval", async function () {
      const f = await loadFixture(registryFixture);
      const registry = await f.nodeRegistry.getAddress();
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(f.token, f.alice, registry, f.minBond, deadline);
      const key = ethers.Wallet.createRandom().address;
      const tx = f.nodeRegistry
        .connect(f.alice)
        .registerWithPermit(key, "ipfs://p", f.minBond, deadline, sig.v, sig.r, sig.s);
      await expect(tx)
        .to.emit(f.nodeRegistry, "NodeRegistered")
        .withArgs(3n, f.alice.address, key, f.minBond, "ipfs://p");
      await expect(tx).to.changeTokenBalances(f.token, [f.alice, f.nodeRegistry], [-f.minBond, f.minBond]);
      expect(await f.token.allowance(f.alice.address, registry)).to.equal(0n);
      expect(await f.token.nonces(f.alice.address)).to.equal(1n);
    });

    it("an attacker cannot grief the registration by front-running its permit", async function () {
      const f = await loadFixture(registryFixture);
      const registry = await f.nodeRegistry.getAddress();
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(f.token, f.alice, registry, f.minBond, deadline);
      // The attacker copies the permit from the mempool and submits it first.
      await f.token.connect(f.attacker).permit(f.alice.address, registry, f.minBond, deadline, sig.v, sig.r, sig.s);
      const key = ethers.Wallet.createRandom().address;
      await expect(
        f.nodeRegistry.connect(f.alice).registerWithPermit(key, "", f.minBond, deadline, sig.v, sig.r, sig.s),
      )
        .to.emit(f.nodeRegistry, "NodeRegistered")
        .withArgs(3n, f.alice.address, key, f.minBond, "");
      expect(await f.nodeRegistry.nodeOfOperator(f.alice.address)).to.equal(3n);
    });

    it("reverts with ERC20InsufficientAllowance when the permit is invalid and nothing is approved", async function () {
      const f = await loadFixture(registryFixture);
      const registry = await f.nodeRegistry.getAddress();
      const deadline = BigInt(await time.latest()) + 3_600n;
      // Signed for one wei less than the bond: the permit fails, and so does the pull.
      const sig = await signPermit(f.token, f.alice, registry, f.minBond - 1n, deadline);
      await expect(
        f.nodeRegistry
          .connect(f.alice)
          .registerWithPermit(ethers.Wallet.createRandom().address, "", f.minBond, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(registry, 0n, f.minBond);
    });

    it("reverts with EnforcedPause while paused", async function () {
      const f = await loadFixture(registryFixture);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(f.token, f.alice, await f.nodeRegistry.getAddress(), f.minBond, deadline);
      await f.nodeRegistry.connect(f.guardian).pause();
      await expect(
        f.nodeRegistry
          .connect(f.alice)
          .registerWithPermit(ethers.Wallet.createRandom().address, "", f.minBond, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(f.nodeRegistry, "EnforcedPause");
    });
  });

  describe("topUp", function () {
    it("adds to the bond, pulls the ERA and emits BondToppedUp", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      const amount = 2_500n * ERA;
      const tx = f.nodeRegistry.connect(f.operator1).topUp(1, amount);
      await expect(tx)
        .to.emit(f.nodeRegistry, "BondToppedUp")
        .withArgs(1n, amount, f.minBond + amount);
      await expect(tx).to.changeTokenBalances(f.token, [f.operator1, f.nodeRegistry], [-amount, amount]);
      const node = await f.nodeRegistry.getNode(1);
      expect(node.bond).to.equal(f.minBond + amount);
      expect(node.status).to.equal(Status.Active);
    });

    it("reactivates an Exiting node once its bond reaches the minimum again", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      await f.nodeRegistry.connect(f.operator1).unbond(1, f.minBond);
      expect((await f.nodeRegistry.getNode(1)).status).to.equal(Status.Exiting);

      await f.nodeRegistry.connect(f.operator1).topUp(1, f.minBond - 1n);
      expect((await f.nodeRegistry.getNode(1)).status).to.equal(Status.Exiting);
      expect(await f.nodeRegistry.isActive(1)).to.equal(false);

      await expect(f.nodeRegistry.connect(f.operator1).topUp(1, 1n))
        .to.emit(f.nodeRegistry, "BondToppedUp")
        .withArgs(1n, 1n, f.minBond);
      expect((await f.nodeRegistry.getNode(1)).status).to.equal(Status.Active);
      expect(await f.nodeRegistry.isActive(1)).to.equal(true);
    });

    it("restores an Active node that fell below a raised minimum", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      await setMinBondCall(f, f.minBond + ERA);
      expect(await f.nodeRegistry.isActive(1)).to.equal(false);
      await f.nodeRegistry.connect(f.operator1).topUp(1, ERA);
      expect(await f.nodeRegistry.isActive(1)).to.equal(true);
    });

    it("reverts with NodeRegistryNotOperator for anyone but the operator", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator2);
      await expect(f.nodeRegistry.connect(f.operator2).topUp(1, ERA))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryNotOperator")
        .withArgs(1n, f.operator2.address);
    });

    it("reverts with NodeRegistryZeroAmount for 0", async function () {
      const f = await loadFixture(registryFixture);
      await expect(f.nodeRegistry.connect(f.operator1).topUp(1, 0)).to.be.revertedWithCustomError(
        f.nodeRegistry,
        "NodeRegistryZeroAmount",
      );
    });

    it("reverts with NodeRegistryUnknownNode for an unknown node", async function () {
      const f = await loadFixture(registryFixture);
      for (const id of [0n, 3n]) {
        await expect(f.nodeRegistry.connect(f.operator1).topUp(id, ERA))
          .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryUnknownNode")
          .withArgs(id);
      }
    });

    it("reverts with EnforcedPause while paused", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      await f.nodeRegistry.connect(f.guardian).pause();
      await expect(f.nodeRegistry.connect(f.operator1).topUp(1, ERA)).to.be.revertedWithCustomError(
        f.nodeRegistry,
        "EnforcedPause",
      );
    });
  });

  describe("unbond", function () {
    it("unbonds part of the bond when at least the minimum remains", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      const extra = 3_000n * ERA;
      await f.nodeRegistry.connect(f.operator1).topUp(1, extra);
      const t = await nextTimestamp();
      const tx = f.nodeRegistry.connect(f.operator1).unbond(1, extra);
      await expect(tx)
        .to.emit(f.nodeRegistry, "BondUnbondingStarted")
        .withArgs(1n, extra, t + f.period, f.minBond);
      await expect(tx).not.to.emit(f.nodeRegistry, "NodeExiting");
      await expect(tx).to.changeTokenBalance(f.token, f.nodeRegistry, 0n);
      const node = await f.nodeRegistry.getNode(1);
      expect(node.bond).to.equal(f.minBond);
      expect(node.unbondingBond).to.equal(extra);
      expect(node.status).to.equal(Status.Active);
      expect(await f.nodeRegistry.isActive(1)).to.equal(true);
      const entries = await f.nodeRegistry.getBondUnbondings(1);
      expect(entries.length).to.equal(1);
      expect(entries[0].amount).to.equal(extra);
      expect(entries[0].releaseAt).to.equal(t + f.period);
    });

    it("reverts with NodeRegistryBondTooLow when the rest would be above 0 but below the minimum", async function () {
      const f = await loadFixture(registryFixture);
      await expect(f.nodeRegistry.connect(f.operator1).unbond(1, 1n))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryBondTooLow")
        .withArgs(f.minBond - 1n, f.minBond);
    });

    it("unbonds the whole bond, making the node Exiting and inactive", async function () {
      const f = await loadFixture(registryFixture);
      const t = await nextTimestamp();
      const tx = f.nodeRegistry.connect(f.operator1).unbond(1, f.minBond);
      await expect(tx)
        .to.emit(f.nodeRegistry, "BondUnbondingStarted")
        .withArgs(1n, f.minBond, t + f.period, 0n);
      await expect(tx).to.emit(f.nodeRegistry, "NodeExiting").withArgs(1n);
      const node = await f.nodeRegistry.getNode(1);
      expect(node.status).to.equal(Status.Exiting);
      expect(node.bond).to.equal(0n);
      expect(node.unbondingBond).to.equal(f.minBond);
      expect(await f.nodeRegistry.isActive(1)).to.equal(false);
    });

    it("does not emit NodeExiting again when an Exiting node unbonds the rest of its bond", async function () {
      const f = await loadFixture(registryFixture);
      const slashed = 1_000n * ERA;
      await f.nodeRegistry.connect(f.slasher).slash(1, slashed, f.recipient.address, REASON);
      expect((await f.nodeRegistry.getNode(1)).status).to.equal(Status.Exiting);
      const tx = f.nodeRegistry.connect(f.operator1).unbond(1, f.minBond - slashed);
      await expect(tx).to.emit(f.nodeRegistry, "BondUnbondingStarted");
      await expect(tx).not.to.emit(f.nodeRegistry, "NodeExiting");
    });

    it("allows MAX_PENDING_UNBONDINGS (8) entries and reverts with NodeRegistryTooManyUnbondings on the 9th", async function () {
      const f = await loadFixture(registryFixture);
      const max = await f.nodeRegistry.MAX_PENDING_UNBONDINGS();
      expect(max).to.equal(8n);
      await approveRegistry(f, f.operator1);
      await f.nodeRegistry.connect(f.operator1).topUp(1, (max + 1n) * ERA);
      for (let i = 0n; i < max; i++) await f.nodeRegistry.connect(f.operator1).unbond(1, ERA);
      expect((await f.nodeRegistry.getBondUnbondings(1)).length).to.equal(Number(max));
      await expect(f.nodeRegistry.connect(f.operator1).unbond(1, ERA))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryTooManyUnbondings")
        .withArgs(1n, max);
      // Once the entries are withdrawn, the slots are free again.
      await time.increase(f.period);
      await f.nodeRegistry.connect(f.operator1).withdrawBond(1);
      await expect(f.nodeRegistry.connect(f.operator1).unbond(1, ERA)).to.emit(f.nodeRegistry, "BondUnbondingStarted");
    });

    it("reverts with NodeRegistryInsufficientBond for more than the bond", async function () {
      const f = await loadFixture(registryFixture);
      await expect(f.nodeRegistry.connect(f.operator1).unbond(1, f.minBond + 1n))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryInsufficientBond")
        .withArgs(1n, f.minBond + 1n, f.minBond);
    });

    it("reverts with NodeRegistryZeroAmount for 0", async function () {
      const f = await loadFixture(registryFixture);
      await expect(f.nodeRegistry.connect(f.operator1).unbond(1, 0)).to.be.revertedWithCustomError(
        f.nodeRegistry,
        "NodeRegistryZeroAmount",
      );
    });

    it("an attacker cannot unbond someone else's bond", async function () {
      const f = await loadFixture(registryFixture);
      await expect(f.nodeRegistry.connect(f.attacker).unbond(1, f.minBond))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryNotOperator")
        .withArgs(1n, f.attacker.address);
      await expect(f.nodeRegistry.connect(f.attacker).unbond(7, 1n))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryUnknownNode")
        .withArgs(7n);
    });

    it("keeps working while paused (an exit is an outflow)", async function () {
      const f = await loadFixture(registryFixture);
      await f.nodeRegistry.connect(f.guardian).pause();
      await expect(f.nodeRegistry.connect(f.operator1).unbond(1, f.minBond)).to.emit(f.nodeRegistry, "NodeExiting");
    });
  });

  describe("withdrawBond", function () {
    async function unbondedFixture() {
      const f = await registryFixture();
      const t = await nextTimestamp();
      await f.nodeRegistry.connect(f.operator1).unbond(1, f.minBond);
      return { ...f, releaseAt: t + f.period };
    }

    it("reverts with NodeRegistryNothingToWithdraw one second before the release time", async function () {
      const f = await loadFixture(unbondedFixture);
      await time.setNextBlockTimestamp(f.releaseAt - 1n);
      await expect(f.nodeRegistry.connect(f.operator1).withdrawBond(1))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryNothingToWithdraw")
        .withArgs(1n);
      expect(BigInt(await time.latest())).to.equal(f.releaseAt - 1n);
    });

    it("pays in the very second of the release time (releaseAt is inclusive)", async function () {
      const f = await loadFixture(unbondedFixture);
      await time.setNextBlockTimestamp(f.releaseAt);
      const tx = f.nodeRegistry.connect(f.operator1).withdrawBond(1);
      await expect(tx).to.emit(f.nodeRegistry, "BondWithdrawn").withArgs(1n, f.operator1.address, f.minBond);
      await expect(tx).to.changeTokenBalances(f.token, [f.nodeRegistry, f.operator1], [-f.minBond, f.minBond]);
      expect(BigInt(await time.latest())).to.equal(f.releaseAt);
      expect(await f.nodeRegistry.getBondUnbondings(1)).to.deep.equal([]);
      expect((await f.nodeRegistry.getNode(1)).unbondingBond).to.equal(0n);
    });

    it("pays long after the release time, and returns the amount", async function () {
      const f = await loadFixture(unbondedFixture);
      await time.increaseTo(f.releaseAt + 365n * DAY);
      expect(await f.nodeRegistry.connect(f.operator1).withdrawBond.staticCall(1)).to.equal(f.minBond);
      await expect(f.nodeRegistry.connect(f.operator1).withdrawBond(1)).to.changeTokenBalance(
        f.token,
        f.operator1,
        f.minBond,
      );
      await expect(f.nodeRegistry.connect(f.operator1).withdrawBond(1))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryNothingToWithdraw")
        .withArgs(1n);
    });

    it("pays matured entries only and keeps the others", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      await f.nodeRegistry.connect(f.operator1).topUp(1, 3n * ERA);
      const t1 = await nextTimestamp();
      await f.nodeRegistry.connect(f.operator1).unbond(1, ERA);
      const t2 = await nextTimestamp(DAY);
      await f.nodeRegistry.connect(f.operator1).unbond(1, 2n * ERA);
      await time.setNextBlockTimestamp(t1 + f.period);
      await expect(f.nodeRegistry.connect(f.operator1).withdrawBond(1))
        .to.emit(f.nodeRegistry, "BondWithdrawn")
        .withArgs(1n, f.operator1.address, ERA);
      const left = await f.nodeRegistry.getBondUnbondings(1);
      expect(left.length).to.equal(1);
      expect(left[0].amount).to.equal(2n * ERA);
      expect(left[0].releaseAt).to.equal(t2 + f.period);
    });

    it("pays matured entries around an unmatured one (swap-and-pop keeps the rest intact)", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      await f.nodeRegistry.connect(f.operator1).topUp(1, 7n * ERA);
      // A: 1 ERA with the 14-day period; B: 2 ERA with 90 days; C: 4 ERA with 1 day.
      const tA = await nextTimestamp();
      await f.nodeRegistry.connect(f.operator1).unbond(1, ERA);
      await setPeriodCall(f, 90n * DAY);
      const tB = await nextTimestamp();
      await f.nodeRegistry.connect(f.operator1).unbond(1, 2n * ERA);
      await setPeriodCall(f, DAY);
      await f.nodeRegistry.connect(f.operator1).unbond(1, 4n * ERA);
      await time.setNextBlockTimestamp(tA + f.period);
      await expect(f.nodeRegistry.connect(f.operator1).withdrawBond(1))
        .to.emit(f.nodeRegistry, "BondWithdrawn")
        .withArgs(1n, f.operator1.address, 5n * ERA);
      const left = await f.nodeRegistry.getBondUnbondings(1);
      expect(left.length).to.equal(1);
      expect(left[0].amount).to.equal(2n * ERA);
      expect(left[0].releaseAt).to.equal(tB + 90n * DAY);
    });

    it("reverts with NodeRegistryNothingToWithdraw when nothing was ever unbonded", async function () {
      const f = await loadFixture(registryFixture);
      await expect(f.nodeRegistry.connect(f.operator1).withdrawBond(1))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryNothingToWithdraw")
        .withArgs(1n);
    });

    it("frees the slots of entries emptied by a slash, paying 0", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      const max = await f.nodeRegistry.MAX_PENDING_UNBONDINGS();
      await f.nodeRegistry.connect(f.operator1).topUp(1, max * ERA);
      for (let i = 0n; i < max; i++) await f.nodeRegistry.connect(f.operator1).unbond(1, ERA);
      // No delegations on node 1: the slash takes the bond and every unbonding entry, nothing more.
      await f.nodeRegistry.connect(f.slasher).slash(1, f.minBond + max * ERA, f.recipient.address, REASON);
      const emptied = await f.nodeRegistry.getBondUnbondings(1);
      expect(emptied.length).to.equal(Number(max));
      for (const e of emptied) expect(e.amount).to.equal(0n);

      await time.increase(f.period);
      const tx = f.nodeRegistry.connect(f.operator1).withdrawBond(1);
      await expect(tx).to.emit(f.nodeRegistry, "BondWithdrawn").withArgs(1n, f.operator1.address, 0n);
      await expect(tx).to.changeTokenBalances(f.token, [f.nodeRegistry, f.operator1], [0n, 0n]);
      expect(await f.nodeRegistry.getBondUnbondings(1)).to.deep.equal([]);
      // The operator can bond and unbond again.
      await f.nodeRegistry.connect(f.operator1).topUp(1, f.minBond + ERA);
      await expect(f.nodeRegistry.connect(f.operator1).unbond(1, ERA)).to.emit(f.nodeRegistry, "BondUnbondingStarted");
    });

    it("keeps working while paused (never locks a bond in)", async function () {
      const f = await loadFixture(unbondedFixture);
      await f.nodeRegistry.connect(f.guardian).pause();
      await time.increaseTo(f.releaseAt);
      await expect(f.nodeRegistry.connect(f.operator1).withdrawBond(1))
        .to.emit(f.nodeRegistry, "BondWithdrawn")
        .withArgs(1n, f.operator1.address, f.minBond);
    });

    it("an attacker cannot withdraw someone else's bond", async function () {
      const f = await loadFixture(unbondedFixture);
      await time.increaseTo(f.releaseAt);
      await expect(f.nodeRegistry.connect(f.attacker).withdrawBond(1))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryNotOperator")
        .withArgs(1n, f.attacker.address);
      await expect(f.nodeRegistry.connect(f.attacker).withdrawBond(9))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryUnknownNode")
        .withArgs(9n);
    });
  });

  describe("setSigningKey", function () {
    it("rotates the key, frees the old one and emits SigningKeyChanged", async function () {
      const f = await loadFixture(registryFixture);
      const [oldKey] = f.signingKeys;
      const newKey = ethers.Wallet.createRandom().address;
      await expect(f.nodeRegistry.connect(f.operator1).setSigningKey(1, newKey))
        .to.emit(f.nodeRegistry, "SigningKeyChanged")
        .withArgs(1n, oldKey, newKey);
      expect((await f.nodeRegistry.getNode(1)).signingKey).to.equal(newKey);
      expect(await f.nodeRegistry.nodeOfSigningKey(newKey)).to.equal(1n);
      expect(await f.nodeRegistry.nodeOfSigningKey(oldKey)).to.equal(0n);
      // The old key is free for another node.
      await approveRegistry(f, f.alice);
      await expect(f.nodeRegistry.connect(f.alice).register(oldKey, "", f.minBond))
        .to.emit(f.nodeRegistry, "NodeRegistered")
        .withArgs(3n, f.alice.address, oldKey, f.minBond, "");
    });

    it("reverts with NodeRegistryInvalidSigningKey for zero, another node's key or its own key", async function () {
      const f = await loadFixture(registryFixture);
      for (const key of [ethers.ZeroAddress, f.signingKeys[1], f.signingKeys[0]]) {
        await expect(f.nodeRegistry.connect(f.operator1).setSigningKey(1, key))
          .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryInvalidSigningKey")
          .withArgs(key);
      }
    });

    it("an attacker cannot replace a node's signing key", async function () {
      const f = await loadFixture(registryFixture);
      await expect(f.nodeRegistry.connect(f.attacker).setSigningKey(1, f.attacker.address))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryNotOperator")
        .withArgs(1n, f.attacker.address);
      await expect(f.nodeRegistry.connect(f.attacker).setSigningKey(5, f.attacker.address))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryUnknownNode")
        .withArgs(5n);
    });
  });

  describe("setMetadataURI", function () {
    it("changes the URI and emits MetadataURIChanged", async function () {
      const f = await loadFixture(registryFixture);
      await expect(f.nodeRegistry.connect(f.operator1).setMetadataURI(1, "ipfs://new"))
        .to.emit(f.nodeRegistry, "MetadataURIChanged")
        .withArgs(1n, "ipfs://new");
      expect((await f.nodeRegistry.getNode(1)).metadataURI).to.equal("ipfs://new");
    });

    it("an attacker cannot change a node's metadata", async function () {
      const f = await loadFixture(registryFixture);
      await expect(f.nodeRegistry.connect(f.attacker).setMetadataURI(1, "ipfs://evil"))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryNotOperator")
        .withArgs(1n, f.attacker.address);
      await expect(f.nodeRegistry.connect(f.attacker).setMetadataURI(4, "ipfs://evil"))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryUnknownNode")
        .withArgs(4n);
    });
  });

  describe("slash", function () {
    /**
     * Node 1 with delegations: alice 30,000 ERA active; bob 10,000 ERA of which 4,000 ERA are unbonding. The reserve
     * is empty, so no yield accrues and the pool holds exactly the principal.
     */
    async function delegatedFixture() {
      const f = await registryFixture();
      const staking = await f.staking.getAddress();
      await f.token.connect(f.alice).approve(staking, ethers.MaxUint256);
      await f.token.connect(f.bob).approve(staking, ethers.MaxUint256);
      await f.staking.connect(f.alice).delegate(1, 30_000n * ERA);
      await f.staking.connect(f.bob).delegate(1, 10_000n * ERA);
      await f.staking.connect(f.bob).undelegate(1, 4_000n * ERA);
      return { ...f, active: 36_000n * ERA, unbonding: 4_000n * ERA };
    }

    it("takes the active bond first and pays it to the recipient", async function () {
      const f = await loadFixture(delegatedFixture);
      const amount = 4_000n * ERA;
      expect(await f.nodeRegistry.connect(f.slasher).slash.staticCall(1, amount, f.recipient.address, REASON)).to.equal(
        amount,
      );
      const tx = f.nodeRegistry.connect(f.slasher).slash(1, amount, f.recipient.address, REASON);
      await expect(tx)
        .to.emit(f.nodeRegistry, "NodeSlashed")
        .withArgs(1n, f.recipient.address, amount, amount, 0n, REASON);
      await expect(tx).not.to.emit(f.staking, "DelegationsSlashed");
      await expect(tx).to.changeTokenBalances(f.token, [f.nodeRegistry, f.recipient, f.staking], [-amount, amount, 0n]);
      const node = await f.nodeRegistry.getNode(1);
      expect(node.bond).to.equal(f.minBond - amount);
      expect(node.totalSlashed).to.equal(amount);
      const pool = await f.staking.nodePool(1);
      expect(pool.stake).to.equal(f.active);
      expect(pool.unbondingStake).to.equal(f.unbonding);
    });

    it("makes the node Exiting (NodeExiting) when its bond falls below the minimum", async function () {
      const f = await loadFixture(registryFixture);
      await expect(f.nodeRegistry.connect(f.slasher).slash(1, 1n, f.recipient.address, REASON))
        .to.emit(f.nodeRegistry, "NodeExiting")
        .withArgs(1n);
      expect((await f.nodeRegistry.getNode(1)).status).to.equal(Status.Exiting);
      expect(await f.nodeRegistry.isActive(1)).to.equal(false);
      // Slashing an Exiting node does not announce it again.
      await expect(f.nodeRegistry.connect(f.slasher).slash(1, 1n, f.recipient.address, REASON)).not.to.emit(
        f.nodeRegistry,
        "NodeExiting",
      );
    });

    it("leaves the node Active while its bond stays at or above the minimum", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      await f.nodeRegistry.connect(f.operator1).topUp(1, 500n * ERA);
      const tx = f.nodeRegistry.connect(f.slasher).slash(1, 500n * ERA, f.recipient.address, REASON);
      await expect(tx).not.to.emit(f.nodeRegistry, "NodeExiting");
      const node = await f.nodeRegistry.getNode(1);
      expect(node.bond).to.equal(f.minBond);
      expect(node.status).to.equal(Status.Active);
    });

    it("then takes the unbonding bond, newest entry first", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      const m = f.minBond;
      await f.nodeRegistry.connect(f.operator1).topUp(1, 2n * m);
      await f.nodeRegistry.connect(f.operator1).unbond(1, m); // entry 0 (older)
      await f.nodeRegistry.connect(f.operator1).unbond(1, m); // entry 1 (newest)
      const first = m + m / 2n;
      await expect(f.nodeRegistry.connect(f.slasher).slash(1, first, f.recipient.address, REASON))
        .to.emit(f.nodeRegistry, "NodeSlashed")
        .withArgs(1n, f.recipient.address, first, first, 0n, REASON);
      let entries = await f.nodeRegistry.getBondUnbondings(1);
      expect(entries[0].amount).to.equal(m);
      expect(entries[1].amount).to.equal(m - m / 2n);
      expect((await f.nodeRegistry.getNode(1)).bond).to.equal(0n);

      // The next slash empties the newest entry and only then cuts into the older one.
      await expect(f.nodeRegistry.connect(f.slasher).slash(1, m, f.recipient.address, REASON))
        .to.emit(f.nodeRegistry, "NodeSlashed")
        .withArgs(1n, f.recipient.address, m, m, 0n, REASON);
      entries = await f.nodeRegistry.getBondUnbondings(1);
      expect(entries[1].amount).to.equal(0n);
      expect(entries[0].amount).to.equal(m - m / 2n);
      const node = await f.nodeRegistry.getNode(1);
      expect(node.unbondingBond).to.equal(m - m / 2n);
      expect(node.totalSlashed).to.equal(first + m);
    });

    it("takes the rest from the delegators, pro rata between active and unbonding stake", async function () {
      const f = await loadFixture(delegatedFixture);
      const rest = 1_000n * ERA + 7n;
      const amount = f.minBond + rest;
      const total = f.active + f.unbonding;
      const fromActive = (rest * f.active) / total;
      const fromUnbonding = (rest * f.unbonding) / total;
      const fromDelegators = fromActive + fromUnbonding;
      expect(await f.nodeRegistry.connect(f.slasher).slash.staticCall(1, amount, f.recipient.address, REASON)).to.equal(
        f.minBond + fromDelegators,
      );

      const tx = f.nodeRegistry.connect(f.slasher).slash(1, amount, f.recipient.address, REASON);
      await expect(tx)
        .to.emit(f.staking, "DelegationsSlashed")
        .withArgs(1n, f.recipient.address, fromActive, fromUnbonding);
      await expect(tx)
        .to.emit(f.nodeRegistry, "NodeSlashed")
        .withArgs(1n, f.recipient.address, amount, f.minBond, fromDelegators, REASON);
      await expect(tx).to.changeTokenBalances(
        f.token,
        [f.nodeRegistry, f.staking, f.recipient],
        [-f.minBond, -fromDelegators, f.minBond + fromDelegators],
      );
      const pool = await f.staking.nodePool(1);
      expect(pool.stake).to.equal(f.active - fromActive);
      expect(pool.unbondingStake).to.equal(f.unbonding - fromUnbonding);
      // Alice holds 30/36 of the active pool and loses her share of its cut (rounded down).
      expect(await f.staking.stakeOf(f.alice.address, 1)).to.equal(
        ((f.active - fromActive) * (30_000n * ERA)) / f.active,
      );
      // Bob's unbonding entry (the whole unbonding pool) loses the unbonding part.
      expect(await f.staking.unbondingValue(f.bob.address, 1, 0)).to.equal(f.unbonding - fromUnbonding);
      // The node's own figure counts only what came from its bond.
      expect((await f.nodeRegistry.getNode(1)).totalSlashed).to.equal(f.minBond);
    });

    it("takes everything when asked for more than there is at stake", async function () {
      const f = await loadFixture(delegatedFixture);
      await approveRegistry(f, f.operator1);
      await f.nodeRegistry.connect(f.operator1).topUp(1, 2_000n * ERA);
      await f.nodeRegistry.connect(f.operator1).unbond(1, 2_000n * ERA);
      const bondTotal = f.minBond + 2_000n * ERA;
      const delegated = f.active + f.unbonding;
      const amount = 10n ** 30n;
      const tx = f.nodeRegistry.connect(f.slasher).slash(1, amount, f.recipient.address, REASON);
      await expect(tx)
        .to.emit(f.staking, "DelegationsSlashed")
        .withArgs(1n, f.recipient.address, f.active, f.unbonding);
      await expect(tx)
        .to.emit(f.nodeRegistry, "NodeSlashed")
        .withArgs(1n, f.recipient.address, amount, bondTotal, delegated, REASON);
      await expect(tx).to.changeTokenBalance(f.token, f.recipient, bondTotal + delegated);
      const node = await f.nodeRegistry.getNode(1);
      expect(node.bond).to.equal(0n);
      expect(node.unbondingBond).to.equal(0n);
      expect(node.totalSlashed).to.equal(bondTotal);
      const pool = await f.staking.nodePool(1);
      expect(pool.stake).to.equal(0n);
      expect(pool.unbondingStake).to.equal(0n);
      // A second slash finds nothing left.
      expect(await f.nodeRegistry.connect(f.slasher).slash.staticCall(1, ERA, f.recipient.address, REASON)).to.equal(
        0n,
      );
    });

    it("takes only the bond while no staking contract is wired in", async function () {
      const { registry, token, admin, operator, stranger } = await loadFixture(freshRegistryFixture);
      const bond = await registry.minBond();
      await token.connect(operator).approve(await registry.getAddress(), bond);
      await registry.connect(operator).register(operator.address, "", bond);
      const tx = registry.connect(admin).slash(1, bond * 2n, stranger.address, REASON);
      await expect(tx)
        .to.emit(registry, "NodeSlashed")
        .withArgs(1n, stranger.address, bond * 2n, bond, 0n, REASON);
      await expect(tx).to.changeTokenBalances(token, [registry, stranger], [-bond, bond]);
    });

    it("slashes through the timelock, which holds SLASHER_ROLE in the deployment", async function () {
      const f = await loadFixture(registryFixture);
      const data = f.nodeRegistry.interface.encodeFunctionData("slash", [1, ERA, f.recipient.address, REASON]);
      await expect(viaTimelock(f, f.nodeRegistry, data))
        .to.emit(f.nodeRegistry, "NodeSlashed")
        .withArgs(1n, f.recipient.address, ERA, ERA, 0n, REASON);
    });

    it("keeps slashing while paused (a pause never shields a node)", async function () {
      const f = await loadFixture(registryFixture);
      await f.nodeRegistry.connect(f.guardian).pause();
      await expect(f.nodeRegistry.connect(f.slasher).slash(1, ERA, f.recipient.address, REASON)).to.emit(
        f.nodeRegistry,
        "NodeSlashed",
      );
    });

    it("reverts with NodeRegistryZeroAmount for 0", async function () {
      const f = await loadFixture(registryFixture);
      await expect(
        f.nodeRegistry.connect(f.slasher).slash(1, 0, f.recipient.address, REASON),
      ).to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryZeroAmount");
    });

    it("reverts with AdminGuardedZeroAddress for a zero recipient", async function () {
      const f = await loadFixture(registryFixture);
      await expect(
        f.nodeRegistry.connect(f.slasher).slash(1, ERA, ethers.ZeroAddress, REASON),
      ).to.be.revertedWithCustomError(f.nodeRegistry, "AdminGuardedZeroAddress");
    });

    it("reverts with NodeRegistryUnknownNode for an unknown node", async function () {
      const f = await loadFixture(registryFixture);
      await expect(f.nodeRegistry.connect(f.slasher).slash(3, ERA, f.recipient.address, REASON))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryUnknownNode")
        .withArgs(3n);
    });

    it("an attacker cannot slash a node into their own pocket", async function () {
      const f = await loadFixture(registryFixture);
      for (const who of [f.attacker, f.operator2, f.governor, f.deployer]) {
        await expect(f.nodeRegistry.connect(who).slash(1, f.minBond, who.address, REASON))
          .to.be.revertedWithCustomError(f.nodeRegistry, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, ROLES.SLASHER);
      }
    });
  });

  describe("setMinBond", function () {
    it("changes the minimum through the timelock and emits MinBondChanged", async function () {
      const f = await loadFixture(registryFixture);
      const newMin = f.minBond * 2n;
      await expect(setMinBondCall(f, newMin)).to.emit(f.nodeRegistry, "MinBondChanged").withArgs(f.minBond, newMin);
      expect(await f.nodeRegistry.minBond()).to.equal(newMin);
      // Existing nodes below the new minimum stop being active (status unchanged) until they top up.
      expect(await f.nodeRegistry.isActive(1)).to.equal(false);
      expect((await f.nodeRegistry.getNode(1)).status).to.equal(Status.Active);
    });

    it("accepts both bounds, 1 wei and MAX_MIN_BOND", async function () {
      const f = await loadFixture(registryFixture);
      const max = await f.nodeRegistry.MAX_MIN_BOND();
      expect(max).to.equal(100_000_000n * ERA);
      await expect(setMinBondCall(f, 1n)).to.emit(f.nodeRegistry, "MinBondChanged").withArgs(f.minBond, 1n);
      await expect(setMinBondCall(f, max)).to.emit(f.nodeRegistry, "MinBondChanged").withArgs(1n, max);
    });

    it("reverts with NodeRegistryParameterOutOfBounds for 0 or above MAX_MIN_BOND", async function () {
      const f = await loadFixture(registryFixture);
      const max = await f.nodeRegistry.MAX_MIN_BOND();
      for (const bad of [0n, max + 1n]) {
        await expect(setMinBondCall(f, bad))
          .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryParameterOutOfBounds")
          .withArgs(bad, 1n, max);
      }
    });

    it("an attacker (or a governor acting directly) cannot change the minimum bond", async function () {
      const f = await loadFixture(registryFixture);
      for (const who of [f.attacker, f.governor, f.deployer]) {
        await expect(f.nodeRegistry.connect(who).setMinBond(1n))
          .to.be.revertedWithCustomError(f.nodeRegistry, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, ROLES.DEFAULT_ADMIN);
      }
    });
  });

  describe("setUnbondingPeriod", function () {
    it("changes the period through the timelock; only new entries use it", async function () {
      const f = await loadFixture(registryFixture);
      await approveRegistry(f, f.operator1);
      await f.nodeRegistry.connect(f.operator1).topUp(1, 2n * ERA);
      const t1 = await nextTimestamp();
      await f.nodeRegistry.connect(f.operator1).unbond(1, ERA);
      await expect(setPeriodCall(f, 30n * DAY))
        .to.emit(f.nodeRegistry, "BondUnbondingPeriodChanged")
        .withArgs(f.period, 30n * DAY);
      expect(await f.nodeRegistry.unbondingPeriod()).to.equal(30n * DAY);
      const t2 = await nextTimestamp();
      await f.nodeRegistry.connect(f.operator1).unbond(1, ERA);
      const entries = await f.nodeRegistry.getBondUnbondings(1);
      expect(entries[0].releaseAt).to.equal(t1 + f.period);
      expect(entries[1].releaseAt).to.equal(t2 + 30n * DAY);
    });

    it("accepts both bounds, 1 day and 90 days", async function () {
      const f = await loadFixture(registryFixture);
      await expect(setPeriodCall(f, DAY)).to.emit(f.nodeRegistry, "BondUnbondingPeriodChanged").withArgs(f.period, DAY);
      await expect(setPeriodCall(f, 90n * DAY))
        .to.emit(f.nodeRegistry, "BondUnbondingPeriodChanged")
        .withArgs(DAY, 90n * DAY);
    });

    it("reverts with NodeRegistryParameterOutOfBounds outside [1 day, 90 days]", async function () {
      const f = await loadFixture(registryFixture);
      for (const bad of [0n, DAY - 1n, 90n * DAY + 1n]) {
        await expect(setPeriodCall(f, bad))
          .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryParameterOutOfBounds")
          .withArgs(bad, DAY, 90n * DAY);
      }
    });

    it("an attacker (or a governor acting directly) cannot change the unbonding period", async function () {
      const f = await loadFixture(registryFixture);
      for (const who of [f.attacker, f.governor, f.deployer]) {
        await expect(f.nodeRegistry.connect(who).setUnbondingPeriod(DAY))
          .to.be.revertedWithCustomError(f.nodeRegistry, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, ROLES.DEFAULT_ADMIN);
      }
    });
  });

  describe("re-entrancy", function () {
    /** A registry on a token whose transfers call back into it; node 1 registered, the token holds SLASHER_ROLE. */
    async function reentrantFixture() {
      const [admin, operator] = await ethers.getSigners();
      const token = await ethers.deployContract("HookToken");
      const registry = await ethers.deployContract("NodeRegistry", [await token.getAddress(), admin.address, ERA, DAY]);
      await registry.grantRole(ROLES.SLASHER, await token.getAddress());
      await token.mint(operator.address, 100n * ERA);
      await token.connect(operator).approve(await registry.getAddress(), ethers.MaxUint256);
      await registry.connect(operator).register(ethers.Wallet.createRandom().address, "", 10n * ERA);
      return { token, registry, admin, operator };
    }

    const abi = NodeRegistry__factory.createInterface();
    const reentries: [string, (admin: string) => string][] = [
      ["register", () => abi.encodeFunctionData("register", [ethers.Wallet.createRandom().address, "", ERA])],
      [
        "registerWithPermit",
        () =>
          abi.encodeFunctionData("registerWithPermit", [
            ethers.Wallet.createRandom().address,
            "",
            ERA,
            0,
            0,
            ethers.ZeroHash,
            ethers.ZeroHash,
          ]),
      ],
      ["topUp", () => abi.encodeFunctionData("topUp", [1, ERA])],
      ["unbond", () => abi.encodeFunctionData("unbond", [1, ERA])],
      ["withdrawBond", () => abi.encodeFunctionData("withdrawBond", [1])],
      ["slash", (admin) => abi.encodeFunctionData("slash", [1, ERA, admin, REASON])],
    ];

    for (const [name, call] of reentries) {
      it(`a hooked token cannot re-enter ${name} during a bond transfer (ReentrancyGuardReentrantCall)`, async function () {
        const { token, registry, admin, operator } = await loadFixture(reentrantFixture);
        await token.arm(await registry.getAddress(), call(admin.address));
        await expect(registry.connect(operator).topUp(1, ERA)).to.be.revertedWithCustomError(
          registry,
          "ReentrancyGuardReentrantCall",
        );
        const node = await registry.getNode(1);
        expect(node.bond).to.equal(10n * ERA);
        expect(node.unbondingBond).to.equal(0n);
        expect(await registry.nodeCount()).to.equal(1n);
      });
    }
  });

  describe("views", function () {
    it("report nothing for an unknown node", async function () {
      const f = await loadFixture(registryFixture);
      expect(await f.nodeRegistry.isActive(0)).to.equal(false);
      expect(await f.nodeRegistry.isActive(3)).to.equal(false);
      expect(await f.nodeRegistry.operatorOf(3)).to.equal(ethers.ZeroAddress);
      expect(await f.nodeRegistry.nodeOfSigningKey(f.alice.address)).to.equal(0n);
      expect(await f.nodeRegistry.nodeOfOperator(f.alice.address)).to.equal(0n);
      const node = await f.nodeRegistry.getNode(3);
      expect(node.operator).to.equal(ethers.ZeroAddress);
      expect(node.status).to.equal(Status.None);
      expect(node.bond).to.equal(0n);
    });

    it("report the two nodes of the funded economy", async function () {
      const f = await loadFixture(registryFixture);
      expect(await f.nodeRegistry.nodeCount()).to.equal(2n);
      for (const [i, op] of [f.operator1, f.operator2].entries()) {
        const id = BigInt(i + 1);
        expect(await f.nodeRegistry.operatorOf(id)).to.equal(op.address);
        expect(await f.nodeRegistry.nodeOfOperator(op.address)).to.equal(id);
        expect(await f.nodeRegistry.nodeOfSigningKey(f.signingKeys[i])).to.equal(id);
        expect(await f.nodeRegistry.isActive(id)).to.equal(true);
      }
    });
  });
});
