import { BatchCommitments__factory, NodeRegistry__factory, ScenarioRegistry__factory } from "../../typechain-types";
import { ConfigError, flagName } from "../node/config";
import type { Logger } from "../node/logger";
import { withRetry, type RetryPolicy } from "../node/rpc";
import { ExecutionMode, ScenarioClass } from "../sdk/economy";
import { decodeContractError, describeError } from "../sdk/errors";
import type { ExecutorConfig } from "./config";
import { CosignClient, createCosignHandler, serveCosignHttp, type ResultChecker } from "./cosign";
import { HttpError, methodNotAllowed, send, type RouteHandler } from "./intake";
import type { Journal } from "./journal";
import { Ticker } from "../node/blockScan";
import { ModePolicyDriver } from "./modePolicy";
import { ModeWatcher } from "./modeWatcher";
import { ChallengeResponder } from "./modes/challengeResponder";
import { LightweightHandler } from "./modes/lightweight";
import { NotarizedHandler } from "./modes/notarized";
import { SettlementHandler } from "./modes/settlement";
import type { Companion, HandlerContext } from "./run";
import type { ModeHandler, ModeSource } from "./types";

/**
 * What a configured executor runs by default besides the standard handler (`runExecutor` without the `handlers`,
 * `modeSource`, `routes` or `companions` overrides): every mode's handler, the mode watcher, `POST /cosign`, the
 * lightweight signatures endpoint, the challenge responder, the opted-in mode policy and journal pruning.
 */

/** Where the signatures of a lightweight batch are served (see the protocol in src/verifier/signatures.ts). */
export const SIGNATURES_ROUTE = "/lightweight/batches/:batchId/signatures";

/** The handlers of the lightweight, settlement and notarized modes (co-signatures collected from `config.peers`). */
export function defaultHandlers(ctx: HandlerContext): ModeHandler[] {
  const { config } = ctx;
  const cosigner = new CosignClient({ ...ctx, peers: config.peers, timeoutMs: config.cosignTimeoutMs });
  return [
    new LightweightHandler(ctx),
    new SettlementHandler(ctx),
    new NotarizedHandler({ ...ctx, cosigner, fromBlock: config.fromBlock }),
  ];
}

/** The mode watcher over the hub's scenario registry, polling `ModeSwitched` every `modePollMs`. */
export function defaultModeWatcher(ctx: HandlerContext): ModeWatcher {
  return new ModeWatcher({
    scenarioRegistry: ScenarioRegistry__factory.connect(ctx.addresses.scenarioRegistry, ctx.provider),
    provider: ctx.provider,
    pollIntervalMs: ctx.config.modePollMs,
    logger: ctx.logger,
  });
}

/**
 * The result checker of `POST /cosign`: asks `resultCheckUrl` (POST `{scenarioId, subjectId, resultHash,
 * requesterNodeId}`, answer 200 `{"valid": true}` to sign, `{"valid": false, "reason": "…"}` to refuse). Without a
 * URL, or when the check cannot be made, the request is refused: a result is never signed blindly.
 */
export function resultCheckerOf(
  config: Pick<ExecutorConfig, "resultCheckUrl" | "resultCheckTimeoutMs">,
  doFetch: typeof fetch = fetch,
): ResultChecker {
  const url = config.resultCheckUrl;
  return {
    async check({ scenarioId, subjectId, resultHash, requester }) {
      if (url === undefined) {
        return "this node has no result check configured (resultCheckUrl), so it co-signs nothing";
      }
      let res: Response;
      let body: unknown;
      try {
        res = await doFetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            scenarioId: scenarioId.toString(),
            subjectId,
            resultHash,
            requesterNodeId: requester.nodeId.toString(),
          }),
          signal: AbortSignal.timeout(config.resultCheckTimeoutMs),
        });
        body = await res.json();
      } catch (err) {
        return `this node could not check the result (${url}: ${describeError(err)})`;
      }
      const answer = (body ?? {}) as { valid?: unknown; reason?: unknown };
      if (res.status === 200 && answer.valid === true) return undefined;
      if (res.status === 200 && answer.valid === false) {
        return typeof answer.reason === "string" && answer.reason !== ""
          ? answer.reason
          : `this node's check does not confirm result ${resultHash} for subject ${subjectId}`;
      }
      return `this node could not check the result (${url} answered ${res.status} without {"valid": true|false})`;
    },
  };
}

/** `POST /cosign`, checking with `resultCheckerOf(config)`. */
export function cosignRoute(ctx: HandlerContext): RouteHandler {
  const handler = createCosignHandler({ ...ctx, checker: resultCheckerOf(ctx.config) });
  return (req, res) => serveCosignHttp(handler, req, res);
}

const BATCH_ID = /^0x[0-9a-fA-F]{64}$/;

/**
 * `GET /lightweight/batches/:batchId/signatures`: `{batchId, signatures}`, the users' signatures of the batch's
 * actions in batch order, from the journal. 400 for an id that is not 32 bytes of hex, 404 for a batch the journal
 * does not hold as a lightweight batch (another node's, another mode's, or pruned after the retention).
 */
export function signaturesRoute(journal: Pick<Journal, "lightweightActions">): RouteHandler {
  return async (req, res, params) => {
    if (req.method !== "GET") throw methodNotAllowed(res, "GET");
    const batchId = params.batchId ?? "";
    if (!BATCH_ID.test(batchId)) {
      throw new HttpError(400, "invalid", `batchId: must be a batch id, 0x and 64 hex digits; got "${batchId}".`);
    }
    const actions = journal.lightweightActions(batchId.toLowerCase(), ExecutionMode.Lightweight);
    if (actions === undefined) {
      throw new HttpError(
        404,
        "not_found",
        `No lightweight batch ${batchId} in this executor's journal: ask the node that posted it ` +
          `(BatchCommitments.getBatch names it), or the batch is older than this node's journal retention.`,
      );
    }
    send(res, 200, { batchId: batchId.toLowerCase(), signatures: actions.map((a) => a.signature) });
  };
}

