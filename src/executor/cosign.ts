import type { IncomingMessage, ServerResponse } from "node:http";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, TypedDataEncoder, ZeroHash, type Signer, type TypedDataDomain } from "ethers";
import { z } from "zod";
import type { Logger } from "../node/logger";
import { ExecutionMode, ScenarioClass } from "../sdk/economy";
import {
  ATTESTATION_TYPES,
  BATCH_ATTESTATION_TYPES,
  batchNotarizationIdOf,
  domainOf,
  signAttestation,
  signBatchAttestation,
  sortBySigner,
  type AttestationFields,
  type BatchAttestationFields,
} from "../sdk/execution";
import { decodeContractError, describeError } from "../sdk/errors";
import { recoverStrict } from "../sdk/signatures";
import {
  chainNow,
  isBytes32,
  silentLogger,
  contractsOf,
  type ExecutionContracts,
  type ModeContext,
} from "./modes/common";

/**
 * Co-signing of notarizations between the nodes serving an enterprise scenario. The notary accepts a result only with
 * EIP-712 signatures of a quorum of the scenario's serving nodes, the executing node among them; so an executor asks
 * its peers (`POST /cosign`) to sign the attestation it built, and each peer signs only what it can check itself.
 *
 * A request carries the attestation and the requester's own signature of it, which authenticates the requester (the
 * key of an active serving node) and binds the request to exactly what will be submitted.
 */

// ---------------------------------------------------------------------------------------------------------------
// What is signed
// ---------------------------------------------------------------------------------------------------------------

/** One result of an enterprise scenario. */
export interface NotaryResult {
  subjectId: string;
  resultHash: string;
}

/** Something the nodes co-sign: one result bound to its subject's head, or a batch of results under a Merkle root. */
export type Cosignable =
  | { type: "single"; attestation: AttestationFields }
  | { type: "batch"; attestation: BatchAttestationFields; results: NotaryResult[] };

/** A signature and the address it recovers to. */
export interface SignedBy {
  signer: string;
  signature: string;
}

/** The EIP-712 digest the notary checks the signatures of `item` against. */
export function digestOf(notaryDomain: TypedDataDomain, item: Cosignable): string {
  return item.type === "single"
    ? TypedDataEncoder.hash(notaryDomain, ATTESTATION_TYPES, item.attestation)
    : TypedDataEncoder.hash(notaryDomain, BATCH_ATTESTATION_TYPES, item.attestation);
}

/** Signs `item` with a node key. */
export async function signCosignable(signer: Signer, notaryDomain: TypedDataDomain, item: Cosignable): Promise<string> {
  return item.type === "single"
    ? signAttestation(signer, notaryDomain, item.attestation)
    : signBatchAttestation(signer, notaryDomain, item.attestation);
}

/** Leaf types of a batch notarization's tree: (scenarioId, notarizationId, index, subjectId, resultHash). */
export const BATCH_LEAF_TYPES = ["uint256", "bytes32", "uint256", "bytes32", "bytes32"];

/**
 * The OpenZeppelin standard Merkle tree of a batch notarization (whose root the nodes sign) and its id. Keep it (or the
 * results in order) to serve inclusion proofs for `NotaryRegistry.verifyInBatch`.
 */
export function notaryBatchTree(
  scenarioId: bigint,
  salt: string,
  results: readonly NotaryResult[],
): { notarizationId: string; tree: StandardMerkleTree<(string | bigint)[]> } {
  const notarizationId = batchNotarizationIdOf(scenarioId, salt);
  const tree = StandardMerkleTree.of(
    results.map((r, i) => [scenarioId, notarizationId, BigInt(i), r.subjectId, r.resultHash]),
    BATCH_LEAF_TYPES,
  );
  return { notarizationId, tree };
}

// ---------------------------------------------------------------------------------------------------------------
// Wire format
// ---------------------------------------------------------------------------------------------------------------

const bytes32 = z.string().refine(isBytes32, "must be a 0x-prefixed 32-byte hex value");
const uint = (bits: number) =>
  z
    .string()
    .regex(/^\d{1,78}$/, "must be a whole number as a decimal string")
    .transform((v) => BigInt(v))
    .refine((v) => v < 2n ** BigInt(bits), `must fit in ${bits} bits`);
