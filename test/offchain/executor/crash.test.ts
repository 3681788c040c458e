import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import hre from "hardhat";
import { startLocalChain, stopChild, type LocalChain } from "../../../bench/chain";
import { prng } from "../../../bench/faultProxy";
import { postUntilAcknowledged } from "../../../bench/workload";
import { buildForChild, expectExactlyOnce, seedFrom, soakSetup } from "./soak";

const JOBS = Number(process.env.CRASH_JOBS ?? 2_000);
const KILLS = Number(process.env.CRASH_KILLS ?? 20);

/** The executor as its own process (`src/executor/main.ts`, transpiled), configured through its environment. */
class ExecutorProcess {
  private child?: ChildProcess;
  private ready?: Promise<string>;
  readonly log: string[] = [];
  starts = 0;

  constructor(
    private readonly main: string,
    private readonly env: Record<string, string>,
  ) {}

  start(): Promise<string> {
    this.starts++;
    const child = spawn(process.execPath, [this.main], {
      cwd: hre.config.paths.root,
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    const keep = (line: string) => {
      this.log.push(line);
      if (this.log.length > 400) this.log.shift();
    };
    createInterface({ input: child.stderr! }).on("line", keep);
    this.ready = new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        keep(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; api?: string };
          if (entry.msg === "executor ready" && entry.api) resolve(entry.api);
        } catch {
          // not a log line
        }
      });
      child.once("exit", (code, signal) =>
        reject(new Error(`executor exited (${code ?? signal}) before it was ready`)),
      );
    });
    this.ready.catch(() => undefined);
    return this.ready;
  }

  /** The running executor's API (waits while it restarts). */
  async apiUrl(): Promise<string> {
    for (;;) {
      const ready = this.ready;
      if (!ready) throw new Error("not started");
      try {
        return await ready;
      } catch {
        await sleep(50);
      }
    }
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child!;
    const code = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    await stopChild(child, signal);
    return code;
  }
}

describe("executor crash test: SIGKILL at random points, restart, nothing lost, nothing doubled", function () {
  this.timeout(900_000);
  let chain: LocalChain;
  let exec: ExecutorProcess | undefined;

  before(async function () {
    chain = await startLocalChain();
  });

  after(async function () {
    if (exec) await exec.kill("SIGKILL").catch(() => undefined);
    await chain?.stop();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed" && exec) {
      console.log(`      last executor log lines:\n${exec.log.slice(-60).join("\n")}`);
    }
  });

  it(`${JOBS} standard-mode jobs, ${KILLS} kills: every acknowledged job confirmed exactly once`, async function () {
    const rand = prng(seedFrom("CRASH_SEED"));
    const started = Date.now();
    // Blocks every 250 ms: transactions sit pending for a while, so kills land between send and receipt too.
    const { nodeKey, scenarioId, jobs } = await soakSetup(chain, "crash", JOBS);
    exec = new ExecutorProcess(buildForChild("src/executor/main.ts"), {
      ERA_EXECUTOR_RPC_URL: chain.url,
      ERA_EXECUTOR_CHAIN_ID: "31337",
      ERA_EXECUTOR_DEPLOYMENT: chain.deployment,
      ERA_EXECUTOR_JOURNAL: join(chain.dir, "journal.sqlite"),
      ERA_EXECUTOR_HTTP_PORT: "0",
      ERA_EXECUTOR_OPS_PORT: "0",
      ERA_EXECUTOR_NODE_KEY: nodeKey.privateKey,
      ERA_EXECUTOR_MAX_BATCH_SIZE: "100",
      ERA_EXECUTOR_MAX_BATCH_AGE_MS: "1000",
      ERA_EXECUTOR_POLL_INTERVAL_MS: "100",
      ERA_EXECUTOR_STUCK_AFTER_MS: "5000",
      ERA_EXECUTOR_LOG_LEVEL: "info",
    });
    const proc = exec;
    await proc.start();

    const posting = postUntilAcknowledged(() => proc.apiUrl(), jobs, { chunk: 50, pauseMs: () => rand() * 400 });
    let killsWithOpenWork = 0;
    for (let k = 0; k < KILLS; k++) {
      await proc.apiUrl();
      await sleep(150 + rand() * 1_500);
      if (proc.log.slice(-20).some((l) => l.includes('"batch formed"') || l.includes("transaction sent"))) {
        killsWithOpenWork++;
      }
      await proc.kill("SIGKILL");
      void proc.start();
    }
    const ids = await posting;
    const api = await proc.apiUrl();
    const { batches } = await expectExactlyOnce(chain, api, scenarioId, jobs, ids);
    expect(await proc.kill("SIGTERM"), "exit code after SIGTERM").to.equal(0);
    exec = undefined;
    const reconciled = proc.log.filter((l) => l.includes("reconciling batches left open")).length;
    console.log(
      `      ${JOBS} jobs in ${batches} batches, ${KILLS} kills (${killsWithOpenWork} right after batch activity), ` +
        `${proc.starts} starts, ${reconciled} restarts with open batches, ${Math.round((Date.now() - started) / 1000)} s`,
    );
  });
});
