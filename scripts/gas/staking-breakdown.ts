/**
 * Where the gas of a staking call goes: for each call of the gas snapshot's staking sequence, the receipt's gasUsed,
 * the part spent in the token call (ERA: ERC-20 + permit + votes), in calls to the node registry (none since staking
 * keeps the registry's pushed copy of a node's activity; the column stays to show it), and the rest (transaction base
 * cost, calldata, and DelegatedStaking itself). The same sequence then runs against a plain
 * OpenZeppelin ERC-20, to show what the ERA token costs over the plain token a peer contract is usually measured with.
 *
 *   npx hardhat run scripts/gas/staking-breakdown.ts
 *
 * Figures come from `debug_traceTransaction` (the gas a CALL/STATICCALL took, callee included), on a fresh in-process
 * deployment; they are not part of gas-snapshot.json. docs/staking-gas.md quotes them.
 */
import hre from "hardhat";
import { ethers as ethersLib, type ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import SuiteModule from "../../deploy/modules/Suite";
import localParameters from "../../deploy/parameters/local.json";
import { addressesOf, connectSuite } from "../../src/sdk/economy";
import type { DelegatedStaking, IERC20 } from "../../typechain-types";

const ERA = 10n ** 18n;
const DAY = 86_400;
const keyOf = (label: string) => ethersLib.getAddress(ethersLib.dataSlice(ethersLib.id(label), 12));

interface Step {
  op: string;
  gas: number;
  depth: number;
  stack?: string[];
}

interface Row {
  call: string;
  total: number;
  token: number;
  registry: number;
}

/** Gas of `tx`, and the part of it its top-level calls to `token` and to `registry` took. */
async function breakdown(call: string, tx: Promise<ContractTransactionResponse>, token: string, registry: string) {
  const sent = await tx;
  const receipt = await sent.wait();
  if (!receipt) throw new Error("transaction was not mined");
  const trace = (await hre.network.provider.send("debug_traceTransaction", [
    sent.hash,
    { disableMemory: true, disableStorage: true },
  ])) as { structLogs: Step[] };
  const steps = trace.structLogs;
  const row: Row = { call, total: Number(receipt.gasUsed), token: 0, registry: 0 };
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step.depth !== 1 || (step.op !== "CALL" && step.op !== "STATICCALL") || !step.stack) continue;
    const to = ethersLib.getAddress(`0x${step.stack[step.stack.length - 2].slice(-40)}`);
    let next = i + 1;
    while (next < steps.length && steps[next].depth !== 1) next++;
    const used = step.gas - steps[next].gas;
    if (to === token) row.token += used;
    else if (to === registry) row.registry += used;
  }
  return row;
}

/** The gas snapshot's staking sequence on `staking`, alice and bob holding and approving `token`. */
async function sequence(
  staking: DelegatedStaking,
  token: IERC20,
  registry: string,
  alice: HardhatEthersSigner,
  bob: HardhatEthersSigner,
): Promise<Row[]> {
  const address = await token.getAddress();
  const increase = (seconds: number) => hre.network.provider.send("evm_increaseTime", [seconds]);
  const rows: Row[] = [];
  const run = async (call: string, tx: Promise<ContractTransactionResponse>) =>
    rows.push(await breakdown(call, tx, address, registry));
  await (await token.connect(alice).approve(await staking.getAddress(), 1_000_000n * ERA)).wait();
  await (await token.connect(bob).approve(await staking.getAddress(), 1_000_000n * ERA)).wait();
  await run("delegate (first)", staking.connect(alice).delegate(1, 10_000n * ERA));
  await increase(DAY);
  await run("delegate (repeat)", staking.connect(alice).delegate(1, 10_000n * ERA));
  await run("delegate (first, bob)", staking.connect(bob).delegate(1, 10_000n * ERA));
  await increase(DAY);
  await run("claim", staking.connect(alice).claim(1));
  await increase(DAY);
  await run("undelegate", staking.connect(alice).undelegate(1, 5_000n * ERA));
  await increase(DAY);
  await run("claimAndRedelegate", staking.connect(alice).claimAndRedelegate(1, 2));
  await increase(8 * DAY);
  await run("withdraw (1 entry)", staking.connect(alice).withdraw(1));
  // Beyond the snapshot: undelegations into a node whose unbonding pool is not empty (bob's entry keeps it so),
  // into the entry slot alice's withdrawal freed, then into a slot never used.
  await (await staking.connect(bob).undelegate(1, ERA)).wait();
  await increase(DAY);
  await run("undelegate (reused entry slot)", staking.connect(alice).undelegate(1, 1_000n * ERA));
  await increase(DAY);
  await run("undelegate (new entry slot)", staking.connect(alice).undelegate(1, 1_000n * ERA));
  return rows;
}