const resultSchema = z.object({ subjectId: bytes32, resultHash: bytes32 });
const requestSchema = z.object({
  item: z.discriminatedUnion("type", [
    z.object({
      type: z.literal("single"),
      attestation: z.object({
        scenarioId: uint(256),
        subjectId: bytes32,
        resultHash: bytes32,
        previous: bytes32,
        deadline: uint(64),
      }),
    }),
    z.object({
      type: z.literal("batch"),
      attestation: z.object({
        scenarioId: uint(256),
        salt: bytes32,
        root: bytes32,
        count: z
          .number()
          .int()
          .min(1)
          .max(2 ** 32 - 1),
        deadline: uint(64),
      }),
      results: z.array(resultSchema).min(1),
    }),
  ]),
  requesterSignature: z.string(),
});

/** The JSON body of `POST /cosign` (bigints as decimal strings). */
export function cosignRequestBody(item: Cosignable, requesterSignature: string): unknown {
  return JSON.parse(
    JSON.stringify({ item, requesterSignature }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
  );
}

function parseRequest(body: unknown): { item: Cosignable; requesterSignature: string } | string {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${issue.path.join(".") || "body"} ${issue.message}`;
  }
  const { item, requesterSignature } = parsed.data;
  return item.type === "single"
    ? { item: { type: "single", attestation: item.attestation }, requesterSignature }
    : { item: { type: "batch", attestation: item.attestation, results: item.results }, requesterSignature };
}

// ---------------------------------------------------------------------------------------------------------------
// Server side: checking before signing
// ---------------------------------------------------------------------------------------------------------------

/** A result a peer asks this node to co-sign. The requester is already known to be an active serving node. */
export interface ResultCheckInput {
  scenarioId: bigint;
  subjectId: string;
  resultHash: string;
  requester: { nodeId: bigint; key: string };
}

/**
 * Decides whether this node vouches for a result: returns undefined to sign, or the reason it refuses (a result it
 * cannot check is refused, never signed blindly).
 */
export interface ResultChecker {
  check(input: ResultCheckInput): Promise<string | undefined>;
}

/**
 * The default checker: a result is signed when `verify(resultHash, subjectId)` — this node's own check of the result,
 * e.g. recomputing it from the subject's data — returns true. (That the requester is an active node serving the
 * scenario is established before any checker runs.)
 */
export function defaultResultChecker(
  verify: (resultHash: string, subjectId: string) => Promise<boolean> | boolean,
): ResultChecker {
  return {
    async check({ resultHash, subjectId }) {
      return (await verify(resultHash, subjectId))
        ? undefined
        : `this node cannot confirm result ${resultHash} for subject ${subjectId}`;
    },
  };
}

export interface CosignServerOptions extends ModeContext {
  /** This node's signing key (the one registered for `nodeId`). */
  signer: Signer;
  checker: ResultChecker;
  /** The latest deadline accepted, in seconds from the chain's time (default 3,600). */
  maxDeadlineSeconds?: number;
  /** Most results in one batch request (default 1,024). */
  maxResults?: number;
}

export interface CosignHttpResult {
  status: number;
  json: unknown;
}

/** `POST /cosign`: body in, status and JSON out. Mount it on any HTTP server (see `serveCosignHttp`). */
export type CosignHandler = (body: unknown) => Promise<CosignHttpResult>;

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The `POST /cosign` handler of a node. It signs only when: the body is well-formed; the scenario is an enterprise
 * scenario in notarized mode served by this node, which is active; the deadline is in the future and not too far;
 * the requester's signature is that of another active node serving the scenario; a single result follows its
 * subject's current head, a batch's root is the tree of the results it lists and its salt is unused; and the
 * checker confirms every result. Otherwise it answers 4xx with the reason.
 */
export function createCosignHandler(options: CosignServerOptions): CosignHandler {
  const suite = contractsOf(options);
  const notaryDomain = domainOf("ERA NotaryRegistry", options.chainId, suite.addresses.notaryRegistry);
  const maxAhead = BigInt(options.maxDeadlineSeconds ?? 3_600);
  const maxResults = options.maxResults ?? 1_024;
  const log = options.logger ?? silentLogger;

  const checkScenario = async (scenarioId: bigint): Promise<void> => {
    const scenario = await suite.scenarioRegistry.getScenario(scenarioId).catch((err: unknown) => {
      if (decodeContractError(err)?.errorName === "ScenarioUnknown") return undefined;
      throw err;
    });
    if (scenario === undefined) throw new Refusal(422, `scenario ${scenarioId} is not registered`);
    if (Number(scenario.scenarioClass) !== ScenarioClass.Enterprise) {
      throw new Refusal(422, `scenario ${scenarioId} is not an enterprise scenario: nothing of it is notarized`);
    }
    if (Number(scenario.mode) !== ExecutionMode.Notarized) {
      throw new Refusal(409, `scenario ${scenarioId} is not in notarized mode now`);
    }
    const [serving, active] = await Promise.all([
      suite.scenarioRegistry.isServing(scenarioId, options.nodeId),
      suite.nodeRegistry.isActive(options.nodeId),
    ]);
    if (!serving || !active) throw new Refusal(403, `node ${options.nodeId} does not serve scenario ${scenarioId}`);
  };

  const checkRequester = async (item: Cosignable, signature: string): Promise<{ nodeId: bigint; key: string }> => {
    const scenarioId = item.attestation.scenarioId;
    const key = recoverStrict(digestOf(notaryDomain, item), signature);
    if (key === undefined) throw new Refusal(403, "the requester's signature of the attestation is not valid");
    const nodeId = await suite.nodeRegistry.nodeOfSigningKey(key);
    if (nodeId === options.nodeId) throw new Refusal(403, "the request is signed with this node's own key");
    const [serving, active] = await Promise.all([
      suite.scenarioRegistry.isServing(scenarioId, nodeId),
      suite.nodeRegistry.isActive(nodeId),
    ]);
    if (nodeId === 0n || !serving || !active) {
      throw new Refusal(403, `the requester ${key} is not the key of an active node serving scenario ${scenarioId}`);
    }
    return { nodeId, key };
  };

  const checkItem = async (item: Cosignable): Promise<NotaryResult[]> => {
    const scenarioId = item.attestation.scenarioId;
    const now = await chainNow(options.provider);
    const deadline = item.attestation.deadline;
    if (deadline <= now || deadline > now + maxAhead) {
      throw new Refusal(
        422,
        `the deadline must be within ${maxAhead} s after the chain's time ${now}, got ${deadline}`,
      );
    }
    if (item.type === "single") {
      const a = item.attestation;
      const head = await suite.notaryRegistry.headOf(scenarioId, a.subjectId);
      if (head.toLowerCase() !== a.previous.toLowerCase()) {
        throw new Refusal(409, `the attestation follows ${a.previous} but subject ${a.subjectId}'s head is ${head}`);
      }
      if (BigInt(a.resultHash) === 0n) throw new Refusal(422, "the result hash is zero");
      return [{ subjectId: a.subjectId, resultHash: a.resultHash }];
    }
    const { attestation: a, results } = item;
    if (results.length > maxResults) throw new Refusal(422, `at most ${maxResults} results per batch`);
    if (results.length !== Number(a.count)) {
      throw new Refusal(422, `the batch counts ${a.count} results but lists ${results.length}`);
    }
    const { notarizationId, tree } = notaryBatchTree(scenarioId, a.salt, results);
    if (tree.root.toLowerCase() !== a.root.toLowerCase()) {
      throw new Refusal(422, "the root is not the Merkle root of the results listed");
    }
    if ((await suite.notaryRegistry.batchCommitmentOf(notarizationId)) !== ZeroHash) {
      throw new Refusal(409, `the batch salt ${a.salt} was used already`);
    }
    return results;
  };

  return async (body: unknown): Promise<CosignHttpResult> => {
    const request = parseRequest(body);
    if (typeof request === "string") return { status: 400, json: { error: `Malformed request: ${request}.` } };
    const { item, requesterSignature } = request;
    const scenarioId = item.attestation.scenarioId;
    try {
      await checkScenario(scenarioId);
      const requester = await checkRequester(item, requesterSignature);
      const results = await checkItem(item);
      for (const r of results) {
        const refusal = await options.checker.check({ scenarioId, ...r, requester });
        if (refusal !== undefined) throw new Refusal(422, refusal);
      }
      const signature = await signCosignable(options.signer, notaryDomain, item);
      log.info(
        {
          scenarioId: scenarioId.toString(),
          type: item.type,
          results: results.length,
          requester: requester.nodeId.toString(),
        },
        "co-signed a notarization",
      );
      return { status: 200, json: { signer: getAddress(await options.signer.getAddress()), signature } };
    } catch (err) {
      if (err instanceof Refusal) {
        log.info({ scenarioId: scenarioId.toString(), status: err.status, reason: err.message }, "co-signing refused");
        return { status: err.status, json: { error: `Refused: ${err.message}.` } };
      }
      log.error({ err }, "co-signing failed");
      return { status: 500, json: { error: `This node could not check the request now: ${describeError(err)}` } };
    }
  };
}

