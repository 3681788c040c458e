import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import type { z } from "zod";
import type * as IndexerModule from "../../indexer";
import type * as VerifierModule from "../../verifier";
import { ConfigError, envKey, flagName, loadConfig, type LoadOptions } from "../../node/config";
import { examples, type CommandEnv } from "../command";
import { Context, type GlobalOptions } from "../context";
import { ADDRESSES_FILE } from "../deployment";
import { RuntimeError, UsageError } from "../errors";
import { formatEra } from "../format";
import type { CliIO, CommandResult } from "../io";

/**
 * `era executor run`, `era verifier run`, `era indexer run`: thin wrappers around the node processes. Each process
 * module (src/executor, src/verifier, src/indexer) exports its configuration schema, read with `loadConfig`
 * (`--setting value` flags > ERA_<PROCESS>_* environment > the --config file > defaults), and its run entry. The
 * verifier and the indexer take the chain, the deployment and the key from the CLI's common settings (--rpc,
 * --deployment, ERA_PRIVATE_KEY / --keystore) and send through the node's one writer (`TxSender`, src/node/sender.ts)
 * built from their sender settings; the executor reads its own node key and settings. A module is loaded
 * only when its command runs, so a build without it still runs every other command.
 */

type Schema = z.ZodObject;

/** What a wrapped process needs from the CLI. */
interface Launch {
  config: unknown;
  ctx: Context;
  /** Aborted on SIGINT or SIGTERM (or by the IO's own signal in tests). */
  stop: AbortSignal;
}

/** A process module, loaded. */
interface Loaded {
  schema: Schema;
  /** Reads the process's configuration; defaults to `loadConfig` over `schema`. */
  load?: (options: Omit<LoadOptions, "name" | "envPrefix">) => unknown;
  /** Runs the process to its end; a result is printed (one-shot processes). */
  start(launch: Launch): Promise<CommandResult | undefined>;
}

interface ProcessSpec {
  name: "executor" | "verifier" | "indexer";
  description: string;
  envPrefix: string;
  examples: string[];
  /** Undefined when this build does not have the module. */
  load(): Loaded | undefined;
}

/** Loads `src/<folder>`; undefined when it does not exist in this build. */
function requireOptional(folder: string): Record<string, unknown> | undefined {
  const file = path.join(__dirname, "..", "..", folder);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as Record<string, unknown>;
  } catch (e) {
    if ((e as { code?: string }).code === "MODULE_NOT_FOUND" && String((e as Error).message).includes(file)) {
      return undefined;
    }
    throw e;
  }
}

const verifier: ProcessSpec = {
  name: "verifier",
  description: "run the verifier: re-checks lightweight batches, proves fraud in the window, refunds expired locks",
  envPrefix: "ERA_VERIFIER",
  examples: [
    "ERA_PRIVATE_KEY=0x… era verifier run --db-path ./data/verifier.sqlite --signature-urls 1=http://node-1:8080",
    "era verifier run --keystore verifier.json --config verifier.json --confirmations 6",
  ],
  load() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require("../../verifier") as typeof VerifierModule;
    return {
      schema: mod.verifierConfigSchema,
      async start({ config, ctx, stop }) {
        const [{ provider }, { addresses }, wallet] = await Promise.all([ctx.chain(), ctx.deployment(), ctx.wallet()]);
        await mod.runVerifier({
          config: config as VerifierModule.VerifierConfig,
          provider,
          addresses,
          signer: wallet,
          signal: stop,
        });
        return undefined;
      },
    };
  },
};

