import { expect } from "chai";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { classifyRpcError } from "../../src/node/rpc";

describe("RPC error classes", function () {
  it("treats an endpoint's internal error as transient whatever method it answered (regression: eth_chainId)", async function () {
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const { id } = JSON.parse(body) as { id: number };
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32603, message: "Internal error" } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const { port } = server.address() as AddressInfo;
    const network = Network.from(31337n);
    const provider = new JsonRpcProvider(new FetchRequest(`http://127.0.0.1:${port}`), network, {
      staticNetwork: network,
    });
    try {
      for (const call of [() => provider.send("eth_chainId", []), () => provider.send("eth_blockNumber", [])]) {
        let failure: unknown;
        try {
          await call();
        } catch (e) {
          failure = e;
        }
        expect(failure, "the endpoint fails every request").to.not.equal(undefined);
        expect(classifyRpcError(failure)).to.equal("transient");
      }
    } finally {
      provider.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("keeps a node's chain-id refusal permanent", function () {
    expect(classifyRpcError(new Error("invalid chain id for signer"))).to.equal("permanent");
    expect(classifyRpcError(new Error("chainId mismatch: expected 1"))).to.equal("permanent");
  });
});