/** Most bytes of a `POST /cosign` body. */
const MAX_BODY = 1 << 20;

/**
 * Answers one HTTP request with `handler` (for a server's `POST /cosign` route): reads the JSON body (at most 1 MiB),
 * writes the status and JSON answer.
 */
export async function serveCosignHttp(
  handler: CosignHandler,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const send = (status: number, json: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
  if (req.method !== "POST") {
    res.setHeader("allow", "POST");
    send(405, { error: "Use POST with a JSON body." });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      send(413, { error: `The body exceeds ${MAX_BODY} bytes: send fewer results per batch.` });
      req.destroy();
      return;
    }
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    send(400, { error: "The body is not JSON." });
    return;
  }
  const { status, json } = await handler(body);
  send(status, json);
}

// ---------------------------------------------------------------------------------------------------------------
// Client side: collecting a quorum
// ---------------------------------------------------------------------------------------------------------------

export interface CosignClientOptions extends ModeContext {
  /** This node's signing key: it signs every attestation itself (the notary requires the executor's signature). */
  signer: Signer;
  /** Where each peer node serves `POST /cosign`: node id → base URL (e.g. `http://10.0.0.2:8080`). */
  peers: ReadonlyMap<bigint, string>;
  /** How long to wait for each peer (default 5,000 ms). */
  timeoutMs?: number;
  /** HTTP client (default the global `fetch`). */
  fetch?: typeof fetch;
  logger?: Logger;
}

