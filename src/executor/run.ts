import { FetchRequest, JsonRpcProvider, Network, type Provider, type Signer } from "ethers";
import { ExecutionHub__factory, NodeRegistry__factory } from "../../typechain-types";
import { ConfigError } from "../node/config";
import { createLogger, type Logger } from "../node/logger";
import { startOpsServer } from "../node/ops";
import { withRetry, type RetryPolicy } from "../node/rpc";
import { createTxSender, retryPolicyOf, type TxSender } from "../node/sender";
import { hubAddressOf, loadNodeKey, type ExecutorConfig } from "./config";
import { Executor } from "./executor";
import { startIntakeServer, type RouteHandler } from "./intake";
import { Journal } from "./journal";
import { ExecutorMetrics } from "./metrics";
import {
  JournalPruner,
  SIGNATURES_ROUTE,
  checkModeSettings,
  cosignRoute,
  defaultChallengeResponder,
  defaultHandlers,
  defaultModePolicy,
  defaultModeWatcher,
  signaturesRoute,
} from "./defaults";
import { StandardHandler } from "./modes/standard";
import type { ModeHandler, ModeSource } from "./types";

/** The execution layer's contracts, as the hub names them. */
export interface ExecutionAddresses {
  executionHub: string;
  nodeRegistry: string;
  scenarioRegistry: string;
  staking: string;
  settlementEngine: string;
  notaryRegistry: string;
  batchCommitments: string;
}

/** What a mode handler (or mode source) is built from. */
export interface HandlerContext {
  provider: Provider;
  /** The node's signing key, connected to `provider` (co-signatures; never send with it: use `sender`). */
  signer: Signer;
  /** The one writer of the node key's transactions. */
  sender: TxSender;
  chainId: bigint;
  /** The node the key signs for. */
  nodeId: bigint;
  addresses: ExecutionAddresses;
  logger: Logger;
  config: ExecutorConfig;
}

export interface RunOptions {
  /** A provider to use instead of `rpcUrl` (e.g. Hardhat's in-process network). */
  provider?: Provider;
  /** A signer to use instead of the configured key (tests). */
  signer?: Signer;
  /**
   * Handlers of the other modes, installed beside the standard one instead of the default ones (lightweight,
   * settlement, and notarized with co-signatures from `config.peers`).
   */
  handlers?: (ctx: HandlerContext) => ModeHandler[];
  /** Where scenario modes are read instead of the default mode watcher (`ModeSwitched` every `modePollMs`). */
  modeSource?: (ctx: HandlerContext) => ModeSource;
  /**
   * More HTTP routes on the job API's server, by exact path (`/cosign`) or pattern (`/a/:id`); they replace default
   * routes of the same path (`POST /cosign`, `GET /lightweight/batches/:batchId/signatures`).
   */
  routes?: (ctx: HandlerContext) => Readonly<Record<string, RouteHandler>>;
  /**
   * Services that run beside the core, instead of the default challenge responder and (for the scenarios in
   * `config.modePolicy`) mode policy: started after the handlers are built and before the loop starts, stopped at
   * shutdown before the journal closes. The default mode watcher and journal pruning run either way.
   */
  companions?: (ctx: HandlerContext & { journal: Journal }) => Companion[];
  logger?: Logger;
  /** Where the node key and keystore password are read (default: `process.env`). */
  env?: Record<string, string | undefined>;
}

