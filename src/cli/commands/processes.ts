import path from "node:path";
import type { Command } from "commander";
import type { z } from "zod";
import { ConfigError, envKey, flagName, loadConfig } from "../../node/config";
import { examples, type CommandEnv } from "../command";
import type { GlobalOptions } from "../context";
import { RuntimeError, UsageError } from "../errors";

/**
 * `era executor run`, `era verifier run`, `era indexer run`: thin wrappers around the node processes. Each process
 * module (src/executor, src/verifier, src/indexer) exports its configuration schema (a zod object, read with
 * `loadConfig`: flags > ERA_<PROCESS>_* environment > --config file > defaults) and its entry point, which starts
 * the process and returns a handle to stop it. The module is loaded only when its command runs, so a build without
 * it still runs every other command.
 */
interface ProcessSpec {
  name: "executor" | "verifier" | "indexer";
  description: string;
  /** Folder of the module under src/. */
  folder: string;
  /** Exported entry point: `(config) => Promise<{ stop(): Promise<void> } | void>`. */
  runExport: string;
  /** Exported zod object schema of its configuration. */
  schemaExport: string;
  envPrefix: string;
  examples: string[];
}

const PROCESSES: ProcessSpec[] = [
  {
    name: "executor",
    description:
      "run the executor: takes scenario jobs, batches them by each scenario's live mode, submits as its node",
    folder: "executor",
    runExport: "runExecutor",
    schemaExport: "executorConfigSchema",
    envPrefix: "ERA_EXECUTOR",
    examples: [
      "era executor run --config executor.json",
      "ERA_EXECUTOR_RPC_URL=http://127.0.0.1:8545 era executor run",
    ],
  },
  {
    name: "verifier",
    description: "run the verifier: re-checks lightweight batches, proves fraud in the window, refunds expired locks",
    folder: "verifier",
    runExport: "runVerifier",
    schemaExport: "verifierConfigSchema",
    envPrefix: "ERA_VERIFIER",
    examples: ["era verifier run --config verifier.json"],
  },
  {
    name: "indexer",
    description: "run the activity indexer: counts MAU, builds and publishes subsidy epochs, serves proofs",
    folder: "indexer",
    runExport: "runIndexer",
    schemaExport: "indexerConfigSchema",
    envPrefix: "ERA_INDEXER",
    examples: ["era indexer run --config indexer.json"],
  },
];

type Schema = z.ZodObject;
type Handle = { stop(): Promise<void> };
type Entry = (config: unknown) => Promise<Handle | void>;

/** Loads the process module; undefined when this build does not have it. */
function loadModule(spec: ProcessSpec): { run: Entry; schema: Schema } | undefined {
  const file = path.join(__dirname, "..", "..", spec.folder);
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(file) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "MODULE_NOT_FOUND" && String((e as Error).message).includes(file)) return undefined;
    throw e;
  }
  const run = mod[spec.runExport];
  const schema = mod[spec.schemaExport];
  if (typeof run !== "function" || schema === null || typeof schema !== "object" || !("shape" in schema)) {
    return undefined;
  }
  return { run: run as Entry, schema: schema as Schema };
}

function unavailable(spec: ProcessSpec): RuntimeError {
  return new RuntimeError(
    `The ${spec.name} is not available in this build (src/${spec.folder} exports no ${spec.runExport} and ${spec.schemaExport}).`,
    "Use a build that includes it.",
  );
}

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
  let loaded: ReturnType<typeof loadModule>;
  try {
    loaded = loadModule(spec);
  } catch {
    loaded = undefined;
  }
  if (!loaded) return `\nThe ${spec.name} is not available in this build.\n`;
  const rows = Object.keys(loaded.schema.shape).map(
    (k) => `  ${flagName(k).padEnd(28)} env ${envKey(spec.envPrefix, k)}`,
  );
  return `\nSettings (flag, or environment variable, or key of the --config file):\n${rows.join("\n")}\n`;
}

export function registerProcesses(program: Command, env: CommandEnv): void {
  for (const spec of PROCESSES) {
    const group = program.command(spec.name).description(`${spec.name} process (runs until stopped)`);
    group
      .command("run")
      .description(spec.description)
      .allowUnknownOption()
      .allowExcessArguments()
      .addHelpText("after", () => settingsHelp(spec) + examples(...spec.examples))
      .action(async (...params: unknown[]) => {
        const command = params[params.length - 1] as Command;
        const globals = command.optsWithGlobals<GlobalOptions>();
        const loaded = loadModule(spec);
        if (!loaded) throw unavailable(spec);
        const keys = Object.keys(loaded.schema.shape);
        const flags: Record<string, unknown> = settingsFromArgs(command.args);
        // The global --rpc / --deployment / --keystore apply to the process too, when it has such a setting.
        for (const [k, v] of Object.entries({
          rpcUrl: globals.rpcUrl,
          deployment: globals.deployment,
          keystore: globals.keystore,
        })) {
          if (v !== undefined && keys.includes(k) && flags[k] === undefined) flags[k] = v;
        }
        let config: unknown;
        try {
          config = loadConfig(loaded.schema, {
            name: spec.name,
            envPrefix: spec.envPrefix,
            file: globals.config === undefined ? undefined : path.resolve(env.io.cwd, globals.config),
            flags,
            env: env.io.env,
          });
        } catch (e) {
          if (e instanceof ConfigError) throw new UsageError(e.message, `See \`era ${spec.name} run --help\`.`);
          throw e;
        }
        const handle = await loaded.run(config);
        if (handle && typeof handle.stop === "function") await untilSignal(handle);
      });
  }
}

/** Waits for SIGINT or SIGTERM, then stops the process gracefully. */
function untilSignal(handle: Handle): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      handle.stop().then(resolve, reject);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