/** What one peer answered. */
export interface PeerOutcome {
  nodeId: bigint;
  outcome: "signed" | "refused" | "timeout" | "unreachable" | "invalid" | "not asked";
  detail: string;
}

/** The scenario's quorum could not be collected; `peers` says what each peer did. */
export class QuorumNotReached extends Error {
  override readonly name = "QuorumNotReached";

  constructor(
    readonly scenarioId: bigint,
    readonly quorum: number,
    readonly collected: number,
    readonly peers: readonly PeerOutcome[],
  ) {
    const detail = peers.map((p) => `node ${p.nodeId}: ${p.outcome}${p.detail ? ` (${p.detail})` : ""}`).join("; ");
    super(
      `Quorum not reached for scenario ${scenarioId}: ${collected} of ${quorum} signatures` +
        (detail ? ` — ${detail}` : "") +
        `. Check that the peer executors are running, reachable at their configured URLs and serving the scenario, or have the scenario's owner lower its quorum.`,
    );
  }
}

/**
 * Collects a quorum of co-signatures: this node's own plus, in parallel, those of the scenario's other serving nodes
 * (each with a timeout), every one checked to recover to its node's registered key. Returns exactly `quorum`
 * signatures, this node's among them, sorted by signer address ascending as the notary requires.
 */
export class CosignClient {
  readonly notaryDomain: TypedDataDomain;
  private readonly timeoutMs: number;
  private readonly suite: ExecutionContracts;

  constructor(private readonly options: CosignClientOptions) {
    this.notaryDomain = domainOf("ERA NotaryRegistry", options.chainId, options.addresses.notaryRegistry);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.suite = contractsOf(options);
  }

  private get log(): Logger {
    return this.options.logger ?? silentLogger;
  }