/** A service with a lifecycle, run beside the core. */
export interface Companion {
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface ExecutorHandle {
  /** The job API, e.g. `http://127.0.0.1:7300`. */
  apiUrl: string;
  /** /metrics and /healthz. */
  opsUrl: string;
  account: string;
  nodeId: bigint;
  chainId: bigint;
  addresses: ExecutionAddresses;
  executor: Executor;
  journal: Journal;
  metrics: ExecutorMetrics;
  /** Graceful stop: intake first, then work in flight (up to shutdownTimeoutMs), then the journal. */
  close(): Promise<void>;
}

/**
 * Starts an executor: checks the configuration against the chain (chain id, hub, node key), opens the journal,
 * reconciles what an earlier run left open, and serves the job API and the ops endpoints.
 */
export async function runExecutor(config: ExecutorConfig, options: RunOptions = {}): Promise<ExecutorHandle> {
  const logger = options.logger ?? createLogger("executor", config.logLevel);
  const cleanup: (() => Promise<void> | void)[] = [];
  const rpc: RetryPolicy = retryPolicyOf(config);
  try {
    const key = options.signer ?? (await loadNodeKey(config, options.env));
    const hubAddress = hubAddressOf(config);
    let provider: Provider;
    let chainId: bigint;
    if (options.provider) {
      provider = options.provider;
      chainId = (await withRetry(() => provider.getNetwork(), { method: "eth_chainId", policy: rpc })).chainId;
    } else {
      const request = new FetchRequest(config.rpcUrl);
      request.timeout = config.rpcTimeoutMs;
      const network = Network.from(BigInt(config.chainId));
      const jsonRpc = new JsonRpcProvider(request, network, { staticNetwork: network });
      cleanup.push(() => jsonRpc.destroy());
      provider = jsonRpc;
      chainId = BigInt(
        await withRetry(() => jsonRpc.send("eth_chainId", []) as Promise<string>, {
          method: "eth_chainId",
          policy: rpc,
        }),
      );
    }
    if (chainId !== BigInt(config.chainId)) {
      throw new ConfigError(
        "chainId",
        "default",
        "--chain-id",
        `is ${config.chainId} but ${config.rpcUrl} serves chain ${chainId}: point rpcUrl at the right chain.`,
      );
    }
    const code = await withRetry(() => provider.getCode(hubAddress), { method: "eth_getCode", policy: rpc });
    if (code === "0x") {
      throw new ConfigError(
        "executionHub",
        "default",
        hubAddress,
        `has no contract on chain ${chainId}: check the deployment file or executionHub against this chain.`,
      );
    }
    const hub = ExecutionHub__factory.connect(hubAddress, provider);
    const views = await withRetry(
      () =>
        Promise.all([hub.nodes(), hub.scenarios(), hub.staking(), hub.settlement(), hub.notary(), hub.commitments()]),
      { method: "eth_call", policy: rpc },
    );
    const [nodeRegistry, scenarioRegistry, staking, settlementEngine, notaryRegistry, batchCommitments] = views;
    const addresses: ExecutionAddresses = {
      executionHub: hubAddress,
      nodeRegistry,
      scenarioRegistry,
      staking,
      settlementEngine,
      notaryRegistry,
      batchCommitments,
    };
    const signer = key.provider ? key : key.connect(provider);
    const account = await signer.getAddress();
    const nodeId = await withRetry(
      () => NodeRegistry__factory.connect(nodeRegistry, provider).nodeOfSigningKey(account),
      {
        method: "eth_call",
        policy: rpc,
      },
    );
    if (nodeId === 0n) {
      throw new ConfigError(
        "nodeKeyEnv",
        "env",
        config.keystore ?? config.nodeKeyEnv,
        `holds ${account}, which is not the signing key of any node: register the node with this key ` +
          `(or setSigningKey) first, or use the node's key.`,
      );
    }
    const balance = await withRetry(() => provider.getBalance(account), { method: "eth_getBalance", policy: rpc });
    if (balance === 0n) logger.warn({ account }, "the node key holds no ETH: it cannot pay for gas until funded");

    const journal = new Journal(config.journal);
    cleanup.push(() => journal.close());
    journal.bind({ chainId: chainId.toString(), executionHub: hubAddress, account });
    const metrics = new ExecutorMetrics(journal);
    const sender = createTxSender(config, {
      provider,
      signer,
      chainId,
      pollIntervalMs: config.pollIntervalMs,
      confirmations: config.confirmations,
      hooks: metrics.senderHooks(),
      logger,
    });
    const ctx: HandlerContext = { provider, signer, sender, chainId, nodeId, addresses, logger, config };
    const { retentionSeconds } = await checkModeSettings(ctx, rpc);
    const handlers: ModeHandler[] = [
      new StandardHandler(hub, { hubAddress, chainId }),
      ...(options.handlers ? options.handlers(ctx) : defaultHandlers(ctx)),
    ];
    const companions: Companion[] = [];
    let modes: ModeSource;
    if (options.modeSource) modes = options.modeSource(ctx);
    else {
      const watcher = defaultModeWatcher(ctx);
      companions.push({
        // Its first read (the block it follows switches from) is retried like the other start-up reads.
        start: () => withRetry(() => watcher.start(), { method: "eth_blockNumber", policy: rpc }),
        stop: () => watcher.stop(),
      });
      modes = watcher;
    }
    if (options.companions) companions.push(...options.companions({ ...ctx, journal }));
    else {
      companions.push(defaultChallengeResponder(ctx, journal));
      const policy = defaultModePolicy(ctx, journal, modes, account);
      if (policy) companions.push(policy);
    }
    companions.push(
      new JournalPruner(journal, {
        retentionSeconds,
        intervalMs: config.pruneIntervalMs,
        limit: config.pruneBatchLimit,
        logger,
      }),
    );
    for (const companion of companions) {
      await companion.start();
      cleanup.push(() => companion.stop());
    }
    const executor = new Executor({
      journal,
      sender,
      handlers,
      modes,
      metrics,
      logger,
      settings: {
        maxBatchSize: config.maxBatchSize,
        maxBatchAgeMs: config.maxBatchAgeMs,
        maxInFlightBatches: config.maxInFlightBatches,
        queueTimeoutMs: config.queueTimeoutMs,
        tickMs: Math.max(10, Math.min(config.pollIntervalMs, 500)),
        maxBatchAttempts: config.maxBatchAttempts,
        retry: { baseDelayMs: Math.max(config.pollIntervalMs, 250), maxDelayMs: 30_000 },
        rpc,
      },
    });
    executor.start();
    cleanup.push(() => executor.close(0));
    const intake = await startIntakeServer({
      host: config.httpHost,
      port: config.httpPort,
      service: executor,
      maxRequestBytes: config.maxRequestBytes,
      maxJobsPerRequest: config.maxJobsPerRequest,
      logger,
      routes: {
        "/cosign": cosignRoute(ctx),
        [SIGNATURES_ROUTE]: signaturesRoute(journal),
        ...options.routes?.(ctx),
      },
    });
    cleanup.push(() => intake.close());
    const ops = await startOpsServer({
      host: config.opsHost,
      port: config.opsPort,
      registry: metrics.registry,
      health: async () => {
        const h = executor.health();
        return { ok: h.ok, details: { ...h.details, account, nodeId, chainId } };
      },
    });
    logger.info(
      { api: intake.url, ops: ops.url, account, nodeId: nodeId.toString(), chainId: chainId.toString(), hubAddress },
      "executor ready",
    );
    let closing: Promise<void> | undefined;
    return {
      apiUrl: intake.url,
      opsUrl: ops.url,
      account,
      nodeId,
      chainId,
      addresses,
      executor,
      journal,
      metrics,
      close: () =>
        (closing ??= (async () => {
          logger.info("executor stopping");
          await intake.close();
          await executor.close(config.shutdownTimeoutMs);
          for (const companion of [...companions].reverse()) await companion.stop();
          await ops.close();
          journal.close();
          if (!options.provider) (provider as JsonRpcProvider).destroy();
          logger.info("executor stopped");
        })()),
    };
  } catch (error) {
    for (const undo of cleanup.reverse()) await undo();
    throw error;
  }
}
