import { useCallback, useState } from "react";
import { describeError } from "../../../src/sdk/errors";
import type { Progress, Reporter } from "../lib/actions";

export interface ActivityTx {
  label: string;
  hash: string;
  blockNumber?: number;
}

export interface ActivityEntry {
  id: number;
  /** What the user asked for, e.g. "Delegate 100 ERA to Aurora". */
  title: string;
  status: "waiting" | "pending" | "confirmed" | "failed";
  /** The latest step, or the failure as a sentence. */
  message: string;
  txs: ActivityTx[];
}

function applyProgress(entry: ActivityEntry, p: Progress): ActivityEntry {
  switch (p.stage) {
    case "wallet":
      return { ...entry, status: "waiting", message: p.text };
    case "pending": {
      const label = p.text.replace(/: pending$/, "");
      return { ...entry, status: "pending", message: p.text, txs: [...entry.txs, { label, hash: p.hash }] };
    }
    case "mined":
      return {
        ...entry,
        message: p.text,
        txs: entry.txs.map((t) => (t.hash === p.hash ? { ...t, blockNumber: p.blockNumber } : t)),
      };
  }
}

/**
 * The list of what the user did on the page, newest first: each action goes waiting (for the wallet) → pending (with
 * its transaction hash) → confirmed, or failed with a sentence.
 */
export function useActivity() {
  const [entries, setEntries] = useState<ActivityEntry[]>([]);
  const [busy, setBusy] = useState(false);

  const run = useCallback(async (title: string, action: (report: Reporter) => Promise<unknown>): Promise<boolean> => {
    const id = Date.now() + Math.random();
    const update = (f: (e: ActivityEntry) => ActivityEntry) =>
      setEntries((list) => list.map((e) => (e.id === id ? f(e) : e)));
    const entry: ActivityEntry = { id, title, status: "waiting", message: "Preparing…", txs: [] };
    setEntries((list) => [entry, ...list].slice(0, 20));
    setBusy(true);
    try {
      await action((p) => update((e) => applyProgress(e, p)));
      update((e) => ({ ...e, status: "confirmed", message: "Confirmed." }));
      return true;
    } catch (error) {
      update((e) => ({ ...e, status: "failed", message: describeError(error) }));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);

  return { entries, busy, run };
}