  /** The scenario's quorum and the serving peers this node could ask (those with a configured URL). */
  async reach(scenarioId: bigint): Promise<{ quorum: number; askable: bigint[]; unknown: bigint[] }> {
    const { scenarioRegistry } = this.suite;
    const [quorum, serving] = await Promise.all([
      scenarioRegistry.quorumOf(scenarioId),
      scenarioRegistry.servingNodes(scenarioId),
    ]);
    const others = serving.filter((id) => id !== this.options.nodeId);
    return {
      quorum: Number(quorum),
      askable: others.filter((id) => this.options.peers.has(id)),
      unknown: others.filter((id) => !this.options.peers.has(id)),
    };
  }

  /** Signs `item` and collects the co-signatures of the quorum; throws `QuorumNotReached` if it cannot. */
  async collect(item: Cosignable): Promise<SignedBy[]> {
    const scenarioId = item.attestation.scenarioId;
    const own: SignedBy = {
      signer: getAddress(await this.options.signer.getAddress()),
      signature: await signCosignable(this.options.signer, this.notaryDomain, item),
    };
    const { quorum, askable, unknown } = await this.reach(scenarioId);
    const needed = quorum - 1;
    const outcomes: PeerOutcome[] = unknown.map((nodeId) => ({
      nodeId,
      outcome: "not asked",
      detail: "no URL configured for it",
    }));
    if (needed <= 0) return [own];
    if (askable.length < needed) throw new QuorumNotReached(scenarioId, quorum, 1, outcomes);

    const digest = digestOf(this.notaryDomain, item);
    const body = JSON.stringify(cosignRequestBody(item, own.signature));
    const collected: SignedBy[] = [];
    const stop = new AbortController();
    await new Promise<void>((resolve) => {
      let pending = askable.length;
      for (const nodeId of askable) {
        void this.ask(nodeId, body, digest, stop.signal).then((result) => {
          if ("signature" in result) {
            if (collected.length < needed) collected.push(result);
            if (collected.length === needed) stop.abort();
          } else outcomes.push(result);
          pending -= 1;
          if (collected.length === needed || pending === 0) resolve();
        });
      }
    });
    if (collected.length < needed) throw new QuorumNotReached(scenarioId, quorum, collected.length + 1, outcomes);
    this.log.debug({ scenarioId: scenarioId.toString(), quorum, outcomes }, "quorum collected");
    return sortBySigner([own, ...collected]);
  }

  /** Asks one peer; resolves with its checked signature or what went wrong (never rejects). */
  private async ask(nodeId: bigint, body: string, digest: string, stop: AbortSignal): Promise<SignedBy | PeerOutcome> {
    const url = `${this.options.peers.get(nodeId)!.replace(/\/+$/, "")}/cosign`;
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    let json: unknown;
    try {
      response = await doFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.any([stop, AbortSignal.timeout(this.timeoutMs)]),
      });
      json = await response.json();
    } catch (err) {
      const timedOut = err instanceof Error && err.name === "TimeoutError";
      return timedOut
        ? { nodeId, outcome: "timeout", detail: `no answer from ${url} within ${this.timeoutMs} ms` }
        : { nodeId, outcome: "unreachable", detail: `${url}: ${err instanceof Error ? err.message : String(err)}` };
    }
    const answer = (json ?? {}) as { error?: unknown; signature?: unknown };
    if (!response.ok) {
      return { nodeId, outcome: "refused", detail: `${response.status} ${String(answer.error ?? "")}`.trim() };
    }
    const signature = typeof answer.signature === "string" ? answer.signature : "";
    const signer = recoverStrict(digest, signature);
    if (signer === undefined) return { nodeId, outcome: "invalid", detail: "the answer holds no valid signature" };
    let ofKey: bigint;
    let active: boolean;
    try {
      [ofKey, active] = await Promise.all([
        this.suite.nodeRegistry.nodeOfSigningKey(signer),
        this.suite.nodeRegistry.isActive(nodeId),
      ]);
    } catch (err) {
      return { nodeId, outcome: "invalid", detail: `its signer could not be checked: ${describeError(err)}` };
    }
    if (ofKey !== nodeId || !active) {
      return { nodeId, outcome: "invalid", detail: `signed by ${signer}, not by the active key of node ${nodeId}` };
    }
    return { signer, signature };
  }
}
