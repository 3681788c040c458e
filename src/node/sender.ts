import { setTimeout as sleep } from "node:timers/promises";
import { Transaction, parseUnits, type Provider, type Signer, type TransactionReceipt } from "ethers";
import { decodeContractError, describeError } from "../sdk/errors";
import type { Logger } from "./logger";
import { RpcUnavailableError, classifyRpcError, withRetry, type RetryPolicy, type RpcFailure } from "./rpc";
import type { TxRequest, TxSubmitter } from "./types";

/**
 * The one writer of a (chain, key): it owns the key's nonces, simulates every transaction before sending it, prices
 * it (EIP-1559), sends it, resubmits it with bumped fees while it is stuck, and resolves with the receipt once mined.
 *
 * Nonces: the next nonce is read from the chain (`pending`) at the first send and again after any nonce error, and
 * only one transaction is signed and broadcast at a time, so nonces never leave a gap. Transactions then confirm
 * concurrently. Every signed version of a transaction is handed to `onSigned` before it is broadcast, so a caller
 * can journal its hash first and, after a crash, ask `resume` to pick it up again.
 */

export interface SenderHooks {
  /** A JSON-RPC request failed (`failure` tells how; reverts are not counted). */
  rpcError?(method: string, failure: RpcFailure): void;
  /** A transaction was mined (successfully or not). */
  mined?(label: string, gasUsed: bigint, latencySeconds: number): void;
  /** A stuck transaction was resubmitted with higher fees. */
  feeBumped?(label: string): void;
}

export interface TxSenderOptions {
  provider: Provider;
  signer: Signer;
  /** The chain the key signs for (EIP-155). */
  chainId: bigint;
  /** Gas limit = estimate × (1 + buffer/100). */
  gasBufferPercent: number;
  /** Most gas one transaction may use (the per-transaction cap: 16,777,216 on Osaka chains). */
  maxGasPerTx: bigint;
  /** Each resubmission raises both fees by at least this much (≥ 12.5, what nodes require to replace). */
  feeBumpPercent: number;
  /** Never pay more than this per gas (wei). */
  maxFeePerGas: bigint;
  /** A transaction not mined after this long is resubmitted with bumped fees. */
  stuckAfterMs: number;
  /** How often to look for receipts. */
  pollIntervalMs: number;
  /** Blocks a receipt must be buried under (1: mined). */
  confirmations: number;
  /** Retries of transient RPC failures. */
  retry: RetryPolicy;
  hooks?: SenderHooks;
  logger?: Logger;
}

/** One signed version of a transaction. */
export interface SignedTx {
  hash: string;
  nonce: number;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface SubmitOptions {
  /** Called with every signed version before it is broadcast (journal its hash here). */
  onSigned?(tx: SignedTx): void | Promise<void>;
  /** Aborts waiting (the transaction may still be mined later). */
  signal?: AbortSignal;
}

/** A transaction reverted (on chain, or in simulation) without one of the suite's custom errors. */
export class TransactionRevertedError extends Error {
  override readonly name = "TransactionRevertedError";
  constructor(
    readonly label: string,
    readonly reason: string,
    /** The mined transaction, when it reverted on chain. */
    readonly hash?: string,
  ) {
    super(`The ${label} transaction ${hash ? `${hash} reverted on chain` : "would revert"}: ${reason}`);
  }
}

/** The transaction needs more gas than one transaction may use. */
export class GasCapError extends Error {
  override readonly name = "GasCapError";
  constructor(
    readonly label: string,
    readonly estimate: bigint,
    readonly cap: bigint,
  ) {
    super(
      `The ${label} transaction needs ${estimate} gas, more than the ${cap} one transaction may use. ` +
        `Send less per transaction (lower maxBatchSize).`,
    );
  }
}

/** The account cannot pay for gas. */
export class InsufficientFundsError extends Error {
  override readonly name = "InsufficientFundsError";
  constructor(readonly account: string) {
    super(`The node key ${account} has too little ETH to pay for gas. Send ETH to it; the work waits and resumes.`);
  }
}

/** The key's nonce was used by a transaction this sender did not sign. */
export class NonceConsumedError extends Error {
  override readonly name = "NonceConsumedError";
  constructor(
    readonly account: string,
    readonly nonce: number,
  ) {
    super(
      `Nonce ${nonce} of ${account} was used by a transaction this executor did not send. ` +
        `Is another process signing with the same key? Give each process its own key.`,
    );
  }
}

interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** A transaction on its way: every version signed for its nonce. */
interface Flight {
  req: TxRequest;
  nonce: number;
  gasLimit: bigint;
  versions: SignedTx[];
  /** The fees of the last version tried (accepted or not): the floor of the next bump. */
  floor: Fees;
  firstSentAt: number;
  lastSentAt: number;
}

type BroadcastOutcome = "sent" | "nonce-too-low" | "underpriced";

export class TxSender implements TxSubmitter {
  private address?: string;
  /** The next nonce to sign with; undefined: read it from the chain first. */
  private next?: number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TxSenderOptions) {
    if (options.feeBumpPercent < 12.5) {
      throw new RangeError(`feeBumpPercent must be at least 12.5 (nodes refuse smaller replacements).`);
    }
  }

