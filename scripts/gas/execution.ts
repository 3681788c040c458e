import hre from "hardhat";
import { Wallet, keccak256, toUtf8Bytes, type ContractTransactionResponse, type HDNodeWallet } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Suite } from "../../src/sdk/economy";
import { ExecutionMode, ScenarioClass } from "../../src/sdk/economy";
import {
  domainOf,
  hashlockOf,
  nextAttestation,
  packActions,
  payersOf,
  signAction,
  signAttestation,
  signBatchAttestation,
  signSettlement,
  type Leg,
  type PackedAction,
  type SettlementFields,
} from "../../src/sdk/execution";

/** Block timestamp of the first measured notarization (2^32 s: after any wall clock the snapshot runs at). */
const PINNED_NOTARY_TIMESTAMP = 2n ** 32n;

/** EIP-7825 (osaka): the most gas one transaction may use. */
export const TX_GAS_CAP = 16_777_216n;
const ERA = 10n ** 18n;

/** Deterministic wallets (the same every run, so calldata and hence gas are the same every run). */
function wallet(label: string): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`era-gas-snapshot/${label}`)), hre.ethers.provider);
}
const id = (label: string) => keccak256(toUtf8Bytes(label));

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction was not mined");
  return receipt.gasUsed;
}

/** Calldata floor of EIP-7623 for `data`: 21,000 + 10 × (zero bytes + 4 × non-zero bytes). */
export function calldataFloor(data: string): bigint {
  const bytes = Buffer.from(data.slice(2), "hex");
  let tokens = 0n;
  for (const b of bytes) tokens += b === 0 ? 1n : 4n;
  return 21_000n + 10n * tokens;
}

/** Batch sizes measured by `measureExecution`. */
export interface ExecutionSizes {
  standard: number[];
  lightweight: number[];
  legs: number[];
  notaryBatch: number[];
  /**
   * A standard batch too large for one transaction is sent as equal transactions each under the cap (and measured
   * as their sum), instead of being recorded as not fitting.
   */
  splitOversized: boolean;
}

/** The gas snapshot's sizes. */
export const SNAPSHOT_SIZES: ExecutionSizes = {
  standard: [1, 10, 100, 500],
  lightweight: [1, 10, 100, 1_000],
  legs: [1, 10, 64],
  notaryBatch: [10, 50, 100, 1_000],
  splitOversized: false,
};

/**
 * How many equal transactions `n` items need when `measured` (items → gas of one transaction, at least two sizes)
 * says how one transaction grows: the marginal cost of an item from the two largest sizes, 2% margin under the cap.
 */
export function transactionsFor(n: number, measured: ReadonlyMap<number, bigint>): number {
  const sizes = [...measured.keys()].sort((x, y) => x - y);
  if (sizes.length < 2) throw new Error("transactionsFor needs the gas of at least two batch sizes");
  const [a, b] = sizes.slice(-2);
  const marginal = (measured.get(b)! - measured.get(a)!) / BigInt(b - a);
  const fixed = measured.get(b)! - marginal * BigInt(b);
  const fits = Number(((TX_GAS_CAP * 98n) / 100n - fixed) / marginal);
  return Math.ceil(n / fits);
}

/** `n` items as `count` consecutive ranges of sizes that differ by at most one. */
export function chunksOf(n: number, count: number): { start: number; size: number }[] {
  return Array.from({ length: count }, (_, i) => {
    const start = Math.floor((i * n) / count);
    return { start, size: Math.floor(((i + 1) * n) / count) - start };
  });
}

/**
 * Gas of the execution layer per action / leg / result at several batch sizes, on a suite where `op1` runs node 1
 * and `developer` owns scenario 1 (financial).
 */
