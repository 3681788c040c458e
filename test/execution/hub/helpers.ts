import { ethers } from "hardhat";
import { impersonateAccount, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Signer, TypedDataDomain, Wallet } from "ethers";
import { ERA, ExecutionMode, ScenarioClass, type EconomyFixture } from "../../helpers/fixtures";
import {
  deterministicWallet,
  executionFixture,
  fundedWallet,
  signedAction,
  type ExecutionFixture,
} from "../../helpers/execution";
import {
  LightweightBatchTree,
  nextAttestation,
  packActions,
  signAttestation,
  signBatchAttestation,
  signSettlement,
  type AttestationFields,
  type BatchAttestationFields,
  type PackedAction,
  type SettlementFields,
} from "../../../src/sdk/execution";

// ---------------------------------------------------------------------------------------------------------------------
// The hub's and the registry's rules, mirrored (every division rounds down).
// ---------------------------------------------------------------------------------------------------------------------

/** Scenario ids of `fundedEconomyFixture`, all owned by `developer` and served by node 1. */
export const SCENARIO = { financial: 1n, enterprise: 2n, lightweight: 3n } as const;
export const MAX_BATCH_SIZE = 2_000n;
export const MAX_SERVING_NODES = 16n;
export const FRAUD_WEIGHT = 20n;
export const SCORE_PRIOR = 10n;
export const BPS = 10_000n;
export const MIN_APR_BPS = 800n;
export const MAX_APR_BPS = 1_200n;

export const CLASSES = [ScenarioClass.Financial, ScenarioClass.Enterprise, ScenarioClass.Lightweight] as const;
export const MODES = [
  ExecutionMode.Standard,
  ExecutionMode.AtomicSettlement,
  ExecutionMode.Notarized,
  ExecutionMode.Lightweight,
] as const;

/** DESIGN.md §2: the class's default mode (the one a new scenario starts in). */
export const DEFAULT_MODE: Record<ScenarioClass, ExecutionMode> = {
  [ScenarioClass.Financial]: ExecutionMode.AtomicSettlement,
  [ScenarioClass.Enterprise]: ExecutionMode.Notarized,
  [ScenarioClass.Lightweight]: ExecutionMode.Lightweight,
};

/** DESIGN.md §2: the modes a class may run in (financial never runs lightweight, …). */
export const ALLOWED_MODES: Record<ScenarioClass, readonly ExecutionMode[]> = {
  [ScenarioClass.Financial]: [ExecutionMode.AtomicSettlement, ExecutionMode.Standard],
  [ScenarioClass.Enterprise]: [ExecutionMode.Notarized, ExecutionMode.Standard],
  [ScenarioClass.Lightweight]: [ExecutionMode.Lightweight, ExecutionMode.Standard],
};

/** The scenario of `fundedEconomyFixture` of each class. */
export const SCENARIO_OF_CLASS: Record<ScenarioClass, bigint> = {
  [ScenarioClass.Financial]: SCENARIO.financial,
  [ScenarioClass.Enterprise]: SCENARIO.enterprise,
  [ScenarioClass.Lightweight]: SCENARIO.lightweight,
};

/** IExecutionHub.scoreOf: 10,000 × applied / (applied + 20 × frauds + 10). */
export const expectedScore = (applied: bigint, frauds: bigint): bigint =>
  (BPS * applied) / (applied + FRAUD_WEIGHT * frauds + SCORE_PRIOR);

/** DelegatedStaking: APR = 8% + 4% × score, in basis points. */
export const aprOfScore = (scoreBps: bigint): bigint => MIN_APR_BPS + ((MAX_APR_BPS - MIN_APR_BPS) * scoreBps) / BPS;

// ---------------------------------------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------------------------------------

export interface HubFixture extends ExecutionFixture {
  /** Users who sign actions (they never send a transaction). */
  users: Wallet[];
}

/**
 * `executionFixture` (node 1's and node 2's signing keys in hand; node 1 serves scenarios 1, 2 and 3, node 2 none)
 * with four users ready to sign actions.
 */
export async function hubFixture(): Promise<HubFixture> {
  const f = await executionFixture();
  return { ...f, users: [0, 1, 2, 3].map((i) => deterministicWallet(`user-${i}`)) };
}

/** Registers one more active node (operator and key derived from `label`) with the minimum bond. */
export async function registerNode(f: EconomyFixture, label: string): Promise<{ nodeId: bigint; key: Wallet }> {
  const operator = await fundedWallet(`${label}-operator`);
  const key = await fundedWallet(`${label}-key`);
  const bond = await f.nodeRegistry.minBond();
  await f.token.connect(f.treasury).transfer(operator.address, bond);
  await f.token.connect(operator).approve(await f.nodeRegistry.getAddress(), bond);
  const nodeId = await f.nodeRegistry.connect(operator).register.staticCall(key.address, `ipfs://${label}`, bond);
  await f.nodeRegistry.connect(operator).register(key.address, `ipfs://${label}`, bond);
  return { nodeId, key };
}

