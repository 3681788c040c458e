import path from "node:path";
import {
  isError,
  JsonRpcProvider,
  Network,
  type ContractTransactionResponse,
  type TransactionReceipt,
  type Wallet,
} from "ethers";
import { z } from "zod";
import { cfg, ConfigError, loadConfig } from "../node/config";
import { connectSuite, type Suite } from "../sdk/economy";
import { defaultDeploymentDir, readDeployment, type LoadedDeployment } from "./deployment";
import { ChainError, chainErrorOf, UsageError } from "./errors";
import { Output, type CliIO } from "./io";
import { addressOfSource, keySource, walletOfSource, type KeySource } from "./keys";
import { parseAddress } from "./parse";

/** The RPC endpoint used when none is configured: a local `npx hardhat node`. */
export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

/** Options every command takes (commander's parsed global options). */
export interface GlobalOptions {
  rpcUrl?: string;
  deployment?: string;
  keystore?: string;
  config?: string;
  json?: boolean;
}

/**
 * The CLI's settings, one place for all of them: flags > environment (ERA_RPC_URL, ERA_DEPLOYMENT, ERA_KEYSTORE) >
 * a JSON file given with --config > defaults. The signing key is deliberately not a setting (see keys.ts).
 */
const settingsSchema = z.object({
  rpcUrl: cfg
    .url()
    .refine((v) => /^https?:\/\//.test(v), "must be an http(s):// URL (the CLI speaks JSON-RPC over HTTP)")
    .default(DEFAULT_RPC_URL),
  deployment: z.string().min(1, "must not be empty").optional(),
  keystore: z.string().min(1, "must not be empty").optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** Connected chain: the provider and the chain id it answered with. */
export interface Chain {
  url: string;
  chainId: bigint;
  provider: JsonRpcProvider;
}

/** How long to wait for a sent transaction to be mined before giving up on it (it may still be mined later). */
const MINING_TIMEOUT_MS = 10 * 60_000;

/** How long to wait for the RPC endpoint's first answer before giving up. */
const PROBE_TIMEOUT_MS = 10_000;

async function probeChainId(url: string): Promise<bigint> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch (e) {
    const { cause } = e as { cause?: { code?: string; message?: string } };
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    throw new ChainError(
      `Cannot reach the chain's RPC endpoint at ${url} (${why}).`,
      "Start a node (npx hardhat node), or pass the right URL with --rpc or ERA_RPC_URL.",
    );
  }
  const body = (await response.json().catch(() => undefined)) as { result?: unknown } | undefined;
  if (!response.ok || typeof body?.result !== "string") {
    throw new ChainError(
      `The endpoint at ${url} did not answer eth_chainId as a JSON-RPC node would (HTTP ${response.status}).`,
      "Check the URL given with --rpc or ERA_RPC_URL.",
    );
  }
  return BigInt(body.result);
}

/** One invocation's view of the world: settings, output, chain, deployment and key, each loaded when first used. */
export class Context {
  readonly out: Output;
  readonly settings: Settings;
  readonly keys: KeySource;
  /** Hashes of the transactions this invocation sent, in order. */
  readonly transactions: string[] = [];
  private chainPromise?: Promise<Chain>;
  private walletPromise?: Promise<Wallet>;
  private deploymentPromise?: Promise<LoadedDeployment>;

  constructor(
    readonly io: CliIO,
    options: GlobalOptions,
  ) {
    this.out = new Output(io, Boolean(options.json));
    try {
      this.settings = loadConfig(settingsSchema, {
        name: "era",
        envPrefix: "ERA",
        file: options.config === undefined ? undefined : this.resolvePath(options.config),
        flags: { rpcUrl: options.rpcUrl, deployment: options.deployment, keystore: options.keystore },
        env: io.env,
      });
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(e.message);
      throw e;
    }
    const keystoreFlag = options.keystore === undefined ? undefined : this.resolvePath(options.keystore);
    const keystoreSetting = this.settings.keystore === undefined ? undefined : this.resolvePath(this.settings.keystore);
    this.keys = keySource(io, keystoreFlag, keystoreSetting);
  }

  /** A path the user gave, resolved against the working directory. */
  resolvePath(p: string): string {
    return path.resolve(this.io.cwd, p);
  }

  /** The chain at the configured RPC URL (probed once, with a clear error when it does not answer). */
  chain(): Promise<Chain> {
    this.chainPromise ??= (async () => {
      const url = this.settings.rpcUrl;
      const chainId = await probeChainId(url);
      const provider = new JsonRpcProvider(url, Network.from(chainId), {
        staticNetwork: true,
        pollingInterval: 250,
        cacheTimeout: -1,
      });
      return { url, chainId, provider };
    })();
    return this.chainPromise;
  }

  /** The deployment folder: --deployment / ERA_DEPLOYMENT, else deploy/deployments/chain-<chainId>. */
  async deploymentLocation(): Promise<{ location: string; how: string }> {
    if (this.settings.deployment !== undefined) {
      return { location: this.resolvePath(this.settings.deployment), how: "given with --deployment or ERA_DEPLOYMENT" };
    }
    const { chainId } = await this.chain();
    return { location: defaultDeploymentDir(chainId), how: `the default for chain ${chainId}` };
  }

  /** The addresses of the deployment, checked against the chain (the token must have code there). */
  deployment(): Promise<LoadedDeployment> {
    this.deploymentPromise ??= this.loadDeployment();
    return this.deploymentPromise;
  }

  private async loadDeployment(): Promise<LoadedDeployment> {
    const { location, how } = await this.deploymentLocation();
    const loaded = readDeployment(location, how);
    const { provider, chainId, url } = await this.chain();
    const code = await provider.getCode(loaded.addresses.token).catch((e: unknown) => {
      throw chainErrorOf(e);
    });
    if (code === "0x") {
      throw new UsageError(
        `The deployment in ${loaded.file} does not match the chain at ${url} (chain ${chainId}): there is no ` +
          `contract at its token address ${loaded.addresses.token}.`,
        `Deploy the suite to this chain with "era deploy", or point --deployment and --rpc at a matching pair.`,
      );
    }
    return loaded;
  }

  /** The suite, connected for reading. */
  async suite(): Promise<Suite> {
    const [{ addresses }, { provider }] = await Promise.all([this.deployment(), this.chain()]);
    return connectSuite(addresses, provider);
  }

  /** The signing wallet, connected to the chain. Fails with a usage error when no key is configured. */
  wallet(): Promise<Wallet> {
    this.walletPromise ??= (async () => {
      const wallet = await walletOfSource(this.io, this.keys);
      const { provider } = await this.chain();
      return wallet.connect(provider);
    })();
    return this.walletPromise;
  }

  /** The suite, connected to the signing wallet, and the wallet. */
  async signingSuite(): Promise<{ suite: Suite; wallet: Wallet }> {
    const wallet = await this.wallet();
    const { addresses } = await this.deployment();
    return { suite: connectSuite(addresses, wallet), wallet };
  }

  /**
   * The account a read command is about: the one given (--account), else the key's (read without decrypting a
   * keystore). Fails with a usage error naming both ways when there is neither.
   */
  account(given?: string): string {
    if (given !== undefined) return parseAddress(given, "account");
    const own = addressOfSource(this.io, this.keys);
    if (own === undefined) {
      throw new UsageError(
        "Which account? No --account was given and no key is configured.",
        "Pass --account <address>, or configure your key (ERA_PRIVATE_KEY or --keystore).",
      );
    }
    return own;
  }

  /** The latest block's timestamp. */
  async now(): Promise<bigint> {
    const { provider } = await this.chain();
    const block = await provider.getBlock("latest");
    return BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
  }

  /**
   * Sends a transaction and waits for it to be mined. The transaction is simulated first (gas estimation), so a
   * call the contract would refuse fails here with its decoded reason and nothing is sent.
   */
  async send(what: string, sending: () => Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
    this.out.progress(`• ${what}`);
    let tx: ContractTransactionResponse;
    try {
      tx = await sending();
    } catch (e) {
      throw chainErrorOf(e);
    }
    this.out.progress(`  sent ${tx.hash}, waiting for it to be mined …`);
    let receipt: TransactionReceipt | null;
    try {
      receipt = await tx.wait(1, MINING_TIMEOUT_MS);
    } catch (e) {
      if (isError(e, "TIMEOUT")) {
        throw new ChainError(
          `The transaction ${tx.hash} (${what}) was not mined within ${MINING_TIMEOUT_MS / 60_000} minutes.`,
          "It may still be mined: look it up in a block explorer before sending it again.",
        );
      }
      throw chainErrorOf(e);
    }
    if (receipt === null || receipt.status !== 1) {
      throw new ChainError(`The transaction ${tx.hash} (${what}) failed on chain.`, "See it in a block explorer.");
    }
    this.transactions.push(receipt.hash);
    this.out.progress(`  mined in block ${receipt.blockNumber}`);
    return receipt;
  }

  /** Releases the connection (timers of the provider), so the process can end. */
  close(): void {
    if (this.chainPromise) {
      this.chainPromise.then((c) => c.provider.destroy()).catch(() => undefined);
    }
  }
}
