import { ethers } from "hardhat";
import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse, Signer } from "ethers";
import { ERA, EXECUTION_DEFAULTS, ExecutionMode, ScenarioClass } from "../../helpers/fixtures";
import { executionFixture, signedAction, type ExecutionFixture } from "../../helpers/execution";
import { LightweightBatchTree, packActions, randomId, type PackedAction } from "../../../src/sdk/execution";

/** Scenario ids of `fundedEconomyFixture`: 1 financial, 3 lightweight (both served by node 1). */
export const FINANCIAL = 1n;
export const LIGHT = 3n;
export const BPS = 10_000n;

/** `IBatchCommitments.BatchStatus`, in the contract's enum order. */
export enum BatchStatus {
  None = 0,
  Pending = 1,
  Rejected = 2,
  Finalized = 3,
}

/** `IBatchCommitments.FraudKind`, in the contract's enum order. */
export enum FraudKind {
  DuplicateNonceInBatch = 0,
  DuplicateNonceAcrossBatches = 1,
  NonceUsedInStandardMode = 2,
  SignatureNotProduced = 3,
}

/** The `reason` NodeRegistry.slash records: `bytes32(kind + 1)` for a batch fraud. */
export function fraudReason(kind: FraudKind): string {
  return ethers.toBeHex(BigInt(kind) + 1n, 32);
}

/** The `reason` of a standard-replay slash: the string "standard replay" as a left-aligned bytes32. */
export const STANDARD_REPLAY_REASON = ethers.encodeBytes32String("standard replay");

export interface LightweightFixture extends ExecutionFixture {
  /** A second lightweight scenario (id 4), owned by `developer` and served by node 1. */
  otherLight: bigint;
}

/**
 * `executionFixture` (node 1's and node 2's signing keys in hand) where node 2 also serves scenario 3 (the "standard
 * node" of replay tests) and a second lightweight scenario (4) served by node 1 exists.
 */
export async function lightweightFixture(): Promise<LightweightFixture> {
  const f = await executionFixture();
  await f.scenarioRegistry.connect(f.developer).addServingNode(LIGHT, 2);
  await f.scenarioRegistry.connect(f.developer).registerScenario(ScenarioClass.Lightweight, 1, "ipfs://scenario-4");
  return { ...f, otherLight: 4n };
}

/** A deterministic, distinct user address for index `i`. */
export function userAt(i: number): string {
  return ethers.getAddress(ethers.dataSlice(ethers.id(`lightweight-user-${i}`), 12));
}

/** `n` actions with distinct (user, nonce) pairs; `salt` shifts the nonces so two calls do not collide. */
export function makeActions(n: number, salt = 0): PackedAction[] {
  return Array.from({ length: n }, (_, i) => ({
    user: userAt(i % 50),
    nonce: salt * 1_000_000 + Math.floor(i / 50) + 1,
    payload: BigInt(i) * 1_000_003n + 7n,
  }));
}

export interface Submitted {
  batchId: string;
  scenarioId: bigint;
  tree: LightweightBatchTree;
  seq: bigint;
  submittedAt: bigint;
  tx: ContractTransactionResponse;
}

/** Submits a lightweight batch through the hub with a node key (node 1's by default) and returns what tests need. */
export async function submitBatch(
  f: LightweightFixture,
  actions: readonly PackedAction[],
  opts: { scenarioId?: bigint; key?: Signer; batchId?: string } = {},
): Promise<Submitted> {
  const scenarioId = opts.scenarioId ?? LIGHT;
  const batchId = opts.batchId ?? randomId();
  const tx = await f.executionHub
    .connect(opts.key ?? f.node1Key)
    .submitLightweight(scenarioId, batchId, packActions(actions));
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("no receipt");
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  if (block === null) throw new Error("no block");
  return {
    batchId,
    scenarioId,
    tree: new LightweightBatchTree(scenarioId, batchId, actions),
    seq: await f.executionHub.batchSeq(),
    submittedAt: BigInt(block.timestamp),
    tx,
  };
}

/** Submits a batch of three actions whose actions 1 and 2 share (user, nonce): a provable fraud. */
export async function fraudulent(f: LightweightFixture): Promise<Submitted> {
  const actions = makeActions(3);
  actions[2] = { ...actions[1], payload: 5n };
  return submitBatch(f, actions);
}

/** Switches scenario 3 (or `scenarioId`) to `mode` as its owner. */
export async function setMode(f: LightweightFixture, mode: ExecutionMode, scenarioId = LIGHT): Promise<void> {
  await f.scenarioRegistry.connect(f.developer).setMode(scenarioId, mode);
}

