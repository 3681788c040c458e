import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../node/logger";
import { PrecheckUnavailableError, type AcceptResult } from "./executor";
import type { JobView } from "./journal";
import { JOB_STATUSES, MODE_NAMES, issueText, jobToJson, parseJobs, type FieldIssue } from "./schemas";
import type { Job, JobStatus } from "./types";

/**
 * The executor's HTTP JSON API:
 *
 *   POST /jobs            one job (object) or many (array); 202 accepted, 200 duplicate of a journaled job, 400 invalid
 *                         (the field named), 409 a different job for the same work, 413 too large, 422 refused by a
 *                         precheck, 503 the chain cannot be read now; a list answers 200 with one result per job
 *   GET  /jobs/:id        a job: status, batch, mode, transaction, why it waits or failed
 *   GET  /jobs?status=&scenario=&limit=&after=   jobs in order of arrival, a page at a time (`next` is the cursor)
 *
 * A job is acknowledged (2xx with its id) only once it is committed to the journal.
 */

export interface JobService {
  accept(jobs: readonly Job[]): Promise<AcceptResult[]>;
  job(id: string): JobView | undefined;
  list(filter: { status?: JobStatus; scenarioId?: bigint; limit: number; after?: number }): {
    jobs: JobView[];
    next?: number;
  };
}

/**
 * A request handler mounted beside the job API (e.g. `POST /cosign` of notarized mode). `params` holds the path's
 * `:name` segments, decoded. It answers the request itself, or throws an `HttpError` for the server to answer as JSON.
 */
export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Readonly<Record<string, string>>,
) => Promise<void>;

/**
 * Routes by path pattern: `/cosign` matches that path only; `/lightweight/batches/:batchId/signatures` matches any one
 * non-empty segment in place of `:batchId`. An exact path wins over a pattern; among patterns, the first declared.
 */
