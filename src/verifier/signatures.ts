import { isHexString } from "ethers";
import { z } from "zod";

/**
 * Where the verifier gets users' signatures of lightweight actions. They are not on chain (posting them would cost
 * more gas than everything else together): the node that posted a batch keeps them and serves them, and must answer
 * a signature challenge with one on chain.
 *
 * HTTP protocol a node serves (the executor), one request per batch:
 *
 *     GET <node url>/lightweight/batches/<batchId>/signatures
 *     200 {"batchId": "0x…", "signatures": ["0x…65 bytes…", null, …]}   one entry per action, in batch order;
 *                                                                         null: the node has no signature for it
 *
 * Anything else (no answer, an error status, a body of another shape) means "unavailable": the verifier asks again
 * at its next poll, and never reads it as "the node has no signatures".
 */

export interface BatchRef {
  batchId: string;
  scenarioId: bigint;
  nodeId: bigint;
  count: number;
}

export type SignatureAnswer =
  { status: "served"; signatures: (string | undefined)[] } | { status: "unavailable"; reason: string };

export interface SignatureSource {
  signaturesOf(batch: BatchRef): Promise<SignatureAnswer>;
}

/**
 * Parses `1=http://node-1:8080,2=http://node-2:8080` (flags, environment) or `{"1": "http://…"}` (a JSON file) into
 * node id → base URL. Throws naming the bad entry.
 */
export function parseNodeUrls(value: string | Record<string, string>): Map<bigint, string> {
  const entries =
    typeof value === "string"
      ? value
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
          .map((s) => {
            const at = s.indexOf("=");
            return [s.slice(0, at), s.slice(at + 1)] as const;
          })
      : Object.entries(value);
  const urls = new Map<bigint, string>();
  for (const [id, url] of entries) {
    if (!/^\d+$/.test(id.trim()) || !/^https?:\/\/\S+$/.test(url.trim())) {
      throw new Error(`"${id}=${url}" is not "<node id>=<http(s) URL>"; write e.g. 1=http://node-1:8080.`);
    }
    urls.set(BigInt(id.trim()), url.trim().replace(/\/+$/, ""));
  }
  return urls;
}

/**
 * A configuration field of node id → base URL (see `parseNodeUrls`), empty by default; a bad entry is a validation
 * issue naming it.
 */
export function nodeUrlsField() {
  return z
    .union([z.string(), z.record(z.string(), z.string())])
    .default("")
    .transform((v, ctx) => {
      try {
        return parseNodeUrls(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
        return z.NEVER;
      }
    });
}

/** Asks each node's HTTP endpoint (see the module comment) for the signatures of its batches. */
export class HttpSignatureSource implements SignatureSource {
  constructor(
    private readonly nodeUrls: ReadonlyMap<bigint, string>,
    private readonly timeoutMs = 10_000,
  ) {}

  async signaturesOf(batch: BatchRef): Promise<SignatureAnswer> {
    const base = this.nodeUrls.get(batch.nodeId);
    if (base === undefined)
      return { status: "unavailable", reason: `no signature URL configured for node ${batch.nodeId}` };
    const url = `${base}/lightweight/batches/${batch.batchId}/signatures`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      return { status: "unavailable", reason: `${url}: ${(e as Error).message}` };
    }
    if (res.status !== 200) return { status: "unavailable", reason: `${url}: HTTP ${res.status}` };
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return { status: "unavailable", reason: `${url}: the answer is not JSON` };
    }
    return servedSignatures(body, batch.count) ?? { status: "unavailable", reason: `${url}: unexpected answer shape` };
  }
}

/** Reads a `{ signatures: [...] }` answer for a batch of `count` actions, or undefined when it has another shape. */
export function servedSignatures(body: unknown, count: number): SignatureAnswer | undefined {
  if (body === null || typeof body !== "object") return undefined;
  const list = (body as { signatures?: unknown }).signatures;
  if (!Array.isArray(list) || list.length !== count) return undefined;
  const signatures: (string | undefined)[] = [];
  for (const s of list) {
    if (s === null) signatures.push(undefined);
    else if (typeof s === "string" && isHexString(s)) signatures.push(s);
    else return undefined;
  }
  return { status: "served", signatures };
}
