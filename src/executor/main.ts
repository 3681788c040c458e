import { ConfigError } from "../node/config";
import { createLogger } from "../node/logger";
import { ENV_PREFIX, loadExecutorConfig } from "./config";
import { runExecutor } from "./run";

/**
 * Process entry of the executor: `node -r ts-node/register src/executor/main.ts [--config file.json]`. Settings
 * come from the file, `ERA_EXECUTOR_*` variables and defaults (the `era executor run` command adds flags). SIGTERM
 * or SIGINT stops it gracefully: exit code 0 after a clean stop, 1 on a failure, 2 on a configuration error.
 */
async function main(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf("--config");
  const file = at >= 0 ? argv[at + 1] : process.env[`${ENV_PREFIX}_CONFIG`];
  if (argv.includes("--help")) {
    process.stdout.write(
      `Usage: main.ts [--config settings.json]\nSettings: ${ENV_PREFIX}_* variables or the JSON file; see docs/executor.md.\n`,
    );
    return;
  }
  const config = loadExecutorConfig({ file });
  const logger = createLogger("executor", config.logLevel);
  const handle = await runExecutor(config, { logger });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "signal received");
    handle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  createLogger("executor").fatal({ err: error }, "executor failed to start");
  process.exit(1);
});
