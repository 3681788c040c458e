import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import type { EpochDistributor } from "../../typechain-types";
import { ERA, ROLES } from "../helpers/fixtures";
import { inOneBlock } from "../helpers/blocks";
import { RewardTree, SubsidyTree } from "../../src/sdk/merkle";
import {
  EpochKind,
  POOL,
  claimReward,
  claimSubsidy,
  deployDistributor,
  distributorFixture,
  proposeRewards,
  proposeSubsidies,
  rewardEntries,
  subsidyEntries,
  type DistributorFixture,
} from "./helpers";

/** OpenZeppelin's commutative node hash: keccak256 of the two children, smaller first. */
function hashPair(a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? ethers.keccak256(ethers.concat([a, b])) : ethers.keccak256(ethers.concat([b, a]));
}

/** Asserts that claiming each leaf of `tree` with `send` reverts with DistributorInvalidProof(epochId, index, account). */
async function expectEveryLeafRejected<C extends { index: bigint; account: string }>(
  distributor: EpochDistributor,
  epochId: bigint,
  tree: { entries: readonly unknown[]; claim(index: number): C },
  send: (c: C) => Promise<ContractTransactionResponse>,
) {
  for (let i = 0; i < tree.entries.length; i++) {
    const c = tree.claim(i);
    await expect(send(c))
      .to.be.revertedWithCustomError(distributor, "DistributorInvalidProof")
      .withArgs(epochId, c.index, c.account);
  }
}

/** Four reward leaves, so that the tree has two inner nodes under the root. */
function fourRewards(f: DistributorFixture) {
  return [...rewardEntries(f), { account: f.operator2.address, amount: 42n * ERA }];
}

