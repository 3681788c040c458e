import type { Provider } from "ethers";
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError } from "../../../src/sdk/errors";
import { readSnapshot, type ChainSnapshot, type StakingContracts } from "../lib/chain";

/** How often the page looks for a new block. */
export const POLL_MS = 2_000;

export interface ChainData {
  snapshot: ChainSnapshot | undefined;
  /** A sentence when the last read failed (the last good snapshot stays shown). */
  error: string | undefined;
  /** Reads again now (after a transaction), whether or not a new block arrived. */
  refresh: () => void;
}

/**
 * Reads the nodes and the account's position whenever a new block arrives, and on demand. Reads never overlap; a
 * failing read keeps the last snapshot and reports a sentence.
 */
export function useChainData(
  provider: Provider | undefined,
  contracts: StakingContracts | undefined,
  account: string | undefined,
  expectedChainId: number,
): ChainData {
  const [snapshot, setSnapshot] = useState<ChainSnapshot>();
  const [error, setError] = useState<string>();
  const wake = useRef<() => void>(() => undefined);

  useEffect(() => {
    setSnapshot((s) => (s && s.account?.address !== account ? { ...s, account: undefined } : s));
    if (!provider || !contracts) return;
    let stopped = false;
    let running = false;
    let again = false;
    let lastBlock = -1;
    let checkedChain = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const tick = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      clearTimeout(timer);
      try {
        if (!checkedChain) {
          const { chainId } = await provider.getNetwork();
          if (Number(chainId) !== expectedChainId) {
            throw new Error(
              `The RPC endpoint serves chain ${chainId}, but this deployment is on chain ${expectedChainId}. ` +
                "Build the page with the RPC URL of the deployment's chain (ERA_APP_RPC_URL).",
            );
          }
          checkedChain = true;
        }
        const blockNumber = await provider.getBlockNumber();
        if (blockNumber !== lastBlock || again) {
          again = false;
          const next = await readSnapshot(contracts, provider, account);
          lastBlock = next.blockNumber;
          if (!stopped) setSnapshot(next);
        }
        if (!stopped) setError(undefined);
      } catch (e) {
        if (!stopped) setError(`Could not read the chain: ${describeError(e)}`);
      } finally {
        running = false;
        if (!stopped) timer = setTimeout(() => void tick(), again ? 0 : POLL_MS);
      }
    };
    wake.current = () => {
      again = true;
      if (!running) void tick();
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      wake.current = () => undefined;
    };
  }, [provider, contracts, account, expectedChainId]);

  const refresh = useCallback(() => wake.current(), []);
  return { snapshot, error, refresh };
}
