import { ethers } from "hardhat";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { TypedDataEncoder, type ContractTransactionResponse, type TypedDataDomain, type Wallet } from "ethers";
import { DAY } from "../../helpers/fixtures";
import {
  blockTimestampOf,
  executionFixture,
  fundedWallet,
  now,
  signAll,
  signaturesOf,
  signersOf,
  type ExecutionFixture,
} from "../../helpers/execution";
import {
  ATTESTATION_TYPES,
  BATCH_ATTESTATION_TYPES,
  domainOf,
  type AttestationFields,
  type BatchAttestationFields,
  type NotaryBatchRecord,
  type NotaryRecord,
  recordOfAttestation,
} from "../../../src/sdk/execution";
import type { INotaryRegistry, NotaryHubMock, NotaryRegistry } from "../../../typechain-types";

// ---------------------------------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------------------------------

/** The enterprise scenario of `fundedEconomyFixture` (starts in Notarized mode, served by node 1). */
export const ENTERPRISE = 2n;

// ---------------------------------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------------------------------

export interface NotaryFixture extends ExecutionFixture {
  /** Signing keys of nodes 1, 2 and 3 (node 1 = the executing node of scenario 2; 2 and 3 do not serve it yet). */
  keys: [Wallet, Wallet, Wallet];
  /** Key of node 4 (bob's): active, but never serving scenario 2. */
  bystander: Wallet;
  /** A key that belongs to no node. */
  outsider: Wallet;
}

/**
 * `executionFixture` (nodes 1 and 2 with our keys) plus node 3 (alice) and node 4 (bob) registered with our wallets
 * as keys, and a funded key of no node. Scenario 2 (enterprise, Notarized) is served by node 1 only, quorum 1.
 */
export async function notaryFixture(): Promise<NotaryFixture> {
  const f = await executionFixture();
  const keys: [Wallet, Wallet, Wallet] = [f.node1Key, f.node2Key, await fundedWallet("node 3")];
  const bystander = await fundedWallet("node 4");
  const outsider = await fundedWallet("outsider");
  const minBond = await f.nodeRegistry.minBond();
  for (const [op, key] of [
    [f.alice, keys[2]],
    [f.bob, bystander],
  ] as const) {
    await f.token.connect(op).approve(f.addresses.nodeRegistry, minBond);
    await f.nodeRegistry.connect(op).register(key.address, "ipfs://notary-test-node", minBond);
  }
  return { ...f, keys, bystander, outsider };
}

async function quorumFixture(k: bigint): Promise<NotaryFixture> {
  const f = await notaryFixture();
  await f.scenarioRegistry.connect(f.developer).addServingNode(ENTERPRISE, 2);
  await f.scenarioRegistry.connect(f.developer).addServingNode(ENTERPRISE, 3);
  await f.scenarioRegistry.connect(f.developer).setQuorum(ENTERPRISE, k);
  return f;
}

/** Scenario 2 served by nodes 1, 2, 3 with a 2-of-3 quorum. */
export async function twoOfThreeFixture(): Promise<NotaryFixture> {
  return quorumFixture(2n);
}

/** Scenario 2 served by nodes 1, 2, 3 with a 3-of-3 quorum. */
export async function threeOfThreeFixture(): Promise<NotaryFixture> {
  return quorumFixture(3n);
}

/** A second NotaryRegistry on the same node and scenario registries, whose hub is `hub` (an EOA we control). */
export async function deploySecondRegistry(f: NotaryFixture, hub: string): Promise<NotaryRegistry> {
  const second = await ethers.deployContract("NotaryRegistry", [
    f.addresses.nodeRegistry,
    f.addresses.scenarioRegistry,
    f.deployer.address,
  ]);
  await second.connect(f.deployer).setHub(hub);
  return second;
}

/**
 * A second NotaryRegistry whose hub is a `NotaryHubMock` (which emits what the registry returns), with its domain.
 */
export async function deployMockHub(
  f: NotaryFixture,
): Promise<{ registry: NotaryRegistry; hub: NotaryHubMock; domain: TypedDataDomain }> {
  const registry = await ethers.deployContract("NotaryRegistry", [
    f.addresses.nodeRegistry,
    f.addresses.scenarioRegistry,
    f.deployer.address,
  ]);
  const hub = await ethers.deployContract("NotaryHubMock", [await registry.getAddress()]);
  await registry.connect(f.deployer).setHub(await hub.getAddress());
  return { registry, hub, domain: domainOf("ERA NotaryRegistry", f.chainId, await registry.getAddress()) };
}

