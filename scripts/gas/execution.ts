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
  for (const n of [1, 10, 100, 500]) {
    const batch = [];
    for (const [i, u] of fresh(n).entries()) {
      const a = { scenarioId: likes, user: u.address, nonce: 1, payload: BigInt(1_000 + i) };
      batch.push({ ...a, signature: await signAction(u, hubDomain, a) });
    }
    const estimate = await hub.submitStandard.estimateGas(likes, id(`std-${n}`), batch).catch(() => TX_GAS_CAP + 1n);
    if (estimate > TX_GAS_CAP) {
      out[`standard: per action at ${n} (does not fit under ${TX_GAS_CAP})`] = 0;
      continue;
    }
    const used = await gasOf(hub.submitStandard(likes, id(`std-${n}`), batch));
    out[`standard: per action at ${n}`] = Number(used / BigInt(n));
    standardLargest = n;
    standardLargestPerAction = used / BigInt(n);
  }
  await (await e.scenarioRegistry.connect(s.developer).setMode(likes, ExecutionMode.Lightweight)).wait();
  let lightPerActionAt1000 = 0n;
  let floorPerActionAt1000 = 0n;
  for (const n of [1, 10, 100, 1_000]) {
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
  out[`ratio ×10,000: lightweight at 1,000 / standard at ${standardLargest} (target ≤ 500)`] = Number(
    (lightPerActionAt1000 * 10_000n) / standardLargestPerAction,
  );
  out["ratio ×10,000: lightweight at 1,000 / its calldata floor (target ≤ 15,000)"] = Number(
    (lightPerActionAt1000 * 10_000n) / floorPerActionAt1000,
  );

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
  for (const legs of [1, 10, 64]) {
    const st = settlementOf(`atomic-${legs}`, legs, hre.ethers.ZeroHash);
    const used = await gasOf(hub.submitSettlements(financial, id(`atomic-batch-${legs}`), [st], [await sign(st)]));
    out[`settlement atomic: per leg at ${legs} legs`] = Number(used / BigInt(legs));
  }
  for (const legs of [1, 10, 64]) {
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
  for (const count of [10, 50, 100, 1_000]) {
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
