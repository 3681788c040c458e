import { useMemo, useState } from "react";
import { formatBps } from "../lib/format";
import { sortNodes, type NodeRow, type NodeSortKey, type SortDirection } from "../lib/nodes";
import { Amount } from "./Amount";

interface Props {
  nodes: NodeRow[];
  /** Called with a node id when the user picks a node to delegate to; absent while delegating is impossible. */
  onDelegate?: (nodeId: bigint) => void;
}

const COLUMNS: { key: NodeSortKey; label: string; numeric: boolean }[] = [
  { key: "name", label: "Node", numeric: false },
  { key: "status", label: "Status", numeric: false },
  { key: "bond", label: "Bond", numeric: true },
  { key: "delegated", label: "Total delegated", numeric: true },
  { key: "score", label: "Service score", numeric: true },
  { key: "apr", label: "APR", numeric: true },
];

const STATUS_TEXT = { active: "Active", exiting: "Exiting", unregistered: "Unregistered" } as const;

/** Every registered node with its bond, stake, score and APR; sortable by any column. */
export function NodeTable({ nodes, onDelegate }: Props) {
  const [sortKey, setSortKey] = useState<NodeSortKey>("apr");
  const [direction, setDirection] = useState<SortDirection>("desc");
  const sorted = useMemo(() => sortNodes(nodes, sortKey, direction), [nodes, sortKey, direction]);

  const sortBy = (key: NodeSortKey) => {
    if (key === sortKey) setDirection(direction === "asc" ? "desc" : "asc");
    else {
      setSortKey(key);
      setDirection(key === "name" || key === "status" ? "asc" : "desc");
    }
  };
  const label = (key: NodeSortKey) => COLUMNS.find((c) => c.key === key)?.label ?? key;

  return (
    <section aria-labelledby="nodes-title" className="card">
      <div className="section-head">
        <h2 id="nodes-title">Nodes</h2>
        <div className="sort-controls">
          <label htmlFor="node-sort">Sort by</label>
          <select id="node-sort" value={sortKey} onChange={(e) => setSortKey(e.target.value as NodeSortKey)}>
            {COLUMNS.map((c) => (
              <option key={c.key} value={c.key}>
                {c.label}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="secondary"
            onClick={() => setDirection(direction === "asc" ? "desc" : "asc")}
            aria-label={`Sort direction: ${direction === "asc" ? "ascending" : "descending"}. Change.`}
          >
            {direction === "asc" ? "↑ Ascending" : "↓ Descending"}
          </button>
        </div>
      </div>
      {nodes.length === 0 ? (
        <p>No node is registered on this deployment yet.</p>
      ) : (
        <table className="nodes">
          <caption className="visually-hidden">
            Nodes sorted by {label(sortKey)}, {direction === "asc" ? "ascending" : "descending"}
          </caption>
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  className={c.numeric ? "num" : undefined}
                  aria-sort={sortKey === c.key ? (direction === "asc" ? "ascending" : "descending") : "none"}
                >
                  <button type="button" className="th-sort" onClick={() => sortBy(c.key)}>
                    {c.label}
                    <span aria-hidden="true">{sortKey === c.key ? (direction === "asc" ? " ▲" : " ▼") : ""}</span>
                  </button>
                </th>
              ))}
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((n) => (
              <tr key={n.id.toString()} data-testid={`node-${n.id}`}>
                <th scope="row" data-label="Node">
                  <span className="node-name">{n.name}</span> <span className="node-id">#{n.id.toString()}</span>
                  {n.description ? <span className="node-desc">{n.description}</span> : null}
                  {n.website ? (
                    <a className="node-site" href={n.website} target="_blank" rel="noreferrer noopener">
                      {n.website.replace(/^https?:\/\//, "")}
                    </a>
                  ) : null}
                  {!n.description && !n.metadataURI.startsWith("data:") && n.metadataURI ? (
                    <span className="node-desc">Metadata: {n.metadataURI}</span>
                  ) : null}
                </th>
                <td data-label="Status">
                  <span className={`badge badge-${n.status}`}>{STATUS_TEXT[n.status]}</span>
                </td>
                <td data-label="Bond" className="num">
                  <Amount wei={n.bond} maxDecimals={2} />
                </td>
                <td data-label="Total delegated" className="num">
                  <Amount wei={n.delegated} maxDecimals={2} />
                </td>
                <td data-label="Service score" className="num">
                  {formatBps(n.scoreBps)}
                </td>
                <td data-label="APR" className="num apr">
                  {formatBps(n.aprBps)}
                </td>
                <td data-label="">
                  {onDelegate && n.status === "active" ? (
                    <button type="button" onClick={() => onDelegate(n.id)} aria-label={`Delegate to ${n.name}`}>
                      Delegate
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
