import { expect } from "chai";
import { join } from "node:path";
import { runExecutor, type ExecutorHandle } from "../../../src/executor/run";
import { silent, testConfig } from "./helpers";
import { startLocalChain, type LocalChain } from "../../../bench/chain";
import { FAULT_EXECUTOR_SETTINGS, TEST_FAULT_RATES, prng, startFaultyProxy } from "../../../bench/faultProxy";
import { postUntilAcknowledged } from "../../../bench/workload";
import { expectExactlyOnce, seedFrom, soakSetup } from "./soak";

const JOBS = Number(process.env.FAULT_JOBS ?? 800);

describe("executor RPC fault test: dropped, delayed and failed requests, nothing lost, nothing doubled", function () {
  this.timeout(900_000);
  let chain: LocalChain;
  let exec: ExecutorHandle | undefined;
  let proxy: Awaited<ReturnType<typeof startFaultyProxy>> | undefined;

  before(async function () {
    chain = await startLocalChain();
  });

  after(async function () {
    await exec?.close();
    await proxy?.close();
    await chain?.stop();
  });

  it(`${JOBS} standard-mode jobs through a proxy that spoils a quarter of the RPC requests`, async function () {
    const rand = prng(seedFrom("FAULT_SEED"));
    const started = Date.now();
    const { nodeKey, scenarioId, jobs } = await soakSetup(chain, "faults", JOBS);
    proxy = await startFaultyProxy(chain.url, rand, TEST_FAULT_RATES);
    exec = await runExecutor(
      testConfig({
        rpcUrl: proxy.url,
        executionHub: undefined,
        deployment: chain.deployment,
        journal: join(chain.dir, "faults.sqlite"),
        ...FAULT_EXECUTOR_SETTINGS,
      }),
      { logger: silent, env: { ERA_EXECUTOR_NODE_KEY: nodeKey.privateKey } },
    );
    const api = exec.apiUrl;
    const ids = await postUntilAcknowledged(async () => api, jobs, { chunk: 50, pauseMs: () => rand() * 200 });
    const { batches } = await expectExactlyOnce(chain, api, scenarioId, jobs, ids);
    const metrics = await (await fetch(`${exec.opsUrl}/metrics`)).text();
    const rpcErrors = [...metrics.matchAll(/^era_executor_rpc_errors_total\{[^}]*\} (\d+)$/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    const { stats } = proxy;
    // Since intake reads nonces in bulk (one eth_call per burst of prechecks), a run makes about 70 requests, not 140:
    // at the 18% refuse + error + lose rate about 13 are spoilt (fewer than 5: about 0.2% of seeds).
    expect(stats.refused + stats.errored + stats.lost, "faults injected").to.be.at.least(5);
    expect(rpcErrors, "RPC errors counted").to.be.greaterThan(0);
    console.log(
      `      ${JOBS} jobs in ${batches} batches; proxy ${JSON.stringify(stats)}; ${rpcErrors} RPC errors counted; ` +
        `${Math.round((Date.now() - started) / 1000)} s`,
    );
  });
});
