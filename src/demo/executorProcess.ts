import { AbiCoder, keccak256, toUtf8Bytes } from "ethers";
import { ConfigError } from "../node/config";
import { createLogger } from "../node/logger";
import { parseNodeUrls } from "../verifier/signatures";
import { loadExecutorConfig } from "../executor/config";
import { CosignClient, createCosignHandler, defaultResultChecker, serveCosignHttp } from "../executor/cosign";
import { ModeWatcher } from "../executor/modeWatcher";
import { ChallengeResponder } from "../executor/modes/challengeResponder";
import { LightweightHandler } from "../executor/modes/lightweight";
import { NotarizedHandler } from "../executor/modes/notarized";
import { SettlementHandler } from "../executor/modes/settlement";
import { runExecutor } from "../executor/run";
import type { ActionJob } from "../executor/types";
import { ScenarioRegistry__factory } from "../../typechain-types";

/**
 * The demo's executor process: `runExecutor` with every mode handler, the mode watcher, `POST /cosign` and the
 * challenge responder installed. It stands in for `era executor run` until the executor installs them by default
 * from its configuration. Settings: the executor's (`--config file.json`, `ERA_EXECUTOR_*`), plus
 * `ERA_DEMO_PEERS` (`<node id>=<job API URL>,…`: the nodes this one asks for co-signatures).
 */

/** Shipment states an enterprise node can recompute a result for (the demo's "subject data"). */
export const SHIPMENT_STATES = ["packed", "shipped", "delivered"] as const;

/** The result hash of a shipment in `state`: what the executing node and its co-signers both compute. */
export function shipmentResult(subjectId: string, state: string): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [subjectId, keccak256(toUtf8Bytes(state))]),
  );
}

async function main(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf("--config");
  const config = loadExecutorConfig({ file: at >= 0 ? argv[at + 1] : undefined });
  const peers = parseNodeUrls(process.env.ERA_DEMO_PEERS ?? "");
  const logger = createLogger("executor", config.logLevel);
  // A co-signer signs a result only when it recomputes the same hash for one of the subject's known states.
  const checker = defaultResultChecker((resultHash, subjectId) =>
    SHIPMENT_STATES.some((s) => shipmentResult(subjectId, s) === resultHash),
  );
  let watcher: ModeWatcher | undefined;
  const handle = await runExecutor(config, {
    logger,
    handlers: (ctx) => [
      new LightweightHandler(ctx),
      new SettlementHandler(ctx),
      new NotarizedHandler({
        ...ctx,
        cosigner: new CosignClient({ ...ctx, signer: ctx.signer, peers }),
        maxBatchSize: 1,
      }),
    ],
    modeSource: (ctx) => {
      watcher = new ModeWatcher({
        scenarioRegistry: ScenarioRegistry__factory.connect(ctx.addresses.scenarioRegistry, ctx.provider),
        provider: ctx.provider,
        pollIntervalMs: config.pollIntervalMs,
        logger,
      });
      return watcher;
    },
    routes: (ctx) => {
      const cosign = createCosignHandler({ ...ctx, signer: ctx.signer, checker });
      return { "/cosign": (req, res) => serveCosignHttp(cosign, req, res) };
    },
    companions: (ctx) => [
      { start: () => watcher?.start(), stop: () => watcher?.stop() },
      new ChallengeResponder({
        ...ctx,
        submitter: ctx.sender,
        fromBlock: 0,
        pollIntervalMs: config.pollIntervalMs,
        actions: {
          async actionsOf(batchId) {
            if (ctx.journal.batch(batchId) === undefined) return undefined;
            return ctx.journal
              .plan(batchId)
              .jobs.map((r) => r.job)
              .filter((j): j is ActionJob => j.kind === "action");
          },
        },
      }),
    ],
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
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

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    createLogger("executor").fatal({ err: error }, "executor failed to start");
    process.exit(1);
  });
}
