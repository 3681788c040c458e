import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { cfg, ConfigError, envKey, flagName, loadConfig } from "../../src/node/config";

const schema = z.object({
  rpcUrl: cfg.url().default("http://127.0.0.1:8545"),
  maxBatchSize: cfg.int(1, 1000).default(100),
  minBond: cfg.bigint().default(0n),
  autoMode: cfg.bool().default(false),
});

function file(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "era-config-"));
  const path = join(dir, "config.json");
  writeFileSync(path, content);
  return path;
}

describe("Node configuration", function () {
  it("takes flags over env over file over defaults", function () {
    const path = file(JSON.stringify({ maxBatchSize: 10, minBond: "5", autoMode: true }));
    const env = { ERA_X_MAX_BATCH_SIZE: "20", ERA_X_MIN_BOND: "123456789012345678901234567890" };
    const c = loadConfig(schema, { name: "x", envPrefix: "ERA_X", file: path, env, flags: { maxBatchSize: "30" } });
    expect(c).to.deep.equal({
      rpcUrl: "http://127.0.0.1:8545",
      maxBatchSize: 30,
      minBond: 123456789012345678901234567890n,
      autoMode: true,
    });
  });

  it("maps keys to environment variables and flags", function () {
    expect(envKey("ERA_EXECUTOR", "maxBatchSize")).to.equal("ERA_EXECUTOR_MAX_BATCH_SIZE");
    expect(flagName("rpcUrl")).to.equal("--rpc-url");
  });

  it("names the key, where its value came from and the problem", function () {
    const bad = () => loadConfig(schema, { name: "x", envPrefix: "ERA_X", env: { ERA_X_MAX_BATCH_SIZE: "5000" } });
    expect(bad).to.throw(ConfigError, /maxBatchSize \(ERA_X_MAX_BATCH_SIZE\)/);
    const flag = () => loadConfig(schema, { name: "x", envPrefix: "ERA_X", env: {}, flags: { autoMode: "maybe" } });
    expect(flag).to.throw(ConfigError, /autoMode \(--auto-mode\) must be true or false/);
    const url = () => loadConfig(schema, { name: "x", envPrefix: "ERA_X", env: {}, flags: { rpcUrl: "localhost" } });
    expect(url).to.throw(ConfigError, /http\(s\)/);
  });

  it("refuses unknown settings instead of ignoring a typo", function () {
    const path = file(JSON.stringify({ maxBatchSise: 10 }));
    expect(() => loadConfig(schema, { name: "x", envPrefix: "ERA_X", file: path, env: {} })).to.throw(
      ConfigError,
      /maxBatchSise .* is not a setting of x/,
    );
    expect(() => loadConfig(schema, { name: "x", envPrefix: "ERA_X", env: {}, flags: { port: 1 } })).to.throw(
      ConfigError,
      /port \(--port\)/,
    );
  });

  it("reports a file that is not a JSON object", function () {
    expect(() => loadConfig(schema, { name: "x", envPrefix: "ERA_X", file: file("[1]"), env: {} })).to.throw(
      ConfigError,
      /one JSON object/,
    );
    expect(() => loadConfig(schema, { name: "x", envPrefix: "ERA_X", file: file("{"), env: {} })).to.throw(
      ConfigError,
      /cannot be read as JSON/,
    );
  });
});
