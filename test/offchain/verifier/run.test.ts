import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import { ConfigError, loadConfig } from "../../../src/node/config";
import { runVerifier, verifierConfigSchema } from "../../../src/verifier/run";
import { HttpSignatureSource } from "../../../src/verifier/signatures";
import type { TickReport } from "../../../src/verifier/verifier";
import { jsonRpcBridge, signerSubmitter, silentLogger, tempDir } from "../helpers";
import { NodeSignatures, honestActions, post, sign, verifierFixture } from "./helpers";

/** A node's signature endpoint serving what `node` holds (see `signatures.ts` for the protocol). */
async function signatureServer(node: NodeSignatures): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const m = /^\/lightweight\/batches\/(0x[0-9a-fA-F]{64})\/signatures$/.exec(req.url ?? "");
    if (m === null) return void res.writeHead(404).end();
    node
      .signaturesOf({ batchId: m[1], scenarioId: 0n, nodeId: 1n, count: 0 })
      .then((a) =>
        a.status === "served"
          ? res
              .writeHead(200, { "content-type": "application/json" })
              .end(JSON.stringify({ batchId: m[1], signatures: a.signatures.map((s) => s ?? null) }))
          : res.writeHead(404).end(),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Settings of a run over the JSON-RPC bridge: state in `dbPath`, any ops port, no confirmations, 100 ms polls. */
const runConfig = (dbPath: string, flags: Record<string, unknown> = {}) =>
  loadConfig(verifierConfigSchema, {
    name: "verifier",
    envPrefix: "ERA_VERIFIER",
    env: {},
    flags: { dbPath, opsPort: 0, confirmations: 0, pollIntervalMs: 100, ...flags },
  });

describe("Verifier: configuration and run", function () {
  it("loads its settings with flags over environment over defaults, and names a bad value", function () {
    const config = loadConfig(verifierConfigSchema, {
      name: "verifier",
      envPrefix: "ERA_VERIFIER",
      env: { ERA_VERIFIER_CONFIRMATIONS: "5", ERA_VERIFIER_SIGNATURE_URLS: "1=http://node-1:8080" },
      flags: { confirmations: "0" },
    });
    expect(config.confirmations).to.equal(0);
    expect(config.signatureUrls).to.deep.equal(new Map([[1n, "http://node-1:8080"]]));
    expect(config.refundLocks).to.equal(true);
    expect(
      loadConfig(verifierConfigSchema, { name: "verifier", envPrefix: "ERA_VERIFIER", env: {} }).signatureUrls.size,
    ).to.equal(0);
    expect(() =>
      loadConfig(verifierConfigSchema, {
        name: "verifier",
        envPrefix: "ERA_VERIFIER",
        env: { ERA_VERIFIER_SIGNATURE_URLS: "one=http://x" },
      }),
    ).to.throw(ConfigError, /signatureUrls \(ERA_VERIFIER_SIGNATURE_URLS\) "one=http:\/\/x" is not/);
  });

  it("asks a node's HTTP endpoint for signatures; a node that does not answer is unavailable, not guilty", async function () {
    const node = new NodeSignatures();
    node.serve(ethers.id("b"), ["0x" + "11".repeat(65), undefined]);
    const { url, server } = await signatureServer(node);
    try {
      const source = new HttpSignatureSource(new Map([[1n, url]]));
      const ref = { batchId: ethers.id("b"), scenarioId: 3n, nodeId: 1n, count: 2 };
      expect(await source.signaturesOf(ref)).to.deep.equal({
        status: "served",
        signatures: ["0x" + "11".repeat(65), undefined],
      });
      expect((await source.signaturesOf({ ...ref, batchId: ethers.id("unknown") })).status).to.equal("unavailable");
      expect((await source.signaturesOf({ ...ref, nodeId: 2n })).status).to.equal("unavailable");
      expect((await source.signaturesOf({ ...ref, count: 3 })).status).to.equal("unavailable");
    } finally {
      server.close();
    }
  });

  it("runs over JSON-RPC until stopped: serves /metrics and /healthz, checks batches with the HTTP source", async function () {
    const f = await loadFixture(verifierFixture);
    const node = new NodeSignatures();
    await post(f, node, await honestActions(f, 3));
    const sigServer = await signatureServer(node);
    const rpc = await jsonRpcBridge();
    const dir = tempDir();
    const config = runConfig(dir.file("v.sqlite"), { signatureUrls: `1=${sigServer.url}` });
    const stop = new AbortController();
    let opsUrl = "";
    let inspecting = false;
    const seen: { report: TickReport; metrics: string; health: { ok: boolean; details: Record<string, unknown> } }[] =
      [];
    try {
      await runVerifier({
        config,
        provider: rpc.provider,
        addresses: f.addresses,
        submitter: signerSubmitter(f.carol),
        account: f.carol.address,
        signal: stop.signal,
        logger: silentLogger,
        onReady: (info) => (opsUrl = info.opsUrl),
        onTick: (report) => {
          if (stop.signal.aborted || inspecting) return;
          inspecting = true;
          void (async () => {
            const metrics = await (await fetch(`${opsUrl}/metrics`)).text();
            const health = (await (await fetch(`${opsUrl}/healthz`)).json()) as (typeof seen)[number]["health"];
            seen.push({ report, metrics, health });
            stop.abort();
          })();
        },
      });
    } finally {
      sigServer.server.close();
      await rpc.close();
      dir.cleanup();
    }
    expect(seen).to.have.length(1);
    expect(seen[0].report.batchesJudged).to.equal(1);
    expect(seen[0].metrics).to.match(/^era_verifier_batches_checked_total 1$/m);
    expect(seen[0].metrics).to.match(/^era_verifier_actions_checked_total 3$/m);
    expect(seen[0].health.ok).to.equal(true);
    expect(seen[0].health.details).to.deep.include({ signatureChecks: true, liveLocks: 0 });
    const closed = await fetch(`${opsUrl}/healthz`).then(
      () => "open",
      () => "closed",
    );
    expect(closed).to.equal("closed");
  });

  it("with a key, sends its proofs through the node's TxSender: simulated, EIP-1559, from that key", async function () {
    const f = await loadFixture(verifierFixture);
    const node = new NodeSignatures();
    const actions = await honestActions(f, 3);
    actions.push(await sign(f, f.users[1], actions[1].action.nonce, 999n));
    const s = await post(f, node, actions);
    const key = ethers.Wallet.createRandom();
    await setBalance(key.address, ethers.parseEther("10"));
    const rpc = await jsonRpcBridge();
    const dir = tempDir();
    const config = runConfig(dir.file("v.sqlite"), { txPollIntervalMs: 20 });
    const stop = new AbortController();
    const reports: TickReport[] = [];
    try {
      await runVerifier({
        config,
        provider: rpc.provider,
        addresses: f.addresses,
        signer: key,
        signal: stop.signal,
        logger: silentLogger,
        onTick: (report) => {
          reports.push(report);
          stop.abort();
        },
      });
    } finally {
      await rpc.close();
      dir.cleanup();
    }
    expect(reports[0].proofsLanded).to.equal(1);
    const [proven] = await f.batchCommitments.queryFilter(f.batchCommitments.filters.FraudProven(s.batchId));
    expect(proven.args.challenger).to.equal(key.address);
    const tx = (await ethers.provider.getTransaction(proven.transactionHash))!;
    expect(tx.from).to.equal(key.address);
    expect(tx.type).to.equal(2);
    expect(tx.gasLimit, "the estimate plus the 20% buffer").to.be.greaterThan(
      (await ethers.provider.getTransactionReceipt(proven.transactionHash))!.gasUsed,
    );
  });
});
