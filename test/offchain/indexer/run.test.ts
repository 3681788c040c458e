import { existsSync } from "node:fs";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ConfigError, loadConfig } from "../../../src/node/config";
import { formatSummary, indexerConfigSchema, runIndexer } from "../../../src/indexer/run";
import { ERA, MONTH } from "../../helpers/fixtures";
import { EXECUTION_DEFAULTS } from "../../execution/lightweight/helpers";
import { jsonRpcBridge, rejection, signerSubmitter, silentLogger, tempDir } from "../helpers";
import { honestActions, post, verifierFixture, NodeSignatures } from "../verifier/helpers";

const load = (flags: Record<string, unknown>, env: Record<string, string> = {}) =>
  loadConfig(indexerConfigSchema, { name: "indexer", envPrefix: "ERA_INDEXER", env, flags });

describe("Activity indexer: configuration and run", function () {
  it("needs the epoch start, and reads budgets in wei and the reward pool as `available` or an amount", function () {
    const missing = (() => {
      try {
        load({});
      } catch (e) {
        return e;
      }
    })();
    expect(missing).to.be.instanceOf(ConfigError);
    expect((missing as ConfigError).message).to.match(
      /epochStart \(not set: use --epoch-start or ERA_INDEXER_EPOCH_START\)/,
    );

    const config = load({ epochStart: "1700000000" }, { ERA_INDEXER_SUBSIDY_BUDGET: "123000000000000000000000" });
    expect(config.epochLength).to.equal(2_628_000);
    expect(config.subsidyBudget).to.equal(123_000n * ERA);
    expect(config.rewardPool).to.equal("available");
    expect(load({ epochStart: 0, rewardPool: "5" }).rewardPool).to.equal(5n);
    expect(() => load({ epochStart: 0, rewardPool: "lots" })).to.throw(ConfigError, /rewardPool/);
  });

  it("scans over JSON-RPC, then publishes the last month that ended with the pool's available rewards, and summarizes it", async function () {
    const f = await loadFixture(verifierFixture);
    const start = (await time.latest()) + 10;
    await time.increaseTo(start);
    await post(f, new NodeSignatures(), await honestActions(f, 4));
    await time.increaseTo(start + Number(MONTH) + Number(EXECUTION_DEFAULTS.challengeWindow));
    await f.token.connect(f.treasury).approve(f.addresses.distributor, 2_000n * ERA);
    await f.distributor.connect(f.treasury).fundSubsidies(1_000n * ERA);
    await f.distributor.connect(f.treasury).fundUserRewards(400n * ERA);
    const dir = tempDir();
    const rpc = await jsonRpcBridge();
    const lines: number[] = [];
    try {
      const config = load({
        epochStart: start,
        dbPath: dir.file("ix.sqlite"),
        outDir: dir.file("proofs"),
        confirmations: 0,
        publish: true,
        subsidyBudget: (1_000n * ERA).toString(),
      });
      const run = {
        config,
        provider: rpc.provider,
        addresses: f.addresses,
        submitter: signerSubmitter(f.publisher),
        logger: silentLogger,
        onProgress: () => lines.push(1),
      };
      const { summary, publications } = await runIndexer(run);

      expect(lines.length).to.be.greaterThan(0);
      expect(summary.month).to.equal(0);
      expect(summary.scenarios.map((s) => [s.scenarioId, s.mau, s.baseSubsidy])).to.deep.equal([
        [3n, 4n, 1_000n * ERA],
      ]);
      expect(summary.reward.entries.map((e) => e.amount)).to.deep.equal([
        100n * ERA,
        100n * ERA,
        100n * ERA,
        100n * ERA,
      ]);
      expect(publications.map((p) => p.kind)).to.deep.equal(["subsidy", "reward"]);
      expect(publications.every((p) => existsSync(p.file))).to.equal(true);
      const text = formatSummary(summary);
      expect(text).to.match(/^Month 0: .* 4 distinct user\(s\)$/m);
      expect(text).to.match(/^3 {2}1 {2}4 {2}0 {2}4 {2}1000000000000000000000 {2}1000000000000000000000 {2}\(0, 0\)$/m);

      // A second run (say, the next day) publishes nothing new.
      await runIndexer(run);
      expect(await f.distributor.epochCount()).to.equal(2n);

      const noKey = await rejection(runIndexer({ ...run, submitter: undefined }));
      expect(noKey.message).to.match(/publisher's key/);
    } finally {
      await rpc.close();
      dir.cleanup();
    }
  });
});
