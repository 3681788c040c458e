import { BrowserProvider, JsonRpcProvider, Network, type JsonRpcApiProvider } from "ethers";
import { useCallback, useMemo, useRef, useState } from "react";
import { ActivityLog } from "./components/ActivityLog";
import { DelegateForm } from "./components/DelegateForm";
import { NodeTable } from "./components/NodeTable";
import { PositionCard } from "./components/PositionCard";
import { ProofClaims } from "./components/ProofClaims";
import { Summary } from "./components/Summary";
import { WalletBar } from "./components/WalletBar";
import { useActivity } from "./hooks/useActivity";
import { useChainData } from "./hooks/useChainData";
import { useNow } from "./hooks/useNow";
import { useWallets, useWalletSession } from "./hooks/useWallet";
import * as actions from "./lib/actions";
import { chainTimeAt, connectStaking } from "./lib/chain";
import { describeChain, type AppDeployment } from "./lib/deployment";
import { formatEra, formatPeriod } from "./lib/format";
import type { NodeRow } from "./lib/nodes";
import { liveClaimable } from "./lib/yield";

/** How often ethers polls the wallet for receipts. */
const WALLET_POLL_MS = 1_000;

export function App({ deployment }: { deployment: AppDeployment }) {
  const wallets = useWallets();
  const wallet = useWalletSession(wallets, deployment);
  const { session } = wallet;
  const onRightChain = session !== undefined && session.chainId === deployment.chainId;
  const network = useMemo(() => Network.from(deployment.chainId), [deployment.chainId]);

  const connectedWallet = onRightChain ? session.wallet : undefined;
  const walletProvider = useMemo(
    () =>
      connectedWallet
        ? new BrowserProvider(connectedWallet.provider, network, {
            staticNetwork: network,
            pollingInterval: WALLET_POLL_MS,
          })
        : undefined,
    [connectedWallet, network],
  );
  const rpcProvider = useMemo(
    () =>
      deployment.rpcUrl
        ? new JsonRpcProvider(deployment.rpcUrl, network, { staticNetwork: network, pollingInterval: WALLET_POLL_MS })
        : undefined,
    [deployment.rpcUrl, network],
  );
  const readProvider: JsonRpcApiProvider | undefined = rpcProvider ?? walletProvider;
  const contracts = useMemo(
    () => (readProvider ? connectStaking(deployment.addresses, readProvider) : undefined),
    [readProvider, deployment.addresses],
  );

  const account = onRightChain ? session.account : undefined;
  const { snapshot, error: readError, refresh } = useChainData(readProvider, contracts, account, deployment.chainId);
  const now = useNow();
  const activity = useActivity();
  const [delegateTo, setDelegateTo] = useState<bigint>();
  const amountRef = useRef<HTMLInputElement>(null);

  const chainTime = snapshot ? chainTimeAt(snapshot, now) : undefined;
  const nodes = useMemo(() => snapshot?.nodes ?? [], [snapshot]);
  const nodeById = useCallback((id: bigint) => nodes.find((n) => n.id === id), [nodes]);
  const activeNodes = nodes.filter((n) => n.status === "active");
  const accountView = snapshot?.account?.address === account ? snapshot?.account : undefined;
  const canSend = walletProvider !== undefined && accountView !== undefined;

  /** Runs an action with the wallet's signer, records it in the activity list, and reads the chain again. */
  const act = useCallback(
    async (title: string, action: (ctx: actions.ActionContext, report: actions.Reporter) => Promise<unknown>) => {
      if (!walletProvider || !contracts || !session || !snapshot) return false;
      const ok = await activity.run(title, async (report) => {
        const signer = await walletProvider.getSigner(session.account);
        return action({ contracts, signer, chainTime: chainTimeAt(snapshot, Date.now()) }, report);
      });
      refresh();
      return ok;
    },
    [walletProvider, contracts, session, snapshot, activity, refresh],
  );

  const pickNode = (id: bigint) => {
    setDelegateTo(id);
    amountRef.current?.focus();
  };
  const nameOf = (id: bigint) => nodeById(id)?.name ?? `node ${id}`;

  const liveYield = (nodeId: bigint, unsettled: bigint, stake: bigint) =>
    snapshot
      ? liveClaimable(
          {
            claimable: unsettled,
            stake,
            aprBps: nodeById(nodeId)?.aprBps ?? 0n,
            readAtMs: snapshot.readAtMs,
            secondsCovered: snapshot.secondsCovered,
          },
          now,
        )
      : unsettled;
  const totalClaimable = accountView
    ? accountView.positions.reduce(
        (sum, p) => sum + liveYield(p.nodeId, p.unsettledYield, p.stake),
        accountView.settledYield,
      )
    : 0n;

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <h1>ERA staking</h1>
          <p className="deployment">
            {deployment.chainName} · chain {deployment.chainId}
          </p>
        </div>
        <WalletBar
          wallets={wallets}
          session={session}
          connecting={wallet.connecting}
          onConnect={(w) => void wallet.connect(w)}
          onDisconnect={wallet.disconnect}
        />
      </header>
      <main id="main">
        {wallet.error ? (
          <p className="notice notice-error" role="alert">
            {wallet.error}
          </p>
        ) : null}
        {session && !onRightChain ? (
          <div className="notice notice-warning" role="alert" data-testid="wrong-chain">
            <p>
              Your wallet is on {session.chainId === undefined ? "an unknown chain" : describeChain(session.chainId)}.
              This deployment is on {deployment.chainName} (chain {deployment.chainId}): switch your wallet to it to
              stake.
            </p>
            <button type="button" onClick={() => void wallet.switchChain()} disabled={wallet.switching}>
              {wallet.switching ? "Switching…" : `Switch to ${deployment.chainName}`}
            </button>
          </div>
        ) : null}
        {readError ? (
          <p className="notice notice-error" role="alert">
            {readError}
          </p>
        ) : null}
        {!readProvider ? (
          <p className="notice">Connect a wallet on {deployment.chainName} to see the nodes.</p>
        ) : !snapshot && !readError ? (
          <p className="notice" role="status">
            Reading the chain…
          </p>
        ) : null}

        {accountView ? <Summary account={accountView} claimable={totalClaimable} /> : null}

        {snapshot ? <NodeTable nodes={nodes} onDelegate={canSend ? pickNode : undefined} /> : null}

        {snapshot && accountView && canSend ? (
          <DelegateForm
            nodes={nodes}
            nodeId={delegateTo}
            onNodeChange={setDelegateTo}
            balance={accountView.balance}
            amountRef={amountRef}
            busy={activity.busy}
            onDelegate={(node: NodeRow, amount: bigint) =>
              act(`Delegate ${formatEra(amount)} to ${node.name}`, (ctx, report) =>
                actions.delegateStake(ctx, node.id, amount, report),
              )
            }
          />
        ) : null}

        {snapshot && accountView ? (
          <section aria-labelledby="positions-title" className="positions">
            <h2 id="positions-title">Your positions</h2>
            {accountView.positions.length === 0 ? (
              <p className="hint">You have nothing delegated yet. Pick a node above to delegate ERA to it.</p>
            ) : (
              <p className="hint">
                Undelegated ERA unbonds for {formatPeriod(snapshot.unbondingPeriod)}: it earns nothing meanwhile and
                stays slashable, then you withdraw it.
              </p>
            )}
            {accountView.positions.map((p) => {
              const node = nodeById(p.nodeId);
              if (!node || chainTime === undefined) return null;
              return (
                <PositionCard
                  key={p.nodeId.toString()}
                  node={node}
                  position={p}
                  liveYield={liveYield(p.nodeId, p.unsettledYield, p.stake)}
                  settledYield={accountView.settledYield}
                  chainTime={chainTime}
                  targets={activeNodes}
                  busy={activity.busy || !canSend}
                  onUndelegate={(amount) =>
                    act(
                      amount === actions.ALL
                        ? `Undelegate everything from ${node.name}`
                        : `Undelegate ${formatEra(amount)} from ${node.name}`,
                      (ctx, report) => actions.undelegateStake(ctx, node.id, amount, report),
                    )
                  }
                  onWithdraw={() =>
                    void act(`Withdraw unbonded ERA from ${node.name}`, (ctx, report) =>
                      actions.withdrawUnbonded(ctx, node.id, report),
                    )
                  }
                  onClaim={() =>
                    void act(`Claim yield from ${node.name}`, (ctx, report) => actions.claimYield(ctx, node.id, report))
                  }
                  onClaimAndRedelegate={(to) =>
                    void act(`Claim yield from ${node.name} and delegate it to ${nameOf(to)}`, (ctx, report) =>
                      actions.claimAndRedelegate(ctx, node.id, to, report),
                    )
                  }
                />
              );
            })}
          </section>
        ) : null}

        <ProofClaims
          chainId={deployment.chainId}
          distributor={deployment.addresses.distributor}
          account={accountView?.address}
          contracts={contracts}
          blockNumber={snapshot?.blockNumber}
          chainTime={chainTime}
          targets={activeNodes}
          canSend={canSend}
          busy={activity.busy}
          onClaim={(file, row) =>
            void act(
              `Claim ${file.kind} #${row.claim.index} of epoch ${file.epochId} (${formatEra(row.payout)})`,
              (ctx, report) => actions.claimLeaf(ctx, file, row.claim, report),
            )
          }
          onClaimAndDelegate={(file, claim, nodeId) =>
            void act(
              `Claim reward #${claim.index} of epoch ${file.epochId} (${formatEra(claim.amount)}) and delegate it to ${nameOf(nodeId)}`,
              (ctx, report) => actions.claimRewardAndDelegate(ctx, file, claim, nodeId, report),
            )
          }
        />

        <ActivityLog entries={activity.entries} />
      </main>
      <footer className="foot">
        <p>
          Deployment {deployment.id}: staking <code>{deployment.addresses.staking}</code> · ERA token{" "}
          <code>{deployment.addresses.token}</code>
        </p>
      </footer>
    </>
  );
}
