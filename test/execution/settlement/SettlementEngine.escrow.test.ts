import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { DAY, ERA, ROLES, signPermit, viaTimelock } from "../../helpers/fixtures";
import { now } from "../../helpers/execution";
import {
  Status,
  digestOf,
  directFixture,
  hashlockOf,
  leg,
  lock,
  quirkyFixture,
  randomId,
  settle,
  settlementFixture,
  settlementOf,
} from "./helpers";

describe("SettlementEngine — deployment, governance and escrow", function () {
  describe("deployment", function () {
    it("allows ERA from the start, takes settlements from the ExecutionHub only, and is governed by the timelock", async function () {
      const f = await loadFixture(settlementFixture);
      const timelock = await f.timelock.getAddress();
      expect(await f.engine.tokenAllowed(f.era)).to.equal(true);
      expect(await f.engine.hub()).to.equal(await f.executionHub.getAddress());
      expect(await f.engine.hasRole(ROLES.DEFAULT_ADMIN, timelock)).to.equal(true);
      expect(await f.engine.hasRole(ROLES.DEFAULT_ADMIN, f.deployer.address)).to.equal(false);
      expect(await f.engine.getRoleMemberCount(ROLES.DEFAULT_ADMIN)).to.equal(1n);
      expect(await f.engine.hasRole(ROLES.PAUSER, f.guardian.address)).to.equal(true);
      expect(await f.engine.MAX_LEGS()).to.equal(64n);
    });

    it("emits TokenAllowed for every initial token", async function () {
      const f = await loadFixture(settlementFixture);
      const engine = await ethers.deployContract("SettlementEngine", [f.deployer.address, [f.era, f.usdAddress]]);
      await expect(engine.deploymentTransaction())
        .to.emit(engine, "TokenAllowed")
        .withArgs(f.era, true)
        .and.to.emit(engine, "TokenAllowed")
        .withArgs(f.usdAddress, true);
      expect(await engine.tokenAllowed(f.usdAddress)).to.equal(true);
      expect(await engine.hub()).to.equal(ethers.ZeroAddress);
    });

    it("reverts when the admin is the zero address", async function () {
      const f = await loadFixture(settlementFixture);
      const factory = await ethers.getContractFactory("SettlementEngine");
      await expect(factory.deploy(ethers.ZeroAddress, [f.era])).to.be.revertedWithCustomError(
        f.engine,
        "AdminGuardedZeroAddress",
      );
    });

    it("reverts when an initial token is the zero address", async function () {
      const f = await loadFixture(settlementFixture);
      const factory = await ethers.getContractFactory("SettlementEngine");
      await expect(factory.deploy(f.deployer.address, [f.era, ethers.ZeroAddress])).to.be.revertedWithCustomError(
        f.engine,
        "AdminGuardedZeroAddress",
      );
    });
  });

  describe("setTokenAllowed", function () {
    it("allows and disallows a token through the timelock, emitting TokenAllowed", async function () {
      const f = await loadFixture(settlementFixture);
      const token = await ethers.deployContract("SettlementToken", ["Other", "OTH"]);
      const address = await token.getAddress();
      expect(await f.engine.tokenAllowed(address)).to.equal(false);
      const allow = f.engine.interface.encodeFunctionData("setTokenAllowed", [address, true]);
      await expect(viaTimelock(f, f.engine, allow))
        .to.emit(f.engine, "TokenAllowed")
        .withArgs(address, true);
      expect(await f.engine.tokenAllowed(address)).to.equal(true);
      const disallow = f.engine.interface.encodeFunctionData("setTokenAllowed", [address, false]);
      await expect(viaTimelock(f, f.engine, disallow))
        .to.emit(f.engine, "TokenAllowed")
        .withArgs(address, false);
      expect(await f.engine.tokenAllowed(address)).to.equal(false);
    });

    it("reverts for the zero address", async function () {
      const f = await loadFixture(settlementFixture);
      const data = f.engine.interface.encodeFunctionData("setTokenAllowed", [ethers.ZeroAddress, true]);
      await expect(viaTimelock(f, f.engine, data)).to.be.revertedWithCustomError(f.engine, "AdminGuardedZeroAddress");
    });

    it("reverts when the caller is not the admin", async function () {
      const f = await loadFixture(settlementFixture);
      for (const caller of [f.deployer, f.governor, f.attacker]) {
        await expect(f.engine.connect(caller).setTokenAllowed(f.usdAddress, false))
          .to.be.revertedWithCustomError(f.engine, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, ROLES.DEFAULT_ADMIN);
      }
    });
  });

  describe("setHub", function () {
    it("changes the hub through the timelock, emitting HubChanged; the former hub can no longer submit", async function () {
      const f = await loadFixture(settlementFixture);
      const data = f.engine.interface.encodeFunctionData("setHub", [f.carol.address]);
      await expect(viaTimelock(f, f.engine, data))
        .to.emit(f.engine, "HubChanged")
        .withArgs(f.carol.address);
      expect(await f.engine.hub()).to.equal(f.carol.address);

      await f.engine.connect(f.alice).deposit(f.era, ERA);
      const s = settlementOf([leg(f.alice, f.bob, f.era, ERA)], (await now()) + DAY);
      await expect(settle(f, s))
        .to.be.revertedWithCustomError(f.engine, "SettlementOnlyHub")
        .withArgs(await f.executionHub.getAddress());
    });

    it("reverts for the zero address", async function () {
      const f = await loadFixture(settlementFixture);
      const data = f.engine.interface.encodeFunctionData("setHub", [ethers.ZeroAddress]);
      await expect(viaTimelock(f, f.engine, data)).to.be.revertedWithCustomError(f.engine, "AdminGuardedZeroAddress");
    });

    it("reverts when the caller is not the admin", async function () {
      const f = await loadFixture(settlementFixture);
      await expect(f.engine.connect(f.attacker).setHub(f.attacker.address))
        .to.be.revertedWithCustomError(f.engine, "AccessControlUnauthorizedAccount")
        .withArgs(f.attacker.address, ROLES.DEFAULT_ADMIN);
    });
  });

  describe("settle and lock (access)", function () {
    it("reverts settle and lock from anyone but the hub with SettlementOnlyHub", async function () {
      const f = await loadFixture(directFixture);
      const atomic = settlementOf([leg(f.alice, f.bob, f.era, ERA)], (await now()) + DAY);
      const locked = settlementOf([leg(f.alice, f.bob, f.era, ERA)], (await now()) + DAY, hashlockOf(randomId()));
      for (const caller of [f.alice, f.deployer]) {
        await expect(f.direct.connect(caller).settle(atomic, []))
          .to.be.revertedWithCustomError(f.direct, "SettlementOnlyHub")
          .withArgs(caller.address);
        await expect(f.direct.connect(caller).lock(locked, []))
          .to.be.revertedWithCustomError(f.direct, "SettlementOnlyHub")
          .withArgs(caller.address);
      }
      // The suite's engine too: only the ExecutionHub.
      await expect(f.engine.connect(f.node1Key).settle(atomic, []))
        .to.be.revertedWithCustomError(f.engine, "SettlementOnlyHub")
        .withArgs(f.node1Key.address);
    });
  });

  describe("pause", function () {
    it("is reserved to PAUSER_ROLE", async function () {
      const f = await loadFixture(settlementFixture);
      await expect(f.engine.connect(f.attacker).pause())
        .to.be.revertedWithCustomError(f.engine, "AccessControlUnauthorizedAccount")
        .withArgs(f.attacker.address, ROLES.PAUSER);
      await expect(f.engine.connect(f.attacker).unpause())
        .to.be.revertedWithCustomError(f.engine, "AccessControlUnauthorizedAccount")
        .withArgs(f.attacker.address, ROLES.PAUSER);
    });
  });

  describe("deposit", function () {
    it("pulls the tokens, credits the free balance and emits Deposited", async function () {
      const f = await loadFixture(settlementFixture);
      const amount = 1_234n * ERA;
      const engineBefore = await f.token.balanceOf(f.engineAddress);
      const aliceBefore = await f.token.balanceOf(f.alice.address);
      await expect(f.engine.connect(f.alice).deposit(f.era, amount))
        .to.emit(f.engine, "Deposited")
        .withArgs(f.alice.address, f.era, amount);
      expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(amount);
      expect(await f.engine.frozenBalance(f.alice.address, f.era)).to.equal(0n);
      expect(await f.token.balanceOf(f.engineAddress)).to.equal(engineBefore + amount);
      expect(await f.token.balanceOf(f.alice.address)).to.equal(aliceBefore - amount);

      // A second deposit adds up; another token is a separate balance.
      await f.engine.connect(f.alice).deposit(f.era, 1n);
      await f.engine.connect(f.alice).deposit(f.usdAddress, 7n);
      expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(amount + 1n);
      expect(await f.engine.freeBalance(f.alice.address, f.usdAddress)).to.equal(7n);
    });

    it("reverts with SettlementTokenNotAllowed for a token that is not allow-listed", async function () {
      const f = await loadFixture(settlementFixture);
      const other = await ethers.deployContract("SettlementToken", ["Other", "OTH"]);
      await other.mint(f.alice.address, ERA);
      await other.connect(f.alice).approve(f.engineAddress, ERA);
      await expect(f.engine.connect(f.alice).deposit(await other.getAddress(), ERA))
        .to.be.revertedWithCustomError(f.engine, "SettlementTokenNotAllowed")
        .withArgs(await other.getAddress());
    });

    it("reverts with SettlementTokenNotAllowed for a token that was de-listed", async function () {
      const f = await loadFixture(settlementFixture);
      await viaTimelock(f, f.engine, f.engine.interface.encodeFunctionData("setTokenAllowed", [f.usdAddress, false]));
      await expect(f.engine.connect(f.alice).deposit(f.usdAddress, ERA))
        .to.be.revertedWithCustomError(f.engine, "SettlementTokenNotAllowed")
        .withArgs(f.usdAddress);
    });

    it("reverts with SettlementZeroAmount for zero", async function () {
      const f = await loadFixture(settlementFixture);
      await expect(f.engine.connect(f.alice).deposit(f.era, 0n)).to.be.revertedWithCustomError(
        f.engine,
        "SettlementZeroAmount",
      );
    });

    it("reverts with EnforcedPause while paused and works again after unpause", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.guardian).pause();
      await expect(f.engine.connect(f.alice).deposit(f.era, ERA)).to.be.revertedWithCustomError(
        f.engine,
        "EnforcedPause",
      );
      expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(0n);
      await f.engine.connect(f.guardian).unpause();
      await expect(f.engine.connect(f.alice).deposit(f.era, ERA))
        .to.emit(f.engine, "Deposited")
        .withArgs(f.alice.address, f.era, ERA);
    });

    it("credits what actually arrived from a fee-on-transfer token", async function () {
      const f = await loadFixture(quirkyFixture);
      const feeBps = 150n;
      await f.quirky.setFeeBps(feeBps);
      const amount = 10_000n * ERA;
      const received = amount - (amount * feeBps) / 10_000n;
      await expect(f.engine.connect(f.alice).deposit(f.quirkyAddress, amount))
        .to.emit(f.engine, "Deposited")
        .withArgs(f.alice.address, f.quirkyAddress, received);
      expect(await f.engine.freeBalance(f.alice.address, f.quirkyAddress)).to.equal(received);
      expect(await f.quirky.balanceOf(f.engineAddress)).to.equal(received);

      // Withdrawing everything leaves the engine owing nothing and holding nothing of it.
      await f.engine.connect(f.alice).withdraw(f.quirkyAddress, received, f.alice.address);
      expect(await f.engine.freeBalance(f.alice.address, f.quirkyAddress)).to.equal(0n);
      expect(await f.quirky.balanceOf(f.engineAddress)).to.equal(0n);
    });
  });

  describe("depositWithPermit", function () {
    it("deposits with a permit and no prior approval", async function () {
      const f = await loadFixture(settlementFixture);
      const amount = 500n * ERA;
      const deadline = (await now()) + DAY;
      expect(await f.token.allowance(f.developer.address, f.engineAddress)).to.equal(0n);
      const sig = await signPermit(f.token, f.developer, f.engineAddress, amount, deadline);
      await expect(f.engine.connect(f.developer).depositWithPermit(f.era, amount, deadline, sig.v, sig.r, sig.s))
        .to.emit(f.engine, "Deposited")
        .withArgs(f.developer.address, f.era, amount);
      expect(await f.engine.freeBalance(f.developer.address, f.era)).to.equal(amount);
      expect(await f.token.allowance(f.developer.address, f.engineAddress)).to.equal(0n);
    });

    it("still deposits when someone front-ran the permit", async function () {
      const f = await loadFixture(settlementFixture);
      const amount = 500n * ERA;
      const deadline = (await now()) + DAY;
      const sig = await signPermit(f.token, f.developer, f.engineAddress, amount, deadline);
      // The attacker copies the permit from the mempool and submits it first: the nonce is spent.
      await f.token
        .connect(f.attacker)
        .permit(f.developer.address, f.engineAddress, amount, deadline, sig.v, sig.r, sig.s);
      await expect(f.engine.connect(f.developer).depositWithPermit(f.era, amount, deadline, sig.v, sig.r, sig.s))
        .to.emit(f.engine, "Deposited")
        .withArgs(f.developer.address, f.era, amount);
      expect(await f.engine.freeBalance(f.developer.address, f.era)).to.equal(amount);
    });

    it("reverts through the transfer when the permit is invalid and there is no allowance", async function () {
      const f = await loadFixture(settlementFixture);
      const amount = 500n * ERA;
      const deadline = (await now()) + DAY;
      // Signed for another spender: the permit fails, the pull then finds no allowance.
      const sig = await signPermit(f.token, f.developer, f.attacker.address, amount, deadline);
      await expect(f.engine.connect(f.developer).depositWithPermit(f.era, amount, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(f.engineAddress, 0n, amount);
      expect(await f.engine.freeBalance(f.developer.address, f.era)).to.equal(0n);
    });

    it("reverts with EnforcedPause while paused", async function () {
      const f = await loadFixture(settlementFixture);
      const deadline = (await now()) + DAY;
      const sig = await signPermit(f.token, f.developer, f.engineAddress, ERA, deadline);
      await f.engine.connect(f.guardian).pause();
      await expect(
        f.engine.connect(f.developer).depositWithPermit(f.era, ERA, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(f.engine, "EnforcedPause");
    });

    it("reverts with SettlementTokenNotAllowed and SettlementZeroAmount like deposit", async function () {
      const f = await loadFixture(settlementFixture);
      const other = await ethers.deployContract("SettlementToken", ["Other", "OTH"]);
      const deadline = (await now()) + DAY;
      await expect(
        f.engine
          .connect(f.alice)
          .depositWithPermit(await other.getAddress(), ERA, deadline, 27, ethers.ZeroHash, ethers.ZeroHash),
      )
        .to.be.revertedWithCustomError(f.engine, "SettlementTokenNotAllowed")
        .withArgs(await other.getAddress());
      await expect(
        f.engine.connect(f.alice).depositWithPermit(f.era, 0n, deadline, 27, ethers.ZeroHash, ethers.ZeroHash),
      ).to.be.revertedWithCustomError(f.engine, "SettlementZeroAmount");
    });
  });

  describe("withdraw", function () {
    it("pays free balance to another address and emits Withdrawn", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 1_000n * ERA);
      const amount = 400n * ERA;
      const toBefore = await f.token.balanceOf(f.carol.address);
      const engineBefore = await f.token.balanceOf(f.engineAddress);
      await expect(f.engine.connect(f.alice).withdraw(f.era, amount, f.carol.address))
        .to.emit(f.engine, "Withdrawn")
        .withArgs(f.alice.address, f.era, amount, f.carol.address);
      expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(1_000n * ERA - amount);
      expect(await f.token.balanceOf(f.carol.address)).to.equal(toBefore + amount);
      expect(await f.token.balanceOf(f.engineAddress)).to.equal(engineBefore - amount);
    });

    it("pays the whole free balance", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.usdAddress, 77n);
      await f.engine.connect(f.alice).withdraw(f.usdAddress, 77n, f.alice.address);
      expect(await f.engine.freeBalance(f.alice.address, f.usdAddress)).to.equal(0n);
    });

    it("reverts with SettlementInsufficientFree when asking more than the free balance", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      await expect(f.engine.connect(f.alice).withdraw(f.era, 101n, f.alice.address))
        .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
        .withArgs(f.alice.address, f.era, 101n, 100n);
      // Someone else's balance is not the caller's.
      await expect(f.engine.connect(f.attacker).withdraw(f.era, 1n, f.attacker.address))
        .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
        .withArgs(f.attacker.address, f.era, 1n, 0n);
    });

    it("reverts with SettlementZeroAmount for zero and AdminGuardedZeroAddress for recipient zero", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      await expect(f.engine.connect(f.alice).withdraw(f.era, 0n, f.alice.address)).to.be.revertedWithCustomError(
        f.engine,
        "SettlementZeroAmount",
      );
      await expect(f.engine.connect(f.alice).withdraw(f.era, 1n, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.engine,
        "AdminGuardedZeroAddress",
      );
    });

    it("cannot withdraw frozen funds", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      const s = settlementOf([leg(f.alice, f.bob, f.era, 70n)], (await now()) + DAY, hashlockOf(randomId()));
      await lock(f, s);
      expect(await f.engine.frozenBalance(f.alice.address, f.era)).to.equal(70n);
      await expect(f.engine.connect(f.alice).withdraw(f.era, 31n, f.alice.address))
        .to.be.revertedWithCustomError(f.engine, "SettlementInsufficientFree")
        .withArgs(f.alice.address, f.era, 31n, 30n);
      await f.engine.connect(f.alice).withdraw(f.era, 30n, f.alice.address);
      expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(0n);
      expect(await f.engine.frozenBalance(f.alice.address, f.era)).to.equal(70n);
      expect(await f.token.balanceOf(f.engineAddress)).to.equal(70n);
    });

    it("works while paused", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.era, 100n);
      await f.engine.connect(f.guardian).pause();
      await expect(f.engine.connect(f.alice).withdraw(f.era, 100n, f.alice.address))
        .to.emit(f.engine, "Withdrawn")
        .withArgs(f.alice.address, f.era, 100n, f.alice.address);
      expect(await f.engine.freeBalance(f.alice.address, f.era)).to.equal(0n);
    });

    it("works for a token that was de-listed", async function () {
      const f = await loadFixture(settlementFixture);
      await f.engine.connect(f.alice).deposit(f.usdAddress, 100n);
      await viaTimelock(f, f.engine, f.engine.interface.encodeFunctionData("setTokenAllowed", [f.usdAddress, false]));
      const before = await f.usd.balanceOf(f.alice.address);
      await expect(f.engine.connect(f.alice).withdraw(f.usdAddress, 100n, f.alice.address))
        .to.emit(f.engine, "Withdrawn")
        .withArgs(f.alice.address, f.usdAddress, 100n, f.alice.address);
      expect(await f.usd.balanceOf(f.alice.address)).to.equal(before + 100n);
    });
  });

  describe("views", function () {
    it("settlementDigest is the EIP-712 digest of the engine's domain", async function () {
      const f = await loadFixture(settlementFixture);
      const s = settlementOf(
        [leg(f.alice, f.bob, f.era, 5n), leg(f.bob, f.carol, f.usdAddress, 6n)],
        123n,
        hashlockOf(randomId()),
      );
      expect(await f.engine.settlementDigest(s)).to.equal(digestOf(f.engineDomain, s));
      // Bound to this engine: another deployment's digest differs.
      const other = await ethers.deployContract("SettlementEngine", [f.deployer.address, [f.era]]);
      expect(await other.settlementDigest(s)).to.not.equal(await f.engine.settlementDigest(s));
    });

    it("statusOf and lockDeadline are empty for an unknown id", async function () {
      const f = await loadFixture(settlementFixture);
      const id = randomId();
      expect(await f.engine.statusOf(id)).to.equal(Status.None);
      expect(await f.engine.lockDeadline(id)).to.equal(0n);
    });
  });
});
