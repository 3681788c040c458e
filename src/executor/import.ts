import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { describeIssue, issueText, jobSchema, jobToJson } from "./schemas";
import type { Job } from "./types";

/**
 * Job files for the CLI (`era executor submit --file jobs.ndjson`, or `-` for stdin): NDJSON (one job per line) or
 * one JSON array of jobs. The whole file is validated before anything is sent; errors name the line (or index) and
 * the field. `postJobs` sends the jobs to a running executor in chunks, retrying what got no answer: a job the
 * executor already holds comes back as a duplicate with its id, so a retry never journals a job twice.
 */

export class JobFileError extends Error {
  override readonly name = "JobFileError";
  constructor(
    readonly source: string,
    /** One sentence per bad job, e.g. `line 3: legs.2.amount: must be a decimal integer string`. */
    readonly problems: readonly string[],
  ) {
    super(
      `${source}: ${problems.length} problem(s); nothing was sent.\n  ${problems.slice(0, 20).join("\n  ")}` +
        (problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ""),
    );
  }
}

/** Parses the text of a job file (NDJSON or a JSON array); throws `JobFileError` listing every bad job. */
export function parseJobFile(text: string, source = "jobs"): Job[] {
  const problems: string[] = [];
  const jobs: Job[] = [];
  const check = (value: unknown, where: string) => {
    const result = jobSchema.safeParse(value);
    if (result.success) jobs.push(result.data);
    else problems.push(`${where}: ${issueText(describeIssue(result.error.issues[0]))}`);
  };
  if (text.trimStart().startsWith("[")) {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (e) {
      throw new JobFileError(source, [`not valid JSON: ${(e as Error).message}`]);
    }
    (list as unknown[]).forEach((value, i) => check(value, `[${i}]`));
  } else {
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        problems.push(`line ${i + 1}: not valid JSON: ${(e as Error).message}`);
        return;
      }
      check(value, `line ${i + 1}`);
    });
  }
  if (problems.length > 0) throw new JobFileError(source, problems);
  if (jobs.length === 0) throw new JobFileError(source, ["holds no job"]);
  return jobs;
}

/** Reads and parses a job file, or standard input for `-`. */
export async function readJobFile(path: string, stdin: AsyncIterable<Buffer> = process.stdin): Promise<Job[]> {
  let text: string;
  if (path === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk);
    text = Buffer.concat(chunks).toString("utf8");
  } else {
    text = await readFile(path, "utf8");
  }
  return parseJobFile(text, path === "-" ? "stdin" : path);
}

/** The executor's answer for one job of an import. */
export interface PostedJob {
  index: number;
  outcome: "accepted" | "duplicate" | "conflict" | "refused";
  id?: string;
  status?: string;
  reason?: string;
}

export interface PostOptions {
  /** Jobs per request. */
  chunkSize?: number;
  /** Tries of a request that got no answer or a 503. */
  attempts?: number;
  retryDelayMs?: number;
}

/** Sends jobs to an executor's API (`apiUrl`, e.g. `http://127.0.0.1:7300`); one result per job, in order. */
export async function postJobs(apiUrl: string, jobs: readonly Job[], options: PostOptions = {}): Promise<PostedJob[]> {
  const chunkSize = options.chunkSize ?? 500;
  const attempts = options.attempts ?? 8;
  const results: PostedJob[] = [];
  for (let start = 0; start < jobs.length; start += chunkSize) {
    const chunk = jobs.slice(start, start + chunkSize);
    const body = JSON.stringify(chunk.map(jobToJson));
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      let failure: string;
      try {
        response = await fetch(`${apiUrl.replace(/\/$/, "")}/jobs`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        failure = `HTTP ${response.status}`;
      } catch (e) {
        failure = (e as Error).message;
      }
      if (response?.ok) {
        const answer = (await response.json()) as { results: Omit<PostedJob, "index">[] };
        answer.results.forEach((r, i) => results.push({ ...r, index: start + i }));
        break;
      }
      const retryable = response === undefined || response.status === 503;
      if (!retryable || attempt >= attempts) {
        const detail = response ? await response.text() : failure;
        throw new Error(
          `The executor at ${apiUrl} did not take jobs ${start}–${start + chunk.length - 1}: ${detail}. ` +
            `Jobs before them were sent; sending the file again is safe (journaled jobs come back as duplicates).`,
        );
      }
      await sleep((options.retryDelayMs ?? 500) * attempt);
    }
  }
  return results;
}
