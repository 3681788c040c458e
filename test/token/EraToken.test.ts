import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BigNumberish, Interface, Signature, TypedDataDomain } from "ethers";
import {
  ECONOMY_DEFAULTS,
  ERA,
  ROLES,
  economyFixture,
  fundedEconomyFixture,
  signPermit,
  viaTimelock,
  type EconomyFixture,
} from "../helpers/fixtures";
import type { EraToken } from "../../typechain-types";
import { PERMIT_TYPES } from "../../src/sdk/permit";

interface PermitValues {
  owner: string;
  spender: string;
  value: BigNumberish;
  nonce: BigNumberish;
  deadline: BigNumberish;
}

async function permitDomain(token: EraToken): Promise<TypedDataDomain> {
  const { chainId } = await ethers.provider.getNetwork();
  return { name: "ERA", version: "1", chainId, verifyingContract: await token.getAddress() };
}

/** Signs a permit whose `owner` field may differ from the signer (to forge one). */
async function signPermitAs(token: EraToken, signer: HardhatEthersSigner, values: PermitValues): Promise<Signature> {
  return ethers.Signature.from(await signer.signTypedData(await permitDomain(token), PERMIT_TYPES, values));
}

/** The address `ecrecover` yields for `sig` over the permit digest of `values`. */
async function recoverPermitSigner(token: EraToken, values: PermitValues, sig: Signature): Promise<string> {
  return ethers.recoverAddress(ethers.TypedDataEncoder.hash(await permitDomain(token), PERMIT_TYPES, values), sig);
}

/** ERC-165 id of an interface: the XOR of its function selectors. */
function interfaceId(signatures: string[]): string {
  const id = signatures.reduce((acc, sig) => acc ^ BigInt(ethers.id(sig).slice(0, 10)), 0n);
  return ethers.toBeHex(id, 4);
}

async function mintViaTimelock(f: EconomyFixture, to: string, amount: bigint) {
  return viaTimelock(f, f.token, f.token.interface.encodeFunctionData("mint", [to, amount]));
}

