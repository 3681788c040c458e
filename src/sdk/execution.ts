import {
  AbiCoder,
  encodeBytes32String,
  getAddress,
  keccak256,
  solidityPacked,
  toBeHex,
  type Signer,
  type TypedDataDomain,
} from "ethers";
import type { ExecutionHub } from "../../typechain-types";

/**
 * EIP-712 types and builders of the execution layer, and the lightweight batch format. Every signed type is bound
 * to its contract's domain (name, version, chain id, address), so a signature cannot be replayed on another chain
 * or another deployment.
 */

export const ACTION_TYPES = {
  Action: [
    { name: "scenarioId", type: "uint256" },
    { name: "user", type: "address" },
    { name: "nonce", type: "uint32" },
    { name: "payload", type: "uint64" },
  ],
};

export const SETTLEMENT_TYPES = {
  Settlement: [
    { name: "id", type: "bytes32" },
    { name: "scenarioId", type: "uint256" },
    { name: "legs", type: "Leg[]" },
    { name: "deadline", type: "uint64" },
    { name: "hashlock", type: "bytes32" },
  ],
  Leg: [
    { name: "payer", type: "address" },
    { name: "payee", type: "address" },
    { name: "token", type: "address" },
    { name: "amount", type: "uint256" },
  ],
};

export const ATTESTATION_TYPES = {
  Attestation: [
    { name: "scenarioId", type: "uint256" },
    { name: "subjectId", type: "bytes32" },
    { name: "resultHash", type: "bytes32" },
    { name: "previous", type: "bytes32" },
    { name: "deadline", type: "uint64" },
  ],
};

export const BATCH_ATTESTATION_TYPES = {
  BatchAttestation: [
    { name: "scenarioId", type: "uint256" },
    { name: "salt", type: "bytes32" },
    { name: "root", type: "bytes32" },
    { name: "count", type: "uint32" },
    { name: "deadline", type: "uint64" },
  ],
};

/** The EIP-712 domain of a deployed contract of the execution layer. */
export function domainOf(
  name: "ERA ExecutionHub" | "ERA SettlementEngine" | "ERA NotaryRegistry",
  chainId: bigint,
  verifyingContract: string,
): TypedDataDomain {
  return { name, version: "1", chainId, verifyingContract };
}

export interface ActionFields {
  scenarioId: bigint;
  user: string;
  nonce: number | bigint;
  payload: bigint;
}

export interface Leg {
  payer: string;
  payee: string;
  token: string;
  amount: bigint;
}

export interface SettlementFields {
  id: string;
  scenarioId: bigint;
  legs: Leg[];
  deadline: bigint;
  hashlock: string;
}

/**
 * What the nodes sign for one result. `previous` is the subject's head when signing (`NotaryRegistry.headOf`, zero for
 * its first result): the attestation lands once, as the record right after that head, or reverts with
 * `NotaryStaleHead` if another result of the subject landed first.
 */
export interface AttestationFields {
  scenarioId: bigint;
  subjectId: string;
  resultHash: string;
  previous: string;
  deadline: bigint;
}

/** What the nodes sign for a batch; `salt` is any value not used before for a batch of the scenario. */
export interface BatchAttestationFields {
  scenarioId: bigint;
  salt: string;
  root: string;
  count: number | bigint;
  deadline: bigint;
}

/** A user signs one action for the hub. */
export async function signAction(user: Signer, hubDomain: TypedDataDomain, action: ActionFields): Promise<string> {
  return user.signTypedData(hubDomain, ACTION_TYPES, action);
}

/** A payer signs a whole settlement for the settlement engine. */
export async function signSettlement(
  payer: Signer,
  engineDomain: TypedDataDomain,
  settlement: SettlementFields,
): Promise<string> {
  return payer.signTypedData(engineDomain, SETTLEMENT_TYPES, settlement);
}

/** The distinct payers of a settlement, in order of first appearance: the order its signatures must follow. */
export function payersOf(legs: readonly Leg[]): string[] {
  const seen: string[] = [];
  for (const leg of legs) {
    const payer = getAddress(leg.payer);
    if (!seen.includes(payer)) seen.push(payer);
  }
  return seen;
}

/** A node signs a result for the notary registry. */
export async function signAttestation(
  node: Signer,
  notaryDomain: TypedDataDomain,
  attestation: AttestationFields,
): Promise<string> {
  return node.signTypedData(notaryDomain, ATTESTATION_TYPES, attestation);
}

/** A node signs a batch of results for the notary registry. */
export async function signBatchAttestation(
  node: Signer,
  notaryDomain: TypedDataDomain,
  attestation: BatchAttestationFields,
): Promise<string> {
  return node.signTypedData(notaryDomain, BATCH_ATTESTATION_TYPES, attestation);
}