async function main() {
  const { ethers } = hre;
  const [deployer, , , , scoreKeeper, treasury, op1, op2, , alice, bob] = await ethers.getSigners();
  const deployed = await hre.ignition.deploy(SuiteModule, { parameters: localParameters });
  const e = connectSuite(await addressesOf(deployed), deployer);
  const a = e.addresses;
  for (const who of [op1, op2, alice, bob])
    await (await e.token.connect(treasury).transfer(who, 1_000_000n * ERA)).wait();
  const minBond = await e.nodeRegistry.minBond();
  for (const [i, op] of [op1, op2].entries()) {
    await (await e.token.connect(op).approve(a.nodeRegistry, minBond)).wait();
    await (await e.nodeRegistry.connect(op).register(keyOf(`node-${i + 1}`), `ipfs://n${i + 1}`, minBond)).wait();
  }

  // ERA, as the suite deploys it.
  await (await e.token.connect(treasury).approve(a.staking, 1_000_000n * ERA)).wait();
  await (await e.staking.connect(treasury).fundReserve(1_000_000n * ERA)).wait();
  await (await e.staking.connect(scoreKeeper).setScore(1, 5_000)).wait();
  const eraRows = await sequence(e.staking, e.token, a.nodeRegistry, alice, bob);

  // The same contract, staking a plain OpenZeppelin ERC-20 (no votes). The suite's registry is wired to the suite's
  // staking once and for all, so this one takes its nodes' activity from the test registry (nodes 1 and 2 active).
  const plain = await ethers.deployContract("SettlementToken", ["Plain", "PLN"]);
  const mockRegistry = await ethers.deployContract("StakingMockRegistry");
  const staking = await ethers.deployContract("DelegatedStaking", [plain, mockRegistry, deployer, 7 * DAY]);
  await (await mockRegistry.setStaking(staking)).wait();
  for (const node of [1, 2]) await (await mockRegistry.setActive(node, true)).wait();
  await (await staking.grantRole(await staking.SCORE_KEEPER_ROLE(), scoreKeeper)).wait();
  for (const who of [deployer, alice, bob]) await (await plain.mint(who, 2_000_000n * ERA)).wait();
  await (await plain.approve(staking, 1_000_000n * ERA)).wait();
  await (await staking.fundReserve(1_000_000n * ERA)).wait();
  await (await staking.connect(scoreKeeper).setScore(1, 5_000)).wait();
  const plainRows = await sequence(staking, plain as unknown as IERC20, await mockRegistry.getAddress(), alice, bob);

  const n = (x: number) => x.toLocaleString("en-US");
  console.log("| call | gasUsed | ERA call | registry call | the rest | plain ERC-20 call | ERA over plain |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [i, r] of eraRows.entries()) {
    const p = plainRows[i];
    const rest = r.total - r.token - r.registry;
    console.log(
      `| ${r.call} | ${n(r.total)} | ${n(r.token)} | ${n(r.registry)} | ${n(rest)} | ${n(p.token)} | ${n(r.token - p.token)} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
