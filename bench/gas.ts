/**
 * Gas (receipt `gasUsed`) of the suite's operations beside the matching operations of the peers, on one in-process
 * Hardhat chain (hardfork osaka: EIP-7623 calldata floor, EIP-7825 cap of 16,777,216 gas per transaction).
 */
import hre from "hardhat";
import {
  AbiCoder,
  Contract,
  ContractFactory,
  ZeroAddress,
  getAddress,
  keccak256,
  solidityPacked,
  solidityPackedKeccak256,
  toUtf8Bytes,
  type InterfaceAbi,
} from "ethers";
import { EpochKind, ScenarioClass } from "../src/sdk/economy";
import { SubsidyTree } from "../src/sdk/merkle";
import { chunksOf, measureExecution, transactionsFor, TX_GAS_CAP, type ExecutionSizes } from "../scripts/gas/execution";
import { deployFundedSuite, ERA, gas } from "../scripts/gas/suite";
import type { PeerArtifact, PeerBuild } from "./peers";

/** Batch sizes and tree sizes of one run. */
export interface BenchSizes {
  execution: ExecutionSizes;
  /** Notary batches and EAS multiAttest, results per batch. */
  batches: number[];
  /** The batch size the batched-notarization target is set at (50). */
  targetBatch: number;
  /** Leaves of the subsidy trees and MerkleDistributor trees. */
  leaves: number[];
}

export const FULL_SIZES: BenchSizes = {
  execution: {
    standard: [1, 10, 100, 1_000],
    lightweight: [1, 10, 100, 1_000],
    legs: [1, 10, 64],
    notaryBatch: [10, 50, 100, 1_000],
    splitOversized: true,
  },
  batches: [10, 50, 100, 1_000],
  targetBatch: 50,
  leaves: [1_000, 100_000],
};

/** For the shape test: every row of the full run, at sizes that take seconds. */
export const SMALL_SIZES: BenchSizes = {
  execution: {
    standard: [1, 4, 8],
    lightweight: [1, 4, 8],
    legs: [1, 4],
    notaryBatch: [2, 5, 8],
    splitOversized: true,
  },
  batches: [2, 5, 8],
  targetBatch: 5,
  leaves: [16, 64],
};

/** One measured operation of ours beside the peer's matching one (or beside a reference such as a floor). */
export interface Row {
  group: string;
  ours: string;
  oursGas: number;
  peer: string;
  peerGas: number;
  /** oursGas / peerGas, 4 decimals. */
  ratio: number;
  note?: string;
}

export interface Target {
  name: string;
  ratio: number;
  max: number;
  met: boolean;
}

export interface GasResults {
  rows: Row[];
  targets: Target[];
}

const id = (label: string) => keccak256(toUtf8Bytes(label));
const ratioOf = (a: number, b: number) => Math.round((a / b) * 10_000) / 10_000;
const DAY = 86_400;

async function deploy(artifact: PeerArtifact, ...args: unknown[]): Promise<Contract> {
  const [deployer] = await hre.ethers.getSigners();
  const factory = new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, deployer);
  const c = await factory.deploy(...args);
  await c.waitForDeployment();
  return c as Contract;
}

async function increaseTime(seconds: number): Promise<void> {
  await hre.network.provider.send("evm_increaseTime", [seconds]);
}

/** A Uniswap MerkleDistributor tree: leaf = keccak256(index, account, amount packed), pairs hashed sorted. */
function distributorTree(entries: { account: string; amount: bigint }[]) {
  const layers: string[][] = [
    entries.map((e, i) => solidityPackedKeccak256(["uint256", "address", "uint256"], [i, e.account, e.amount])),
  ];
  while (layers[layers.length - 1].length > 1) {
    const layer = layers[layers.length - 1];
    const next: string[] = [];
    for (let i = 0; i < layer.length; i += 2) {
      if (i + 1 === layer.length) next.push(layer[i]);
      else {
        const [x, y] = layer[i] < layer[i + 1] ? [layer[i], layer[i + 1]] : [layer[i + 1], layer[i]];
        next.push(keccak256(solidityPacked(["bytes32", "bytes32"], [x, y])));
      }
    }
    layers.push(next);
  }
  const proof = (index: number) => {
    const out: string[] = [];
    for (const layer of layers.slice(0, -1)) {
      const sibling = index ^ 1;
      if (sibling < layer.length) out.push(layer[sibling]);
      index >>= 1;
    }
    return out;
  };
  return { root: layers[layers.length - 1][0], proof };
}

