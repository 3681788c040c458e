import { expect } from "chai";
import { join } from "node:path";
import { Wallet, type TypedDataDomain } from "ethers";
import { ConfigError } from "../../../src/node/config";
import { runExecutor, type ExecutorHandle } from "../../../src/executor/run";
import { jobToJson } from "../../../src/executor/schemas";
import { eventually, http, signedActions, silent, testConfig, users } from "./helpers";
import { standardScenario, startLocalChain, type LocalChain } from "../../../bench/chain";

describe("executor against a hardhat node child process", function () {
  this.timeout(300_000);
  let chain: LocalChain;
  let nodeKey: Wallet;
  let scenarioId: bigint;
  let hubDomain: TypedDataDomain;
  let exec: ExecutorHandle | undefined;

  before(async function () {
    chain = await startLocalChain();
    nodeKey = Wallet.createRandom() as unknown as Wallet;
    ({ scenarioId, hubDomain } = await standardScenario(chain, nodeKey));
  });

  after(async function () {
    await exec?.close();
    await chain?.stop();
  });

  function config(overrides: Parameters<typeof testConfig>[0] = {}) {
    return testConfig({
      rpcUrl: chain.url,
      executionHub: undefined,
      deployment: chain.deployment,
      journal: join(chain.dir, "journal.sqlite"),
      pollIntervalMs: 50,
      ...overrides,
    });
  }

  const env = () => ({ ERA_EXECUTOR_NODE_KEY: nodeKey.privateKey });

  it("takes jobs over HTTP and confirms them on chain, reading the deployment file and the key from the environment", async function () {
    exec = await runExecutor(config(), { logger: silent, env: env() });
    expect(exec.account).to.equal(nodeKey.address);
    expect(exec.nodeId).to.equal(1n);
    const jobs = await signedActions(hubDomain, scenarioId, users(15, "node-test"), 150);
    const res = await http<{ accepted: number }>("POST", `${exec.apiUrl}/jobs`, jobs.map(jobToJson));
    expect(res.body.accepted).to.equal(150);
    await eventually("150 confirmed", async () => {
      const page = await http<{ jobs: unknown[] }>("GET", `${exec!.apiUrl}/jobs?status=confirmed&limit=1000`);
      return page.body.jobs.length === 150;
    });
    expect(await chain.suite.executionHub.actionCount(scenarioId)).to.equal(150n);
  });

  it("refuses at precheck a duplicate of an applied job (same user and nonce), even with an empty journal", async function () {
    await exec?.close();
    exec = await runExecutor(config({ journal: join(chain.dir, "other.sqlite") }), { logger: silent, env: env() });
    const [job] = await signedActions(hubDomain, scenarioId, users(15, "node-test"), 1);
    const res = await http<{ error: { code: string; message: string } }>("POST", `${exec.apiUrl}/jobs`, {
      ...jobToJson(job),
      payload: "777",
    });
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal("refused");
    // The payload changed, so the signature no longer matches: fix that and the nonce is what is refused.
    const [resigned] = await signedActions(hubDomain, scenarioId, users(15, "node-test"), 1);
    const again = await http<{ error: { message: string } }>("POST", `${exec.apiUrl}/jobs`, jobToJson(resigned));
    expect(again.status).to.equal(422);
    expect(again.body.error.message).to.match(
      /^nonce: 1 of 0x[0-9a-fA-F]{40} in scenario \d+ was already used on chain/,
    );
    await exec.close();
    exec = undefined;
  });

  it("refuses to start on the wrong chain, with a key that is no node's, or with no key", async function () {
    const failure = (p: Promise<unknown>) =>
      p.then(
        (h) => {
          void (h as ExecutorHandle).close();
          throw new Error("started");
        },
        (e: unknown) => e as Error,
      );
    const wrongChain = await failure(runExecutor(config({ chainId: 5 }), { logger: silent, env: env() }));
    expect(wrongChain).to.be.instanceOf(ConfigError);
    expect(wrongChain.message).to.match(/chainId \(--chain-id\) is 5 but http:\/\/127\.0\.0\.1:\d+ serves chain 31337/);

    const stranger = Wallet.createRandom();
    const notNode = await failure(
      runExecutor(config(), { logger: silent, env: { ERA_EXECUTOR_NODE_KEY: stranger.privateKey } }),
    );
    expect(notNode.message).to.contain(`holds ${stranger.address}, which is not the signing key of any node`);

    const noKey = await failure(runExecutor(config(), { logger: silent, env: {} }));
    expect(noKey.message).to.match(/ERA_EXECUTOR_NODE_KEY\) is not set: export the node's signing key/);
  });
});
