import type { ActivityEntry } from "../hooks/useActivity";

const STATUS_TEXT: Record<ActivityEntry["status"], string> = {
  waiting: "Waiting for your wallet",
  pending: "Pending",
  confirmed: "Confirmed",
  failed: "Failed",
};

/** What the user did on this page, newest first, with each transaction's hash. Announced to screen readers. */
export function ActivityLog({ entries }: { entries: ActivityEntry[] }) {
  return (
    <section aria-labelledby="activity-title" className="card">
      <h2 id="activity-title">Activity</h2>
      {entries.length === 0 ? <p className="hint">Your transactions on this page show up here.</p> : null}
      <ol className="activity" aria-live="polite" aria-relevant="additions text">
        {entries.map((e) => (
          <li key={e.id} className={`activity-${e.status}`} data-testid="activity" data-status={e.status}>
            <div className="activity-head">
              <strong>{e.title}</strong> <span className={`badge badge-${e.status}`}>{STATUS_TEXT[e.status]}</span>
            </div>
            {e.status === "confirmed" ? null : <p className="activity-message">{e.message}</p>}
            {e.txs.length > 0 ? (
              <ul className="txs">
                {e.txs.map((t) => (
                  <li key={t.hash}>
                    {t.label}: <code data-testid="tx-hash">{t.hash}</code>
                    {t.blockNumber !== undefined ? <span> — in block {t.blockNumber}</span> : null}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
