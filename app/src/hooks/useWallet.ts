import { getAddress, isAddress } from "ethers";
import { useCallback, useEffect, useState } from "react";
import { describeError } from "../../../src/sdk/errors";
import type { AppDeployment } from "../lib/deployment";
import {
  discoverWallets,
  parseChainId,
  toHexChainId,
  walletErrorCode,
  WalletErrorCode,
  type DiscoveredWallet,
} from "../lib/wallets";

/** Every wallet the browser offers, kept up to date as wallets announce themselves. */
export function useWallets(): DiscoveredWallet[] {
  const [wallets, setWallets] = useState<DiscoveredWallet[]>([]);
  useEffect(() => discoverWallets(window, setWallets), []);
  return wallets;
}

export interface WalletSession {
  wallet: DiscoveredWallet;
  /** Checksummed. */
  account: string;
  /** The chain the wallet is on; undefined when it answered something unreadable. */
  chainId: number | undefined;
}

const REMEMBERED = "era-staking:wallet";

function firstAccount(accounts: unknown): string | undefined {
  if (!Array.isArray(accounts)) return undefined;
  const first: unknown = accounts[0];
  return typeof first === "string" && isAddress(first) ? getAddress(first) : undefined;
}

async function readChainId(wallet: DiscoveredWallet): Promise<number | undefined> {
  return parseChainId(await wallet.provider.request({ method: "eth_chainId" }));
}

function remember(wallet: DiscoveredWallet | undefined) {
  try {
    if (wallet)
      localStorage.setItem(REMEMBERED, wallet.info.uuid === wallet.info.rdns ? wallet.info.uuid : wallet.info.rdns);
    else localStorage.removeItem(REMEMBERED);
  } catch {
    // Storage may be disabled; the page then just does not reconnect by itself.
  }
}

function remembered(): string | null {
  try {
    return localStorage.getItem(REMEMBERED);
  } catch {
    return null;
  }
}

/**
 * The connected wallet: connect (asks the wallet for an account), reconnect silently to the wallet used last time,
 * follow account and chain changes, ask to switch to the deployment's chain, and forget.
 */
export function useWalletSession(wallets: DiscoveredWallet[], deployment: AppDeployment) {
  const [session, setSession] = useState<WalletSession>();
  const [connecting, setConnecting] = useState<string>();
  const [error, setError] = useState<string>();

  const connect = useCallback(async (wallet: DiscoveredWallet) => {
    setConnecting(wallet.info.uuid);
    setError(undefined);
    try {
      const account = firstAccount(await wallet.provider.request({ method: "eth_requestAccounts" }));
      if (!account) throw new Error("The wallet shared no account. Unlock it, choose an account, then connect again.");
      setSession({ wallet, account, chainId: await readChainId(wallet) });
      remember(wallet);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setConnecting(undefined);
    }
  }, []);

  const disconnect = useCallback(() => {
    setSession(undefined);
    setError(undefined);
    remember(undefined);
  }, []);

  // Reconnect without a prompt to the wallet used last time, if it still shares an account with the page.
  useEffect(() => {
    if (session) return;
    const id = remembered();
    const wallet = wallets.find((w) => id !== null && (w.info.rdns === id || w.info.uuid === id));
    if (!wallet) return;
    let cancelled = false;
    void (async () => {
      try {
        const account = firstAccount(await wallet.provider.request({ method: "eth_accounts" }));
        if (account && !cancelled) setSession({ wallet, account, chainId: await readChainId(wallet) });
      } catch {
        // Not connected any more: the user connects again.
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [wallets, session]);

  // Follow the wallet's account and chain.
  const provider = session?.wallet.provider;
  useEffect(() => {
    if (!provider?.on) return;
    const onAccounts = (accounts: unknown) => {
      const account = firstAccount(accounts);
      if (!account) {
        setSession(undefined);
        return;
      }
      setSession((s) => (s ? { ...s, account } : s));
    };
    const onChain = (chainId: unknown) => setSession((s) => (s ? { ...s, chainId: parseChainId(chainId) } : s));
    const onDisconnect = () => setSession(undefined);
    provider.on("accountsChanged", onAccounts as (...args: never[]) => void);
    provider.on("chainChanged", onChain as (...args: never[]) => void);
    provider.on("disconnect", onDisconnect);
    return () => {
      provider.removeListener?.("accountsChanged", onAccounts as (...args: never[]) => void);
      provider.removeListener?.("chainChanged", onChain as (...args: never[]) => void);
      provider.removeListener?.("disconnect", onDisconnect);
    };
  }, [provider]);

  const [switching, setSwitching] = useState(false);
  /** Asks the wallet to switch to the deployment's chain, adding the chain first if the wallet does not know it. */
  const switchChain = useCallback(async () => {
    if (!session) return;
    const { wallet } = session;
    const chainId = toHexChainId(deployment.chainId);
    setSwitching(true);
    setError(undefined);
    try {
      try {
        await wallet.provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
      } catch (e) {
        if (walletErrorCode(e) !== WalletErrorCode.UnknownChain || !deployment.rpcUrl) throw e;
        await wallet.provider.request({
          method: "wallet_addEthereumChain",
          params: [
            {
              chainId,
              chainName: deployment.chainName,
              rpcUrls: [deployment.rpcUrl],
              nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
            },
          ],
        });
      }
      const now = await readChainId(wallet);
      setSession((s) => (s && s.wallet === wallet ? { ...s, chainId: now } : s));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setSwitching(false);
    }
  }, [session, deployment]);

  return { session, connecting, switching, error, connect, disconnect, switchChain };
}