const indexer: ProcessSpec = {
  name: "indexer",
  description:
    "run the activity indexer once: scan, count MAU, summarize a month, and with --publish propose its epochs",
  envPrefix: "ERA_INDEXER",
  examples: [
    "era indexer run --epoch-start 1767225600 --month 0",
    "ERA_PRIVATE_KEY=0x… era indexer run --epoch-start 1767225600 --publish --subsidy-budget 50000000000000000000000",
  ],
  load() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require("../../indexer") as typeof IndexerModule;
    return {
      schema: mod.indexerConfigSchema,
      async start({ config, ctx }) {
        const c = config as IndexerModule.IndexerConfig;
        const [{ provider }, { addresses }] = await Promise.all([ctx.chain(), ctx.deployment()]);
        const signer = c.publish ? await ctx.wallet() : undefined;
        let outcome: Awaited<ReturnType<typeof mod.runIndexer>>;
        try {
          outcome = await mod.runIndexer({
            config: c,
            provider,
            addresses,
            signer,
            onProgress: (p) => ctx.out.progress(`scanned blocks ${p.fromBlock}–${p.toBlock} of ${p.target}`),
          });
        } catch (e) {
          if (e instanceof mod.MonthNotReadyError) throw new RuntimeError(e.message);
          throw e;
        }
        const text = [mod.formatSummary(outcome.summary)];
        for (const p of outcome.publications)
          text.push(`published: ${JSON.stringify(p, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`);
        return { data: { summary: outcome.summary, publications: outcome.publications }, text };
      },
    };
  },
};

/** What the executor module exports, as far as the CLI relies on it (it is not part of every build). */
interface ExecutorModuleLike {
  runExecutor(
    config: unknown,
    options: { env: Readonly<Record<string, string | undefined>> },
  ): Promise<{ close(): Promise<void> }>;
  loadExecutorConfig(options: Omit<LoadOptions, "name" | "envPrefix">): unknown;
}

const executor: ProcessSpec = {
  name: "executor",
  description: "run the executor: takes scenario jobs, batches them by each scenario's live mode, submits as its node",
  envPrefix: "ERA_EXECUTOR",
  examples: [
    "ERA_EXECUTOR_NODE_KEY=0x… era executor run --config executor.json",
    "era executor run --chain-id 31337 --journal ./data/executor.sqlite --keystore node.json",
    "era executor run --config executor.json --peers 2=http://node-2:7300,3=http://node-3:7300 --result-check-url http://127.0.0.1:8080/check",
    `era executor run --config executor.json --mode-policy '{"3": {"high": 500, "low": 50, "minDwellMs": 600000}}'`,
  ],
  load() {
    const mod = requireOptional("executor");
    const schema = mod?.executorConfigSchema;
    if (
      typeof mod?.runExecutor !== "function" ||
      schema === null ||
      typeof schema !== "object" ||
      !("shape" in schema)
    ) {
      return undefined;
    }
    const run = mod.runExecutor as ExecutorModuleLike["runExecutor"];
    const loadExecutorConfig = mod.loadExecutorConfig as ExecutorModuleLike["loadExecutorConfig"] | undefined;
    return {
      schema: schema as Schema,
      load: typeof loadExecutorConfig === "function" ? (o) => loadExecutorConfig(o) : undefined,
      async start({ config, ctx, stop }) {
        const handle = await run(config, { env: ctx.io.env });
        if (!stop.aborted) await new Promise((resolve) => stop.addEventListener("abort", resolve, { once: true }));
        await handle.close();
        return undefined;
      },
    };
  },
};

const PROCESSES: ProcessSpec[] = [executor, verifier, indexer];

/** `--max-batch-size 10`, `--max-batch-size=10`, `--dry-run` → { maxBatchSize: "10", dryRun: "true" }. */
export function settingsFromArgs(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--") || arg === "--") {
      throw new UsageError(`Unexpected argument "${arg}".`, "Settings are given as --name value.");
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const key = name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    if (eq !== -1) out[key] = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith("--")) out[key] = args[++i];
    else out[key] = "true";
  }
  return out;
}

function settingsHelp(spec: ProcessSpec): string {
  const loaded = spec.load();
  if (!loaded) return `\nThe ${spec.name} is not available in this build.\n`;
  const rows = Object.keys(loaded.schema.shape).map(
    (k) => `  ${flagName(k).padEnd(28)} env ${envKey(spec.envPrefix, k)}`,
  );
  return `\nSettings (flag, environment variable, or key of the --config file):\n${rows.join("\n")}\n`;
}