  /** The sending account. */
  async account(): Promise<string> {
    this.address ??= await this.options.signer.getAddress();
    return this.address;
  }

  /** Simulates, prices, signs, sends and waits: the receipt of the mined transaction, or a typed error. */
  async submit(req: TxRequest, opts: SubmitOptions = {}): Promise<TransactionReceipt> {
    const gasLimit = await this.gasLimitFor(req, opts.signal);
    const flight = await this.exclusive(() => this.sendNew(req, gasLimit, opts));
    return this.track(flight, opts);
  }

  /**
   * Picks up a transaction an earlier run signed (hashes from its journal): returns the receipt of a version mined
   * successfully, waits for (and bumps) a version still pending, or returns undefined when none can still land
   * successfully (unknown to the node, or mined and reverted).
   */
  async resume(
    label: string,
    versions: readonly { hash: string; nonce: number }[],
    opts: SubmitOptions = {},
  ): Promise<TransactionReceipt | undefined> {
    for (const v of [...versions].reverse()) {
      const receipt = await this.rpc("eth_getTransactionReceipt", () =>
        this.options.provider.getTransactionReceipt(v.hash),
      );
      if (receipt) {
        if (receipt.status === 1) return receipt;
        continue;
      }
      const tx = await this.rpc("eth_getTransactionByHash", () => this.options.provider.getTransaction(v.hash));
      if (!tx || tx.blockNumber !== null || tx.to === null) continue;
      const fees = { maxFeePerGas: tx.maxFeePerGas ?? 0n, maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? 0n };
      const now = Date.now();
      const flight: Flight = {
        req: { to: tx.to, data: tx.data, value: tx.value, label },
        nonce: tx.nonce,
        gasLimit: tx.gasLimit,
        versions: versions.filter((w) => w.nonce === tx.nonce).map((w) => ({ ...w, ...fees })),
        floor: fees,
        firstSentAt: now,
        lastSentAt: now,
      };
      this.options.logger?.info({ label, hash: v.hash, nonce: tx.nonce }, "resuming a pending transaction");
      return this.track(flight, opts);
    }
    return undefined;
  }

  /** Whether none of these transactions can be mined any more (each is mined, or its nonce is used). */
  async settled(versions: readonly { hash: string; nonce: number }[]): Promise<boolean> {
    if (versions.length === 0) return true;
    const used = await this.nonceAt("latest");
    for (const v of versions) {
      if (v.nonce < used) continue;
      const receipt = await this.rpc("eth_getTransactionReceipt", () =>
        this.options.provider.getTransactionReceipt(v.hash),
      );
      if (!receipt) return false;
    }
    return true;
  }

  /**
   * Makes sure signed transactions that the node does not hold (signed, then never broadcast, or dropped) can never
   * be mined later: when the lowest such nonce is the key's next one, a no-op (0-value transfer to itself) takes it.
   * Does nothing while one of them is pending (it will be mined or replaced) or when their nonces are used already.
   */
  async retire(versions: readonly { hash: string; nonce: number }[], signal?: AbortSignal): Promise<void> {
    const used = await this.nonceAt("latest", signal);
    const open = versions.filter((v) => v.nonce >= used);
    if (open.length === 0) return;
    for (const v of open) {
      if (await this.rpc("eth_getTransactionByHash", () => this.options.provider.getTransaction(v.hash), signal))
        return;
    }
    const nonce = Math.min(...open.map((v) => v.nonce));
    const account = await this.account();
    await this.exclusive(async () => {
      this.next ??= await this.nonceAt("pending", signal);
      if (this.next !== nonce) return;
      const req: TxRequest = { to: account, data: "0x", label: "retire-nonce" };
      const tx = await this.sign(req, nonce, 21_000n, await this.marketFees(signal));
      if ((await this.broadcast(tx.raw, tx.signed.hash, signal)) === "sent") this.next = nonce + 1;
      else this.next = undefined;
      this.options.logger?.info({ nonce, hash: tx.signed.hash }, "nonce of an unsent transaction retired");
    });
  }

