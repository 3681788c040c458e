import { setTimeout as sleep } from "node:timers/promises";
import { jobToJson } from "../executor/schemas";
import type { Job } from "../executor/types";

/** A job as `GET /jobs` shows it (the fields the demo reads). */
export interface JobView {
  id: string;
  status: "queued" | "batched" | "submitted" | "confirmed" | "failed";
  kind: Job["kind"];
  scenarioId: string;
  mode: string | null;
  batchId: string | null;
  txHash: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  /** The job as posted (JSON form). */
  job: Record<string, unknown>;
}

/** An executor refused or lost jobs: names the executor and what it answered. */
export class JobApiError extends Error {
  override readonly name = "JobApiError";
}

/**
 * A client of one executor's job API, as any client would use it: `POST /jobs`, `GET /jobs`. A request that fails
 * without an answer (e.g. a kept-alive connection the server closed as it was reused) is sent again: re-posting is
 * safe, the executor answers a job it already holds as a duplicate.
 */
export class JobClient {
  constructor(
    readonly name: string,
    readonly apiUrl: string,
  ) {}

  private async request(path: string, init?: RequestInit, tries = 5): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fetch(`${this.apiUrl}${path}`, init);
      } catch (e) {
        if (attempt >= tries) {
          const cause = (e as { cause?: { message?: string } }).cause?.message;
          throw new JobApiError(
            `${this.name} could not be reached at ${this.apiUrl}${path}: ${cause ?? (e as Error).message}`,
          );
        }
        await sleep(200 * attempt);
      }
    }
  }

  /** Posts jobs in chunks; returns their ids in order. Throws `JobApiError` if any job is refused. */
  async post(jobs: readonly Job[], chunk = 500): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < jobs.length; i += chunk) {
      const body = jobs.slice(i, i + chunk).map(jobToJson);
      const res = await this.request("/jobs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as {
        results?: { index: number; outcome: string; id?: string; reason?: string }[];
        error?: string;
      };
      if (res.status !== 200 || !answer.results) {
        throw new JobApiError(`${this.name} answered HTTP ${res.status} to POST /jobs: ${JSON.stringify(answer)}`);
      }
      const refused = answer.results.find((r) => r.id === undefined);
      if (refused) {
        throw new JobApiError(`${this.name} refused job ${i + refused.index}: ${refused.reason ?? refused.outcome}`);
      }
      ids.push(...answer.results.map((r) => r.id!));
    }
    return ids;
  }

  /** Every job of the executor (optionally of one scenario), in order of arrival. */
  async list(scenarioId?: bigint): Promise<JobView[]> {
    const views: JobView[] = [];
    let after: string | undefined;
    for (;;) {
      const q = new URLSearchParams({ limit: "1000" });
      if (scenarioId !== undefined) q.set("scenario", scenarioId.toString());
      if (after !== undefined) q.set("after", after);
      const res = await this.request(`/jobs?${q.toString()}`);
      if (res.status !== 200) throw new JobApiError(`${this.name} answered HTTP ${res.status} to GET /jobs`);
      const page = (await res.json()) as { jobs: JobView[]; next: string | number | null };
      views.push(...page.jobs);
      if (page.next === null || page.next === undefined || page.jobs.length === 0) return views;
      after = String(page.next);
    }
  }

  /**
   * Waits until every job of `ids` is confirmed; `onCount` hears how many are. Throws `JobApiError` when one fails,
   * or when they are not all confirmed within `timeoutMs`. Returns their views.
   */
  async confirmed(
    ids: readonly string[],
    onCount: (done: number) => void = () => {},
    timeoutMs = 300_000,
    alive: () => void = () => {},
  ): Promise<JobView[]> {
    const wanted = new Set(ids);
    const until = Date.now() + timeoutMs;
    for (;;) {
      alive();
      const views = (await this.list()).filter((v) => wanted.has(v.id));
      const failed = views.find((v) => v.status === "failed");
      if (failed) throw new JobApiError(`${this.name}: job ${failed.id} (${failed.kind}) failed: ${failed.error}`);
      const done = views.filter((v) => v.status === "confirmed").length;
      onCount(done);
      if (done === wanted.size) return views;
      if (Date.now() > until) {
        throw new JobApiError(
          `${this.name}: ${wanted.size - done} of ${wanted.size} job(s) not confirmed after ${timeoutMs / 1000} s.`,
        );
      }
      await sleep(250);
    }
  }
}