/** An AbortSignal aborted on SIGINT or SIGTERM (and by `io.signal`), with a way to stop listening. */
function stopSignal(io: CliIO): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  io.signal?.addEventListener("abort", stop, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      io.signal?.removeEventListener("abort", stop);
    },
  };
}

/** The CLI's own settings a process also takes, when its schema has them: flag, environment variable. */
const INHERITED = [
  { key: "rpcUrl", env: "ERA_RPC_URL" },
  { key: "deployment", env: "ERA_DEPLOYMENT" },
  { key: "keystore", env: "ERA_KEYSTORE" },
] as const;

/**
 * Hands the CLI's --rpc / --deployment / --keystore to a process that has such settings, keeping the precedence:
 * a CLI flag counts as the process's flag; ERA_RPC_URL (etc.) counts as the process's environment variable, unless
 * the process's own variable is set. A deployment folder becomes its deployed_addresses.json.
 */
function inherited(
  ctx: Context,
  globals: GlobalOptions,
  spec: ProcessSpec,
  keys: string[],
): { flags: Record<string, string>; env: Record<string, string | undefined> } {
  const flags: Record<string, string> = {};
  const env: Record<string, string | undefined> = { ...ctx.io.env };
  const paths = (key: string, value: string) => {
    if (key === "rpcUrl") return value;
    const location = ctx.resolvePath(value);
    const isDir = existsSync(location) && statSync(location).isDirectory();
    return key === "deployment" && isDir ? path.join(location, ADDRESSES_FILE) : location;
  };
  for (const { key, env: cliVariable } of INHERITED) {
    if (!keys.includes(key)) continue;
    const flag = globals[key];
    const own = envKey(spec.envPrefix, key);
    const fromEnv = ctx.io.env[cliVariable];
    if (flag !== undefined) flags[key] = paths(key, flag);
    else if (env[own] === undefined && fromEnv !== undefined && fromEnv !== "") env[own] = paths(key, fromEnv);
  }
  return { flags, env };
}

export function registerProcesses(program: Command, env: CommandEnv): void {
  for (const spec of PROCESSES) {
    const group = program.command(spec.name).description(`${spec.name} process`);
    group
      .command("run")
      .description(spec.description)
      .allowUnknownOption()
      .allowExcessArguments()
      .addHelpText("after", () => settingsHelp(spec) + examples(...spec.examples))
      .action(async (...params: unknown[]) => {
        const command = params[params.length - 1] as Command;
        const globals = command.optsWithGlobals<GlobalOptions>();
        const loaded = spec.load();
        if (!loaded) {
          throw new RuntimeError(`The ${spec.name} is not available in this build.`, "Use a build that includes it.");
        }
        // --config is the process's settings file here, not the CLI's.
        const ctx = new Context(env.io, { ...globals, config: undefined });
        env.contexts.push(ctx);
        const passed = inherited(ctx, globals, spec, Object.keys(loaded.schema.shape));
        const flags = { ...passed.flags, ...settingsFromArgs(command.args) };
        const file = globals.config === undefined ? undefined : ctx.resolvePath(globals.config);
        let config: unknown;
        try {
          const options = { file, flags, env: passed.env };
          config = loaded.load
            ? loaded.load(options)
            : loadConfig(loaded.schema, { name: spec.name, envPrefix: spec.envPrefix, ...options });
        } catch (e) {
          if (e instanceof ConfigError) throw new UsageError(e.message, `See \`era ${spec.name} run --help\`.`);
          throw e;
        }
        const stop = stopSignal(env.io);
        try {
          const result = await loaded.start({ config, ctx, stop: stop.signal });
          if (result) ctx.out.result(result);
        } finally {
          stop.dispose();
        }
      });
  }
}
