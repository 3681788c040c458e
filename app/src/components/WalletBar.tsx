import { shortHex } from "../lib/format";
import { describeChain } from "../lib/deployment";
import type { DiscoveredWallet } from "../lib/wallets";
import type { WalletSession } from "../hooks/useWallet";

interface Props {
  wallets: DiscoveredWallet[];
  session: WalletSession | undefined;
  connecting: string | undefined;
  onConnect: (wallet: DiscoveredWallet) => void;
  onDisconnect: () => void;
}

/** Which wallet is connected, with which account on which chain; or the wallets to connect. */
export function WalletBar({ wallets, session, connecting, onConnect, onDisconnect }: Props) {
  if (session) {
    return (
      <div className="wallet" role="group" aria-label="Wallet">
        <dl className="wallet-facts">
          <div>
            <dt>Wallet</dt>
            <dd>{session.wallet.info.name}</dd>
          </div>
          <div>
            <dt>Account</dt>
            <dd>
              <code title={session.account} data-testid="account">
                {shortHex(session.account)}
              </code>
            </dd>
          </div>
          <div>
            <dt>Chain</dt>
            <dd data-testid="wallet-chain">
              {session.chainId === undefined ? "unknown" : describeChain(session.chainId)}
            </dd>
          </div>
        </dl>
        <button type="button" className="secondary" onClick={onDisconnect}>
          Disconnect
        </button>
      </div>
    );
  }
  if (wallets.length === 0) {
    return (
      <div className="wallet" role="group" aria-label="Wallet">
        <p className="wallet-missing">
          No wallet found in this browser. Install a browser wallet (any EIP-6963 or EIP-1193 wallet), then reload.
        </p>
      </div>
    );
  }
  return (
    <div className="wallet" role="group" aria-label="Wallet">
      <ul className="wallet-list">
        {wallets.map((w) => (
          <li key={w.info.uuid}>
            <button type="button" onClick={() => onConnect(w)} disabled={connecting !== undefined}>
              {w.info.icon ? <img src={w.info.icon} alt="" width={20} height={20} /> : null}
              {connecting === w.info.uuid ? `Connecting ${w.info.name}…` : `Connect ${w.info.name}`}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