  /** The first successful receipt among these transactions, if any. */
  async receiptOf(versions: readonly { hash: string }[]): Promise<TransactionReceipt | undefined> {
    for (const v of versions) {
      const receipt = await this.rpc("eth_getTransactionReceipt", () =>
        this.options.provider.getTransactionReceipt(v.hash),
      );
      if (receipt?.status === 1) return receipt;
    }
    return undefined;
  }

  /** Forgets the cached nonce: the next send reads it from the chain. */
  resync(): void {
    this.next = undefined;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Simulation and pricing
  // -------------------------------------------------------------------------------------------------------------

  /** Simulates `req` (eth_estimateGas) and returns the gas limit to send it with. */
  async gasLimitFor(req: TxRequest, signal?: AbortSignal): Promise<bigint> {
    const from = await this.account();
    let estimate: bigint;
    try {
      estimate = await this.rpc(
        "eth_estimateGas",
        () => this.options.provider.estimateGas({ from, to: req.to, data: req.data, value: req.value ?? 0n }),
        signal,
      );
    } catch (error) {
      throw this.revertError(req.label, error);
    }
    if (estimate > this.options.maxGasPerTx) throw new GasCapError(req.label, estimate, this.options.maxGasPerTx);
    const buffered = (estimate * BigInt(Math.round(100 * (100 + this.options.gasBufferPercent)))) / 10_000n;
    return buffered < this.options.maxGasPerTx ? buffered : this.options.maxGasPerTx;
  }

  private revertError(label: string, error: unknown, hash?: string): Error {
    if (classifyRpcError(error) !== "revert") return error instanceof Error ? error : new Error(String(error));
    return decodeContractError(error) ?? new TransactionRevertedError(label, describeError(error), hash);
  }

  private async marketFees(signal?: AbortSignal): Promise<Fees> {
    const data = await this.rpc("eth_feeHistory", () => this.options.provider.getFeeData(), signal);
    const cap = this.options.maxFeePerGas;
    let maxFeePerGas = data.maxFeePerGas ?? data.gasPrice ?? cap;
    let maxPriorityFeePerGas = data.maxPriorityFeePerGas ?? 0n;
    if (maxFeePerGas > cap) maxFeePerGas = cap;
    if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  private bumped(value: bigint): bigint {
    const bps = BigInt(Math.round(this.options.feeBumpPercent * 100));
    return (value * (10_000n + bps) + 9_999n) / 10_000n;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Sending
  // -------------------------------------------------------------------------------------------------------------

  /** Runs `fn` with the key to itself (one signer-and-broadcaster at a time). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async nonceAt(tag: "latest" | "pending", signal?: AbortSignal): Promise<number> {
    const account = await this.account();
    return this.rpc(
      `eth_getTransactionCount(${tag})`,
      () => this.options.provider.getTransactionCount(account, tag),
      signal,
    );
  }

  private async sendNew(req: TxRequest, gasLimit: bigint, opts: SubmitOptions): Promise<Flight> {
    for (let round = 1; ; round++) {
      this.next ??= await this.nonceAt("pending", opts.signal);
      const nonce = this.next;
      const fees = await this.marketFees(opts.signal);
      const tx = await this.sign(req, nonce, gasLimit, fees);
      await opts.onSigned?.(tx.signed);
      let outcome: BroadcastOutcome;
      try {
        outcome = await this.broadcast(tx.raw, tx.signed.hash, opts.signal);
      } catch (error) {
        this.next = undefined;
        throw error;
      }
      if (outcome === "sent") {
        this.next = nonce + 1;
        const now = Date.now();
        this.options.logger?.debug({ label: req.label, hash: tx.signed.hash, nonce }, "transaction sent");
        return { req, nonce, gasLimit, versions: [tx.signed], floor: fees, firstSentAt: now, lastSentAt: now };
      }
      // The nonce is taken (mined, or pending from elsewhere): read it again and sign anew.
      this.next = undefined;
      this.options.logger?.warn({ label: req.label, nonce, outcome }, "nonce taken; reading the nonce again");
      if (round >= 5) throw new NonceConsumedError(await this.account(), nonce);
    }
  }

  private async sign(
    req: TxRequest,
    nonce: number,
    gasLimit: bigint,
    fees: Fees,
  ): Promise<{ raw: string; signed: SignedTx }> {
    const raw = await this.options.signer.signTransaction({
      type: 2,
      chainId: this.options.chainId,
      nonce,
      to: req.to,
      data: req.data,
      value: req.value ?? 0n,
      gasLimit,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    const hash = Transaction.from(raw).hash;
    if (!hash) throw new Error("The signer returned an unsigned transaction.");
    return { raw, signed: { hash, nonce, ...fees } };
  }

  /**
   * Broadcasts a signed transaction, retrying transient failures with the same bytes (so a retry can never send a
   * second transaction). A failure after which the node turns out to hold the transaction counts as sent.
   */
  private async broadcast(raw: string, hash: string, signal?: AbortSignal): Promise<BroadcastOutcome> {
    try {
      await this.rpc("eth_sendRawTransaction", () => this.options.provider.broadcastTransaction(raw), signal);
      return "sent";
    } catch (error) {
      const failure = classifyRpcError(error);
      if (failure === "already-known") return "sent";
      if (failure === "insufficient-funds") throw new InsufficientFundsError(await this.account());
      if (failure === "nonce-too-low" || failure === "underpriced" || failure === "transient") {
        // An earlier try may have reached the node although its answer was lost.
        const known = await this.rpc("eth_getTransactionByHash", () => this.options.provider.getTransaction(hash));
        if (known) return "sent";
        if (failure !== "transient") return failure;
      }
      throw error;
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Waiting
  // -------------------------------------------------------------------------------------------------------------

  private async track(flight: Flight, opts: SubmitOptions): Promise<TransactionReceipt> {
    const { pollIntervalMs, stuckAfterMs } = this.options;
    let consumedAt: number | undefined;
    for (;;) {
      let receipt: TransactionReceipt | null | undefined;
      try {
        receipt = await this.findReceipt(flight, opts.signal);
        if (!receipt && Date.now() - flight.lastSentAt >= stuckAfterMs) {
          if ((await this.nonceAt("latest", opts.signal)) > flight.nonce) {
            consumedAt ??= Date.now();
            if (Date.now() - consumedAt > 5 * pollIntervalMs) {
              throw new NonceConsumedError(await this.account(), flight.nonce);
            }
          } else {
            await this.bump(flight, opts).catch((error: unknown) => {
              if (opts.signal?.aborted) throw error;
              this.options.logger?.warn({ label: flight.req.label, err: error }, "fee bump failed; still waiting");
            });
          }
        }
      } catch (error) {
        if (!(error instanceof RpcUnavailableError) && classifyRpcError(error) !== "transient") throw error;
        this.options.logger?.warn({ label: flight.req.label, err: error }, "still waiting for a receipt");
      }
      if (receipt) return this.finish(flight, receipt, opts.signal);
      await sleep(pollIntervalMs, undefined, { signal: opts.signal });
    }
  }

  private async findReceipt(flight: Flight, signal?: AbortSignal): Promise<TransactionReceipt | null> {
    for (const v of [...flight.versions].reverse()) {
      const receipt = await this.rpc(
        "eth_getTransactionReceipt",
        () => this.options.provider.getTransactionReceipt(v.hash),
        signal,
      );
      if (receipt) return receipt;
    }
    return null;
  }

  private async finish(flight: Flight, receipt: TransactionReceipt, signal?: AbortSignal): Promise<TransactionReceipt> {
    const target = receipt.blockNumber + this.options.confirmations - 1;
    while ((await this.rpc("eth_blockNumber", () => this.options.provider.getBlockNumber(), signal)) < target) {
      await sleep(this.options.pollIntervalMs, undefined, { signal });
    }
    const latency = (Date.now() - flight.firstSentAt) / 1000;
    this.options.hooks?.mined?.(flight.req.label, receipt.gasUsed, latency);
    if (receipt.status === 1) return receipt;
    // Find out why: the same call, simulated now, usually reverts the same way.
    const from = await this.account();
    try {
      await this.options.provider.estimateGas({
        from,
        to: flight.req.to,
        data: flight.req.data,
        value: flight.req.value,
      });
    } catch (error) {
      throw this.revertError(flight.req.label, error, receipt.hash);
    }
    throw new TransactionRevertedError(
      flight.req.label,
      "it reverted when mined, though the same call succeeds now (the state it depended on changed)",
      receipt.hash,
    );
  }

  /** Resubmits a stuck transaction with the same nonce and fees raised by at least `feeBumpPercent`, under the cap. */
  private async bump(flight: Flight, opts: SubmitOptions): Promise<void> {
    const market = await this.marketFees(opts.signal);
    const least = {
      maxFeePerGas: this.bumped(flight.floor.maxFeePerGas),
      maxPriorityFeePerGas: this.bumped(flight.floor.maxPriorityFeePerGas),
    };
    const maxFeePerGas = least.maxFeePerGas > market.maxFeePerGas ? least.maxFeePerGas : market.maxFeePerGas;
    const wantPriority =
      least.maxPriorityFeePerGas > market.maxPriorityFeePerGas
        ? least.maxPriorityFeePerGas
        : market.maxPriorityFeePerGas;
    flight.lastSentAt = Date.now();
    if (least.maxFeePerGas > this.options.maxFeePerGas || least.maxPriorityFeePerGas > least.maxFeePerGas) {
      this.options.logger?.warn(
        { label: flight.req.label, nonce: flight.nonce, cap: this.options.maxFeePerGas.toString() },
        "transaction stuck and its fee cannot be raised under maxFeePerGas; waiting",
      );
      return;
    }
    const fees: Fees = {
      maxFeePerGas: maxFeePerGas > this.options.maxFeePerGas ? this.options.maxFeePerGas : maxFeePerGas,
      maxPriorityFeePerGas: wantPriority,
    };
    if (fees.maxPriorityFeePerGas > fees.maxFeePerGas) fees.maxPriorityFeePerGas = fees.maxFeePerGas;
    const tx = await this.sign(flight.req, flight.nonce, flight.gasLimit, fees);
    await opts.onSigned?.(tx.signed);
    flight.floor = fees;
    const outcome = await this.exclusive(() => this.broadcast(tx.raw, tx.signed.hash, opts.signal));
    if (outcome === "sent") {
      flight.versions.push(tx.signed);
      this.options.hooks?.feeBumped?.(flight.req.label);
      this.options.logger?.info(
        {
          label: flight.req.label,
          nonce: flight.nonce,
          hash: tx.signed.hash,
          maxFeePerGas: fees.maxFeePerGas.toString(),
        },
        "stuck transaction resubmitted with higher fees",
      );
    }
  }

  private rpc<T>(method: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry(fn, {
      method,
      policy: this.options.retry,
      signal,
      onError: (m, failure) => {
        if (failure !== "revert") this.options.hooks?.rpcError?.(m, failure);
      },
    });
  }
}

/**
 * The settings a `TxSender` is made from: the executor's configuration has them, and `senderSettings`
 * (`node/settings.ts`) adds them to the verifier's and the indexer's.
 */
export interface SenderSettings {
  gasBufferPercent: number;
  maxGasPerTx: number;
  feeBumpPercent: number;
  maxFeePerGasGwei: number;
  stuckAfterMs: number;
  rpcRetries: number;
  rpcRetryBaseMs: number;
  rpcRetryMaxMs: number;
}

/** The retry policy of a process's RPC requests, from its settings. */
export function retryPolicyOf(s: Pick<SenderSettings, "rpcRetries" | "rpcRetryBaseMs" | "rpcRetryMaxMs">): RetryPolicy {
  return { attempts: s.rpcRetries, baseDelayMs: s.rpcRetryBaseMs, maxDelayMs: s.rpcRetryMaxMs };
}

/** What a `TxSender` needs besides its settings. */
export interface SenderParts {
  provider: Provider;
  /** The sending key (connected to `provider` here if it is not connected). */
  signer: Signer;
  chainId: bigint;
  /** How often receipts are looked for. */
  pollIntervalMs: number;
  /** Blocks a receipt must be buried under (1: mined). */
  confirmations: number;
  hooks?: SenderHooks;
  logger?: Logger;
}

/** The one writer of (chain, key) of a node process, built from its settings. */
export function createTxSender(settings: SenderSettings, parts: SenderParts): TxSender {
  return new TxSender({
    ...parts,
    signer: parts.signer.provider ? parts.signer : parts.signer.connect(parts.provider),
    gasBufferPercent: settings.gasBufferPercent,
    maxGasPerTx: BigInt(settings.maxGasPerTx),
    feeBumpPercent: settings.feeBumpPercent,
    maxFeePerGas: parseUnits(settings.maxFeePerGasGwei.toFixed(9), "gwei"),
    stuckAfterMs: settings.stuckAfterMs,
    retry: retryPolicyOf(settings),
  });
}
