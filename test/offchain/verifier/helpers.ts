import { ethers } from "hardhat";
import type { HDNodeWallet } from "ethers";
import { Registry } from "prom-client";
import { signAction, type PackedAction } from "../../../src/sdk/execution";
import { VerifierMetrics } from "../../../src/verifier/metrics";
import type { BatchRef, SignatureAnswer, SignatureSource } from "../../../src/verifier/signatures";
import { VerifierStore } from "../../../src/verifier/store";
import { Verifier, type VerifierOptions } from "../../../src/verifier/verifier";
import { LIGHT, lightweightFixture, submitBatch, type LightweightFixture } from "../../execution/lightweight/helpers";
import { signerSubmitter, silentLogger, tempDir } from "../helpers";

/** The signatures a node serves, as the verifier's source: set per batch by the test (a dishonest node omits some). */
export class NodeSignatures implements SignatureSource {
  private readonly served = new Map<string, (string | undefined)[]>();
  unavailable = false;
  asked = 0;

  serve(batchId: string, signatures: (string | undefined)[]): void {
    this.served.set(batchId.toLowerCase(), signatures);
  }

  async signaturesOf(batch: BatchRef): Promise<SignatureAnswer> {
    this.asked += 1;
    const s = this.served.get(batch.batchId.toLowerCase());
    if (this.unavailable || s === undefined) return { status: "unavailable", reason: "node offline (test)" };
    return { status: "served", signatures: s };
  }
}

/** A user's action with its signature for `scenarioId` (LIGHT by default). */
export interface SignedAction {
  action: PackedAction;
  signature: string;
}

export interface VerifierFixture extends LightweightFixture {
  /** Users with keys, who sign their actions. */
  users: HDNodeWallet[];
}

/** `lightweightFixture` plus five users with keys (they only sign; the node pays gas). */
export async function verifierFixture(): Promise<VerifierFixture> {
  const f = await lightweightFixture();
  const users = Array.from({ length: 5 }, (_, i) =>
    ethers.HDNodeWallet.fromPhrase(
      "test test test test test test test test test test test junk",
      undefined,
      `m/44'/60'/1'/0/${i}`,
    ),
  );
  return { ...f, users };
}

/** `user` signs (nonce, payload) for `scenarioId`. */
export async function sign(
  f: VerifierFixture,
  user: HDNodeWallet,
  nonce: number,
  payload: bigint,
  scenarioId = LIGHT,
): Promise<SignedAction> {
  const signature = await signAction(user, f.hubDomain, { scenarioId, user: user.address, nonce, payload });
  return { action: { user: user.address, nonce, payload }, signature };
}

/** `n` honest actions: user i % 5, nonce `firstNonce + i`. */
export async function honestActions(f: VerifierFixture, n: number, firstNonce = 1): Promise<SignedAction[]> {
  const out: SignedAction[] = [];
  for (let i = 0; i < n; i++) out.push(await sign(f, f.users[i % f.users.length], firstNonce + i, BigInt(i)));
  return out;
}

/**
 * Submits a lightweight batch as node 1 and makes the node serve `signatures` (by default each action's own; an
 * `undefined` entry is one the node cannot produce).
 */
export async function post(
  f: VerifierFixture,
  node: NodeSignatures,
  actions: SignedAction[],
  opts: { scenarioId?: bigint; signatures?: (string | undefined)[] } = {},
) {
  const s = await submitBatch(
    f,
    actions.map((a) => a.action),
    { scenarioId: opts.scenarioId },
  );
  node.serve(s.batchId, opts.signatures ?? actions.map((a) => a.signature));
  return s;
}

export interface Harness {
  verifier: Verifier;
  store: VerifierStore;
  metrics: VerifierMetrics;
  node: NodeSignatures;
  submitter: ReturnType<typeof signerSubmitter>;
  dbPath: string;
  /** A second verifier process on the same state file (close this one first). */
  restart(): Harness;
  /** Closes the state file (a stopped process). */
  close(): void;
  /** Closes the state file if open and deletes its folder. */
  dispose(): void;
}

/** A verifier for `f` sending from `carol`, with its state in a fresh temporary file. */
export function harness(
  f: VerifierFixture,
  overrides: Partial<VerifierOptions> = {},
  shared?: { dbPath: string; node: NodeSignatures; cleanup: () => void },
): Harness {
  const dir = shared === undefined ? tempDir() : undefined;
  const dbPath = shared?.dbPath ?? dir!.file("verifier.sqlite");
  const cleanup = shared?.cleanup ?? dir!.cleanup;
  const node = shared?.node ?? new NodeSignatures();
  const store = new VerifierStore(dbPath, { chainId: "31337", executionHub: f.addresses.executionHub });
  const metrics = new VerifierMetrics(new Registry());
  const submitter = signerSubmitter(f.carol);
  const verifier = new Verifier({
    provider: ethers.provider,
    addresses: f.addresses,
    submitter,
    account: f.carol.address,
    store,
    metrics,
    logger: silentLogger,
    signatures: node,
    startBlock: 0,
    confirmations: 0,
    maxBlockRange: 500,
    signatureGraceSeconds: 3_600,
    challengeUnserved: false,
    refundLocks: true,
    ...overrides,
  });
  let open = true;
  const close = (): void => {
    if (open) store.close();
    open = false;
  };
  return {
    verifier,
    store,
    metrics,
    node,
    submitter,
    dbPath,
    restart: () => harness(f, overrides, { dbPath, node, cleanup }),
    close,
    dispose: () => {
      close();
      cleanup();
    },
  };
}

/** The value of a counter or gauge (optionally of one label set). */
export async function metricValue(
  metrics: VerifierMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`No metric ${name}`);
  const data = await metric.get();
  const match = data.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return match?.value ?? 0;
}

/**
 * Posts `honest` signed actions followed by one action of `users[4]` that the user never signed: the node serves
 * no signature for it. Returns the batch, its honest actions and the unsigned action's index.
 */
export async function postWithUnsigned(f: VerifierFixture, node: NodeSignatures, honest: number) {
  const actions = await honestActions(f, honest);
  const unsigned = { action: { user: f.users[4].address, nonce: 1_000, payload: 0n }, signature: "0x" };
  const s = await post(f, node, [...actions, unsigned], {
    signatures: [...actions.map((a) => a.signature), undefined],
  });
  return { s, actions, bad: honest };
}