export function matchRoute(
  routes: Readonly<Record<string, RouteHandler>>,
  pathname: string,
): { handler: RouteHandler; params: Record<string, string> } | undefined {
  const exact = Object.hasOwn(routes, pathname) ? routes[pathname] : undefined;
  if (exact) return { handler: exact, params: {} };
  const parts = pathname.split("/");
  for (const [pattern, handler] of Object.entries(routes)) {
    const want = pattern.split("/");
    if (!pattern.includes("/:") || want.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const fits = want.every((w, i) => {
      if (!w.startsWith(":")) return w === parts[i];
      if (parts[i] === "") return false;
      try {
        params[w.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      } catch {
        return false;
      }
    });
    if (fits) return { handler, params };
  }
  return undefined;
}

export interface IntakeOptions {
  host: string;
  /** 0 picks a free port (see `url`). */
  port: number;
  service: JobService;
  /** Largest request body accepted (bytes). */
  maxRequestBytes: number;
  /** Most jobs in one request. */
  maxJobsPerRequest: number;
  logger: Logger;
  /** More routes, by exact path (`/cosign`) or pattern (`/a/:id/b`, see `matchRoute`); they answer requests themselves. */
  routes?: Readonly<Record<string, RouteHandler>>;
}

export interface IntakeServer {
  url: string;
  /** Stops taking requests and waits for those in progress. */
  close(): Promise<void>;
}

/** An error answered as `{ error: { code, message, …extra } }` with `status`; route handlers may throw it too. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const PAGE_MAX = 1_000;

/** A job as the API shows it. */
export function jobViewJson(view: JobView): Record<string, unknown> {
  return {
    id: view.id,
    seq: view.seq,
    status: view.status,
    kind: view.job.kind,
    scenarioId: view.job.scenarioId.toString(),
    mode: view.mode === undefined ? null : MODE_NAMES[view.mode],
    batchId: view.batchId ?? null,
    txHash: view.txHash ?? null,
    waitingReason: view.status === "queued" ? (view.waitingReason ?? null) : null,
    error: view.error ?? null,
    attempts: view.attempts,
    createdAt: new Date(view.createdAt).toISOString(),
    updatedAt: new Date(view.updatedAt).toISOString(),
    job: jobToJson(view.job),
  };
}

export async function startIntakeServer(options: IntakeOptions): Promise<IntakeServer> {
  let active = 0;
  let closing = false;
  let idle: (() => void) | undefined;

  const server = createServer((req, res) => {
    active++;
    handle(req, res)
      .catch((error: unknown) => {
        const e =
          error instanceof HttpError
            ? error
            : new HttpError(500, "internal", "Internal error; see the executor's log.");
        if (!(error instanceof HttpError)) options.logger.error({ err: error, url: req.url }, "intake request failed");
        if (e.status === 413) {
          // The rest of the body is not read: answer, then drop the connection.
          res.setHeader("connection", "close");
          res.once("finish", () => req.socket.destroy());
        }
        send(res, e.status, { error: { code: e.code, message: e.message, ...e.extra } });
      })
      .finally(() => {
        active--;
        if (active === 0) idle?.();
      });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (closing)
      throw new HttpError(503, "unavailable", "The executor is shutting down; send the request again later.");
    const url = new URL(req.url ?? "/", "http://intake");
    const route = options.routes && matchRoute(options.routes, url.pathname);
    if (route) {
      await route.handler(req, res, route.params);
      return;
    }
    const parts = url.pathname.split("/").filter(Boolean);
    if (parts[0] !== "jobs" || parts.length > 2) {
      throw new HttpError(404, "not_found", "Not found: use POST /jobs, GET /jobs/:id or GET /jobs.");
    }
    if (parts.length === 2) {
      if (req.method !== "GET") throw methodNotAllowed(res, "GET");
      const view = options.service.job(decodeURIComponent(parts[1]));
      if (!view) throw new HttpError(404, "not_found", `No job ${parts[1]}: check the id the executor returned.`);
      send(res, 200, jobViewJson(view));
      return;
    }
    if (req.method === "GET") {
      const filter = listFilter(url.searchParams);
      const page = options.service.list(filter);
      send(res, 200, { jobs: page.jobs.map(jobViewJson), next: page.next ?? null });
      return;
    }
    if (req.method !== "POST") throw methodNotAllowed(res, "GET, POST");
    const body = await readJson(req, options.maxRequestBytes);
    const parsed = parseJobs(body);
    if (!parsed.ok) throw invalid(parsed.issues);
    if (parsed.jobs.length === 0) throw new HttpError(400, "invalid", "The list holds no job.");
    if (parsed.jobs.length > options.maxJobsPerRequest) {
      throw new HttpError(
        413,
        "too_large",
        `The request holds ${parsed.jobs.length} jobs, more than ${options.maxJobsPerRequest} (maxJobsPerRequest): send them in smaller requests.`,
      );
    }
    let results: AcceptResult[];
    try {
      results = await options.service.accept(parsed.jobs);
    } catch (error) {
      if (error instanceof PrecheckUnavailableError) {
        res.setHeader("retry-after", "5");
        throw new HttpError(503, "unavailable", error.message);
      }
      throw error;
    }
    if (parsed.list) {
      const count = (o: AcceptResult["outcome"]) => results.filter((r) => r.outcome === o).length;
      send(res, 200, {
        results: results.map((r, index) => ({ index, ...resultJson(r) })),
        accepted: count("accepted"),
        duplicates: count("duplicate"),
        refused: count("refused"),
      });
      return;
    }
    const r = results[0];
    if (r.outcome === "accepted") send(res, 202, { id: r.id, status: "queued" });
    else if (r.outcome === "duplicate" && r.same) send(res, 200, { id: r.id, status: r.status, duplicate: true });
    else if (r.outcome === "duplicate") {
      throw new HttpError(
        409,
        "conflict",
        `Job ${r.id} (${r.status}) is already journaled for the same work (same user and nonce, settlement id or ` +
          `result) with different content. Use a new nonce or id.`,
        { id: r.id },
      );
    } else throw new HttpError(422, "refused", r.reason);
  }

  function listFilter(q: URLSearchParams) {
    const status = q.get("status") ?? undefined;
    if (status !== undefined && !JOB_STATUSES.includes(status as JobStatus)) {
      throw new HttpError(400, "invalid", `status: must be one of ${JOB_STATUSES.join(", ")}`);
    }
    const limit = q.has("limit") ? Number(q.get("limit")) : 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX) {
      throw new HttpError(400, "invalid", `limit: must be a whole number from 1 to ${PAGE_MAX}`);
    }
    const after = q.has("after") ? Number(q.get("after")) : undefined;
    if (after !== undefined && (!Number.isSafeInteger(after) || after < 0)) {
      throw new HttpError(400, "invalid", "after: must be the `next` cursor of the previous page");
    }
    const scenario = q.get("scenario") ?? undefined;
    if (scenario !== undefined && !/^[1-9]\d*$/.test(scenario)) {
      throw new HttpError(400, "invalid", "scenario: must be a scenario id (a decimal integer)");
    }
    return {
      status: status as JobStatus | undefined,
      scenarioId: scenario === undefined ? undefined : BigInt(scenario),
      limit,
      after,
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (active > 0) await new Promise<void>((resolve) => (idle = resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}

function resultJson(r: AcceptResult): Record<string, unknown> {
  switch (r.outcome) {
    case "accepted":
      return { outcome: "accepted", id: r.id, status: "queued" };
    case "duplicate":
      return r.same
        ? { outcome: "duplicate", id: r.id, status: r.status }
        : {
            outcome: "conflict",
            id: r.id,
            status: r.status,
            reason: "A different job for the same work is journaled: use a new nonce or id.",
          };
    case "refused":
      return { outcome: "refused", reason: r.reason };
  }
}

function invalid(issues: readonly FieldIssue[]): HttpError {
  return new HttpError(400, "invalid", issueText(issues[0]), { issues: issues.slice(0, 20) });
}

export function methodNotAllowed(res: ServerResponse, allow: string): HttpError {
  res.setHeader("allow", allow);
  return new HttpError(405, "method_not_allowed", `Method not allowed here: use ${allow}.`);
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const tooLarge = () =>
    new HttpError(
      413,
      "too_large",
      `The request body is larger than ${limit} bytes (maxRequestBytes): send fewer jobs per request.`,
    );
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) throw tooLarge();
  const chunks = await new Promise<Buffer[]>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        reject(tooLarge());
      } else parts.push(chunk);
    });
    req.on("end", () => resolve(parts));
    req.on("error", reject);
  });
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "")
    throw new HttpError(400, "invalid", "The body is empty: send a job object or a list of jobs.");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, "invalid", `The body is not valid JSON: ${(error as Error).message}.`);
  }
}