describe("EraToken", function () {
  describe("metadata and genesis", function () {
    it("is named ERA with symbol ERA and 18 decimals", async function () {
      const { token } = await loadFixture(economyFixture);
      expect(await token.name()).to.equal("ERA");
      expect(await token.symbol()).to.equal("ERA");
      expect(await token.decimals()).to.equal(18n);
    });

    it("has the configured cap and mints the genesis supply to the treasury", async function () {
      const { token, treasury } = await loadFixture(economyFixture);
      expect(await token.cap()).to.equal(ECONOMY_DEFAULTS.supplyCap);
      expect(await token.totalSupply()).to.equal(ECONOMY_DEFAULTS.genesisSupply);
      expect(await token.balanceOf(treasury.address)).to.equal(ECONOMY_DEFAULTS.genesisSupply);
    });

    it("gives MINTER_ROLE to the timelock only", async function () {
      const { token, timelock } = await loadFixture(economyFixture);
      expect(await token.MINTER_ROLE()).to.equal(ROLES.MINTER);
      expect(await token.getRoleMemberCount(ROLES.MINTER)).to.equal(1n);
      expect(await token.getRoleMember(ROLES.MINTER, 0)).to.equal(await timelock.getAddress());
    });
  });

  describe("constructor", function () {
    it("deploys with no genesis supply and a zero genesis recipient", async function () {
      const [admin] = await ethers.getSigners();
      const token = await ethers.deployContract("EraToken", [1_000n * ERA, admin.address, ethers.ZeroAddress, 0n]);
      expect(await token.totalSupply()).to.equal(0n);
      expect(await token.cap()).to.equal(1_000n * ERA);
      expect(await token.hasRole(ROLES.DEFAULT_ADMIN, admin.address)).to.equal(true);
    });

    it("reverts with ERC20InvalidCap when the cap is zero", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("EraToken");
      await expect(factory.deploy(0n, admin.address, admin.address, 0n))
        .to.be.revertedWithCustomError(factory, "ERC20InvalidCap")
        .withArgs(0n);
    });

    it("reverts with ERC20ExceededCap when the genesis supply exceeds the cap", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("EraToken");
      const cap = 1_000n * ERA;
      await expect(factory.deploy(cap, admin.address, admin.address, cap + 1n))
        .to.be.revertedWithCustomError(factory, "ERC20ExceededCap")
        .withArgs(cap + 1n, cap);
    });

    it("reverts with ERC20InvalidReceiver when a genesis supply has no recipient", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("EraToken");
      await expect(factory.deploy(1_000n * ERA, admin.address, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(factory, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("reverts with AdminGuardedZeroAddress when the admin is zero", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("EraToken");
      await expect(factory.deploy(1_000n * ERA, ethers.ZeroAddress, admin.address, 0n)).to.be.revertedWithCustomError(
        factory,
        "AdminGuardedZeroAddress",
      );
    });
  });

  describe("mint", function () {
    it("mints through the timelock (MINTER_ROLE) and emits Transfer from zero", async function () {
      const f = await loadFixture(economyFixture);
      const amount = 123_456n * ERA;
      const supply = await f.token.totalSupply();
      const tx = mintViaTimelock(f, f.alice.address, amount);
      await expect(tx).to.emit(f.token, "Transfer").withArgs(ethers.ZeroAddress, f.alice.address, amount);
      await expect(tx).to.changeTokenBalance(f.token, f.alice, amount);
      expect(await f.token.totalSupply()).to.equal(supply + amount);
    });

    it("mints exactly up to the cap", async function () {
      const f = await loadFixture(economyFixture);
      const room = (await f.token.cap()) - (await f.token.totalSupply());
      await mintViaTimelock(f, f.alice.address, room);
      expect(await f.token.totalSupply()).to.equal(await f.token.cap());
      expect(await f.token.balanceOf(f.alice.address)).to.equal(room);
    });

    it("reverts with ERC20ExceededCap one wei beyond the cap", async function () {
      const f = await loadFixture(economyFixture);
      const cap = await f.token.cap();
      const room = cap - (await f.token.totalSupply());
      await expect(mintViaTimelock(f, f.alice.address, room + 1n))
        .to.be.revertedWithCustomError(f.token, "ERC20ExceededCap")
        .withArgs(cap + 1n, cap);
      await mintViaTimelock(f, f.alice.address, room);
      await expect(mintViaTimelock(f, f.alice.address, 1n))
        .to.be.revertedWithCustomError(f.token, "ERC20ExceededCap")
        .withArgs(cap + 1n, cap);
    });

    it("reverts with ERC20InvalidReceiver when minting to the zero address", async function () {
      const f = await loadFixture(economyFixture);
      await expect(mintViaTimelock(f, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(f.token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("an attacker cannot mint", async function () {
      const f = await loadFixture(economyFixture);
      await expect(f.token.connect(f.attacker).mint(f.attacker.address, 1n))
        .to.be.revertedWithCustomError(f.token, "AccessControlUnauthorizedAccount")
        .withArgs(f.attacker.address, ROLES.MINTER);
    });

    it("neither the governor nor the treasury can mint directly", async function () {
      const f = await loadFixture(economyFixture);
      for (const who of [f.governor, f.treasury, f.deployer]) {
        await expect(f.token.connect(who).mint(who.address, 1n))
          .to.be.revertedWithCustomError(f.token, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, ROLES.MINTER);
      }
    });
  });

  describe("transfers", function () {
    it("moves exactly the amount sent (no fee) and keeps the supply", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const amount = 777n * ERA + 1n;
      const supply = await f.token.totalSupply();
      const tx = f.token.connect(f.alice).transfer(f.bob.address, amount);
      await expect(tx).to.changeTokenBalances(f.token, [f.alice, f.bob], [-amount, amount]);
      await expect(tx).to.emit(f.token, "Transfer").withArgs(f.alice.address, f.bob.address, amount);
      expect(await f.token.totalSupply()).to.equal(supply);
    });

    it("moves exactly the amount in transferFrom and spends exactly the allowance used", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const amount = 1_000n * ERA;
      await f.token.connect(f.alice).approve(f.carol.address, amount + 5n);
      const tx = f.token.connect(f.carol).transferFrom(f.alice.address, f.bob.address, amount);
      await expect(tx).to.changeTokenBalances(f.token, [f.alice, f.bob, f.carol], [-amount, amount, 0n]);
      expect(await f.token.allowance(f.alice.address, f.carol.address)).to.equal(5n);
    });
  });

  describe("permit (EIP-2612)", function () {
    it("exposes the EIP-712 domain of name ERA, version 1", async function () {
      const { token } = await loadFixture(economyFixture);
      const domain = await permitDomain(token);
      expect(await token.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain(domain));
      const d = await token.eip712Domain();
      expect(d.name).to.equal("ERA");
      expect(d.version).to.equal("1");
    });

    it("sets the allowance from a signature, emits Approval and bumps the nonce", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const value = 5_000n * ERA;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(f.token, f.alice, f.bob.address, value, deadline);
      // Anyone may submit it (here carol pays the gas).
      await expect(
        f.token.connect(f.carol).permit(f.alice.address, f.bob.address, value, deadline, sig.v, sig.r, sig.s),
      )
        .to.emit(f.token, "Approval")
        .withArgs(f.alice.address, f.bob.address, value);
      expect(await f.token.allowance(f.alice.address, f.bob.address)).to.equal(value);
      expect(await f.token.nonces(f.alice.address)).to.equal(1n);
      await expect(f.token.connect(f.bob).transferFrom(f.alice.address, f.bob.address, value)).to.changeTokenBalances(
        f.token,
        [f.alice, f.bob],
        [-value, value],
      );
    });

    it("accepts a permit in the very second of its deadline", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const deadline = BigInt(await time.latest()) + 100n;
      const sig = await signPermit(f.token, f.alice, f.bob.address, 1n, deadline);
      await time.setNextBlockTimestamp(deadline);
      await f.token.permit(f.alice.address, f.bob.address, 1n, deadline, sig.v, sig.r, sig.s);
      expect(await f.token.allowance(f.alice.address, f.bob.address)).to.equal(1n);
    });

    it("reverts with ERC2612ExpiredSignature one second after the deadline", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const deadline = BigInt(await time.latest()) + 100n;
      const sig = await signPermit(f.token, f.alice, f.bob.address, 1n, deadline);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(f.token.permit(f.alice.address, f.bob.address, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(f.token, "ERC2612ExpiredSignature")
        .withArgs(deadline);
      expect(await f.token.nonces(f.alice.address)).to.equal(0n);
    });

    it("an attacker cannot forge a permit for someone else's tokens (ERC2612InvalidSigner)", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const values = { owner: f.alice.address, spender: f.attacker.address, value: 1_000n * ERA, nonce: 0n, deadline };
      const sig = await signPermitAs(f.token, f.attacker, values);
      await expect(f.token.permit(f.alice.address, f.attacker.address, values.value, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(f.token, "ERC2612InvalidSigner")
        .withArgs(f.attacker.address, f.alice.address);
      expect(await f.token.allowance(f.alice.address, f.attacker.address)).to.equal(0n);
    });

    it("rejects a permit whose value was altered after signing", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(f.token, f.alice, f.attacker.address, 1n, deadline);
      const altered = { owner: f.alice.address, spender: f.attacker.address, value: 10n ** 24n, nonce: 0n, deadline };
      await expect(f.token.permit(f.alice.address, f.attacker.address, altered.value, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(f.token, "ERC2612InvalidSigner")
        .withArgs(await recoverPermitSigner(f.token, altered, sig), f.alice.address);
    });

    it("an attacker cannot replay a used permit signature", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const value = 100n * ERA;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(f.token, f.alice, f.attacker.address, value, deadline);
      await f.token.permit(f.alice.address, f.attacker.address, value, deadline, sig.v, sig.r, sig.s);
      await f.token.connect(f.attacker).transferFrom(f.alice.address, f.attacker.address, value);
      // The nonce moved on: the same signature now recovers to an unrelated address.
      const replayed = { owner: f.alice.address, spender: f.attacker.address, value, nonce: 1n, deadline };
      await expect(f.token.permit(f.alice.address, f.attacker.address, value, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(f.token, "ERC2612InvalidSigner")
        .withArgs(await recoverPermitSigner(f.token, replayed, sig), f.alice.address);
      expect(await f.token.allowance(f.alice.address, f.attacker.address)).to.equal(0n);
    });
  });

  describe("votes (ERC-5805, timestamp clock)", function () {
    it("uses the block timestamp as its clock", async function () {
      const { token } = await loadFixture(economyFixture);
      expect(await token.CLOCK_MODE()).to.equal("mode=timestamp");
      await time.increase(12_345);
      expect(await token.clock()).to.equal(BigInt(await time.latest()));
    });

    it("counts no votes until an account delegates", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      expect(await f.token.balanceOf(f.alice.address)).to.be.greaterThan(0n);
      expect(await f.token.getVotes(f.alice.address)).to.equal(0n);
      expect(await f.token.delegates(f.alice.address)).to.equal(ethers.ZeroAddress);
    });

    it("delegates to self, emits DelegateChanged and DelegateVotesChanged, checkpoints at the block timestamp", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const balance = await f.token.balanceOf(f.alice.address);
      const tx = f.token.connect(f.alice).delegate(f.alice.address);
      await expect(tx)
        .to.emit(f.token, "DelegateChanged")
        .withArgs(f.alice.address, ethers.ZeroAddress, f.alice.address);
      await expect(tx).to.emit(f.token, "DelegateVotesChanged").withArgs(f.alice.address, 0n, balance);
      const block = await (await (await tx).wait())!.getBlock();
      expect(await f.token.getVotes(f.alice.address)).to.equal(balance);
      expect(await f.token.numCheckpoints(f.alice.address)).to.equal(1n);
      const checkpoint = await f.token.checkpoints(f.alice.address, 0);
      expect(checkpoint._key).to.equal(BigInt(block.timestamp));
      expect(checkpoint._value).to.equal(balance);
    });

    it("moves votes with transfers and with re-delegation, and keeps past votes by timestamp", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const balance = await f.token.balanceOf(f.alice.address);
      await f.token.connect(f.alice).delegate(f.alice.address);
      const t1 = BigInt(await time.latest());
      const sent = 1_000n * ERA;
      await expect(f.token.connect(f.alice).transfer(f.bob.address, sent))
        .to.emit(f.token, "DelegateVotesChanged")
        .withArgs(f.alice.address, balance, balance - sent);
      expect(await f.token.getVotes(f.alice.address)).to.equal(balance - sent);

      await expect(f.token.connect(f.alice).delegate(f.carol.address))
        .to.emit(f.token, "DelegateChanged")
        .withArgs(f.alice.address, f.alice.address, f.carol.address);
      expect(await f.token.getVotes(f.alice.address)).to.equal(0n);
      expect(await f.token.getVotes(f.carol.address)).to.equal(balance - sent);
      expect(await f.token.getPastVotes(f.alice.address, t1)).to.equal(balance);
      expect(await f.token.getPastTotalSupply(t1)).to.equal(await f.token.totalSupply());
    });

    it("reverts with ERC5805FutureLookup for a timepoint that is not yet in the past", async function () {
      const { token, alice } = await loadFixture(economyFixture);
      const now = await token.clock();
      await expect(token.getPastVotes(alice.address, now + 1n))
        .to.be.revertedWithCustomError(token, "ERC5805FutureLookup")
        .withArgs(now + 1n, now);
    });

    it("delegates by signature", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      const expiry = BigInt(await time.latest()) + 3_600n;
      const types = {
        Delegation: [
          { name: "delegatee", type: "address" },
          { name: "nonce", type: "uint256" },
          { name: "expiry", type: "uint256" },
        ],
      };
      const sig = ethers.Signature.from(
        await f.alice.signTypedData(await permitDomain(f.token), types, {
          delegatee: f.bob.address,
          nonce: 0n,
          expiry,
        }),
      );
      await expect(f.token.connect(f.carol).delegateBySig(f.bob.address, 0n, expiry, sig.v, sig.r, sig.s))
        .to.emit(f.token, "DelegateChanged")
        .withArgs(f.alice.address, ethers.ZeroAddress, f.bob.address);
      expect(await f.token.getVotes(f.bob.address)).to.equal(await f.token.balanceOf(f.alice.address));
      expect(await f.token.nonces(f.alice.address)).to.equal(1n);
    });
  });

  describe("no pause", function () {
    it("has no pause function and no PAUSER_ROLE", async function () {
      const { token } = await loadFixture(economyFixture);
      const abi: Interface = token.interface;
      for (const name of ["pause", "unpause", "paused", "PAUSER_ROLE"]) {
        expect(abi.getFunction(name), name).to.equal(null);
      }
    });

    it("keeps transferring while every pausable contract of the suite is paused", async function () {
      const f = await loadFixture(fundedEconomyFixture);
      for (const c of [f.nodeRegistry, f.staking, f.scenarioRegistry, f.distributor, f.revenueRouter]) {
        await c.connect(f.guardian).pause();
        expect(await c.paused()).to.equal(true);
      }
      await expect(f.token.connect(f.alice).transfer(f.bob.address, ERA)).to.changeTokenBalances(
        f.token,
        [f.alice, f.bob],
        [-ERA, ERA],
      );
    });
  });

  it("supports the IAccessControl and IAccessControlEnumerable interfaces (ERC-165)", async function () {
    const { token } = await loadFixture(economyFixture);
    const accessControl = interfaceId([
      "hasRole(bytes32,address)",
      "getRoleAdmin(bytes32)",
      "grantRole(bytes32,address)",
      "revokeRole(bytes32,address)",
      "renounceRole(bytes32,address)",
    ]);
    const enumerable = interfaceId(["getRoleMember(bytes32,uint256)", "getRoleMemberCount(bytes32)"]);
    expect(await token.supportsInterface(accessControl)).to.equal(true);
    expect(await token.supportsInterface(enumerable)).to.equal(true);
    expect(await token.supportsInterface("0xffffffff")).to.equal(false);
  });
});
