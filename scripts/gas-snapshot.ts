/**
 * Measures the gas (receipt `gasUsed`) of the suite's user-facing operations and of the execution layer per action on a fresh in-process deployment and
 * writes gas-snapshot.json. With GAS_SNAPSHOT_CHECK=1 it compares instead and fails when a figure moved, so a change
 * in cost always shows in the diff of a commit (regenerate with `npm run gas:snapshot`).
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { EpochKind, ScenarioClass } from "../src/sdk/economy";
import { SubsidyTree, RewardTree } from "../src/sdk/merkle";
import { measureExecution } from "./gas/execution";
import { deployFundedSuite, ERA, gas } from "./gas/suite";

const SNAPSHOT = path.join(__dirname, "..", "gas-snapshot.json");
/** Leaves in the measured subsidy/reward trees (proof depth 10). */
const TREE_LEAVES = 1_000;
/** A deadline far in the future, the same every run. */
const FAR_FUTURE = 2n ** 40n;

async function measure(): Promise<Record<string, number>> {
  const { ethers } = hre;
  const { e, s, registerGas } = await deployFundedSuite();
  const { deployer, publisher, treasury, op1, developer, alice, bob } = s;
  const a = e.addresses;
  const out: Record<string, number> = { "node.register": registerGas };

  // Staking.
  await (await e.token.connect(alice).approve(a.staking, 1_000_000n * ERA)).wait();
  out["staking.delegate (first)"] = await gas(e.staking.connect(alice).delegate(1, 10_000n * ERA));
  await ethers.provider.send("evm_increaseTime", [86_400]);
  out["staking.delegate (repeat)"] = await gas(e.staking.connect(alice).delegate(1, 10_000n * ERA));
  // A fixed deadline (not "now + 1 h"): calldata, hence gas, must not depend on the wall clock.
  const deadline = FAR_FUTURE;
  const domain = {
    name: "ERA",
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: a.token,
  };
  const types = {
    Permit: ["owner", "spender", "value", "nonce", "deadline"].map((name) => ({
      name,
      type: name === "owner" || name === "spender" ? "address" : "uint256",
    })),
  };
  const value = 10_000n * ERA;
  const sig = ethers.Signature.from(
    await bob.signTypedData(domain, types, {
      owner: bob.address,
      spender: a.staking,
      value,
      nonce: await e.token.nonces(bob),
      deadline,
    }),
  );
  out["staking.delegateWithPermit (first)"] = await gas(
    e.staking.connect(bob).delegateWithPermit(1, value, deadline, sig.v, sig.r, sig.s),
  );
  await ethers.provider.send("evm_increaseTime", [86_400]);
  out["staking.claim"] = await gas(e.staking.connect(alice).claim(1));
  await ethers.provider.send("evm_increaseTime", [86_400]);
  out["staking.undelegate"] = await gas(e.staking.connect(alice).undelegate(1, 5_000n * ERA));
  await ethers.provider.send("evm_increaseTime", [86_400]);
  out["staking.claimAndRedelegate"] = await gas(e.staking.connect(alice).claimAndRedelegate(1, 2));
  await ethers.provider.send("evm_increaseTime", [8 * 86_400]);
  out["staking.withdraw (1 entry)"] = await gas(e.staking.connect(alice).withdraw(1));

  // Revenue.
  await (await e.scenarioRegistry.connect(developer).registerScenario(ScenarioClass.Financial, 1, "ipfs://s")).wait();
  await (await e.token.connect(bob).approve(a.revenueRouter, 1_000_000n * ERA)).wait();
  out["revenue.pay (first)"] = await gas(e.revenueRouter.connect(bob).pay(1, 50_000n * ERA));
  out["revenue.pay (repeat)"] = await gas(e.revenueRouter.connect(bob).pay(1, 50_000n * ERA));
  out["revenue.claim"] = await gas(e.revenueRouter.connect(op1).claim(op1.address));
  out["revenue.flushPools"] = await gas(e.revenueRouter.flushPools());

  // Distributor: a 1,000-leaf subsidy tree and a 1,000-leaf reward tree.
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const accounts = Array.from({ length: TREE_LEAVES }, (_, i) =>
    ethers.getAddress(`0x${(i + 1).toString(16).padStart(40, "0")}`),
  );
  accounts[0] = developer.address;
  const subsidy = new SubsidyTree(
    { chainId, distributor: a.distributor, epochId: await e.distributor.epochCount() },
    accounts.map((account, i) => ({ account, scenarioId: 1n, baseAmount: 100n * ERA, mau: BigInt(100_000 + (i % 2)) })),
  );
  await (await e.token.connect(treasury).approve(a.distributor, subsidy.budget)).wait();
  await (await e.distributor.connect(treasury).fundSubsidies(subsidy.budget)).wait();
  await (
    await e.distributor.connect(publisher).proposeEpoch(EpochKind.DeveloperSubsidy, subsidy.root, subsidy.budget, "gas")
  ).wait();
  const rewardAccounts = [...accounts];
  rewardAccounts[0] = alice.address;
  const available = await e.distributor.available(EpochKind.UserReward);
  const reward = new RewardTree(
    { chainId, distributor: a.distributor, epochId: await e.distributor.epochCount() },
    rewardAccounts.map((account) => ({ account, amount: available / BigInt(TREE_LEAVES) })),
  );
  out["distributor.proposeEpoch"] = await gas(
    e.distributor.connect(publisher).proposeEpoch(EpochKind.UserReward, reward.root, reward.budget, "gas"),
  );
  await ethers.provider.send("evm_increaseTime", [3 * 86_400]);
  const c = subsidy.claim(1);
  out[`distributor.claimSubsidy (${TREE_LEAVES} leaves, bonus)`] = await gas(
    e.distributor.claimSubsidy(c.epochId, c.index, c.account, c.scenarioId, c.baseAmount, c.mau, c.proof),
  );
  const c2 = subsidy.claim(2);
  out[`distributor.claimSubsidy (${TREE_LEAVES} leaves, no bonus)`] = await gas(
    e.distributor.claimSubsidy(c2.epochId, c2.index, c2.account, c2.scenarioId, c2.baseAmount, c2.mau, c2.proof),
  );
  const r1 = reward.claim(1);
  out[`distributor.claimReward (${TREE_LEAVES} leaves)`] = await gas(
    e.distributor.claimReward(r1.epochId, r1.index, r1.account, r1.amount, r1.proof),
  );
  const r0 = reward.claim(0);
  out[`distributor.claimRewardAndDelegate (${TREE_LEAVES} leaves)`] = await gas(
    e.distributor.connect(alice).claimRewardAndDelegate(r0.epochId, r0.index, r0.amount, r0.proof, 2),
  );
  Object.assign(out, await measureExecution(e, { deployer, treasury, op1, developer }));

  // An undelegation in the steady state: the node's unbonding pool is not empty (bob's entry), and the entry slot was
  // used before (alice's first entry, withdrawn above). The undelegation measured above created both.
  await (await e.staking.connect(bob).undelegate(1, ERA)).wait();
  out["staking.undelegate (reused entry slot)"] = await gas(e.staking.connect(alice).undelegate(1, 1_000n * ERA));
  return out;
}

async function main() {
  const figures = await measure();
  const snapshot = JSON.stringify(figures, null, 2) + "\n";
  if (process.env.GAS_SNAPSHOT_CHECK === "1") {
    const committed = fs.existsSync(SNAPSHOT) ? fs.readFileSync(SNAPSHOT, "utf8") : "{}";
    const before = JSON.parse(committed) as Record<string, number>;
    const moved = Object.keys({ ...before, ...figures }).filter((k) => before[k] !== figures[k]);
    for (const k of moved) console.log(`  ${k}: ${before[k] ?? "—"} → ${figures[k] ?? "—"}`);
    if (moved.length > 0) {
      console.error(
        `gas-snapshot.json is out of date (${moved.length} figure(s) moved): run "npm run gas:snapshot" and commit it.`,
      );
      process.exitCode = 1;
      return;
    }
    console.log(`gas snapshot: ${Object.keys(figures).length} figures, unchanged.`);
    return;
  }
  fs.writeFileSync(SNAPSHOT, snapshot);
  for (const [k, v] of Object.entries(figures))
    console.log(`  ${k.padEnd(52)} ${v.toLocaleString("en-US").padStart(10)}`);
  console.log(`wrote ${path.relative(process.cwd(), SNAPSHOT)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
