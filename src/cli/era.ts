import { Command, CommanderError, Option } from "commander";
import type { CommandEnv } from "./command";
import { registerDeploy } from "./commands/deploy";
import { registerEpochs } from "./commands/epochs";
import { registerNode } from "./commands/node";
import { registerNotary } from "./commands/notary";
import { registerProcesses } from "./commands/processes";
import { registerReport } from "./commands/report";
import { registerRevenue } from "./commands/revenue";
import { registerScenario } from "./commands/scenario";
import { registerSettle } from "./commands/settle";
import { registerStake } from "./commands/stake";
import { DEFAULT_RPC_URL } from "./context";
import { chainErrorOf, CliError } from "./errors";
import { processIO, toJson, type CliIO } from "./io";
import { privateKeyFlagRefused } from "./keys";

/**
 * `era`: one command for every role of the ERA suite. See docs/cli.md.
 *
 * Exit codes: 0 done; 1 the chain or a contract refused (the reason decoded), the RPC endpoint failed, or this build
 * lacks what was asked for; 2 wrong input (nothing was sent).
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require("../../package.json") as { version: string };

function buildProgram(env: CommandEnv): Command {
  const program = new Command("era")
    .description("ERA scenario layer: deploy the suite, run nodes, stake, manage scenarios, claim, report")
    .version(version, "--version", "print the version")
    .addOption(new Option("--rpc, --rpc-url <url>", `JSON-RPC endpoint (env ERA_RPC_URL; default ${DEFAULT_RPC_URL})`))
    .option(
      "--deployment <dir|file>",
      "Ignition deployment folder or its deployed_addresses.json (env ERA_DEPLOYMENT; default deploy/deployments/chain-<chainId>)",
    )
    .option("--keystore <file>", "encrypted JSON keystore to sign with (password: env ERA_KEYSTORE_PASSWORD or prompt)")
    .option("--config <file>", "JSON settings file (rpcUrl, deployment, keystore; for `… run`: the process's settings)")
    .option("--json", "machine-readable output on stdout (amounts in wei, as decimal strings)")
    .addOption(new Option("--private-key [key]", "refused: use ERA_PRIVATE_KEY or --keystore").hideHelp())
    .addHelpText(
      "after",
      "\nThe signing key comes from ERA_PRIVATE_KEY or --keystore, never from a flag. Amounts are in ERA (e.g. 1.5).\n" +
        "Exit codes: 0 done, 1 refused by the chain or a contract (reason shown), 2 wrong input (nothing sent).\n" +
        "\nExamples:\n" +
        "  $ ERA_PRIVATE_KEY=0x… era deploy\n" +
        "  $ era stake delegate 1 1000\n" +
        "  $ era report --json\n",
    )
    .showHelpAfterError("(run the command with --help for its options and examples)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => env.io.stdout(s), writeErr: (s) => env.io.stderr(s) })
    .hook("preAction", (_program, action) => {
      if (action.optsWithGlobals().privateKey !== undefined) throw privateKeyFlagRefused();
    });

  registerDeploy(program, env);
  registerNode(program, env);
  registerStake(program, env);
  registerScenario(program, env);
  registerRevenue(program, env);
  registerEpochs(program, env);
  registerSettle(program, env);
  registerNotary(program, env);
  registerReport(program, env);
  registerProcesses(program, env);
  return program;
}

function reportError(io: CliIO, error: CliError, json: boolean): void {
  io.stderr(`Error: ${error.text}\n`);
  if (json) {
    const contractError = "contractError" in error ? error.contractError : undefined;
    io.stdout(
      `${toJson({ ok: false, error: { kind: error.kind, message: error.message, hint: error.hint ?? null, contractError: contractError ?? null } })}\n`,
    );
  }
}

/**
 * Runs the CLI on `argv` (the arguments after `era`) and returns the exit code. Everything it reads and writes goes
 * through `io`, so tests drive it in-process exactly as the binary does.
 */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const env: CommandEnv = { io, contexts: [] };
  const program = buildProgram(env);
  const json = argv.includes("--json");
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version requested: success. Anything else commander reports (unknown option, missing argument,
      // a group without its subcommand) is a usage error; commander has printed its message already.
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" ? 0 : 2;
    }
    const error = e instanceof CliError ? e : chainErrorOf(e);
    reportError(io, error, json);
    return error.exitCode;
  } finally {
    for (const ctx of env.contexts) ctx.close();
  }
}

/** Entry point of the `era` binary. */
export async function main(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2), processIO());
}
