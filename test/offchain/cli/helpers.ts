import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { HDNodeWallet, JsonRpcProvider, Wallet } from "ethers";
import { run } from "../../../src/cli/era";
import type { CliIO } from "../../../src/cli/io";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const ERA = 10n ** 18n;
export const DAY = 86_400;

/** The accounts of `npx hardhat node` (its well-known development mnemonic). */
export function devAccount(index: number): Wallet {
  const hd = HDNodeWallet.fromPhrase(
    "test test test test test test test test test test test junk",
    undefined,
    `m/44'/60'/0'/0/${index}`,
  );
  return new Wallet(hd.privateKey);
}

/** A TCP port nothing listens on (at the time of asking). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A `hardhat node` child process on a free port. */
export interface DevNode {
  url: string;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

export async function startNode(): Promise<DevNode> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [require.resolve("hardhat/internal/cli/cli.js"), "node", "--hostname", "127.0.0.1", "--port", String(port)],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Started HTTP")) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`hardhat node exited with ${code}:\n${output}`)));
  });
  child.stdout?.resume(); // keep draining its log
  const url = `http://127.0.0.1:${port}`;
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  return {
    url,
    provider,
    stop: async () => {
      provider.destroy();
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
    },
  };
}

/** What one CLI invocation produced. */
export interface EraRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON. */
  json<T = Record<string, unknown>>(): T;
}

function result(code: number, stdout: string, stderr: string): EraRun {
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
      }
    },
  };
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Pretend stderr is a terminal (progress display). */
  tty?: boolean;
  promptSecret?: (question: string) => Promise<string>;
  confirm?: (question: string) => Promise<boolean>;
}

/** Runs the CLI in this process through `run(argv, io)`, capturing its output. */
export async function eraInProcess(args: string[], options: RunOptions = {}): Promise<EraRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: options.env ?? {},
    cwd: ROOT,
    stderrIsTTY: options.tty ?? false,
    promptSecret: options.promptSecret,
    confirm: options.confirm,
  };
  const code = await run(args, io);
  return result(code, stdout, stderr);
}

/** Runs the real `era` binary (bin/era.js) as a child process. */
export async function eraChild(args: string[], env: Record<string, string>): Promise<EraRun> {
  const child = spawn(process.execPath, [path.join(ROOT, "bin", "era.js"), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number>((resolve) => child.once("close", (c) => resolve(c ?? -1)));
  return result(code, stdout, stderr);
}