/** A user's action with its EIP-712 signature for `scenarioId` under the hub's domain. */
export async function signed(
  f: LightweightFixture,
  user: Signer & { address: string },
  nonce: number,
  payload: bigint,
  scenarioId = LIGHT,
): Promise<{ action: PackedAction; signature: string }> {
  return signedAction(user, f.hubDomain, scenarioId, nonce, payload);
}

/**
 * Applies `actions` in standard mode on scenario 3 with `key`: switches the scenario to Standard, submits, switches
 * back to Lightweight. Returns the standard batch's sequence number.
 */
export async function applyStandard(
  f: LightweightFixture,
  key: Signer,
  actions: { action: PackedAction; signature: string }[],
): Promise<bigint> {
  await setMode(f, ExecutionMode.Standard);
  await f.executionHub.connect(key).submitStandard(
    LIGHT,
    randomId(),
    actions.map(({ action, signature }) => ({ ...action, signature })),
  );
  await setMode(f, ExecutionMode.Lightweight);
  return f.executionHub.batchSeq();
}

/** Approves the challenge bond and challenges the signature of action `index` of `s`. */
export async function challenge(
  f: LightweightFixture,
  challenger: HardhatEthersSigner,
  s: Submitted,
  index: number,
): Promise<ContractTransactionResponse> {
  await f.token.connect(challenger).approve(f.addresses.batchCommitments, await f.batchCommitments.challengeBond());
  return f.batchCommitments.connect(challenger).challengeSignature(s.batchId, s.tree.ref(index), s.tree.proof(index));
}

/** The slash, bounty and reserve part of one proven fraud with the deployed parameters and a full bond. */
export function fraudSplit(slashed: bigint = EXECUTION_DEFAULTS.fraudSlash): {
  slashed: bigint;
  bounty: bigint;
  rest: bigint;
} {
  const bounty = (slashed * EXECUTION_DEFAULTS.bountyBps) / BPS;
  return { slashed, bounty, rest: slashed - bounty };
}

export interface EconomySnapshot {
  bond: bigint;
  totalSlashed: bigint;
  reserve: bigint;
  frauds: bigint;
  applied: bigint;
}

/** What a slash of `nodeId` changes. */
export async function snapshot(f: LightweightFixture, nodeId: bigint): Promise<EconomySnapshot> {
  const node = await f.nodeRegistry.getNode(nodeId);
  const stats = await f.executionHub.nodeStats(nodeId);
  return {
    bond: node.bond,
    totalSlashed: node.totalSlashed,
    reserve: (await f.staking.reserveStatus()).reserve,
    frauds: stats.frauds,
    applied: stats.appliedBatches,
  };
}

/** The APR the staking contract must show for `nodeId` after the hub synced the node's current stats. */
export async function expectedApr(f: LightweightFixture, nodeId: bigint): Promise<{ score: bigint; apr: bigint }> {
  const s = await f.executionHub.nodeStats(nodeId);
  const score =
    (10_000n * s.appliedBatches) /
    (s.appliedBatches + (await f.executionHub.FRAUD_WEIGHT()) * s.frauds + (await f.executionHub.SCORE_PRIOR()));
  const min = await f.staking.MIN_APR_BPS();
  const max = await f.staking.MAX_APR_BPS();
  return { score, apr: min + ((max - min) * score) / 10_000n };
}

/**
 * Checks the effects every proven fraud must have on `nodeId` against `before`: exactly `fraudSlash` left the bond,
 * the reserve grew by the non-bounty part, the hub counted one more fraud (no extra applied batch) and the staking
 * APR equals the recomputed score's.
 */
export async function expectSlashed(f: LightweightFixture, nodeId: bigint, before: EconomySnapshot): Promise<void> {
  const { slashed, rest } = fraudSplit();
  const after = await snapshot(f, nodeId);
  expect(after.bond).to.equal(before.bond - slashed);
  expect(after.totalSlashed).to.equal(before.totalSlashed + slashed);
  expect(after.reserve).to.equal(before.reserve + rest);
  expect(after.frauds).to.equal(before.frauds + 1n);
  expect(after.applied).to.equal(before.applied);
  const { score, apr } = await expectedApr(f, nodeId);
  expect((await f.staking.nodePool(nodeId)).scoreBps).to.equal(score);
  expect(await f.staking.aprOf(nodeId)).to.equal(apr);
}

export { ERA, EXECUTION_DEFAULTS, ExecutionMode };
