import { getBytes, type HDNodeWallet, type TypedDataField } from "ethers";
import type { BrowserContext, Page } from "playwright-core";

/**
 * A wallet for the browser tests: injected into the page as an EIP-6963 provider (and announced the way extension
 * wallets do), it forwards reads to the Hardhat node and signs with a Hardhat account held here in Node, through a
 * function the page calls (`page.exposeFunction`). The test steers it: which chain it is on, whether it can sign
 * typed data, a request the "user" rejects, something to do while the "user" looks at a signature request.
 */

export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

type Reply = { result: unknown } | { error: RpcError };

/** The EIP-6963 info the wallet announces. */
export const TEST_WALLET_INFO = {
  uuid: "1f7b7c5e-7e0b-4a2f-9a53-era0test0001",
  name: "ERA Test Wallet",
  // A 1×1 PNG: EIP-6963 icons are data URIs.
  icon: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk+A8AAQUBAScY42YAAAAASUVORK5CYII=",
  rdns: "org.era.test-wallet",
};

const BRIDGE = "__eraTestWallet";
const EMIT = "__eraTestWalletEmit";

/** Runs in the page before any of its scripts: the EIP-1193 provider and its EIP-6963 announcement. */
function pageScript(args: { info: typeof TEST_WALLET_INFO; bridge: string; emit: string }) {
  type Listener = (payload: unknown) => void;
  const w = window as unknown as Record<string, unknown>;
  const call = w[args.bridge] as (method: string, params: unknown) => Promise<Reply>;
  const listeners = new Map<string, Set<Listener>>();
  const provider = {
    async request(request: { method: string; params?: unknown }) {
      const reply = await call(request.method, request.params ?? []);
      if ("error" in reply) {
        const error = new Error(reply.error.message) as Error & { code: number; data?: unknown };
        error.code = reply.error.code;
        error.data = reply.error.data;
        throw error;
      }
      return reply.result;
    },
    on(event: string, listener: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)?.add(listener);
      return provider;
    },
    removeListener(event: string, listener: Listener) {
      listeners.get(event)?.delete(listener);
      return provider;
    },
  };
  w[args.emit] = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  const announce = () =>
    window.dispatchEvent(
      new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info: args.info, provider }) }),
    );
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
}

export interface TestWalletOptions {
  /** The chain the wallet starts on (default: the node's). */
  chainId?: number;
  /** Whether it answers eth_signTypedData_v4 (default true); when false it answers 4200 Unsupported Method. */
  signsTypedData?: boolean;
}

export class TestWallet {
  /** The chain the wallet says it is on. */
  chainId: number;
  signsTypedData: boolean;
  /** Methods in the order the page called them. */
  readonly calls: string[] = [];
  private connected = false;
  private rejectNext = new Set<string>();
  private beforeSign: (() => Promise<void>) | undefined;
  private page: Page | undefined;

  constructor(
    readonly account: HDNodeWallet,
    readonly rpcUrl: string,
    readonly nodeChainId: number,
    options: TestWalletOptions = {},
  ) {
    this.chainId = options.chainId ?? nodeChainId;
    this.signsTypedData = options.signsTypedData ?? true;
  }

  get address(): string {
    return this.account.address;
  }

  /** Installs the wallet in every page of `context`; call before the page loads. */
  async install(context: BrowserContext): Promise<void> {
    await context.exposeFunction(BRIDGE, (method: string, params: unknown) => this.handle(method, params));
    await context.addInitScript(pageScript, { info: TEST_WALLET_INFO, bridge: BRIDGE, emit: EMIT });
  }

  /** The page whose listeners get the wallet's events. */
  attach(page: Page): void {
    this.page = page;
  }

  /** The user refuses the next call of `method` (EIP-1193 code 4001). */
  rejectNextCall(method: string): void {
    this.rejectNext.add(method);
  }

  /** Runs `action` while the next signature request (typed data) is "open", before it is answered. */
  duringNextSignature(action: () => Promise<void>): void {
    this.beforeSign = action;
  }

  /** Switches the wallet to another chain by itself (as a user would in the wallet), telling the page. */
  async switchTo(chainId: number): Promise<void> {
    this.chainId = chainId;
    await this.emit("chainChanged", `0x${chainId.toString(16)}`);
  }

