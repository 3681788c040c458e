import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** What `/healthz` reports: `ok` decides the status code (200 or 503), `details` is shown as JSON. */
export interface Health {
  ok: boolean;
  details: Record<string, unknown>;
}

export interface OpsServerOptions {
  /** Port to listen on; 0 picks a free one (see the returned `url`). */
  port: number;
  host?: string;
  registry: Registry;
  health: () => Promise<Health>;
}

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` (Prometheus text format) and `GET /healthz` (JSON) for a node process. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    if (path === "/metrics") {
      options.registry
        .metrics()
        .then((text) => res.writeHead(200, { "content-type": options.registry.contentType }).end(text))
        .catch((e: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(e.message));
      return;
    }
    if (path === "/healthz") {
      options
        .health()
        .then((h) =>
          res
            .writeHead(h.ok ? 200 : 503, { "content-type": "application/json" })
            .end(JSON.stringify(h, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))),
        )
        .catch((e: Error) =>
          res
            .writeHead(503, { "content-type": "application/json" })
            .end(JSON.stringify({ ok: false, details: { error: e.message } })),
        );
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("Not found: try /metrics or /healthz\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
