import { getAddress, TypedDataEncoder, type TypedDataDomain } from "ethers";
import { recoverStrict } from "../sdk/signatures";
import { ACTION_TYPES, type PackedAction } from "../sdk/execution";

/**
 * The verifier's re-check of a lightweight batch, as pure functions: given the batch's actions and what the chain
 * and the node said about them, which frauds the batch holds. Every kind maps to a proof `BatchCommitments` accepts:
 *
 * | kind                       | what is wrong                                                | how it is proven              |
 * |----------------------------|--------------------------------------------------------------|-------------------------------|
 * | duplicate-in-batch         | two actions of the batch share (user, nonce)                 | `proveDuplicateInBatch`       |
 * | duplicate-across-batches   | an action reuses (user, nonce) of an earlier, unrejected batch of the scenario | `proveDuplicateAcrossBatches` |
 * | nonce-used-in-standard     | the (user, nonce) was applied in standard mode before the batch | `proveNonceUsedInStandard` |
 * | wrong-scenario             | the node's signature is the user's, but for another scenario | `challengeSignature`, then `resolveChallenge` |
 * | bad-signature              | the node's signature does not recover to the user            | `challengeSignature`, then `resolveChallenge` |
 * | missing-signature          | the node serves no signature for the action                  | `challengeSignature`, then `resolveChallenge` |
 *
 * Users' signatures are not on chain: the node serves them (see `signatures.ts`). A signature challenge costs a bond
 * that the node wins if it answers with a valid signature, so only an action whose signature the node failed to
 * produce is ever challenged.
 */

export type FraudKind =
  | "duplicate-in-batch"
  | "duplicate-across-batches"
  | "nonce-used-in-standard"
  | "wrong-scenario"
  | "bad-signature"
  | "missing-signature";

/** Every kind, in the order proofs are preferred: one-round proofs (no bond, final at once) first. */
export const FRAUD_KINDS: readonly FraudKind[] = [
  "duplicate-in-batch",
  "duplicate-across-batches",
  "nonce-used-in-standard",
  "wrong-scenario",
  "bad-signature",
  "missing-signature",
];

/** Where an earlier batch of the same scenario used a (user, nonce). */
export interface EarlierUse {
  batchId: string;
  index: number;
  seq: bigint;
}

export type Fraud =
  | { kind: "duplicate-in-batch"; index: number; first: number }
  | { kind: "duplicate-across-batches"; index: number; earlier: EarlierUse }
  | { kind: "nonce-used-in-standard"; index: number; standardSeq: bigint }
  | { kind: "wrong-scenario"; index: number; signedFor: bigint }
  | { kind: "bad-signature"; index: number }
  | { kind: "missing-signature"; index: number };

/** Kinds proven by a signature challenge (two rounds, with a bond). */
export function isSignatureFraud(
  f: Fraud,
): f is Extract<Fraud, { kind: "wrong-scenario" | "bad-signature" | "missing-signature" }> {
  return f.kind === "wrong-scenario" || f.kind === "bad-signature" || f.kind === "missing-signature";
}

/** Key of a (user, nonce) pair. */
export function useKey(user: string, nonce: number): string {
  return `${user.toLowerCase()}:${nonce}`;
}

export interface OneRoundInput {
  actions: readonly PackedAction[];
  /** This batch's place in the hub's sequence. */
  seq: bigint;
  /** Earlier unrejected batches of the scenario using a (user, nonce) of this batch, by `useKey`. */
  earlier: ReadonlyMap<string, EarlierUse>;
  /** `hub.actionRecord(scenario, user, nonce).seq` of every action, by index (0: never applied in standard mode). */
  standardSeqs: readonly bigint[];
}

/** The frauds provable in one round (no signature needed), at most one per action, in index order. */
export function oneRoundFrauds(input: OneRoundInput): Fraud[] {
  const frauds: Fraud[] = [];
  const seen = new Map<string, number>();
  input.actions.forEach((a, index) => {
    const key = useKey(a.user, a.nonce);
    const first = seen.get(key);
    if (first !== undefined) {
      frauds.push({ kind: "duplicate-in-batch", index, first });
      return;
    }
    seen.set(key, index);
    const earlier = input.earlier.get(key);
    if (earlier !== undefined && earlier.seq < input.seq) {
      frauds.push({ kind: "duplicate-across-batches", index, earlier });
      return;
    }
    const standardSeq = input.standardSeqs[index] ?? 0n;
    if (standardSeq !== 0n && standardSeq < input.seq)
      frauds.push({ kind: "nonce-used-in-standard", index, standardSeq });
  });
  return frauds;
}

/** The EIP-712 digest a user signs for an action (`ExecutionHub.actionDigest`). */
export function actionDigest(hubDomain: TypedDataDomain, scenarioId: bigint, a: PackedAction): string {
  return TypedDataEncoder.hash(hubDomain, ACTION_TYPES, {
    scenarioId,
    user: a.user,
    nonce: a.nonce,
    payload: a.payload,
  });
}

export interface SignatureInput {
  hubDomain: TypedDataDomain;
  scenarioId: bigint;
  actions: readonly PackedAction[];
  /** What the node served, by index (undefined: no signature for that action). */
  signatures: readonly (string | undefined)[];
  /** Other scenarios to try a failing signature against, to tell a wrong-scenario action from a forged one. */
  otherScenarios: readonly bigint[];
}

/** The actions whose signature the node did not produce (missing, invalid, or for another scenario). */
export function signatureFrauds(input: SignatureInput): Fraud[] {
  const frauds: Fraud[] = [];
  input.actions.forEach((a, index) => {
    const signature = input.signatures[index];
    if (signature === undefined) {
      frauds.push({ kind: "missing-signature", index });
      return;
    }
    const user = getAddress(a.user);
    if (recoverStrict(actionDigest(input.hubDomain, input.scenarioId, a), signature) === user) return;
    const signedFor = input.otherScenarios.find(
      (s) => s !== input.scenarioId && recoverStrict(actionDigest(input.hubDomain, s, a), signature) === user,
    );
    frauds.push(
      signedFor === undefined ? { kind: "bad-signature", index } : { kind: "wrong-scenario", index, signedFor },
    );
  });
  return frauds;
}

/** The fraud to prove: the first of the most preferred kind (see `FRAUD_KINDS`), or undefined for a clean batch. */
export function fraudToProve(frauds: readonly Fraud[]): Fraud | undefined {
  for (const kind of FRAUD_KINDS) {
    const f = frauds.find((x) => x.kind === kind);
    if (f !== undefined) return f;
  }
  return undefined;
}
