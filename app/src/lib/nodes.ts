/**
 * Nodes as the page lists them: their metadata (read from the metadata URI only when it is inline, so the page never
 * fetches anything), and sorting.
 */

export type NodeStatus = "active" | "exiting" | "unregistered";

export interface NodeRow {
  id: bigint;
  name: string;
  description: string;
  /** The operator's website from the metadata, http(s) only. */
  website: string;
  metadataURI: string;
  operator: string;
  status: NodeStatus;
  bond: bigint;
  /** ERA delegated to the node's active pool. */
  delegated: bigint;
  scoreBps: bigint;
  aprBps: bigint;
}

/** The registry's `NodeStatus` enum (None, Active, Exiting). */
export function nodeStatusOf(status: bigint | number): NodeStatus {
  switch (Number(status)) {
    case 1:
      return "active";
    case 2:
      return "exiting";
    default:
      return "unregistered";
  }
}

export interface NodeMetadata {
  name?: string;
  description?: string;
  website?: string;
}

function decodeDataUri(uri: string): string | undefined {
  const match = /^data:([^,]*),(.*)$/s.exec(uri);
  if (!match) return undefined;
  const [, meta, payload] = match;
  if (!/^application\/json\b/i.test(meta)) return undefined;
  try {
    if (/;base64$/i.test(meta)) {
      const binary = atob(payload);
      return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    }
    return decodeURIComponent(payload);
  } catch {
    return undefined;
  }
}

function cleanText(value: unknown, max: number): string | undefined {
  if (typeof value !== "string") return undefined;
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\u0000-\u001f\u007f]/g, " ").trim();
  return text ? text.slice(0, max) : undefined;
}

/**
 * Metadata of a node from its metadata URI when the URI carries it inline (`data:application/json,…`, plain or
 * base64). Other URIs (ipfs://, https://) are not fetched: the page makes no request beyond the chain's RPC, and
 * shows them as they are.
 */
export function parseNodeMetadata(uri: string): NodeMetadata {
  const text = decodeDataUri(uri);
  if (text === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof json !== "object" || json === null) return {};
  const record = json as Record<string, unknown>;
  const website = cleanText(record.website, 200);
  return {
    name: cleanText(record.name, 60),
    description: cleanText(record.description, 280),
    website: website && /^https?:\/\/[^\s]+$/i.test(website) ? website : undefined,
  };
}

/** Builds the `data:` metadata URI `parseNodeMetadata` reads (used by the dev script and the tests). */
export function nodeMetadataURI(metadata: NodeMetadata): string {
  return `data:application/json,${encodeURIComponent(JSON.stringify(metadata))}`;
}

export type NodeSortKey = "name" | "status" | "bond" | "delegated" | "score" | "apr";
export type SortDirection = "asc" | "desc";

const STATUS_ORDER: Record<NodeStatus, number> = { active: 0, exiting: 1, unregistered: 2 };

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBy(key: NodeSortKey, a: NodeRow, b: NodeRow): number {
  switch (key) {
    case "name":
      return a.name.localeCompare(b.name, "en", { sensitivity: "base", numeric: true });
    case "status":
      return STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
    case "bond":
      return compareBig(a.bond, b.bond);
    case "delegated":
      return compareBig(a.delegated, b.delegated);
    case "score":
      return compareBig(a.scoreBps, b.scoreBps);
    case "apr":
      return compareBig(a.aprBps, b.aprBps);
  }
}

/** A sorted copy of `nodes`; ties keep node id order, whatever the direction. */
export function sortNodes(nodes: readonly NodeRow[], key: NodeSortKey, direction: SortDirection): NodeRow[] {
  const sign = direction === "asc" ? 1 : -1;
  return [...nodes].sort((a, b) => sign * compareBy(key, a, b) || compareBig(a.id, b.id));
}