// ---------------------------------------------------------------------------------------------------------------
// Notarizations: ids, records and heads, as NotaryRegistry computes them
// ---------------------------------------------------------------------------------------------------------------

const coder = AbiCoder.defaultAbiCoder();
const SINGLE_ID_TAG = encodeBytes32String("ERA notarization id: single");
const BATCH_ID_TAG = encodeBytes32String("ERA notarization id: batch");
const SINGLE_RECORD_TAG = encodeBytes32String("ERA notary record: single");
const BATCH_RECORD_TAG = encodeBytes32String("ERA notary record: batch");

/** A single notarization as recorded (`INotaryRegistry.Record`; the `Notarized` event carries every field). */
export interface NotaryRecord {
  scenarioId: bigint;
  subjectId: string;
  resultHash: string;
  timestamp: bigint;
  previous: string;
  signers: string[];
}

/** A batch notarization as recorded (`INotaryRegistry.BatchRecord`). */
export interface NotaryBatchRecord {
  scenarioId: bigint;
  notarizationId: string;
  root: string;
  count: bigint;
  timestamp: bigint;
  signers: string[];
}

/** The id of the single notarization that follows `previous` in a subject's trail (`notarizationIdOf`). */
export function notarizationIdOf(scenarioId: bigint, subjectId: string, previous: string): string {
  return keccak256(
    coder.encode(["bytes32", "uint256", "bytes32", "bytes32"], [SINGLE_ID_TAG, scenarioId, subjectId, previous]),
  );
}

/** The id of the batch notarization of `scenarioId` signed with `salt` (`batchNotarizationIdOf`). */
export function batchNotarizationIdOf(scenarioId: bigint, salt: string): string {
  return keccak256(coder.encode(["bytes32", "uint256", "bytes32"], [BATCH_ID_TAG, scenarioId, salt]));
}

/** keccak256(abi.encodePacked(address[])): every element is padded to 32 bytes. */
const signersHash = (signers: readonly string[]): string => keccak256(solidityPacked(["address[]"], [signers]));

/** The hash of a single record: what the subject's head becomes when it is notarized (`recordHashOf`). */
export function recordHashOf(r: NotaryRecord): string {
  return keccak256(
    coder.encode(
      ["bytes32", "uint256", "bytes32", "bytes32", "uint64", "bytes32", "bytes32"],
      [SINGLE_RECORD_TAG, r.scenarioId, r.subjectId, r.resultHash, r.timestamp, r.previous, signersHash(r.signers)],
    ),
  );
}

/** The hash of a batch record: the commitment stored under its notarization id (`batchCommitmentOf`). */
export function batchRecordHashOf(b: NotaryBatchRecord): string {
  return keccak256(
    coder.encode(
      ["bytes32", "uint256", "bytes32", "bytes32", "uint32", "uint64", "bytes32"],
      [BATCH_RECORD_TAG, b.scenarioId, b.notarizationId, b.root, b.count, b.timestamp, signersHash(b.signers)],
    ),
  );
}

/** Whatever can read the hub's `BatchApplied` events: a connected `ExecutionHub` (TypeChain). */
export type BatchAppliedReader = Pick<ExecutionHub, "filters" | "queryFilter">;

/**
 * The node that executed a notarization (single or batch). The notary's events do not name it: the hub does, in the
 * `BatchApplied` it emits under the notarization's id in the same transaction. Reads blocks `fromBlock` to `toBlock`
 * (pass the block of the notary's event as both to read that block only); undefined when no such event is there.
 */
export async function executingNodeOf(
  hub: BatchAppliedReader,
  notarizationId: string,
  fromBlock = 0,
  toBlock?: number,
): Promise<bigint | undefined> {
  const [applied] = await hub.queryFilter(hub.filters.BatchApplied(notarizationId), fromBlock, toBlock);
  return applied?.args.nodeId;
}

/** Whatever can read a subject's head: a connected `NotaryRegistry` (TypeChain) or a stand-in. */
export interface HeadReader {
  headOf(scenarioId: bigint, subjectId: string): Promise<string>;
}

/** The head of a subject's trail now (zero hash if it has no record): the `previous` its next attestation signs. */
export async function currentHead(notary: HeadReader, scenarioId: bigint, subjectId: string): Promise<string> {
  return notary.headOf(scenarioId, subjectId);
}

/**
 * The attestation of a subject's next result, bound to its head as read now. Sign it promptly: if another result of
 * the subject lands first, the notary refuses this one (`NotaryStaleHead`) and it must be built and signed again.
 */
