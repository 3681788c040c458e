import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DAY, ERA } from "../helpers/fixtures";
import {
  MIN_APR_BPS,
  UNBONDING_PERIOD,
  accIncrement,
  at,
  now,
  expectSolvent,
  positionYield,
  reactivate,
  slashThroughRegistry,
  stakingFixture,
  timestampOf,
  type StakingFixture,
} from "./helpers";

const NODE_1 = 1n;
const NODE_2 = 2n;
const BOND = 10_000n * ERA;
const REASON = ethers.encodeBytes32String("test");

const everyone = (f: StakingFixture) => [f.alice, f.bob, f.carol, f.attacker];

/** alice: 6,000 ERA active with node 1; bob: 4,000 ERA unbonding from node 1. */
async function activeAndUnbonding() {
  const f = await loadFixture(stakingFixture);
  await f.staking.connect(f.alice).delegate(NODE_1, 6_000n * ERA);
  await f.staking.connect(f.bob).delegate(NODE_1, 4_000n * ERA);
  await f.staking.connect(f.bob).undelegate(NODE_1, ethers.MaxUint256);
  return f;
}

describe("DelegatedStaking — slashing through NodeRegistry.slash", function () {
  it("does not reach the delegators while the operator's bond covers the slash", async function () {
    const f = await activeAndUnbonding();
    const tx = f.nodeRegistry.connect(f.slasher).slash(NODE_1, BOND, f.slashRecipient.address, REASON);
    await expect(tx)
      .to.emit(f.nodeRegistry, "NodeSlashed")
      .withArgs(NODE_1, f.slashRecipient.address, BOND, BOND, 0n, REASON);
    await expect(tx).not.to.emit(f.staking, "DelegationsSlashed");
    const pool = await f.staking.nodePool(NODE_1);
    expect([pool.stake, pool.unbondingStake]).to.deep.equal([6_000n * ERA, 4_000n * ERA]);
  });

  it("takes nothing beyond the bond from a node nobody delegated to", async function () {
    const f = await loadFixture(stakingFixture);
    const tx = slashThroughRegistry(f, NODE_2, 1_000n * ERA);
    await expect(tx)
      .to.emit(f.nodeRegistry, "NodeSlashed")
      .withArgs(NODE_2, f.slashRecipient.address, BOND + 1_000n * ERA, BOND, 0n, REASON);
    await expect(tx).not.to.emit(f.staking, "DelegationsSlashed");
    await expect(tx).to.changeTokenBalance(f.token, f.staking, 0n);
  });

  it("reaches active and unbonding delegations pro rata, and emits DelegationsSlashed", async function () {
    const f = await activeAndUnbonding();
    const tx = slashThroughRegistry(f, NODE_1, 1_000n * ERA);
    await expect(tx)
      .to.emit(f.staking, "DelegationsSlashed")
      .withArgs(NODE_1, f.slashRecipient.address, 600n * ERA, 400n * ERA);
    await expect(tx)
      .to.emit(f.nodeRegistry, "NodeSlashed")
      .withArgs(NODE_1, f.slashRecipient.address, BOND + 1_000n * ERA, BOND, 1_000n * ERA, REASON);
    await expect(tx).to.changeTokenBalances(
      f.token,
      [f.slashRecipient, f.staking, f.nodeRegistry],
      [BOND + 1_000n * ERA, -1_000n * ERA, -BOND],
    );
    const pool = await f.staking.nodePool(NODE_1);
    expect([pool.stake, pool.shares, pool.unbondingStake, pool.unbondingShares]).to.deep.equal([
      5_400n * ERA,
      6_000n * ERA,
      3_600n * ERA,
      4_000n * ERA,
    ]);
    expect(await f.staking.stakeOf(f.alice.address, NODE_1)).to.equal(5_400n * ERA);
    expect(await f.staking.unbondingValue(f.bob.address, NODE_1, 0)).to.equal(3_600n * ERA);
    expect(await f.staking.globalRate()).to.equal(5_400n * ERA * MIN_APR_BPS);
    await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
  });

  it("pays each withdrawal its principal minus exactly the slash it was exposed to", async function () {
    const f = await loadFixture(stakingFixture);
    await f.staking.connect(f.alice).delegate(NODE_1, 5_000n * ERA);
    await f.staking.connect(f.bob).delegate(NODE_1, 4_000n * ERA);
    await f.staking.connect(f.carol).delegate(NODE_1, 1_000n * ERA);
    await f.staking.connect(f.bob).undelegate(NODE_1, ethers.MaxUint256);
    await f.staking.connect(f.carol).undelegate(NODE_1, ethers.MaxUint256);
    // 10% of the 10,000 ERA at stake: 500 from the active pool, 500 from the unbonding pool.
    await expect(slashThroughRegistry(f, NODE_1, 1_000n * ERA))
      .to.emit(f.staking, "DelegationsSlashed")
      .withArgs(NODE_1, f.slashRecipient.address, 500n * ERA, 500n * ERA);
    // alice leaves after the slash: she unbonds what is left, at the unbonding pool's post-slash price
    // (4,500 ERA for 5,000 shares), and is not exposed to the past slash again.
    const t = (await timestampOf(await f.staking.connect(f.carol).poke())) + 10n;
    await at(t);
    await expect(f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256))
      .to.emit(f.staking, "UndelegationStarted")
      .withArgs(
        f.alice.address,
        NODE_1,
        4_500n * ERA,
        5_000n * ERA,
        (4_500n * ERA * 5_000n) / 4_500n,
        t + UNBONDING_PERIOD,
      );
    await time.increase(UNBONDING_PERIOD);
    for (const [who, paid] of [
      [f.bob, 3_600n * ERA],
      [f.carol, 900n * ERA],
      [f.alice, 4_500n * ERA],
    ] as const) {
      await expect(f.staking.connect(who).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(who.address, NODE_1, paid, 1n);
    }
    const pool = await f.staking.nodePool(NODE_1);
    expect([pool.stake, pool.shares, pool.unbondingStake, pool.unbondingShares]).to.deep.equal([0n, 0n, 0n, 0n]);
    await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
  });

  it("keeps the yield earned before the slash, then accrues on the slashed stake", async function () {
    const f = await loadFixture(stakingFixture);
    const stake = 6_000n * ERA;
    const t0 = await timestampOf(await f.staking.connect(f.alice).delegate(NODE_1, stake));
    await at(t0 + 10n * DAY);
    await slashThroughRegistry(f, NODE_1, 1_000n * ERA);
    const acc1 = accIncrement(stake, stake, MIN_APR_BPS, 10n * DAY);
    expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(positionYield(stake, acc1));
    await at(t0 + 20n * DAY);
    const acc2 = accIncrement(stake - 1_000n * ERA, stake, MIN_APR_BPS, 10n * DAY);
    await expect(f.staking.connect(f.alice).claim(NODE_1))
      .to.emit(f.staking, "YieldClaimed")
      .withArgs(f.alice.address, positionYield(stake, acc1 + acc2));
  });

  it("keeps the yield an unbonding delegator settled before the slash", async function () {
    const f = await loadFixture(stakingFixture);
    const t0 = await timestampOf(await f.staking.connect(f.bob).delegate(NODE_1, 4_000n * ERA));
    await at(t0 + 5n * DAY);
    await f.staking.connect(f.bob).undelegate(NODE_1, ethers.MaxUint256);
    const earned = positionYield(4_000n * ERA, accIncrement(4_000n * ERA, 4_000n * ERA, MIN_APR_BPS, 5n * DAY));
    await slashThroughRegistry(f, NODE_1, 1_000n * ERA);
    await expect(f.staking.connect(f.bob).claim(NODE_1))
      .to.emit(f.staking, "YieldClaimed")
      .withArgs(f.bob.address, earned);
  });

  it("takes only what there is when the slash exceeds everything, and stops the node's accrual", async function () {
    const f = await activeAndUnbonding();
    await expect(slashThroughRegistry(f, NODE_1, 1_000_000n * ERA))
      .to.emit(f.staking, "DelegationsSlashed")
      .withArgs(NODE_1, f.slashRecipient.address, 6_000n * ERA, 4_000n * ERA);
    const pool = await f.staking.nodePool(NODE_1);
    expect([pool.stake, pool.unbondingStake]).to.deep.equal([0n, 0n]);
    expect(await f.staking.globalRate()).to.equal(0n);
    const earned = await f.staking.claimableYield(f.alice.address, NODE_1);
    const [reserve] = await f.staking.reserveStatus();
    await time.increase(30n * DAY);
    expect(await f.staking.claimableYield(f.alice.address, NODE_1)).to.equal(earned);
    expect((await f.staking.reserveStatus())[0]).to.equal(reserve);
    await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
  });

  it("takes nothing from delegators when the remainder is too small to split pro rata", async function () {
    const f = await activeAndUnbonding();
    const tx = slashThroughRegistry(f, NODE_1, 1n);
    await expect(tx).to.emit(f.staking, "DelegationsSlashed").withArgs(NODE_1, f.slashRecipient.address, 0n, 0n);
    await expect(tx)
      .to.emit(f.nodeRegistry, "NodeSlashed")
      .withArgs(NODE_1, f.slashRecipient.address, BOND + 1n, BOND, 0n, REASON);
    const pool = await f.staking.nodePool(NODE_1);
    expect([pool.stake, pool.unbondingStake]).to.deep.equal([6_000n * ERA, 4_000n * ERA]);
  });

  it("takes a pool whole when a partial slash would leave it dust (under 1 wei per 1e9 shares)", async function () {
    const f = await loadFixture(stakingFixture);
    const stake = 10_000n * ERA;
    await f.staking.connect(f.alice).delegate(NODE_1, stake);
    await f.staking.connect(f.bob).delegate(NODE_1, 1n);
    await f.staking.connect(f.bob).undelegate(NODE_1, 1n);
    const total = stake + 1n;
    const amount = total - 1n;
    // Pro rata would leave 1 wei of active stake against 1e22 shares: dust, so the active pool goes whole.
    const proRataActive = (amount * stake) / total;
    expect(stake - proRataActive).to.equal(1n);
    const fromUnbonding = (amount * 1n) / total; // 0: the unbonding pool keeps its 1 wei against 1 share
    await expect(slashThroughRegistry(f, NODE_1, amount))
      .to.emit(f.staking, "DelegationsSlashed")
      .withArgs(NODE_1, f.slashRecipient.address, stake, fromUnbonding);
    const pool = await f.staking.nodePool(NODE_1);
    expect([pool.stake, pool.unbondingStake, pool.unbondingShares]).to.deep.equal([0n, 1n, 1n]);
    expect(await f.staking.MAX_SHARES_PER_WEI()).to.equal(10n ** 9n);
  });

  it("takes the unbonding pool whole when a partial slash would leave it dust, and retires its shares", async function () {
    const f = await loadFixture(stakingFixture);
    const stake = 10_000n * ERA;
    await f.staking.connect(f.alice).delegate(NODE_1, stake);
    await f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256);
    await f.staking.connect(f.bob).delegate(NODE_1, 1n);
    const total = stake + 1n;
    const amount = total - 1n;
    // Pro rata would leave 1 wei of unbonding stake against 1e22 unbonding shares: dust, so that pool goes whole,
    // while the active pool keeps its 1 wei against 1 share.
    expect(stake - (amount * stake) / total).to.equal(1n);
    expect((amount * 1n) / total).to.equal(0n);
    await expect(slashThroughRegistry(f, NODE_1, amount))
      .to.emit(f.staking, "DelegationsSlashed")
      .withArgs(NODE_1, f.slashRecipient.address, 0n, stake);
    const pool = await f.staking.nodePool(NODE_1);
    expect([pool.stake, pool.shares, pool.unbondingStake, pool.unbondingShares]).to.deep.equal([1n, 1n, 0n, 0n]);
    expect(await f.staking.unbondingValue(f.alice.address, NODE_1, 0)).to.equal(0n);
  });

  it("never empties a pool whose remainder is above the dust bound (each part rounds down)", async function () {
    const f = await loadFixture(stakingFixture);
    const stake = 10_000n * ERA;
    await f.staking.connect(f.alice).delegate(NODE_1, stake);
    // Leave 10^13 + 1 wei: 10^22 shares / (10^13 + 1) wei < 10^9 shares per wei, so not dust.
    const amount = stake - (10n ** 13n + 1n);
    await expect(slashThroughRegistry(f, NODE_1, amount))
      .to.emit(f.staking, "DelegationsSlashed")
      .withArgs(NODE_1, f.slashRecipient.address, amount, 0n);
    expect((await f.staking.nodePool(NODE_1)).stake).to.equal(10n ** 13n + 1n);
  });

  it("refuses delegations to a 100%-slashed node with StakingNodeWipedOut, even once reactivated", async function () {
    const f = await loadFixture(stakingFixture);
    await f.staking.connect(f.alice).delegate(NODE_1, 6_000n * ERA);
    await slashThroughRegistry(f, NODE_1, 6_000n * ERA);
    await expect(f.staking.connect(f.bob).delegate(NODE_1, ERA))
      .to.be.revertedWithCustomError(f.staking, "StakingNodeNotActive")
      .withArgs(NODE_1);
    await reactivate(f, NODE_1, f.operator1);
    expect(await f.nodeRegistry.isActive(NODE_1)).to.equal(true);
    await expect(f.staking.connect(f.bob).delegate(NODE_1, ERA))
      .to.be.revertedWithCustomError(f.staking, "StakingNodeWipedOut")
      .withArgs(NODE_1);
    // A partial undelegation has no price to go by.
    await expect(f.staking.connect(f.alice).undelegate(NODE_1, 1n))
      .to.be.revertedWithCustomError(f.staking, "StakingInsufficientStake")
      .withArgs(f.alice.address, NODE_1, ethers.MaxUint256, 6_000n * ERA);
  });

  it("lets a position worth less than 1 wei after a slash leave, for 0", async function () {
    const f = await loadFixture(stakingFixture);
    await f.staking.connect(f.alice).delegate(NODE_1, 1n);
    await f.staking.connect(f.bob).delegate(NODE_1, 9n);
    await slashThroughRegistry(f, NODE_1, 9n); // 10 shares now hold 1 wei
    expect(await f.staking.stakeOf(f.alice.address, NODE_1)).to.equal(0n);
    const t = await timestampOf(await f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256));
    await at(t + UNBONDING_PERIOD);
    await expect(f.staking.connect(f.alice).withdraw(NODE_1))
      .to.emit(f.staking, "Withdrawn")
      .withArgs(f.alice.address, NODE_1, 0n, 1n);
    expect(await f.staking.stakeOf(f.bob.address, NODE_1)).to.equal(1n);
  });

  describe("after a 100% slash", function () {
    it("lets the wiped-out delegators leave (for nothing) and then reopens the node", async function () {
      const f = await activeAndUnbonding();
      await slashThroughRegistry(f, NODE_1, 10_000n * ERA);
      await reactivate(f, NODE_1, f.operator1);
      const t = await timestampOf(await f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256));
      expect(await f.staking.sharesOf(f.alice.address, NODE_1)).to.equal(0n);
      await at(t + UNBONDING_PERIOD);
      const tx = f.staking.connect(f.alice).withdraw(NODE_1);
      await expect(tx).to.emit(f.staking, "Withdrawn").withArgs(f.alice.address, NODE_1, 0n, 1n);
      await expect(tx).to.changeTokenBalance(f.token, f.alice, 0n);
      await expect(f.staking.connect(f.bob).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.bob.address, NODE_1, 0n, 1n);
      await expect(f.staking.connect(f.carol).delegate(NODE_1, ERA))
        .to.emit(f.staking, "Delegated")
        .withArgs(f.carol.address, NODE_1, f.carol.address, ERA, ERA);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });

    it("lets the sole wiped-out delegator leave with an entry worth 0, which reopens the node", async function () {
      const f = await loadFixture(stakingFixture);
      await f.staking.connect(f.alice).delegate(NODE_1, 6_000n * ERA);
      await slashThroughRegistry(f, NODE_1, 6_000n * ERA);
      await reactivate(f, NODE_1, f.operator1);
      const t = (await now()) + 10n;
      await at(t);
      await expect(f.staking.connect(f.alice).undelegate(NODE_1, ethers.MaxUint256))
        .to.emit(f.staking, "UndelegationStarted")
        .withArgs(f.alice.address, NODE_1, 0n, 6_000n * ERA, 0n, t + UNBONDING_PERIOD);
      expect(await f.staking.unbondingValue(f.alice.address, NODE_1, 0)).to.equal(0n);
      await at(t + UNBONDING_PERIOD);
      await expect(f.staking.connect(f.alice).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.alice.address, NODE_1, 0n, 1n);
      expect(await f.staking.unbondingsOf(f.alice.address, NODE_1)).to.have.length(0);
      await expect(f.staking.connect(f.bob).delegate(NODE_1, ERA))
        .to.emit(f.staking, "Delegated")
        .withArgs(f.bob.address, NODE_1, f.bob.address, ERA, ERA);
    });

    it("lets a delegator who joined the reactivated node exit with its full principal while old entries wait", async function () {
      const f = await loadFixture(stakingFixture);
      // bob is unbonding when the node is wiped out; nobody is active.
      await f.staking.connect(f.bob).delegate(NODE_1, 4_000n * ERA);
      await f.staking.connect(f.bob).undelegate(NODE_1, ethers.MaxUint256);
      await slashThroughRegistry(f, NODE_1, 4_000n * ERA);
      await reactivate(f, NODE_1, f.operator1);
      // carol joins the reactivated node; bob never withdraws his worthless entry.
      await f.staking.connect(f.carol).delegate(NODE_1, 5_000n * ERA);
      const t = await timestampOf(await f.staking.connect(f.carol).undelegate(NODE_1, ethers.MaxUint256));
      expect(await f.staking.unbondingValue(f.carol.address, NODE_1, 0)).to.equal(5_000n * ERA);
      expect(await f.staking.unbondingValue(f.bob.address, NODE_1, 0)).to.equal(0n);
      await at(t + UNBONDING_PERIOD);
      await expect(f.staking.connect(f.carol).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.carol.address, NODE_1, 5_000n * ERA, 1n);
      await expect(f.staking.connect(f.bob).withdraw(NODE_1))
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.bob.address, NODE_1, 0n, 1n);
      await expectSolvent(f.staking, f.token, [NODE_1, NODE_2], everyone(f));
    });
  });
});