// ---------------------------------------------------------------------------------------------------------------------
// Attestations and signatures
// ---------------------------------------------------------------------------------------------------------------------

/** A deterministic 32-byte id of a label. */
export const idOf = (label: string): string => ethers.id(label);

/**
 * An attestation of scenario 2, valid for a day, with subject and result derived from `label`, signed against the
 * subject's first place (previous = 0) unless overridden.
 */
export async function attestationOf(
  label: string,
  overrides: Partial<AttestationFields> = {},
): Promise<AttestationFields> {
  return {
    scenarioId: ENTERPRISE,
    subjectId: idOf(`subject ${label}`),
    resultHash: idOf(`result ${label}`),
    previous: ethers.ZeroHash,
    deadline: (await now()) + DAY,
    ...overrides,
  };
}

/** The off-chain EIP-712 digest of an attestation (what `attestationDigest` must return). */
export const attestationDigestOf = (domain: TypedDataDomain, a: AttestationFields): string =>
  TypedDataEncoder.hash(domain, ATTESTATION_TYPES, a);

/** The off-chain EIP-712 digest of a batch attestation. */
export const batchAttestationDigestOf = (domain: TypedDataDomain, a: BatchAttestationFields): string =>
  TypedDataEncoder.hash(domain, BATCH_ATTESTATION_TYPES, a);

/** The EIP-2098 compact (64-byte) form of a 65-byte signature. */
export const compactOf = (signature: string): string => ethers.Signature.from(signature).compactSerialized;

// ---------------------------------------------------------------------------------------------------------------------
// Records, mirrored off-chain
// ---------------------------------------------------------------------------------------------------------------------

export type RecordFields = NotaryRecord;
export type BatchRecordFields = NotaryBatchRecord;
export { batchRecordHashOf, recordHashOf, recordOfAttestation as recordOf } from "../../../src/sdk/execution";

/**
 * Node 1 submits, through the hub, the next result of a subject of scenario 2 (subject and result derived from
 * `label` unless overridden), signed by `wallets` (node 1 alone by default) against the subject's current head.
 */
export async function notarizeNext(
  f: NotaryFixture,
  label: string,
  overrides: Partial<Omit<AttestationFields, "previous">> = {},
  wallets: readonly Wallet[] = [f.keys[0]],
): Promise<{ attestation: AttestationFields; record: RecordFields; tx: ContractTransactionResponse }> {
  const base = await attestationOf(label, overrides);
  const attestation = { ...base, previous: await f.notaryRegistry.headOf(base.scenarioId, base.subjectId) };
  const signed = await signAll(wallets, f.notaryDomain, attestation);
  const tx = await f.executionHub.connect(f.keys[0]).submitNotarization(attestation, signaturesOf(signed));
  return { attestation, record: recordOfAttestation(attestation, await blockTimestampOf(tx), signersOf(signed)), tx };
}

/** A subject's records, in notarization order, rebuilt from the Notarized events alone (what an auditor does). */
export async function trailFromEvents(
  registry: NotaryRegistry,
  scenarioId: bigint,
  subjectId: string,
): Promise<INotaryRegistry.RecordStruct[]> {
  const logs = await registry.queryFilter(registry.filters.Notarized(undefined, scenarioId, subjectId));
  return logs.map((log) => ({
    scenarioId: log.args.scenarioId,
    subjectId: log.args.subjectId,
    resultHash: log.args.resultHash,
    timestamp: log.args.timestamp,
    previous: log.args.previous,
    signers: [...log.args.signers],
  }));
}

// ---------------------------------------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------------------------------------

export const BATCH_LEAF_TYPES = ["uint256", "bytes32", "uint256", "bytes32", "bytes32"];

export interface BatchResult {
  subjectId: string;
  resultHash: string;
}

/** The OpenZeppelin standard Merkle tree of a batch: leaf i = (scenarioId, notarizationId, i, subjectId, resultHash). */
export function batchTreeOf(scenarioId: bigint, notarizationId: string, results: readonly BatchResult[]) {
  return StandardMerkleTree.of(
    results.map((r, i) => [scenarioId, notarizationId, BigInt(i), r.subjectId, r.resultHash]),
    BATCH_LEAF_TYPES,
  );
}

/** `n` results with ids and hashes derived from `label`. */
export const resultsOf = (label: string, n: number): BatchResult[] =>
  Array.from({ length: n }, (_, i) => ({
    subjectId: idOf(`${label} subject ${i}`),
    resultHash: idOf(`${label} result ${i}`),
  }));
