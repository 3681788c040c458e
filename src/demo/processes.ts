import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The repository's root (bin/, src/, the Hardhat project). */
export const ROOT = path.resolve(__dirname, "..", "..");

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A child process of the demo failed: says which, how, and where its log is. */
export class DemoProcessError extends Error {
  override readonly name = "DemoProcessError";

  constructor(
    readonly process: string,
    detail: string,
    readonly logFile: string,
  ) {
    super(`The ${process} process ${detail}. Its log is ${logFile}:\n${tail(logFile)}`);
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export interface ChildSpec {
  /** A name for progress lines and errors, e.g. `executor 1`. */
  name: string;
  /** A TypeScript (or JavaScript) file under the repository, run with bin/ts-require.js. */
  entry: string;
  args: string[];
  env: Record<string, string>;
  /** Where stdout and stderr go (JSON log lines). */
  logFile: string;
}

/**
 * A node process the demo runs as a separate OS process, as an operator would (`node -r bin/ts-require.js <entry>`),
 * with its output in a log file. `exited` settles when it ends.
 */
export class DemoChild {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(readonly spec: ChildSpec) {
    const fd = openSync(spec.logFile, "a");
    try {
      this.child = spawn(
        process.execPath,
        ["-r", path.join(ROOT, "bin", "ts-require.js"), path.join(ROOT, spec.entry), ...spec.args],
        { cwd: ROOT, env: { ...process.env, ...spec.env }, stdio: ["ignore", fd, fd] },
      );
    } finally {
      closeSync(fd);
    }
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code) => {
        this.exitCode = code;
        resolve(code);
      });
      this.child.once("error", () => {
        this.exitCode = -1;
        resolve(-1);
      });
    });
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Throws `DemoProcessError` when the process has ended. */
  assertRunning(): void {
    if (!this.running) throw new DemoProcessError(this.spec.name, `exited (code ${this.exitCode})`, this.spec.logFile);
  }

  /** Waits until `url` answers 200 (e.g. `/healthz`), failing if the process ends first or `timeoutMs` passes. */
  async waitReady(url: string, timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      this.assertRunning();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    throw new DemoProcessError(this.spec.name, `did not answer ${url} within ${timeoutMs / 1000} s`, this.spec.logFile);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Runs a one-shot process to its end and returns its stdout; throws `DemoProcessError` on a non-zero exit. */
export async function runToEnd(spec: ChildSpec, timeoutMs = 300_000): Promise<string> {
  const child = spawn(
    process.execPath,
    ["-r", path.join(ROOT, "bin", "ts-require.js"), path.join(ROOT, spec.entry), ...spec.args],
    { cwd: ROOT, env: { ...process.env, ...spec.env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  writeFileSync(spec.logFile, `${stderr}\n${stdout}`);
  if (code !== 0) throw new DemoProcessError(spec.name, `exited with code ${code}`, spec.logFile);
  return stdout;
}