export async function nextAttestation(
  notary: HeadReader,
  fields: Omit<AttestationFields, "previous">,
): Promise<AttestationFields> {
  return { ...fields, previous: await currentHead(notary, fields.scenarioId, fields.subjectId) };
}

/**
 * The record an attestation becomes once notarized at `timestamp` with `signers` (ascending, as the notary recorded
 * them). Its hash, `recordHashOf`, is the subject's new head.
 */
export const recordOfAttestation = (
  a: AttestationFields,
  timestamp: bigint,
  signers: readonly string[],
): NotaryRecord => ({
  scenarioId: a.scenarioId,
  subjectId: a.subjectId,
  resultHash: a.resultHash,
  timestamp,
  previous: a.previous,
  signers: [...signers],
});

/** Signatures must reach the notary ordered by signer address, ascending. */
export function sortBySigner<T extends { signer: string }>(items: T[]): T[] {
  return [...items].sort((a, b) =>
    BigInt(a.signer) < BigInt(b.signer) ? -1 : BigInt(a.signer) > BigInt(b.signer) ? 1 : 0,
  );
}

/** The hashlock of a preimage, as `SettlementEngine.commit` checks it: keccak256(abi.encode(bytes32)). */
export function hashlockOf(preimage: string): string {
  return keccak256(coder.encode(["bytes32"], [preimage]));
}

// ---------------------------------------------------------------------------------------------------------------
// Lightweight batches
// ---------------------------------------------------------------------------------------------------------------

export interface PackedAction {
  user: string;
  nonce: number;
  payload: bigint;
}

/** Packs actions as the hub takes them: 32 bytes each, user (20) ‖ nonce (uint32) ‖ payload (uint64). */
export function packActions(actions: readonly PackedAction[]): string {
  if (actions.length === 0) return "0x";
  return solidityPacked(
    actions.flatMap(() => ["address", "uint32", "uint64"]),
    actions.flatMap((a) => [a.user, a.nonce, a.payload]),
  );
}

/** The OpenZeppelin-standard leaf of action `index` of a lightweight batch. */
export function lightweightLeaf(scenarioId: bigint, batchId: string, index: number, a: PackedAction): string {
  const inner = keccak256(
    coder.encode(
      ["uint256", "bytes32", "uint256", "address", "uint32", "uint64"],
      [scenarioId, batchId, index, a.user, a.nonce, a.payload],
    ),
  );
  return keccak256(inner);
}

function commutativeHash(a: string, b: string): string {
  return BigInt(a) < BigInt(b)
    ? keccak256(solidityPacked(["bytes32", "bytes32"], [a, b]))
    : keccak256(solidityPacked(["bytes32", "bytes32"], [b, a]));
}

/**
 * The Merkle tree `BatchCommitments` computes on-chain: leaves in batch order, paired level by level with commutative
 * keccak, an odd last node moving up unchanged. Proofs verify with OpenZeppelin's `MerkleProof`.
 */
export class LightweightBatchTree {
  readonly levels: string[][];

  constructor(
    readonly scenarioId: bigint,
    readonly batchId: string,
    readonly actions: readonly PackedAction[],
  ) {
    if (actions.length === 0) throw new Error("A lightweight batch needs at least one action.");
    let level = actions.map((a, i) => lightweightLeaf(scenarioId, batchId, i, a));
    this.levels = [level];
    while (level.length > 1) {
      const next: string[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(commutativeHash(level[i], level[i + 1]));
      if (level.length % 2 === 1) next.push(level[level.length - 1]);
      this.levels.push(next);
      level = next;
    }
  }

  get root(): string {
    return this.levels[this.levels.length - 1][0];
  }

  /** The inclusion proof of action `index`. */
  proof(index: number): string[] {
    if (index < 0 || index >= this.actions.length) {
      throw new RangeError(`No action ${index} in a batch of ${this.actions.length}.`);
    }
    const proof: string[] = [];
    let i = index;
    for (const level of this.levels.slice(0, -1)) {
      const sibling = i % 2 === 0 ? i + 1 : i - 1;
      if (sibling < level.length) proof.push(level[sibling]);
      i = Math.floor(i / 2);
    }
    return proof;
  }

  /** The `ActionRef` of action `index`, as the fraud-proof functions take it. */
  ref(index: number): { index: bigint; user: string; nonce: number; payload: bigint } {
    const a = this.actions[index];
    return { index: BigInt(index), user: a.user, nonce: a.nonce, payload: a.payload };
  }
}

/** A random 32-byte value (batch ids, settlement ids, batch notarization salts). */
export function randomId(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return toBeHex(BigInt(`0x${Buffer.from(bytes).toString("hex")}`), 32);
}