/** The batch-commitments contract as a signer (impersonated), to call the hub's commitments-only functions. */
export async function commitmentsSigner(f: EconomyFixture): Promise<HardhatEthersSigner> {
  const address = await f.batchCommitments.getAddress();
  await impersonateAccount(address);
  await setBalance(address, 100n * ERA);
  return ethers.getSigner(address);
}

/** A deterministic batch id. */
export const batchId = (label: string): string => ethers.id(`batch/${label}`);

// ---------------------------------------------------------------------------------------------------------------------
// Standard mode
// ---------------------------------------------------------------------------------------------------------------------

/** An action as `submitStandard` takes it. */
export interface SignedAction {
  user: string;
  nonce: number;
  payload: bigint;
  signature: string;
}

/** An action before signing. */
export interface ActionSpec {
  user: Wallet;
  nonce: number;
  payload: bigint;
}

/** `count` actions spread over `users` round robin, nonces from `firstNonce` on, payload = position + 1. */
export function specs(users: readonly Wallet[], count: number, firstNonce = 1): ActionSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    user: users[i % users.length],
    nonce: firstNonce + Math.floor(i / users.length),
    payload: BigInt(i + 1),
  }));
}

/** Signs each action as its user, for `scenarioId` under `domain` (the hub's, unless a test forges another). */
export async function signActions(
  domain: TypedDataDomain,
  scenarioId: bigint,
  actions: readonly ActionSpec[],
): Promise<SignedAction[]> {
  return Promise.all(
    actions.map(async (a) => {
      const { action, signature } = await signedAction(a.user, domain, scenarioId, a.nonce, a.payload);
      return { ...action, signature };
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Lightweight mode
// ---------------------------------------------------------------------------------------------------------------------

/** A lightweight batch: its packed data and the tree the verifier builds. */
export interface LightweightBatch {
  id: string;
  data: string;
  tree: LightweightBatchTree;
  actions: PackedAction[];
}

export function lightweightBatch(scenarioId: bigint, id: string, actions: PackedAction[]): LightweightBatch {
  return { id, data: packActions(actions), tree: new LightweightBatchTree(scenarioId, id, actions), actions };
}

/** `count` packed actions spread over `users`, nonces from `firstNonce` on. */
export function packedSpecs(users: readonly Wallet[], count: number, firstNonce = 1): PackedAction[] {
  return specs(users, count, firstNonce).map((a) => ({ user: a.user.address, nonce: a.nonce, payload: a.payload }));
}

// ---------------------------------------------------------------------------------------------------------------------
// Settlement and notary
// ---------------------------------------------------------------------------------------------------------------------

/** `payer` deposits `amount` ERA into the settlement engine. */
export async function depositEra(f: HubFixture, payer: Signer, amount: bigint): Promise<void> {
  await f.token.connect(payer).approve(await f.settlementEngine.getAddress(), amount);
  await f.settlementEngine.connect(payer).deposit(await f.token.getAddress(), amount);
}

/** A one-leg ERA settlement (`payer` → `payee`), signed by its payer. */
export async function oneLegSettlement(
  f: HubFixture,
  opts: {
    id: string;
    scenarioId: bigint;
    payer: HardhatEthersSigner;
    payee: string;
    amount: bigint;
    deadline?: bigint;
    hashlock?: string;
  },
): Promise<{ settlement: SettlementFields; signatures: string[] }> {
  const settlement: SettlementFields = {
    id: opts.id,
    scenarioId: opts.scenarioId,
    legs: [{ payer: opts.payer.address, payee: opts.payee, token: await f.token.getAddress(), amount: opts.amount }],
    deadline: opts.deadline ?? BigInt(await time.latest()) + 3_600n,
    hashlock: opts.hashlock ?? ethers.ZeroHash,
  };
  return { settlement, signatures: [await signSettlement(opts.payer, f.engineDomain, settlement)] };
}

/**
 * An attestation of one result for `scenarioId` (subject `label`), bound to the subject's current head, signed by
 * `signer` (node 1's key by default: quorum 1).
 */
export async function signedAttestation(
  f: HubFixture,
  scenarioId: bigint,
  label: string,
  signer: Signer = f.node1Key,
): Promise<{ attestation: AttestationFields; signatures: string[] }> {
  const attestation = await nextAttestation(f.notaryRegistry, {
    scenarioId,
    subjectId: ethers.id(`subject/${label}`),
    resultHash: ethers.id(`result/${label}`),
    deadline: BigInt(await time.latest()) + 3_600n,
  });
  return { attestation, signatures: [await signAttestation(signer, f.notaryDomain, attestation)] };
}

/** A batch attestation of `count` results for `scenarioId`, signed by `signer` (node 1's key by default). */
export async function signedBatchAttestation(
  f: HubFixture,
  scenarioId: bigint,
  label: string,
  count: number,
  signer: Signer = f.node1Key,
): Promise<{ attestation: BatchAttestationFields; signatures: string[] }> {
  const attestation: BatchAttestationFields = {
    scenarioId,
    salt: ethers.id(`notarization-batch/${label}`),
    root: ethers.id(`root/${label}`),
    count,
    deadline: BigInt(await time.latest()) + 3_600n,
  };
  return { attestation, signatures: [await signBatchAttestation(signer, f.notaryDomain, attestation)] };
}