describe("EpochDistributor: claim-reuse attacks", function () {
  it("attack: claiming the same leaf twice reverts with DistributorAlreadyClaimed, on every claim path", async function () {
    const f = await loadFixture(distributorFixture);
    const rewards = await proposeRewards(f);
    const subsidies = await proposeSubsidies(f);
    await time.increaseTo(subsidies.opensAt);

    const r = rewards.tree.claim(0);
    await f.distributor.connect(f.alice).claimRewardAndDelegate(r.epochId, r.index, r.amount, r.proof, 1n);
    await expect(claimReward(f.distributor, f.alice, r))
      .to.be.revertedWithCustomError(f.distributor, "DistributorAlreadyClaimed")
      .withArgs(rewards.epochId, r.index);
    await expect(f.distributor.connect(f.alice).claimRewardAndDelegate(r.epochId, r.index, r.amount, r.proof, 1n))
      .to.be.revertedWithCustomError(f.distributor, "DistributorAlreadyClaimed")
      .withArgs(rewards.epochId, r.index);

    const s = subsidies.tree.claim(0);
    await claimSubsidy(f.distributor, f.attacker, s);
    await expect(claimSubsidy(f.distributor, f.developer, s))
      .to.be.revertedWithCustomError(f.distributor, "DistributorAlreadyClaimed")
      .withArgs(subsidies.epochId, s.index);
  });

  it("attack: a leaf cannot be claimed again under another index (the index is part of the leaf)", async function () {
    const f = await loadFixture(distributorFixture);
    const p = await proposeRewards(f);
    await time.increaseTo(p.opensAt);
    const c = p.tree.claim(1);
    await claimReward(f.distributor, f.bob, c);
    for (const index of [0n, 2n, 3n, 256n]) {
      await expect(claimReward(f.distributor, f.bob, { ...c, index }))
        .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
        .withArgs(p.epochId, index, f.bob.address);
    }
  });

  it("attack: the proof of epoch A is rejected in epoch B with the same leaf values (DistributorInvalidProof)", async function () {
    const f = await loadFixture(distributorFixture);
    const a = await proposeRewards(f);
    const b = await proposeRewards(f); // same entries, next epoch
    await time.increaseTo(b.opensAt);
    const fromA = a.tree.claim(0);
    await claimReward(f.distributor, f.alice, fromA);
    await expect(claimReward(f.distributor, f.alice, fromA, b.epochId))
      .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
      .withArgs(b.epochId, fromA.index, f.alice.address);
    // Epoch B pays with its own proof: a leaf of A and a leaf of B are different leaves.
    await expect(claimReward(f.distributor, f.alice, b.tree.claim(0))).to.emit(f.distributor, "Claimed");
  });

  it("attack: an epoch proposed again with an earlier epoch's root cannot be claimed with that epoch's leaves", async function () {
    const f = await loadFixture(distributorFixture);
    const a = await proposeSubsidies(f);
    await f.distributor.connect(f.publisher).proposeEpoch(EpochKind.DeveloperSubsidy, a.tree.root, a.tree.budget, "");
    const replayId = a.epochId + 1n;
    await time.increaseTo((await f.distributor.getEpoch(replayId)).opensAt);
    await claimSubsidy(f.distributor, f.developer, a.tree.claim(0));
    for (let i = 0; i < a.tree.entries.length; i++) {
      const c = a.tree.claim(i);
      await expect(claimSubsidy(f.distributor, f.developer, c, replayId))
        .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
        .withArgs(replayId, c.index, c.account);
    }
  });

  it("attack: another account's proof is rejected (DistributorInvalidProof), for rewards and subsidies", async function () {
    const f = await loadFixture(distributorFixture);
    const rewards = await proposeRewards(f);
    const subsidies = await proposeSubsidies(f);
    await time.increaseTo(subsidies.opensAt);
    const r = rewards.tree.claim(1); // bob's
    await expect(claimReward(f.distributor, f.attacker, { ...r, account: f.attacker.address }))
      .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
      .withArgs(rewards.epochId, r.index, f.attacker.address);
    const s = subsidies.tree.claim(0); // the developer's
    await expect(claimSubsidy(f.distributor, f.attacker, { ...s, account: f.attacker.address }))
      .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
      .withArgs(subsidies.epochId, s.index, f.attacker.address);
    // Submitting someone else's leaf unchanged only ever pays its owner.
    await expect(claimReward(f.distributor, f.attacker, r)).to.changeTokenBalances(
      f.token,
      [f.bob, f.attacker],
      [r.amount, 0n],
    );
  });

  it("attack: a 64-byte inner node of the tree passed as a leaf cannot be claimed", async function () {
    const f = await loadFixture(distributorFixture);
    const p = await proposeRewards(f, fourRewards(f));
    await time.increaseTo(p.opensAt);

    // Layout of the standard tree: nodes[0] is the root, the children of i are 2i+1 and 2i+2, leaves at 3..6.
    const nodes = p.tree.tree.dump().tree;
    expect(nodes.length).to.equal(7);
    const [left, right] = BigInt(nodes[3]) < BigInt(nodes[4]) ? [nodes[3], nodes[4]] : [nodes[4], nodes[3]];
    const inner = nodes[1];
    const innerProof = [nodes[2]];
    // The attack material is genuine: the 64-byte preimage hashes to the inner node, and the inner node with a
    // one-element proof reaches the root. A contract hashing a 64-byte leaf once would accept it.
    expect(ethers.keccak256(ethers.concat([left, right]))).to.equal(inner);
    expect(hashPair(inner, innerProof[0])).to.equal(p.tree.root);

    // Against the distributor, every way of feeding those 64 bytes fails: leaves are 6 words hashed twice.
    const attempts: [bigint, bigint][] = [
      [BigInt(left), BigInt(right)], // the two halves as (index, amount)
      [0n, BigInt(inner)], // the inner node as the amount
      [BigInt(inner), 1n], // the inner node as the index
    ];
    for (const [index, amount] of attempts) {
      await expect(
        f.distributor.connect(f.attacker).claimReward(p.epochId, index, f.attacker.address, amount, innerProof),
      )
        .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
        .withArgs(p.epochId, index, f.attacker.address);
      await expect(f.distributor.connect(f.attacker).claimRewardAndDelegate(p.epochId, index, amount, innerProof, 1n))
        .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
        .withArgs(p.epochId, index, f.attacker.address);
    }
  });

  it("attack: a 64-byte inner node of a subsidy tree passed as a leaf cannot be claimed", async function () {
    const f = await loadFixture(distributorFixture);
    const entries = [
      ...subsidyEntries(f),
      { account: f.operator2.address, scenarioId: 4n, baseAmount: 7n * ERA, mau: 1n },
    ];
    const p = await proposeSubsidies(f, entries);
    await time.increaseTo(p.opensAt);
    const nodes = p.tree.tree.dump().tree;
    const [left, right] = BigInt(nodes[5]) < BigInt(nodes[6]) ? [nodes[5], nodes[6]] : [nodes[6], nodes[5]];
    expect(ethers.keccak256(ethers.concat([left, right]))).to.equal(nodes[2]);
    expect(hashPair(nodes[1], nodes[2])).to.equal(p.tree.root);
    await expect(
      f.distributor
        .connect(f.attacker)
        .claimSubsidy(p.epochId, 0n, f.attacker.address, BigInt(left), BigInt(right), 0n, [nodes[1]]),
    )
      .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
      .withArgs(p.epochId, 0n, f.attacker.address);
  });

  describe("attack 5: zero root, empty, overlong and foreign proofs, a leaf equal to the root, amount 0", function () {
    it("attack: a zero root is rejected at proposal (DistributorZeroRoot)", async function () {
      const f = await loadFixture(distributorFixture);
      await expect(
        f.distributor.connect(f.publisher).proposeEpoch(EpochKind.UserReward, ethers.ZeroHash, POOL, ""),
      ).to.be.revertedWithCustomError(f.distributor, "DistributorZeroRoot");
      expect(await f.distributor.epochCount()).to.equal(0n);
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(POOL);
    });

    it("attack: an empty proof is rejected for a tree of several leaves", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      await time.increaseTo(p.opensAt);
      for (let i = 0; i < p.tree.entries.length; i++) {
        const c = p.tree.claim(i);
        await expect(claimReward(f.distributor, f.attacker, { ...c, proof: [] }))
          .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
          .withArgs(p.epochId, c.index, c.account);
      }
      // The root itself is not a leaf either.
      await expect(claimReward(f.distributor, f.attacker, { ...p.tree.claim(0), proof: [p.tree.root] }))
        .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
        .withArgs(p.epochId, 0n, f.alice.address);
    });

    it("an empty proof is the valid proof of a one-leaf tree, for its own values only", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f, [{ account: f.alice.address, amount: 5n * ERA }]);
      await time.increaseTo(p.opensAt);
      const c = p.tree.claim(0);
      expect(c.proof).to.deep.equal([]);
      await expect(claimReward(f.distributor, f.attacker, { ...c, account: f.attacker.address }))
        .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
        .withArgs(p.epochId, 0n, f.attacker.address);
      await expect(claimReward(f.distributor, f.attacker, c)).to.changeTokenBalance(f.token, f.alice, 5n * ERA);
    });

    it("attack: a proof longer than the tree is rejected", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f, fourRewards(f));
      await time.increaseTo(p.opensAt);
      const c = p.tree.claim(2);
      const sibling = p.tree.claim(3).proof[0];
      for (const proof of [
        [...c.proof, sibling], // one extra level on top
        [...c.proof, p.tree.root],
        [sibling, ...c.proof], // one extra level at the bottom
        [...c.proof, ...c.proof],
      ]) {
        await expect(claimReward(f.distributor, f.carol, { ...c, proof }))
          .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
          .withArgs(p.epochId, c.index, c.account);
      }
      await expect(claimReward(f.distributor, f.carol, c)).to.emit(f.distributor, "Claimed");
    });

    it("attack: a proof from another distributor is rejected, and the other way round", async function () {
      const f = await loadFixture(distributorFixture);
      // A second distributor on the same chain, with the same publisher, funded and with the same entries.
      const other = await deployDistributor(f, f.deployer);
      await other.connect(f.deployer).grantRole(ROLES.PUBLISHER, f.publisher.address);
      await f.token.connect(f.treasury).approve(await other.getAddress(), POOL);
      await other.connect(f.treasury).fundUserRewards(POOL);

      const ours = await proposeRewards(f);
      const theirs = await proposeRewards(f, rewardEntries(f), { distributor: other });
      expect(theirs.epochId).to.equal(ours.epochId); // both epoch 0
      expect(theirs.tree.root).to.not.equal(ours.tree.root);
      await time.increaseTo(theirs.opensAt);

      const foreign = theirs.tree.claim(0);
      await expect(claimReward(f.distributor, f.alice, foreign))
        .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
        .withArgs(ours.epochId, foreign.index, foreign.account);
      const local = ours.tree.claim(0);
      await expect(claimReward(other, f.alice, local))
        .to.be.revertedWithCustomError(other, "DistributorInvalidProof")
        .withArgs(theirs.epochId, local.index, local.account);
      // Each proof works where it was made for.
      await expect(claimReward(other, f.alice, foreign)).to.emit(other, "Claimed");
      await expect(claimReward(f.distributor, f.alice, local)).to.emit(f.distributor, "Claimed");
    });

    it("attack: a proof built for another chain id is rejected", async function () {
      const f = await loadFixture(distributorFixture);
      const here = await proposeSubsidies(f);
      await time.increaseTo(here.opensAt);
      const elsewhere = new SubsidyTree({ ...here.tree.scope, chainId: f.chainId + 1n }, here.tree.entries);
      await expectEveryLeafRejected(f.distributor, here.epochId, elsewhere, (c) =>
        claimSubsidy(f.distributor, f.developer, c),
      );
    });

    it("attack: a root built for another chain id, if published here, pays nobody", async function () {
      const f = await loadFixture(distributorFixture);
      const scope = {
        chainId: 1n,
        distributor: await f.distributor.getAddress(),
        epochId: await f.distributor.epochCount(),
      };
      const foreign = new RewardTree(scope, rewardEntries(f));
      await f.distributor.connect(f.publisher).proposeEpoch(EpochKind.UserReward, foreign.root, foreign.budget, "");
      await time.increaseTo((await f.distributor.getEpoch(scope.epochId)).opensAt);
      await expectEveryLeafRejected(f.distributor, scope.epochId, foreign, (c) =>
        claimReward(f.distributor, f.alice, c),
      );
    });

    it("attack: a leaf equal to the root (a one-leaf tree) pays its own values once, and nothing built from the root", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f, [{ account: f.alice.address, amount: 5n * ERA }]);
      await time.increaseTo(p.opensAt);
      expect(p.tree.tree.dump().tree).to.deep.equal([p.tree.root]); // the only leaf is the root
      const c = p.tree.claim(0);
      const root = BigInt(p.tree.root);
      for (const forged of [
        { ...c, amount: root }, // the root as the amount
        { ...c, index: root }, // the root as the index
        { ...c, proof: [p.tree.root] }, // the root as its own sibling
        { ...c, proof: [p.tree.root, p.tree.root] },
      ]) {
        await expect(claimReward(f.distributor, f.attacker, forged))
          .to.be.revertedWithCustomError(f.distributor, "DistributorInvalidProof")
          .withArgs(p.epochId, forged.index, c.account);
      }
      await expect(claimReward(f.distributor, f.attacker, c)).to.changeTokenBalance(f.token, f.alice, 5n * ERA);
      await expect(claimReward(f.distributor, f.attacker, c))
        .to.be.revertedWithCustomError(f.distributor, "DistributorAlreadyClaimed")
        .withArgs(p.epochId, 0n);
    });

    it("attack: an amount of 0 is rejected with DistributorZeroAmount on every path, even for a leaf of the tree, which stays unclaimed", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f, [...rewardEntries(f), { account: f.attacker.address, amount: 0n }]);
      await time.increaseTo(p.opensAt);
      const zero = p.tree.claim(3);
      expect(zero.amount).to.equal(0n);
      await expect(claimReward(f.distributor, f.attacker, zero)).to.be.revertedWithCustomError(
        f.distributor,
        "DistributorZeroAmount",
      );
      await expect(
        f.distributor.connect(f.attacker).claimRewardAndDelegate(p.epochId, zero.index, 0n, zero.proof, 1n),
      ).to.be.revertedWithCustomError(f.distributor, "DistributorZeroAmount");
      // A real leaf's proof with its amount zeroed is refused before the proof is even looked at.
      const real = p.tree.claim(0);
      await expect(claimReward(f.distributor, f.attacker, { ...real, amount: 0n })).to.be.revertedWithCustomError(
        f.distributor,
        "DistributorZeroAmount",
      );
      expect(await f.distributor.isClaimed(p.epochId, zero.index)).to.equal(false);
      expect(await f.distributor.isClaimed(p.epochId, real.index)).to.equal(false);
      expect((await f.distributor.getEpoch(p.epochId)).claimed).to.equal(0n);
    });
  });

  describe("attack 6: sweep and claim at the deadline: exactly one succeeds", function () {
    const gas = { gasLimit: 1_000_000n };

    it("at claimDeadline, in the same block, the claim succeeds and the sweep fails", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      const c = p.tree.claim(0);
      const [sweepStatus, claimStatus] = await inOneBlock(p.claimDeadline, [
        () => f.distributor.connect(f.attacker).sweep(p.epochId, gas),
        () => f.distributor.connect(f.alice).claimReward(c.epochId, c.index, c.account, c.amount, c.proof, gas),
      ]);
      expect([sweepStatus, claimStatus]).to.deep.equal([0, 1]);
      expect(await f.distributor.isClaimed(p.epochId, c.index)).to.equal(true);
      expect((await f.distributor.getEpoch(p.epochId)).swept).to.equal(false);
    });

    it("one second after claimDeadline, in the same block, the sweep succeeds and the claim fails", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      const c = p.tree.claim(0);
      const [claimStatus, sweepStatus] = await inOneBlock(p.claimDeadline + 1n, [
        () => f.distributor.connect(f.alice).claimReward(c.epochId, c.index, c.account, c.amount, c.proof, gas),
        () => f.distributor.connect(f.attacker).sweep(p.epochId, gas),
      ]);
      expect([claimStatus, sweepStatus]).to.deep.equal([0, 1]);
      expect(await f.distributor.isClaimed(p.epochId, c.index)).to.equal(false);
      const epoch = await f.distributor.getEpoch(p.epochId);
      expect(epoch.swept).to.equal(true);
      expect(epoch.claimed).to.equal(0n);
      expect(await f.distributor.available(EpochKind.UserReward)).to.equal(POOL);
    });

    it("the loser reverts with its error: DistributorNotSweepable at claimDeadline, DistributorClaimExpired after it", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      const c = p.tree.claim(0);
      await time.setNextBlockTimestamp(p.claimDeadline);
      await expect(f.distributor.connect(f.attacker).sweep(p.epochId))
        .to.be.revertedWithCustomError(f.distributor, "DistributorNotSweepable")
        .withArgs(p.epochId);
      await time.setNextBlockTimestamp(p.claimDeadline + 1n);
      await expect(claimReward(f.distributor, f.alice, c))
        .to.be.revertedWithCustomError(f.distributor, "DistributorClaimExpired")
        .withArgs(p.epochId, p.claimDeadline);
    });

    it("a claim at claimDeadline is not swept again: the sweep returns only budget − claimed", async function () {
      const f = await loadFixture(distributorFixture);
      const p = await proposeRewards(f);
      const c = p.tree.claim(1);
      await time.setNextBlockTimestamp(p.claimDeadline);
      await claimReward(f.distributor, f.bob, c);
      await time.setNextBlockTimestamp(p.claimDeadline + 1n);
      await expect(f.distributor.sweep(p.epochId))
        .to.emit(f.distributor, "EpochSwept")
        .withArgs(p.epochId, p.tree.budget - c.amount);
      await expect(claimReward(f.distributor, f.alice, p.tree.claim(0)))
        .to.be.revertedWithCustomError(f.distributor, "DistributorClaimExpired")
        .withArgs(p.epochId, p.claimDeadline);
      // The distributor still holds exactly the free pools.
      expect(await f.token.balanceOf(await f.distributor.getAddress())).to.equal(
        (await f.distributor.available(EpochKind.UserReward)) +
          (await f.distributor.available(EpochKind.DeveloperSubsidy)),
      );
    });
  });

  describe("attack: a token with transfer hooks cannot re-enter the distributor", function () {
    /** A second distributor whose token calls back into it on the next transfer once armed. */
    async function hostileFixture() {
      const f = await distributorFixture();
      const hostile = await ethers.deployContract("HookToken");
      await hostile.mint(f.attacker.address, 1_000n * ERA);
      const victim = await deployDistributor(f, f.deployer, { era: await hostile.getAddress() });
      await hostile.connect(f.attacker).approve(await victim.getAddress(), 1_000n * ERA);
      return { ...f, hostile, victim };
    }

    const reentries: [string, (d: EpochDistributor, who: string) => string][] = [
      ["fundSubsidies", (d) => d.interface.encodeFunctionData("fundSubsidies", [1n])],
      ["fundUserRewards", (d) => d.interface.encodeFunctionData("fundUserRewards", [1n])],
      ["claimSubsidy", (d, who) => d.interface.encodeFunctionData("claimSubsidy", [0n, 0n, who, 1n, 1n, 1n, []])],
      ["claimReward", (d, who) => d.interface.encodeFunctionData("claimReward", [0n, 0n, who, 1n, []])],
      ["claimRewardAndDelegate", (d) => d.interface.encodeFunctionData("claimRewardAndDelegate", [0n, 0n, 1n, [], 1n])],
      ["sweep", (d) => d.interface.encodeFunctionData("sweep", [0n])],
    ];
    for (const [fn, calldata] of reentries) {
      it(`${fn} from inside a funding transfer reverts with ReentrancyGuardReentrantCall`, async function () {
        const f = await loadFixture(hostileFixture);
        const victim = await f.victim.getAddress();
        await f.hostile.arm(victim, calldata(f.victim, f.attacker.address));
        await expect(f.victim.connect(f.attacker).fundUserRewards(ERA)).to.be.revertedWithCustomError(
          f.victim,
          "ReentrancyGuardReentrantCall",
        );
        expect(await f.victim.available(EpochKind.UserReward)).to.equal(0n);
        expect(await f.hostile.balanceOf(victim)).to.equal(0n);
      });
    }
  });
});