/** Fresh recipients: accounts 0x…01, 0x…02, … (no ERA balance before their claim). */
const accountOf = (i: number) => getAddress(`0x${(0xb0000 + i + 1).toString(16).padStart(40, "0")}`);

/**
 * Runs every measurement on a fresh chain state (the caller runs it on Hardhat's in-process network) and returns the
 * rows and targets. `progress` gets a line per step.
 */
export async function measureGas(
  peers: PeerBuild,
  sizes: BenchSizes,
  progress: (line: string) => void,
): Promise<GasResults> {
  const rows: Row[] = [];
  const row = (group: string, ours: string, oursGas: number, peer: string, peerGas: number, note?: string) => {
    if (!(oursGas > 0) || !(peerGas > 0)) throw new Error(`not measured: ${ours} (${oursGas}) / ${peer} (${peerGas})`);
    const r: Row = { group, ours, oursGas, peer, peerGas, ratio: ratioOf(oursGas, peerGas) };
    if (note) r.note = note;
    rows.push(r);
    return r;
  };

  progress("deploying the suite");
  const { e, s } = await deployFundedSuite();
  const a = e.addresses;
  const [carol] = s.rest;
  await (await e.token.connect(s.treasury).transfer(carol, 1_000_000n * ERA)).wait();

  // --- Staking vs Synthetix StakingRewards (both move ERA: the same token costs for both). --------------------------
  progress("staking: DelegatedStaking vs StakingRewards");
  const { alice, bob } = s;
  await (await e.token.connect(alice).approve(a.staking, 1_000_000n * ERA)).wait();
  await (await e.token.connect(bob).approve(a.staking, 1_000_000n * ERA)).wait();
  const ours: Record<string, number> = {};
  ours.delegateFirst = await gas(e.staking.connect(alice).delegate(1, 10_000n * ERA));
  await increaseTime(DAY);
  ours.delegateRepeat = await gas(e.staking.connect(alice).delegate(1, 10_000n * ERA));
  await increaseTime(DAY);
  ours.claim = await gas(e.staking.connect(alice).claim(1));
  await increaseTime(DAY);
  ours.undelegateNodeFirst = await gas(e.staking.connect(alice).undelegate(1, 1_000n * ERA));
  // bob's entry keeps the node's unbonding pool non-empty after alice withdraws hers.
  await (await e.staking.connect(bob).delegate(1, 10_000n * ERA)).wait();
  await (await e.staking.connect(bob).undelegate(1, ERA)).wait();
  await increaseTime(DAY);
  ours.undelegateNewSlot = await gas(e.staking.connect(alice).undelegate(1, 1_000n * ERA));
  await increaseTime(61 * DAY);
  ours.withdraw = await gas(e.staking.connect(alice).withdraw(1));
  await increaseTime(DAY);
  ours.undelegateReused = await gas(e.staking.connect(alice).undelegate(1, 1_000n * ERA));

  const rewards = await deploy(peers.stakingRewards, s.deployer.address, s.deployer.address, a.token, a.token);
  const rewardsAddress = await rewards.getAddress();
  await (await e.token.connect(s.treasury).transfer(rewardsAddress, 100_000n * ERA)).wait();
  await (await rewards.getFunction("notifyRewardAmount")(100_000n * ERA)).wait();
  await (await e.token.connect(carol).approve(rewardsAddress, 1_000_000n * ERA)).wait();
  const sr = rewards.connect(carol) as Contract;
  const peer: Record<string, number> = {};
  peer.stakeFirst = await gas(sr.getFunction("stake")(10_000n * ERA));
  await increaseTime(DAY);
  // The second stake writes the staker's two reward slots for the first time (0 → non-zero); later ones update them.
  peer.stakeSecond = await gas(sr.getFunction("stake")(10_000n * ERA));
  await increaseTime(DAY);
  peer.stakeRepeat = await gas(sr.getFunction("stake")(10_000n * ERA));
  await increaseTime(DAY);
  peer.withdraw = await gas(sr.getFunction("withdraw")(1_000n * ERA));
  await increaseTime(DAY);
  peer.getReward = await gas(sr.getFunction("getReward")());
  const st = "staking";
  row(st, "delegate, first", ours.delegateFirst, "stake, first", peer.stakeFirst);
  row(st, "delegate, repeat", ours.delegateRepeat, "stake, second (creates its 2 reward slots)", peer.stakeSecond);
  row(st, "delegate, repeat", ours.delegateRepeat, "stake, repeat (reward slots exist)", peer.stakeRepeat);
  row(st, "claim", ours.claim, "getReward", peer.getReward);
  const w = "withdraw (reward slot exists)";
  row(st, "undelegate, the node's first (new pool and entry slots)", ours.undelegateNodeFirst, w, peer.withdraw);
  row(st, "undelegate, into a new entry slot", ours.undelegateNewSlot, w, peer.withdraw);
  row(st, "undelegate, into an entry slot used before", ours.undelegateReused, w, peer.withdraw);
  row(st, "withdraw after unbonding (2 entries)", ours.withdraw, w, peer.withdraw, "the peer has no unbonding");

  // --- Subsidy claim vs Uniswap MerkleDistributor claim (both pay ERA to an account that holds none yet). ----------
  const { chainId } = await hre.ethers.provider.getNetwork();
  const claimRows: Record<number, { first: number; next: number; peerFirst: number; peerNext: number }> = {};
  for (const leaves of sizes.leaves) {
    progress(`distribution: subsidy tree and MerkleDistributor tree of ${leaves.toLocaleString("en-US")} leaves`);
    const offset = leaves * 10;
    const subsidy = new SubsidyTree(
      { chainId, distributor: a.distributor, epochId: await e.distributor.epochCount() },
      Array.from({ length: leaves }, (_, i) => ({
        account: accountOf(offset + i),
        scenarioId: 1n,
        baseAmount: ERA,
        mau: BigInt(100_000 + (i % 2)),
      })),
    );
    await (await e.token.connect(s.treasury).approve(a.distributor, subsidy.budget)).wait();
    await (await e.distributor.connect(s.treasury).fundSubsidies(subsidy.budget)).wait();
    await (
      await e.distributor
        .connect(s.publisher)
        .proposeEpoch(EpochKind.DeveloperSubsidy, subsidy.root, subsidy.budget, "bench")
    ).wait();
    const md = distributorTree(
      Array.from({ length: leaves }, (_, i) => ({ account: accountOf(offset + leaves + i), amount: ERA })),
    );
    const mdContract = await deploy(peers.merkleDistributor, a.token, md.root);
    await (await e.token.connect(s.treasury).transfer(await mdContract.getAddress(), BigInt(leaves) * ERA)).wait();
    await increaseTime(3 * DAY);
    const claimOurs = (i: number) => {
      const c = subsidy.claim(i);
      return gas(e.distributor.claimSubsidy(c.epochId, c.index, c.account, c.scenarioId, c.baseAmount, c.mau, c.proof));
    };
    const claimPeer = (i: number) =>
      gas(mdContract.getFunction("claim")(i, accountOf(offset + leaves + i), ERA, md.proof(i)));
    // Leaf 1 (MAU 100,001: with the bonus) is the first claim of its bitmap word, leaf 2 (no bonus) the next.
    claimRows[leaves] = {
      first: await claimOurs(1),
      peerFirst: await claimPeer(1),
      next: await claimOurs(2),
      peerNext: await claimPeer(2),
    };
    const at = `at ${leaves.toLocaleString("en-US")} leaves`;
    const c = claimRows[leaves];
    row(
      "distribution",
      `claimSubsidy ${at}, first of its bitmap word (MAU bonus)`,
      c.first,
      `claim ${at}, first of its word`,
      c.peerFirst,
    );
    row(
      "distribution",
      `claimSubsidy ${at}, next in its bitmap word`,
      c.next,
      `claim ${at}, next in its word`,
      c.peerNext,
    );
  }

  // --- Execution layer (standard, lightweight, settlement, notarization) ---------------------------------------------
  progress("execution layer: standard, lightweight, settlement, notarization");
  // measureExecution settles in scenario 1, a financial one.
  await (await e.scenarioRegistry.connect(s.developer).registerScenario(ScenarioClass.Financial, 1, "ipfs://s")).wait();
  const x = await measureExecution(e, s, sizes.execution);
  const largest = (prefix: string, ns: number[]) => ns.filter((n) => x[`${prefix} ${n}`] > 0).pop()!;
  for (const n of sizes.execution.lightweight) {
    const light = x[`lightweight: per action at ${n}`];
    const floor = x[`lightweight: calldata floor per action at ${n}`];
    const std = x[`standard: per action at ${n}`];
    const txs = x[`standard: transactions at ${n}`];
    if (std > 0)
      row(
        "lightweight",
        `lightweight, per action at ${n}`,
        light,
        `standard, per action at ${n}`,
        std,
        txs ? `standard sent as ${txs} transactions` : undefined,
      );
    row(
      "lightweight",
      `lightweight, per action at ${n}`,
      light,
      "its calldata floor (21,000 + EIP-7623), per action",
      floor,
    );
  }
  // An ERC-20 transferFrom: ERA (what the legs move) and a plain OpenZeppelin ERC-20, both to a holder.
  const [payer, payee] = s.rest.slice(1, 3);
  await (await e.token.connect(s.treasury).transfer(payer, 1_000n * ERA)).wait();
  await (await e.token.connect(s.treasury).transfer(payee, 1_000n * ERA)).wait();
  await (await e.token.connect(payer).approve(carol, 1_000n * ERA)).wait();
  const eraTransferFrom = await gas(e.token.connect(carol).transferFrom(payer, payee, ERA));
  const plainFactory = await hre.ethers.getContractFactory("SettlementToken");
  const plain = await plainFactory.deploy("Plain", "PLN");
  await (await plain.mint(payer, 1_000n * ERA)).wait();
  await (await plain.mint(payee, 1_000n * ERA)).wait();
  await (await plain.connect(payer).approve(carol, 1_000n * ERA)).wait();
  const plainTransferFrom = await gas(plain.connect(carol).transferFrom(payer, payee, ERA));
  for (const legs of sizes.execution.legs) {
    row(
      "settlement",
      `atomic settlement, per leg at ${legs} legs`,
      x[`settlement atomic: per leg at ${legs} legs`],
      "ERA transferFrom",
      eraTransferFrom,
    );
    row(
      "settlement",
      `lock + commit, per leg at ${legs} legs`,
      x[`settlement lock+commit: per leg at ${legs} legs`],
      "ERA transferFrom",
      eraTransferFrom,
    );
  }
  row(
    "settlement",
    "ERA transferFrom (ERC-20 votes)",
    eraTransferFrom,
    "plain OpenZeppelin ERC-20 transferFrom",
    plainTransferFrom,
  );

  // --- EAS --------------------------------------------------------------------------------------------------------
  // A notarization carries its scenario, subject and result: the matching EAS schema is those three fields (the
  // attester and time EAS records itself). The same without the scenario is measured beside it (`lean`).
  progress("notarization: EAS attest and multiAttest");
  const registry = await deploy(peers.schemaRegistry);
  const eas = await deploy(peers.eas, await registry.getAddress());
  const coder = AbiCoder.defaultAbiCoder();
  let serial = 0;
  const easRun = async (withScenario: boolean, batchSizes: number[]) => {
    const schema = `${withScenario ? "uint256 scenarioId," : ""}bytes32 subjectId,bytes32 resultHash`;
    await (await registry.getFunction("register")(schema, ZeroAddress, true)).wait();
    const schemaId = solidityPackedKeccak256(["string", "address", "bool"], [schema, ZeroAddress, true]);
    const requestData = () => ({
      recipient: ZeroAddress,
      expirationTime: 0,
      revocable: true,
      refUID: hre.ethers.ZeroHash,
      data: withScenario
        ? coder.encode(["uint256", "bytes32", "bytes32"], [2, id(`subject-${serial}`), id(`result-${serial++}`)])
        : coder.encode(["bytes32", "bytes32"], [id(`subject-${serial}`), id(`result-${serial++}`)]),
      value: 0,
    });
    const attest = () => gas(eas.getFunction("attest")({ schema: schemaId, data: requestData() }));
    const multi = (n: number) => [{ schema: schemaId, data: Array.from({ length: n }, requestData) }];
    const result = {
      schema,
      attestFirst: await attest(),
      attestNext: await attest(),
      per: {} as Record<number, number>,
      txs: {} as Record<number, number>,
    };
    const fits = new Map<number, bigint>();
    for (const n of batchSizes) {
      progress(`notarization: EAS multiAttest at ${n} (${schema})`);
      const estimate = await eas
        .getFunction("multiAttest")
        .estimateGas(multi(n))
        .catch(() => TX_GAS_CAP + 1n);
      let used = 0;
      result.txs[n] = 1;
      if (estimate <= TX_GAS_CAP) {
        used = await gas(eas.getFunction("multiAttest")(multi(n)));
        fits.set(n, BigInt(used));
      } else {
        const chunks = chunksOf(n, transactionsFor(n, fits));
        result.txs[n] = chunks.length;
        for (const { size } of chunks) used += await gas(eas.getFunction("multiAttest")(multi(size)));
      }
      result.per[n] = Math.floor(used / n);
    }
    return result;
  };
  const full = await easRun(true, sizes.batches);
  const lean = await easRun(false, [sizes.targetBatch]);
  const schemaNote = (r: { schema: string }) => `schema "${r.schema}"`;
  for (const r of [full, lean]) {
    row(
      "notarization",
      "notarize one result, a subject's first",
      x["notarize single, new subject"],
      "EAS attest",
      r.attestFirst,
      schemaNote(r),
    );
    row(
      "notarization",
      "notarize one result, a subject's next",
      x["notarize single, existing subject"],
      "EAS attest",
      r.attestNext,
      schemaNote(r),
    );
  }
  for (const [r, n] of [...sizes.batches.map((n) => [full, n] as const), [lean, sizes.targetBatch] as const]) {
    const txs = r.txs[n];
    row(
      "notarization",
      `batch notarization, per result at ${n}`,
      x[`notarize batch: per result at ${n}`],
      `EAS multiAttest, per attestation at ${n}`,
      r.per[n],
      schemaNote(r) +
        (txs > 1 ? `; does not fit one transaction: ${txs} transactions of about ${Math.ceil(n / txs)}` : ""),
    );
  }
  const attestFirst = full.attestFirst;
  const easPer = full.per;

  // --- Targets ---------------------------------------------------------------------------------------------------------
  const targets: Target[] = [];
  const target = (name: string, ratio: number, max: number) => targets.push({ name, ratio, max, met: ratio <= max });
  const tb = sizes.targetBatch;
  const nextBatch = sizes.batches[sizes.batches.indexOf(tb) + 1];
  const largeLeaves = sizes.leaves[sizes.leaves.length - 1];
  const lightN = sizes.execution.lightweight[sizes.execution.lightweight.length - 1];
  const stdN = largest("standard: per action at", sizes.execution.standard);
  target(
    "notarize one result (a subject's first) / EAS attest (scenario, subject, result)",
    ratioOf(x["notarize single, new subject"], attestFirst),
    0.5,
  );
  target(
    `batch notarization per result at ${tb} / EAS multiAttest per attestation at ${tb} (scenario, subject, result)`,
    ratioOf(x[`notarize batch: per result at ${tb}`], easPer[tb]),
    0.01,
  );
  target(
    `batch notarization per result at ${nextBatch} / EAS multiAttest per attestation at ${tb} (scenario, subject, result)`,
    ratioOf(x[`notarize batch: per result at ${nextBatch}`], easPer[tb]),
    0.01,
  );
  target(
    `batch notarization per result at ${tb} / EAS multiAttest per attestation at ${tb}, schema without the scenario`,
    ratioOf(x[`notarize batch: per result at ${tb}`], lean.per[tb]),
    0.01,
  );
  target("delegate (repeat) / stake (repeat)", ratioOf(ours.delegateRepeat, peer.stakeRepeat), 0.8);
  target("claim / getReward", ratioOf(ours.claim, peer.getReward), 0.8);
  target("undelegate (the node's first) / withdraw", ratioOf(ours.undelegateNodeFirst, peer.withdraw), 0.8);
  target("undelegate (new entry slot) / withdraw", ratioOf(ours.undelegateNewSlot, peer.withdraw), 0.8);
  target("undelegate (entry slot used before) / withdraw", ratioOf(ours.undelegateReused, peer.withdraw), 0.8);
  const big = claimRows[largeLeaves];
  target(
    `claimSubsidy / MerkleDistributor claim at ${largeLeaves.toLocaleString("en-US")} leaves, first of a word`,
    ratioOf(big.first, big.peerFirst),
    1.0,
  );
  target(
    `claimSubsidy / MerkleDistributor claim at ${largeLeaves.toLocaleString("en-US")} leaves, next in a word`,
    ratioOf(big.next, big.peerNext),
    1.0,
  );
  target(
    `lightweight per action at ${lightN} / standard per action at ${stdN}`,
    ratioOf(x[`lightweight: per action at ${lightN}`], x[`standard: per action at ${stdN}`]),
    0.05,
  );
  target(
    `lightweight per action at ${lightN} / its calldata floor`,
    ratioOf(x[`lightweight: per action at ${lightN}`], x[`lightweight: calldata floor per action at ${lightN}`]),
    1.5,
  );
  return { rows, targets };
}
