/**
 * Injected wallets: EIP-6963 discovery (every wallet announces itself), with the EIP-1193 `window.ethereum` of older
 * wallets as a fallback, and the wallet error codes the page acts on.
 */

/** An EIP-1193 provider, as wallets inject it. */
export interface Eip1193Provider {
  request(args: { method: string; params?: readonly unknown[] | Record<string, unknown> }): Promise<unknown>;
  on?(event: string, listener: (...args: never[]) => void): unknown;
  removeListener?(event: string, listener: (...args: never[]) => void): unknown;
}

/** EIP-6963 provider info. */
export interface WalletInfo {
  uuid: string;
  name: string;
  /** A data: URI (EIP-6963 requires one); anything else is not shown, so the page fetches nothing. */
  icon: string;
  rdns: string;
}

export interface DiscoveredWallet {
  info: WalletInfo;
  provider: Eip1193Provider;
}

/** The id the page gives to `window.ethereum` when no wallet announces itself through EIP-6963. */
export const LEGACY_WALLET_ID = "window.ethereum";

interface AnnounceDetail {
  info?: Partial<WalletInfo>;
  provider?: Eip1193Provider;
}

function isProvider(value: unknown): value is Eip1193Provider {
  return typeof value === "object" && value !== null && typeof (value as Eip1193Provider).request === "function";
}

/**
 * Listens for EIP-6963 announcements on `target` and asks wallets to announce themselves. `onChange` gets the
 * current list each time it changes: announced wallets in order of arrival (deduplicated by uuid), or, while none
 * announced, `window.ethereum` as "Browser wallet". Returns a function that stops listening.
 */
export function discoverWallets(
  target: Window & { ethereum?: unknown },
  onChange: (wallets: DiscoveredWallet[]) => void,
): () => void {
  const announced = new Map<string, DiscoveredWallet>();
  const publish = () => {
    if (announced.size > 0) return onChange([...announced.values()]);
    if (isProvider(target.ethereum)) {
      return onChange([
        {
          info: { uuid: LEGACY_WALLET_ID, name: "Browser wallet", icon: "", rdns: LEGACY_WALLET_ID },
          provider: target.ethereum,
        },
      ]);
    }
    onChange([]);
  };
  const onAnnounce = (event: Event) => {
    const detail = (event as CustomEvent<AnnounceDetail>).detail;
    if (!detail || !isProvider(detail.provider) || typeof detail.info?.uuid !== "string") return;
    const info: WalletInfo = {
      uuid: detail.info.uuid,
      name: typeof detail.info.name === "string" && detail.info.name ? detail.info.name : "Unnamed wallet",
      icon: typeof detail.info.icon === "string" && detail.info.icon.startsWith("data:image/") ? detail.info.icon : "",
      rdns: typeof detail.info.rdns === "string" ? detail.info.rdns : "",
    };
    announced.set(info.uuid, { info, provider: detail.provider });
    publish();
  };
  target.addEventListener("eip6963:announceProvider", onAnnounce);
  target.dispatchEvent(new Event("eip6963:requestProvider"));
  publish();
  return () => target.removeEventListener("eip6963:announceProvider", onAnnounce);
}

/** EIP-1193 / JSON-RPC error codes the page reacts to. */
export const WalletErrorCode = {
  UserRejected: 4001,
  Unauthorized: 4100,
  UnsupportedMethod: 4200,
  UnknownChain: 4902,
  MethodNotFound: -32601,
} as const;

/** The EIP-1193 code of a wallet error, wherever ethers or the wallet nested it. */
export function walletErrorCode(error: unknown, depth = 0): number | undefined {
  if (depth > 5 || typeof error !== "object" || error === null) return undefined;
  const e = error as { code?: unknown; error?: unknown; info?: unknown; cause?: unknown };
  if (typeof e.code === "number") return e.code;
  for (const inner of [e.error, e.info, e.cause]) {
    const code = walletErrorCode(inner, depth + 1);
    if (code !== undefined) return code;
  }
  return undefined;
}

/** Whether a wallet error says the wallet does not offer the method (as opposed to the user refusing). */
export function isUnsupportedMethod(error: unknown): boolean {
  const code = walletErrorCode(error);
  if (code === WalletErrorCode.UserRejected) return false;
  if (code === WalletErrorCode.UnsupportedMethod || code === WalletErrorCode.MethodNotFound) return true;
  if (typeof error === "object" && error !== null && (error as { code?: unknown }).code === "UNSUPPORTED_OPERATION") {
    return true;
  }
  const message = error instanceof Error ? error.message : String(error);
  return /not supported|unsupported|does not exist|not implemented/i.test(message);
}

/** `31337` → `"0x7a69"`, as wallet_switchEthereumChain takes it. */
export function toHexChainId(chainId: number | bigint): string {
  return `0x${chainId.toString(16)}`;
}

/** Reads a chain id a wallet returned (hex string, decimal string or number). */
export function parseChainId(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^(0x[0-9a-fA-F]+|\d+)$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}