export async function measureExecution(
  e: Suite,
  s: {
    deployer: HardhatEthersSigner;
    treasury: HardhatEthersSigner;
    op1: HardhatEthersSigner;
    developer: HardhatEthersSigner;
  },
  sizes: ExecutionSizes = SNAPSHOT_SIZES,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const { chainId } = await hre.ethers.provider.getNetwork();
  const nodeKey = wallet("node-1-key");
  await (await s.deployer.sendTransaction({ to: nodeKey.address, value: 100n * ERA })).wait();
  await (await e.nodeRegistry.connect(s.op1).setSigningKey(1, nodeKey.address)).wait();
  await (
    await e.scenarioRegistry.connect(s.developer).registerScenario(ScenarioClass.Lightweight, 1, "ipfs://likes")
  ).wait();
  const likes = await e.scenarioRegistry.scenarioCount();
  await (
    await e.scenarioRegistry.connect(s.developer).registerScenario(ScenarioClass.Enterprise, 1, "ipfs://supply")
  ).wait();
  const supply = await e.scenarioRegistry.scenarioCount();
  const financial = 1n;
  const hub = e.executionHub.connect(nodeKey);
  const hubDomain = domainOf("ERA ExecutionHub", chainId, e.addresses.executionHub);

  // --- Standard vs lightweight, per action (fresh users: each action is its user's first). -----------------------
  const users: HDNodeWallet[] = [];
  const user = (i: number) => {
    while (users.length <= i)
      users.push(
        Wallet.fromPhrase("test test test test test test test test test test test junk").deriveChild(users.length),
      );
    return users[i];
  };
  void user;
  let next = 0;
  const fresh = (n: number) => Array.from({ length: n }, () => wallet(`user-${next++}`));
  await (await e.scenarioRegistry.connect(s.developer).setMode(likes, ExecutionMode.Standard)).wait();
  let standardLargest = 0;
  let standardLargestPerAction = 0n;
  const standardFits = new Map<number, bigint>();
  for (const n of sizes.standard) {
    const batch = [];
    for (const [i, u] of fresh(n).entries()) {
      const a = { scenarioId: likes, user: u.address, nonce: 1, payload: BigInt(1_000 + i) };
      batch.push({ ...a, signature: await signAction(u, hubDomain, a) });
    }
    const estimate = await hub.submitStandard.estimateGas(likes, id(`std-${n}`), batch).catch(() => TX_GAS_CAP + 1n);
    if (estimate > TX_GAS_CAP && sizes.splitOversized) {
      const chunks = chunksOf(n, transactionsFor(n, standardFits));
      let used = 0n;
      for (const [c, { start, size }] of chunks.entries())
        used += await gasOf(hub.submitStandard(likes, id(`std-${n}-${c}`), batch.slice(start, start + size)));
      out[`standard: per action at ${n}`] = Number(used / BigInt(n));
      out[`standard: transactions at ${n}`] = chunks.length;
      standardLargest = n;
      standardLargestPerAction = used / BigInt(n);
      continue;
    }
    if (estimate > TX_GAS_CAP) {
      out[`standard: per action at ${n} (does not fit under ${TX_GAS_CAP})`] = 0;
      continue;
    }
    const used = await gasOf(hub.submitStandard(likes, id(`std-${n}`), batch));
    out[`standard: per action at ${n}`] = Number(used / BigInt(n));
    standardFits.set(n, used);
    standardLargest = n;
    standardLargestPerAction = used / BigInt(n);
  }
  await (await e.scenarioRegistry.connect(s.developer).setMode(likes, ExecutionMode.Lightweight)).wait();
  let lightPerActionAt1000 = 0n;
  let floorPerActionAt1000 = 0n;
  for (const n of sizes.lightweight) {
    const actions: PackedAction[] = fresh(n).map((u, i) => ({ user: u.address, nonce: 1, payload: BigInt(1_000 + i) }));
    const data = packActions(actions);
    const tx = await hub.submitLightweight(likes, id(`light-${n}`), data);
    const used = (await tx.wait())!.gasUsed;
    const floor = calldataFloor(tx.data);
    out[`lightweight: per action at ${n}`] = Number(used / BigInt(n));
    out[`lightweight: calldata floor per action at ${n}`] = Number(floor / BigInt(n));
    if (n === 1_000) {
      lightPerActionAt1000 = used / BigInt(n);
      floorPerActionAt1000 = floor / BigInt(n);
    }
  }
  if (lightPerActionAt1000 > 0n && standardLargestPerAction > 0n) {
    out[`ratio ×10,000: lightweight at 1,000 / standard at ${standardLargest} (target ≤ 500)`] = Number(
      (lightPerActionAt1000 * 10_000n) / standardLargestPerAction,
    );
    out["ratio ×10,000: lightweight at 1,000 / its calldata floor (target ≤ 15,000)"] = Number(
      (lightPerActionAt1000 * 10_000n) / floorPerActionAt1000,
    );
  }

  // --- Settlement per leg. ------------------------------------------------------------------------------------------
  const engineDomain = domainOf("ERA SettlementEngine", chainId, e.addresses.settlementEngine);
  const payers = Array.from({ length: 8 }, (_, i) => wallet(`payer-${i}`));
  for (const p of payers) {
    await (await s.deployer.sendTransaction({ to: p.address, value: ERA })).wait();
    await (await e.token.connect(s.treasury).transfer(p.address, 100_000n * ERA)).wait();
    await (await e.token.connect(p).approve(e.addresses.settlementEngine, 100_000n * ERA)).wait();
    await (await e.settlementEngine.connect(p).deposit(e.addresses.token, 100_000n * ERA)).wait();
  }
  // A fixed deadline (not "now + 30 days"): calldata, hence gas, must not depend on the wall clock.
  const deadline = 2n ** 40n;
  const settlementOf = (label: string, legCount: number, hashlock: string): SettlementFields => {
    const legs: Leg[] = Array.from({ length: legCount }, (_, i) => ({
      payer: payers[i % payers.length].address,
      payee: payers[(i + 1) % payers.length].address,
      token: e.addresses.token,
      amount: BigInt(i + 1) * ERA,
    }));
    return { id: id(label), scenarioId: financial, legs, deadline, hashlock };
  };
  const sign = async (st: SettlementFields) => {
    const order = payersOf(st.legs);
    return Promise.all(
      order.map((addr) =>
        signSettlement(
          payers.find((p) => p.address === addr)!,
          engineDomain,
          st,
        ),
      ),
    );
  };
  for (const legs of sizes.legs) {
    const st = settlementOf(`atomic-${legs}`, legs, hre.ethers.ZeroHash);
    const used = await gasOf(hub.submitSettlements(financial, id(`atomic-batch-${legs}`), [st], [await sign(st)]));
    out[`settlement atomic: per leg at ${legs} legs`] = Number(used / BigInt(legs));
  }
  for (const legs of sizes.legs) {
    const preimage = id(`preimage-${legs}`);
    const st = settlementOf(`lock-${legs}`, legs, hashlockOf(preimage));
    const locked = await gasOf(hub.submitLock(financial, id(`lock-batch-${legs}`), st, await sign(st)));
    const committed = await gasOf(e.settlementEngine.commit(st.id, st.legs, preimage));
    out[`settlement lock+commit: per leg at ${legs} legs`] = Number((locked + committed) / BigInt(legs));
  }

  // --- Notarization. --------------------------------------------------------------------------------------------------
  const notaryDomain = domainOf("ERA NotaryRegistry", chainId, e.addresses.notaryRegistry);
  const farDeadline = deadline;
  // The first result of subject A, then its second (signed against the head the first left). That head hashes the
  // first record's block timestamp: pin it, so the second's calldata, hence its gas, is the same every run.
  await hre.ethers.provider.send("evm_setNextBlockTimestamp", [Number(PINNED_NOTARY_TIMESTAMP)]);
  for (const label of ["single, new subject", "single, existing subject"]) {
    const att = await nextAttestation(e.notaryRegistry, {
      scenarioId: supply,
      subjectId: id("subject-A"),
      resultHash: id(`result-${label}`),
      deadline: farDeadline,
    });
    out[`notarize ${label}`] = Number(
      await gasOf(hub.submitNotarization(att, [await signAttestation(nodeKey, notaryDomain, att)])),
    );
  }
  for (const count of sizes.notaryBatch) {
    const att = {
      scenarioId: supply,
      salt: id(`batch-notarization-${count}`),
      root: id(`root-${count}`),
      count,
      deadline: farDeadline,
    };
    const used = await gasOf(
      hub.submitNotarizationBatch(att, [await signBatchAttestation(nodeKey, notaryDomain, att)]),
    );
    out[`notarize batch: per result at ${count}`] = Number(used / BigInt(count));
  }
  return out;
}