/** The challenge responder, finding the users' signatures in the journal. */
export function defaultChallengeResponder(ctx: HandlerContext, journal: Journal): ChallengeResponder {
  return new ChallengeResponder({
    ...ctx,
    submitter: ctx.sender,
    fromBlock: ctx.config.fromBlock,
    pollIntervalMs: ctx.config.challengePollMs,
    actions: { actionsOf: async (batchId) => journal.lightweightActions(batchId, ExecutionMode.Lightweight) },
  });
}

/** The mode policy over the opted-in scenarios, or undefined when none opted in. */
export function defaultModePolicy(
  ctx: HandlerContext,
  journal: Journal,
  modes: ModeSource,
  operator: string,
): ModePolicyDriver | undefined {
  if (ctx.config.modePolicy.size === 0) return undefined;
  return new ModePolicyDriver({
    scenarioRegistry: ScenarioRegistry__factory.connect(ctx.addresses.scenarioRegistry, ctx.provider),
    modes,
    submitter: ctx.sender,
    operator,
    scenarios: ctx.config.modePolicy,
    backlogOf: (scenarioId) => journal.queueDepth(scenarioId),
    intervalMs: ctx.config.modePolicyIntervalMs,
    logger: ctx.logger,
  });
}

/** Prunes the journal every `intervalMs`: finished batches and jobs older than the retention, `limit` at a time. */
export class JournalPruner implements Companion {
  private readonly ticker: Ticker;

  constructor(
    private readonly journal: Pick<Journal, "prune">,
    private readonly options: {
      retentionSeconds: number;
      intervalMs: number;
      limit: number;
      logger: Logger;
      now?: () => number;
    },
  ) {
    this.ticker = new Ticker(options.intervalMs, async () => this.round(), options.logger, "pruning the journal");
  }

  /** One round: at most `limit` batches and `limit` loose jobs. */
  round(): { batches: number; jobs: number } {
    const before = (this.options.now ?? Date.now)() - this.options.retentionSeconds * 1_000;
    const pruned = this.journal.prune(before, this.options.limit);
    if (pruned.batches > 0 || pruned.jobs > 0) {
      this.options.logger.info({ ...pruned, before: new Date(before).toISOString() }, "journal pruned");
    }
    return pruned;
  }

  start(): void {
    this.ticker.start();
  }

  stop(): Promise<void> {
    return this.ticker.stop();
  }
}

/**
 * Checks the co-signing, mode-policy and retention settings against the chain; returns the journal retention in
 * seconds. Throws a `ConfigError` naming the setting and the fix.
 */
export async function checkModeSettings(ctx: HandlerContext, rpc: RetryPolicy): Promise<{ retentionSeconds: number }> {
  const { config, provider, addresses, nodeId, logger } = ctx;
  const call = <T>(fn: () => Promise<T>) => withRetry(fn, { method: "eth_call", policy: rpc });

  const nodeCount = await call(() => NodeRegistry__factory.connect(addresses.nodeRegistry, provider).nodeCount());
  for (const peer of config.peers.keys()) {
    if (peer === nodeId) {
      throw new ConfigError(
        "peers",
        "default",
        flagName("peers"),
        `names node ${peer}, which is this executor's own node: list the other nodes' executors only.`,
      );
    }
    if (peer < 1n || peer > nodeCount) {
      throw new ConfigError(
        "peers",
        "default",
        flagName("peers"),
        `names node ${peer}, but the node registry has nodes 1 to ${nodeCount}: fix the node id.`,
      );
    }
  }

  const registry = ScenarioRegistry__factory.connect(addresses.scenarioRegistry, provider);
  for (const scenarioId of config.modePolicy.keys()) {
    const scenario = await call(() => registry.getScenario(scenarioId)).catch((err: unknown) => {
      if (decodeContractError(err)?.errorName === "ScenarioUnknown") return undefined;
      throw err;
    });
    if (scenario === undefined) {
      throw new ConfigError(
        "modePolicy",
        "default",
        flagName("modePolicy"),
        `names scenario ${scenarioId}, which is not registered: remove it or fix the id.`,
      );
    }
    if (Number(scenario.scenarioClass) !== ScenarioClass.Lightweight) {
      throw new ConfigError(
        "modePolicy",
        "default",
        flagName("modePolicy"),
        `names scenario ${scenarioId}, whose class is ${ScenarioClass[Number(scenario.scenarioClass)]}: only ` +
          `light-interaction scenarios switch by backlog; remove it.`,
      );
    }
  }

  const commitments = BatchCommitments__factory.connect(addresses.batchCommitments, provider);
  const [challengeWindow, answerWindow] = await call(() =>
    Promise.all([commitments.challengeWindow(), commitments.answerWindow()]),
  );
  const needed = Number(challengeWindow + answerWindow);
  const configured = config.journalRetentionSeconds;
  if (configured !== undefined && configured < needed) {
    throw new ConfigError(
      "journalRetentionSeconds",
      "default",
      flagName("journalRetentionSeconds"),
      `is ${configured} s, below BatchCommitments' challenge window (${challengeWindow} s) + answer window ` +
        `(${answerWindow} s) = ${needed} s: the node could not answer a signature challenge and would be slashed. ` +
        `Set it to at least ${needed}.`,
    );
  }
  if (config.resultCheckUrl === undefined) {
    logger.warn("no resultCheckUrl: this node refuses every co-signing request of its peers");
  }
  return { retentionSeconds: configured ?? needed + 86_400 };
}
