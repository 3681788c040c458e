import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chainIdOf, contentSecurityPolicy, loadDeployment } from "../../build/deploymentSource";
import { appDeploymentOf, chainLabel, describeChain, stakingAddressesOf } from "../../src/lib/deployment";

const ADDRESSES = {
  "EconomyCore#EraTimelock": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  "EconomyCore#EraToken": "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
  "EconomyCore#NodeRegistry": "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  "EconomyCore#DelegatedStaking": "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
  "EconomyCore#EpochDistributor": "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853",
};

describe("the deployment the page is built for", () => {
  describe("stakingAddressesOf", () => {
    it("picks the page's contracts out of Ignition's deployed_addresses.json, checksummed", () => {
      expect(stakingAddressesOf(ADDRESSES)).to.deep.equal({
        token: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
        nodeRegistry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
        staking: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
        distributor: "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853",
      });
    });

    it("accepts the contracts under any module name", () => {
      const renamed = Object.fromEntries(
        Object.entries(ADDRESSES).map(([k, v]) => [k.replace("EconomyCore", "Suite"), v]),
      );
      expect(stakingAddressesOf(renamed).staking).to.equal("0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9");
    });

    it("names the contracts a deployment lacks", () => {
      const { ["EconomyCore#DelegatedStaking"]: _s, ["EconomyCore#EpochDistributor"]: _d, ...partial } = ADDRESSES;
      expect(() => stakingAddressesOf(partial, "x.json")).to.throw(
        "x.json has no DelegatedStaking, EpochDistributor: it is not a deployment of the suite. Deploy deploy/modules/Suite.ts.",
      );
    });

    it("refuses an entry that is not an address", () => {
      expect(() => stakingAddressesOf({ ...ADDRESSES, "EconomyCore#EraToken": "0x1234" }, "x.json")).to.throw(
        "x.json: the address of EraToken is not an address (0x1234).",
      );
    });
  });

  it("appDeploymentOf names the chain unless the build named it, and checks the chain id", () => {
    const base = { id: "chain-31337", chainId: 31337, addresses: ADDRESSES };
    expect(appDeploymentOf(base).chainName).to.equal("Hardhat (local)");
    expect(appDeploymentOf({ ...base, chainName: "Devnet" }).chainName).to.equal("Devnet");
    expect(appDeploymentOf({ ...base, rpcUrl: "" }).rpcUrl).to.equal(undefined);
    expect(() => appDeploymentOf({ ...base, chainId: 0 })).to.throw("chain id 0 is not a positive integer");
  });

  it("chainLabel and describeChain name known chains and number the others", () => {
    expect(chainLabel(11155111)).to.equal("Sepolia");
    expect(chainLabel(999n)).to.equal("chain 999");
    expect(describeChain(1)).to.equal("Ethereum (chain 1)");
    expect(describeChain(137)).to.equal("chain 137");
  });

  describe("loadDeployment (build time)", () => {
    let repo: string;
    const write = (id: string, files: Record<string, string>) => {
      const dir = path.join(repo, "deploy", "deployments", id);
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
      return dir;
    };
    beforeEach(() => (repo = mkdtempSync(path.join(tmpdir(), "era-deployment-"))));
    afterEach(() => rmSync(repo, { recursive: true, force: true }));

    it("reads chain-31337 by default, with the local RPC URL", () => {
      write("chain-31337", { "deployed_addresses.json": JSON.stringify(ADDRESSES) });
      const d = loadDeployment(repo, {});
      expect(d).to.include({ id: "chain-31337", chainId: 31337, rpcUrl: "http://127.0.0.1:8545" });
      expect(d.addresses).to.deep.equal(ADDRESSES);
    });

    it("takes the chain id from Ignition's journal, whose first line may be empty", () => {
      write("staging", {
        "deployed_addresses.json": JSON.stringify(ADDRESSES),
        "journal.jsonl": '\n{"chainId":84532,"type":"DEPLOYMENT_INITIALIZE"}\n{"type":"OTHER"}\n',
      });
      const d = loadDeployment(repo, {
        ERA_APP_DEPLOYMENT: "staging",
        ERA_APP_RPC_URL: "https://sepolia.base.example/rpc",
        ERA_APP_CHAIN_NAME: "Base Sepolia",
      });
      expect(d).to.include({ chainId: 84532, rpcUrl: "https://sepolia.base.example/rpc", chainName: "Base Sepolia" });
    });

    it("has no default RPC URL away from the local chain (the page then reads through the wallet)", () => {
      write("chain-11155111", { "deployed_addresses.json": JSON.stringify(ADDRESSES) });
      expect(loadDeployment(repo, { ERA_APP_DEPLOYMENT: "chain-11155111" }).rpcUrl).to.equal(undefined);
    });

    it("says how to deploy when the deployment is missing", () => {
      expect(() => loadDeployment(repo, {})).to.throw(
        /^No Ignition deployment at deploy\/deployments\/chain-31337 \(no deployed_addresses\.json\)\. Deploy the suite first/,
      );
    });

    it("refuses an RPC URL that is not http(s) and a deployment of unknown chain", () => {
      write("chain-31337", { "deployed_addresses.json": JSON.stringify(ADDRESSES) });
      expect(() => loadDeployment(repo, { ERA_APP_RPC_URL: "ws://127.0.0.1:8545" })).to.throw(
        'ERA_APP_RPC_URL must be an http(s):// URL, not "ws://127.0.0.1:8545".',
      );
      const dir = write("mystery", { "deployed_addresses.json": JSON.stringify(ADDRESSES) });
      expect(() => chainIdOf(dir, "mystery")).to.throw("Cannot tell the chain of deployment mystery");
    });
  });

  it("contentSecurityPolicy lets the page reach itself and the chain's RPC origin only", () => {
    const csp = contentSecurityPolicy("http://127.0.0.1:8545/some/path");
    expect(csp).to.include("default-src 'none'");
    expect(csp).to.include("connect-src 'self' http://127.0.0.1:8545;");
    expect(contentSecurityPolicy(undefined)).to.include("connect-src 'self';");
  });
});