  /** Calls since `from` (an index into `calls`), e.g. to check what one action asked of the wallet. */
  callsSince(from: number): string[] {
    return this.calls.slice(from).filter((m) => !READS.has(m));
  }

  private async emit(event: string, payload: unknown): Promise<void> {
    if (!this.page) throw new Error("TestWallet.attach(page) first.");
    await this.page.evaluate(
      ([name, e, p]) => (window as unknown as Record<string, (e: string, p: unknown) => void>)[name](e, p),
      [EMIT, event, payload] as const,
    );
  }

  private async handle(method: string, params: unknown): Promise<Reply> {
    this.calls.push(method);
    const args = Array.isArray(params) ? (params as unknown[]) : [];
    if (this.rejectNext.delete(method)) return { error: { code: 4001, message: "User rejected the request." } };
    try {
      switch (method) {
        case "eth_requestAccounts":
          this.connected = true;
          return { result: [this.address] };
        case "eth_accounts":
          return { result: this.connected ? [this.address] : [] };
        case "eth_chainId":
          return { result: `0x${this.chainId.toString(16)}` };
        case "net_version":
          return { result: String(this.chainId) };
        case "wallet_switchEthereumChain":
        case "wallet_addEthereumChain": {
          const wanted = Number((args[0] as { chainId?: string } | undefined)?.chainId);
          if (wanted !== this.nodeChainId) {
            return { error: { code: 4902, message: `Unrecognized chain ID 0x${wanted.toString(16)}.` } };
          }
          await this.switchTo(wanted);
          return { result: null };
        }
        case "eth_sendTransaction":
          return await this.sendTransaction(args[0] as Record<string, string | undefined>);
        case "eth_signTypedData_v4":
          return await this.signTypedData(args[1]);
        case "personal_sign":
          return { result: await this.account.signMessage(getBytes(String(args[0]))) };
        default:
          return await this.forward(method, args);
      }
    } catch (e) {
      return { error: { code: -32603, message: e instanceof Error ? e.message : String(e) } };
    }
  }

  private requireConnectedOnChain(): Reply | undefined {
    if (!this.connected) return { error: { code: 4100, message: "The page is not connected to this wallet." } };
    if (this.chainId !== this.nodeChainId) {
      return { error: { code: -32603, message: `The wallet is on chain ${this.chainId}, not ${this.nodeChainId}.` } };
    }
    return undefined;
  }

  private async sendTransaction(tx: Record<string, string | undefined>): Promise<Reply> {
    const refused = this.requireConnectedOnChain();
    if (refused) return refused;
    const sent = await this.account.sendTransaction({
      to: tx.to,
      data: tx.data,
      value: tx.value ? BigInt(tx.value) : undefined,
      gasLimit: tx.gas ? BigInt(tx.gas) : undefined,
    });
    return { result: sent.hash };
  }

  private async signTypedData(json: unknown): Promise<Reply> {
    const refused = this.requireConnectedOnChain();
    if (refused) return refused;
    if (!this.signsTypedData) {
      return { error: { code: 4200, message: "This wallet does not support eth_signTypedData_v4." } };
    }
    const before = this.beforeSign;
    this.beforeSign = undefined;
    if (before) await before();
    const typed = JSON.parse(String(json)) as {
      domain: Record<string, unknown>;
      types: Record<string, TypedDataField[]>;
      message: Record<string, unknown>;
    };
    const { EIP712Domain: _domainType, ...types } = typed.types;
    return { result: await this.account.signTypedData(typed.domain, types, typed.message) };
  }

  /** Anything else goes to the node as is, and its answer (or error, revert data included) comes back as is. */
  private async forward(method: string, params: unknown[]): Promise<Reply> {
    const response = await fetch(this.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await response.json()) as { result?: unknown; error?: RpcError };
    return body.error ? { error: body.error } : { result: body.result ?? null };
  }
}

/** Read-only methods, left out of `callsSince` so that tests see what the wallet was asked to do. */
const READS = new Set([
  "eth_chainId",
  "eth_accounts",
  "net_version",
  "eth_blockNumber",
  "eth_call",
  "eth_estimateGas",
  "eth_getTransactionReceipt",
  "eth_getTransactionByHash",
  "eth_getBlockByNumber",
  "eth_gasPrice",
  "eth_maxPriorityFeePerGas",
  "eth_feeHistory",
  "eth_getTransactionCount",
]);
