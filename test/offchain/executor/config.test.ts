import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { ConfigError } from "../../../src/node/config";
import { hubAddressOf, loadExecutorConfig, loadNodeKey } from "../../../src/executor/config";

const HUB = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

describe("executor configuration", function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "executor-config-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  };
  const error = (fn: () => unknown): Error => {
    try {
      fn();
    } catch (e) {
      return e as Error;
    }
    throw new Error("no error");
  };

  it("takes flags over environment over file over defaults", function () {
    const settings = file("s.json", { rpcUrl: "http://file:1", chainId: 1, executionHub: HUB, maxBatchSize: 10 });
    const config = loadExecutorConfig({
      file: settings,
      env: { ERA_EXECUTOR_MAX_BATCH_SIZE: "20", ERA_EXECUTOR_CHAIN_ID: "5" },
      flags: { maxBatchSize: 30 },
    });
    expect(config).to.include({ rpcUrl: "http://file:1", chainId: 5, maxBatchSize: 30, gasBufferPercent: 20 });
    expect(config.feeBumpPercent).to.equal(12.5);
  });

  it("names the setting, where it came from and what to do", function () {
    const base = { ERA_EXECUTOR_RPC_URL: "http://x:1", ERA_EXECUTOR_CHAIN_ID: "1" };
    const noHub = error(() => loadExecutorConfig({ env: base }));
    expect(noHub).to.be.instanceOf(ConfigError);
    expect(noHub.message).to.match(
      /^Configuration: deployment \(not set: use --deployment or ERA_EXECUTOR_DEPLOYMENT\)/,
    );
    const lowBump = error(() =>
      loadExecutorConfig({ env: { ...base, ERA_EXECUTOR_EXECUTION_HUB: HUB, ERA_EXECUTOR_FEE_BUMP_PERCENT: "10" } }),
    );
    expect(lowBump.message).to.equal(
      "Configuration: feeBumpPercent (ERA_EXECUTOR_FEE_BUMP_PERCENT) must be at least 12.5.",
    );
    const typo = error(() => loadExecutorConfig({ file: file("t.json", { rpcURL: "http://x:1" }) }));
    expect(typo.message).to.match(
      /^Configuration: rpcURL \(.*t\.json\) is not a setting of the executor\. Known: rpcUrl,/,
    );
  });

  it("reads the hub's address from an Ignition deployment file, or says what the file lacks", function () {
    const good = file("deployed_addresses.json", { "ExecutionLayer#ExecutionHub": HUB.toLowerCase() });
    expect(hubAddressOf({ deployment: good })).to.equal(HUB);
    const other = file("other.json", { "EconomyCore#EraToken": HUB });
    expect(error(() => hubAddressOf({ deployment: other })).message).to.contain(
      "has no ExecutionHub address: use the deployed_addresses.json of a Suite deployment, or give executionHub.",
    );
    expect(hubAddressOf({ deployment: other, executionHub: HUB })).to.equal(HUB);
  });

  it("reads the node key from an encrypted keystore with the password from the environment", async function () {
    this.timeout(60_000);
    const wallet = Wallet.createRandom();
    const keystore = file("key.json", await wallet.encrypt("correct horse"));
    const settings = { keystore, keystorePasswordEnv: "PW", nodeKeyEnv: "KEY" };
    const loaded = await loadNodeKey(settings, { PW: "correct horse" });
    expect(loaded.address).to.equal(wallet.address);
    const wrong = await loadNodeKey(settings, { PW: "wrong" }).catch((e: Error) => e);
    expect(wrong).to.be.instanceOf(ConfigError);
    expect((wrong as Error).message).to.match(/cannot be decrypted .*check the file and the password in PW\./);
    const missing = await loadNodeKey(settings, {}).catch((e: Error) => e);
    expect((missing as Error).message).to.equal(
      "Configuration: keystorePasswordEnv (PW) is not set: export the keystore's password in PW.",
    );
  });

  it("reads the node key from its variable, and refuses a value that is not a key", async function () {
    const wallet = Wallet.createRandom();
    const settings = { keystorePasswordEnv: "PW", nodeKeyEnv: "KEY" };
    expect((await loadNodeKey(settings, { KEY: wallet.privateKey })).address).to.equal(wallet.address);
    const bad = await loadNodeKey(settings, { KEY: "hunter2" }).catch((e: Error) => e);
    expect((bad as Error).message).to.equal(
      "Configuration: nodeKeyEnv (KEY) must hold a private key: 0x + 64 hex digits.",
    );
  });
});
