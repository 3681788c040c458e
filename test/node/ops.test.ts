import { expect } from "chai";
import { Counter, Registry } from "prom-client";
import { startOpsServer } from "../../src/node/ops";

describe("Node ops server", function () {
  it("serves Prometheus metrics and a health report whose status follows `ok`", async function () {
    const registry = new Registry();
    const jobs = new Counter({ name: "era_test_jobs_total", help: "jobs", registers: [registry] });
    jobs.inc(3);
    let ok = true;
    const server = await startOpsServer({ port: 0, registry, health: async () => ({ ok, details: { block: 7n } }) });
    try {
      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.status).to.equal(200);
      expect(await metrics.text()).to.contain("era_test_jobs_total 3");
      const healthy = await fetch(`${server.url}/healthz`);
      expect(healthy.status).to.equal(200);
      expect(await healthy.json()).to.deep.equal({ ok: true, details: { block: "7" } });
      ok = false;
      expect((await fetch(`${server.url}/healthz`)).status).to.equal(503);
      expect((await fetch(`${server.url}/nope`)).status).to.equal(404);
      expect((await fetch(`${server.url}/metrics`, { method: "POST" })).status).to.equal(405);
    } finally {
      await server.close();
    }
  });
});
