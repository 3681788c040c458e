import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { encryptKeystoreJsonSync, id, JsonRpcSigner, Wallet } from "ethers";
import { settingsFromArgs } from "../../../src/cli/commands/processes";
import { readDeployment } from "../../../src/cli/deployment";
import { connectSuite, type Suite, type SuiteAddresses } from "../../../src/sdk/economy";
import { notaryBatchTree } from "../../../src/executor/cosign";
import {
  domainOf,
  nextAttestation,
  signAction,
  signAttestation,
  signBatchAttestation,
} from "../../../src/sdk/execution";
import { RewardTree, SubsidyTree } from "../../../src/sdk/merkle";
import { serializeProofFile, toProofFile } from "../../../src/sdk/proofFile";
import { DecimalsToken__factory } from "../../../typechain-types";
import {
  DAY,
  devAccount,
  ERA,
  eraChild,
  eraInProcess,
  freePort,
  ROOT,
  startNode,
  type DevNode,
  type EraRun,
  type RunOptions,
} from "./helpers";

/**
 * The `era` CLI against a real `hardhat node` child process, with the suite deployed by `era deploy` itself (once,
 * through the binary). Most commands run in-process through `run(argv, io)`; a few run as the real binary. Every
 * refusal is checked for its exit code, its message, and that no transaction was mined (the block number stays).
 */
describe("era CLI", function () {
  this.timeout(180_000);

  const deployer = devAccount(0);
  const publisher = devAccount(3);
  const treasury = devAccount(5);
  const operator = devAccount(6);
  const operator2 = devAccount(7);
  const developer = devAccount(8);
  const alice = devAccount(9);
  const bob = devAccount(10);
  /** Node 1's signing key (a funded account: it submits notarizations). */
  const nodeKey = devAccount(12);

  let node: DevNode;
  let dir: string;
  let deploymentDir: string;
  let deployed: EraRun;
  let addresses: SuiteAddresses;
  let suite: Suite;

  /** The environment of a command run as `who`. */
  const env = (who?: Wallet, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
    ERA_RPC_URL: node.url,
    ERA_DEPLOYMENT: deploymentDir,
    ...(who ? { ERA_PRIVATE_KEY: who.privateKey } : {}),
    ...extra,
  });
  const era = (args: string[], who?: Wallet, options: RunOptions = {}) =>
    eraInProcess(args, { ...options, env: { ...env(who), ...options.env } });

  /** Runs `fn` and checks that no transaction was mined meanwhile (automine mines one block per transaction). */
  async function noTransaction(fn: () => Promise<EraRun>): Promise<EraRun> {
    const before = await node.provider.getBlockNumber();
    const r = await fn();
    expect(await node.provider.getBlockNumber(), "a transaction was mined").to.equal(before);
    return r;
  }

  /** A refusal: exit code, a message naming the problem, and nothing sent. */
  async function refused(args: string[], who: Wallet | undefined, code: 1 | 2, message: RegExp): Promise<EraRun> {
    const r = await noTransaction(() => era(args, who));
    expect(r.code, r.stderr).to.equal(code);
    expect(r.stderr).to.match(message);
    return r;
  }

  async function travel(seconds: number): Promise<void> {
    await node.provider.send("evm_increaseTime", [seconds]);
    await node.provider.send("evm_mine", []);
  }

  const as = (w: Wallet) => w.connect(node.provider);

  before(async function () {
    node = await startNode();
    dir = mkdtempSync(path.join(tmpdir(), "era-cli-"));
    deploymentDir = path.join(dir, "deployment");
    deployed = await eraChild(["deploy", "--json"], {
      ERA_RPC_URL: node.url,
      ERA_DEPLOYMENT: deploymentDir,
      ERA_PRIVATE_KEY: deployer.privateKey,
    });
    expect(deployed.code, deployed.stderr).to.equal(0);
    addresses = deployed.json<{ addresses: SuiteAddresses }>().addresses;
    suite = connectSuite(addresses, node.provider);

    // The treasury (genesis supply) funds the actors, the staking reserve and both distribution pools.
    const t = as(treasury);
    for (const [w, amount] of [
      [operator, 30_000n],
      [operator2, 30_000n],
      [developer, 100_000n],
      [alice, 10_000n],
    ] as const) {
      await (await suite.token.connect(t).transfer(w.address, amount * ERA)).wait();
    }
    await (await suite.token.connect(t).approve(addresses.staking, 100_000n * ERA)).wait();
    await (await suite.staking.connect(t).fundReserve(100_000n * ERA)).wait();
    await (await suite.token.connect(t).approve(addresses.distributor, 60_000n * ERA)).wait();
    await (await suite.distributor.connect(t).fundSubsidies(50_000n * ERA)).wait();
    await (await suite.distributor.connect(t).fundUserRewards(10_000n * ERA)).wait();
  });

  after(async function () {
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe("deploy", function () {
    it("deploys the whole suite through the binary and prints its addresses as JSON", async function () {
      const out = deployed.json<{ chainId: string; deployer: string; addresses: Record<string, string> }>();
      expect(out.chainId).to.equal("31337");
      expect(out.deployer).to.equal(deployer.address);
      // The addresses printed are the ones Ignition journaled, every contract of the suite.
      expect(out.addresses).to.deep.equal(readDeployment(deploymentDir, "test").addresses);
      for (const address of Object.values(out.addresses)) {
        expect(await node.provider.getCode(address)).to.not.equal("0x");
      }
      // Wired as the parameters say: the treasury got the genesis supply, the publisher its role.
      const params = JSON.parse(readFileSync(path.join(ROOT, "deploy/parameters/local.json"), "utf8")).$global;
      expect(params.treasury).to.equal(treasury.address);
      expect(await suite.distributor.hasRole(id("PUBLISHER_ROLE"), publisher.address)).to.equal(true);
    });

    it("resumes from its journal: a second run sends nothing and prints the same addresses", async function () {
      const r = await noTransaction(() => era(["deploy", "--json"], deployer));
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json<{ addresses: SuiteAddresses }>().addresses).to.deep.equal(addresses);
    });

    it("refuses a missing or malformed parameters file", async function () {
      await refused(["deploy", "--parameters", "no/such/file.json"], deployer, 2, /parameters file .* does not exist/);
      const bad = path.join(dir, "bad-parameters.json");
      writeFileSync(bad, "{ not json");
      await refused(["deploy", "--parameters", bad, "--deployment", path.join(dir, "other")], deployer, 2, /not JSON/);
    });
  });

  describe("keys and global options", function () {
    it("refuses --private-key, saying why and what to use instead", async function () {
      const r = await refused(
        ["stake", "delegate", "1", "5", "--private-key", alice.privateKey],
        undefined,
        2,
        /--private-key is refused: .*shell history/,
      );
      expect(r.stderr).to.include("ERA_PRIVATE_KEY");
      expect(r.stderr).to.include("--keystore");
      expect(r.stderr).to.not.include(alice.privateKey.slice(2));
    });

    it("asks for a key when a command signs and none is configured", async function () {
      await refused(["stake", "delegate", "1", "5"], undefined, 2, /no key is configured.*ERA_PRIVATE_KEY/);
    });

    it("refuses an ERA_PRIVATE_KEY that is not a key, without echoing it", async function () {
      const r = await noTransaction(() =>
        eraInProcess(["settle", "deposit", "1"], { env: env(undefined, { ERA_PRIVATE_KEY: "0xnot-a-key" }) }),
      );
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/ERA_PRIVATE_KEY is not a private key/);
      expect(r.stderr).to.not.include("not-a-key");
    });

    it("says which RPC endpoint does not answer, and why (exit 1)", async function () {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const r = await eraInProcess(["report"], { env: { ERA_RPC_URL: closed, ERA_DEPLOYMENT: deploymentDir } });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include(`Cannot reach the chain's RPC endpoint at ${closed} (ECONNREFUSED).`);
    });

    it("rejects a malformed --rpc (exit 2), and --rpc wins over ERA_RPC_URL", async function () {
      const bad = await era(["report", "--rpc", "localhost:8545"]);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.match(/rpcUrl \(--rpc-url\) must be an http\(s\):\/\/ or ws\(s\):\/\/ URL/);
      const good = await eraInProcess(["report", "--json", "--rpc", node.url], {
        env: { ERA_RPC_URL: `http://127.0.0.1:${await freePort()}`, ERA_DEPLOYMENT: deploymentDir },
      });
      expect(good.code, good.stderr).to.equal(0);
    });

    it("reads settings from a --config file under the environment, and refuses a key in it", async function () {
      const config = path.join(dir, "era.json");
      writeFileSync(config, JSON.stringify({ rpcUrl: node.url, deployment: deploymentDir }));
      const r = await eraInProcess(["report", "--json", "--config", config], { env: {} });
      expect(r.code, r.stderr).to.equal(0);
      const closed = `http://127.0.0.1:${await freePort()}`;
      const overridden = await eraInProcess(["report", "--config", config], { env: { ERA_RPC_URL: closed } });
      expect(overridden.code).to.equal(1);
      expect(overridden.stderr).to.include(`Cannot reach the chain's RPC endpoint at ${closed}`);
      writeFileSync(config, JSON.stringify({ rpcUrl: node.url, privateKey: alice.privateKey }));
      const refusedKey = await eraInProcess(["report", "--config", config], { env: {} });
      expect(refusedKey.code).to.equal(2);
      expect(refusedKey.stderr).to.match(/privateKey .* is not a setting of era\. Known: rpcUrl, deployment, keystore/);
    });

    it("explains a deployment folder that does not exist or does not match the chain", async function () {
      const missing = await era(["report", "--deployment", path.join(dir, "nowhere")]);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.match(
        /deployment file .*nowhere does not exist\. It is given with --deployment or ERA_DEPLOYMENT\. .*era deploy/,
      );
      const foreign = path.join(dir, "foreign.json");
      writeFileSync(foreign, JSON.stringify({ ...addresses, token: Wallet.createRandom().address }));
      const mismatch = await era(["report", "--deployment", foreign]);
      expect(mismatch.code).to.equal(2);
      expect(mismatch.stderr).to.match(/does not match the chain .* no contract at its token address/);
    });

    it("answers unknown commands and options with usage (exit 2)", async function () {
      const unknownCommand = await era(["stake", "delegat", "1", "5"], alice);
      expect(unknownCommand.code).to.equal(2);
      expect(unknownCommand.stderr).to.match(/unknown command 'delegat'/);
      const unknownOption = await era(["report", "--colour"]);
      expect(unknownOption.code).to.equal(2);
      expect(unknownOption.stderr).to.match(/unknown option '--colour'/);
      const missing = await era(["stake", "delegate", "1"], alice);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.match(/missing required argument 'amount'/);
    });

    it("prints help with examples for every subcommand", async function () {
      const commands = [
        ["deploy"],
        ["node", "register"],
        ["node", "bond"],
        ["node", "exit"],
        ["node", "withdraw"],
        ["node", "status"],
        ["stake", "delegate"],
        ["stake", "undelegate"],
        ["stake", "withdraw"],
        ["stake", "claim"],
        ["stake", "claim-and-redelegate"],
        ["stake", "position"],
        ["scenario", "register"],
        ["scenario", "mode", "show"],
        ["scenario", "mode", "set"],
        ["scenario", "show"],
        ["revenue", "pay"],
        ["revenue", "claim"],
        ["subsidy", "publish"],
        ["subsidy", "claim"],
        ["rewards", "publish"],
        ["rewards", "claim"],
        ["settle", "deposit"],
        ["settle", "withdraw"],
        ["settle", "balance"],
        ["settle", "status"],
        ["notary", "verify"],
        ["notary", "trail"],
        ["report"],
        ["executor", "run"],
        ["verifier", "run"],
        ["indexer", "run"],
      ];
      for (const c of commands) {
        const r = await eraInProcess([...c, "--help"]);
        expect(r.code, c.join(" ")).to.equal(0);
        expect(r.stdout, c.join(" ")).to.include(`Usage: era ${c.join(" ")}`);
        expect(r.stdout, c.join(" ")).to.match(/\nExamples:\n {2}\$ (\S+=\S+ )?era /);
      }
    });
  });

  describe("node", function () {
    it("registers a node with a permit and prints it as JSON", async function () {
      const r = await era(
        ["node", "register", "--signing-key", nodeKey.address, "--bond", "10000", "--metadata", "https://n1", "--json"],
        operator,
      );
      expect(r.code, r.stderr).to.equal(0);
      const out = r.json<{ nodeId: string; bond: string; transactions: string[] }>();
      expect(out.nodeId).to.equal("1");
      expect(out.bond).to.equal((10_000n * ERA).toString());
      expect(out.transactions).to.have.length(1); // permit: one transaction, no separate approval
      const view = await suite.nodeRegistry.getNode(1);
      expect(view.operator).to.equal(operator.address);
      expect(view.signingKey).to.equal(nodeKey.address);
      expect(view.bond).to.equal(10_000n * ERA);
      expect(await suite.token.allowance(operator.address, addresses.nodeRegistry)).to.equal(0n);
    });

    it("refuses a second node for the same operator, a bad key, a low or garbage bond; nothing is sent", async function () {
      const key = Wallet.createRandom().address;
      await refused(
        ["node", "register", "--signing-key", key, "--bond", "10000"],
        operator,
        1,
        /already operates node 1/,
      );
      await refused(
        ["node", "register", "--signing-key", "0x1234", "--bond", "10000"],
        operator2,
        2,
        /signing key "0x1234" is not a valid address/,
      );
      await refused(
        ["node", "register", "--signing-key", key, "--bond", "9999.99"],
        operator2,
        2,
        /below the minimum of 10,000 ERA/,
      );
      await refused(
        ["node", "register", "--signing-key", key, "--bond", "ten"],
        operator2,
        2,
        /bond "ten" is not a number of ERA/,
      );
      await refused(
        ["node", "register", "--signing-key", nodeKey.address, "--bond", "10000"],
        operator2,
        2,
        /is node 1's already/,
      );
    });

    it("registers with an encrypted keystore, its password from the environment or a prompt", async function () {
      const keystore = path.join(dir, "operator2.json");
      writeFileSync(
        keystore,
        encryptKeystoreJsonSync({ address: operator2.address, privateKey: operator2.privateKey }, "s3cret", {
          scrypt: { N: 1 << 10 },
        }),
      );
      await refused(["node", "status", "--keystore", keystore, "--json"], undefined, 2, /operates no node/);
      const wrong = await noTransaction(() =>
        eraInProcess(["node", "bond", "1", "--keystore", keystore], {
          env: env(undefined, { ERA_KEYSTORE_PASSWORD: "nope" }),
        }),
      );
      expect(wrong.code).to.equal(2);
      expect(wrong.stderr).to.match(/Wrong password for the keystore/);
      const noTerminal = await noTransaction(() => era(["node", "bond", "1", "--keystore", keystore]));
      expect(noTerminal.code).to.equal(2);
      expect(noTerminal.stderr).to.match(/needs its password, and there is no terminal.*ERA_KEYSTORE_PASSWORD/);

      const key = Wallet.createRandom().address;
      const prompted: string[] = [];
      const r = await era(
        ["node", "register", "--keystore", keystore, "--signing-key", key, "--bond", "12000", "--json"],
        undefined,
        {
          promptSecret: async (q) => {
            prompted.push(q);
            return "s3cret";
          },
        },
      );
      expect(r.code, r.stderr).to.equal(0);
      expect(prompted).to.have.length(1);
      expect(prompted[0]).to.include(operator2.address);
      expect(r.json<{ nodeId: string }>().nodeId).to.equal("2");
      expect((await suite.nodeRegistry.getNode(2)).operator).to.equal(operator2.address);
    });

    it("tops up a bond (approve, then top up) and shows the status as on chain", async function () {
      const r = await era(["node", "bond", "500.5", "--json"], operator2);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json<{ bond: string }>().bond).to.equal((12_500n * ERA + ERA / 2n).toString());
      const status = await era(["node", "status", "2", "--json"]);
      expect(status.code, status.stderr).to.equal(0);
      const s = status.json<{ operator: string; status: string; bond: string; aprBps: string }>();
      const view = await suite.nodeRegistry.getNode(2);
      expect(s.operator).to.equal(view.operator);
      expect(s.status).to.equal("active");
      expect(s.bond).to.equal(view.bond.toString());
      expect(s.aprBps).to.equal((await suite.staking.aprOf(2)).toString());
      const text = await era(["node", "status", "2"]);
      expect(text.stdout).to.match(/bond +12,500\.5 ERA/);
    });

    it("refuses an unknown node and a top-up by someone else", async function () {
      await refused(["node", "status", "99"], undefined, 2, /There is no node 99; nodes 1 to 2 exist/);
      await refused(["node", "status", "one"], undefined, 2, /node id "one" is not a valid id/);
      await refused(["node", "bond", "5", "--node", "1"], operator2, 1, /is not the operator of node 1/);
    });

    it("exits: the whole bond unbonds; withdrawing before the period ends is refused with the contract's reason", async function () {
      const r = await era(["node", "exit", "--json"], operator2);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json<{ remainingBond: string }>().remainingBond).to.equal("0");
      const view = await suite.nodeRegistry.getNode(2);
      expect(view.status).to.equal(2n); // Exiting
      expect(view.unbondingBond).to.equal(12_500n * ERA + ERA / 2n);
      await refused(["node", "withdraw"], operator2, 1, /Nothing of node 2's bond has finished unbonding yet\. Wait/);
      await refused(["node", "exit"], operator2, 1, /no bond left to unbond/);
    });

    it("sync-activity pushes one node, or with --all only the nodes staking has out of date", async function () {
      await refused(["node", "sync-activity"], alice, 2, /Give either a node id or --all/);
      await refused(["node", "sync-activity", "1", "--all"], alice, 2, /Give either a node id or --all/);
      await refused(["node", "sync-activity", "99"], alice, 2, /There is no node 99/);
      const one = await era(["node", "sync-activity", "1", "--json"], alice);
      expect(one.code, one.stderr).to.equal(0);
      expect(one.json<{ synced: unknown[]; transactions: string[] }>()).to.deep.include({
        synced: [{ nodeId: "1", active: true }],
      });
      const none = await noTransaction(() => era(["node", "sync-activity", "--all"], alice));
      expect(none.code, none.stderr).to.equal(0);
      expect(none.stdout).to.match(/already matches the registry; nothing sent/);
      // Governance (the timelock) raises the minimum bond: node 1 falls below it, which only a sync tells staking.
      const minBond = await suite.nodeRegistry.minBond();
      await node.provider.send("hardhat_impersonateAccount", [addresses.timelock]);
      await node.provider.send("hardhat_setBalance", [addresses.timelock, "0xde0b6b3a7640000"]);
      const timelock = new JsonRpcSigner(node.provider, addresses.timelock);
      try {
        await (await suite.nodeRegistry.connect(timelock).setMinBond(minBond * 2n)).wait();
        expect(await suite.staking.nodeActive(1)).to.equal(true);
        const raised = await era(["node", "sync-activity", "--all"], alice);
        expect(raised.code, raised.stderr).to.equal(0);
        expect(raised.stdout).to.equal("Node 1: not active in staking.\n");
        expect(await suite.staking.nodeActive(1)).to.equal(false);
        await (await suite.nodeRegistry.connect(timelock).setMinBond(minBond)).wait();
      } finally {
        await node.provider.send("hardhat_stopImpersonatingAccount", [addresses.timelock]);
      }
      const lowered = await era(["node", "sync-activity", "--all", "--json"], alice);
      expect(lowered.code, lowered.stderr).to.equal(0);
      const out = lowered.json<{ synced: unknown[]; transactions: string[] }>();
      expect(out.synced).to.deep.equal([{ nodeId: "1", active: true }]);
      expect(out.transactions).to.have.length(1);
      expect(await suite.staking.nodeActive(1)).to.equal(true);
    });
  });

  describe("stake", function () {
    it("delegates with a permit in one transaction", async function () {
      const before = await suite.token.balanceOf(alice.address);
      const r = await era(["stake", "delegate", "1", "1000", "--json"], alice);
      expect(r.code, r.stderr).to.equal(0);
      const out = r.json<{ stake: string; transactions: string[] }>();
      expect(out.transactions).to.have.length(1);
      expect(await suite.staking.stakeOf(alice.address, 1)).to.equal(1_000n * ERA);
      expect(out.stake).to.equal((1_000n * ERA).toString());
      expect(before - (await suite.token.balanceOf(alice.address))).to.equal(1_000n * ERA);
    });

    it("delegates without a permit: an exact approval, then the delegation", async function () {
      const r = await era(["stake", "delegate", "1", "0.5", "--no-permit", "--json"], alice);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json<{ transactions: string[] }>().transactions).to.have.length(2);
      expect(await suite.staking.stakeOf(alice.address, 1)).to.equal(1_000n * ERA + ERA / 2n);
      expect(await suite.token.allowance(alice.address, addresses.staking)).to.equal(0n);
    });

    it("shows progress on a terminal, and never with --json", async function () {
      const tty = await era(["stake", "delegate", "1", "1"], alice, { tty: true });
      expect(tty.code, tty.stderr).to.equal(0);
      expect(tty.stderr).to.match(/• delegating 1 ERA to node 1 \(with a permit\)\n {2}sent 0x[0-9a-f]{64}/);
      expect(tty.stderr).to.match(/mined in block \d+/);
      const json = await era(["stake", "delegate", "1", "1", "--json"], alice, { tty: true });
      expect(json.code, json.stderr).to.equal(0);
      expect(json.stderr).to.equal("");
      expect(json.json<{ nodeId: string }>().nodeId).to.equal("1");
    });

    it("refuses bad amounts, unknown or inactive nodes and more than the balance; nothing is sent", async function () {
      await refused(["stake", "delegate", "1", "-5"], alice, 2, /amount "-5" is negative/);
      await refused(["stake", "delegate", "1", "1e3"], alice, 2, /amount "1e3" is not a number of ERA/);
      await refused(["stake", "delegate", "1", "1,000"], alice, 2, /not a number of ERA.*no commas/);
      await refused(["stake", "delegate", "1", "0"], alice, 2, /amount is zero/);
      await refused(["stake", "delegate", "1", "0.0000000000000000001"], alice, 2, /has 19 decimals; ERA has 18/);
      await refused(["stake", "delegate", "7", "5"], alice, 2, /There is no node 7/);
      await refused(
        ["stake", "delegate", "2", "5"],
        alice,
        1,
        /Node 2 is not active, so it cannot take new delegations/,
      );
      await refused(
        ["stake", "delegate", "1", "20000"],
        alice,
        1,
        /ERA balance of .* is [\d,.]+ ERA, less than the 20,000 ERA/,
      );
      await refused(["stake", "delegate", "1", "5", "--no-permit"], bob, 1, /ERA balance of .* is 0 ERA/);
    });

    it("reports a position with accruing yield, then claims it", async function () {
      await travel(30 * DAY);
      const p = await era(["stake", "position", "--json"], alice);
      expect(p.code, p.stderr).to.equal(0);
      const pos = p.json<{ claimable: string; positions: { nodeId: string; stake: string; accruing: string }[] }>();
      expect(pos.positions.map((x) => x.nodeId)).to.deep.equal(["1"]);
      expect(pos.positions[0].stake).to.equal((await suite.staking.stakeOf(alice.address, 1)).toString());
      expect(BigInt(pos.claimable)).to.be.greaterThan(0n);
      expect(BigInt(pos.claimable)).to.equal(await suite.staking.claimableYield(alice.address, 1));

      const before = await suite.token.balanceOf(alice.address);
      const c = await era(["stake", "claim", "1", "--json"], alice);
      expect(c.code, c.stderr).to.equal(0);
      const claimed = BigInt(c.json<{ claimed: string }>().claimed);
      expect(claimed).to.be.greaterThanOrEqual(BigInt(pos.claimable));
      expect((await suite.token.balanceOf(alice.address)) - before).to.equal(claimed);
    });

    it("claims and redelegates in one transaction", async function () {
      await travel(10 * DAY);
      const before = await suite.staking.stakeOf(alice.address, 1);
      const r = await era(["stake", "claim-and-redelegate", "1", "--json"], alice);
      expect(r.code, r.stderr).to.equal(0);
      const out = r.json<{ redelegated: string; stake: string; transactions: string[] }>();
      expect(out.transactions).to.have.length(1);
      expect(BigInt(out.redelegated)).to.be.greaterThan(0n);
      expect(await suite.staking.stakeOf(alice.address, 1)).to.equal(before + BigInt(out.redelegated));
    });

    it("shows someone else's position with --account, and needs one when there is no key", async function () {
      const r = await era(["stake", "position", "1", "--account", alice.address.toLowerCase(), "--json"]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json<{ account: string }>().account).to.equal(alice.address);
      await refused(["stake", "position"], undefined, 2, /Which account\? .*--account/);
      await refused(
        ["stake", "position", "--account", "0xabc"],
        undefined,
        2,
        /account "0xabc" is not a valid address/,
      );
    });

    it("undelegates, refuses an early withdrawal, and withdraws after the unbonding period", async function () {
      const stake = await suite.staking.stakeOf(alice.address, 1);
      const part = await era(["stake", "undelegate", "1", "100", "--json"], alice);
      expect(part.code, part.stderr).to.equal(0);
      expect(await suite.staking.stakeOf(alice.address, 1)).to.equal(stake - 100n * ERA);
      await refused(
        ["stake", "undelegate", "1", "1000000"],
        alice,
        1,
        /That is more than you have delegated to node 1\./,
      );
      await refused(["stake", "withdraw", "1"], alice, 1, /Nothing has finished unbonding on node 1 yet/);

      const all = await era(["stake", "undelegate", "1", "all", "--json"], alice);
      expect(all.code, all.stderr).to.equal(0);
      expect(await suite.staking.stakeOf(alice.address, 1)).to.equal(0n);
      await travel(7 * DAY + 1);
      const before = await suite.token.balanceOf(alice.address);
      const w = await era(["stake", "withdraw", "1", "--json"], alice);
      expect(w.code, w.stderr).to.equal(0);
      const out = w.json<{ withdrawn: string; entries: string }>();
      expect(out.entries).to.equal("2");
      expect((await suite.token.balanceOf(alice.address)) - before).to.equal(BigInt(out.withdrawn));
      expect(BigInt(out.withdrawn)).to.equal(stake);
    });
  });

  describe("scenario", function () {
    it("registers a scenario and shows it as on chain", async function () {
      const r = await era(["scenario", "register", "--class", "financial", "--node", "1", "--json"], developer);
      expect(r.code, r.stderr).to.equal(0);
      const out = r.json<{ scenarioId: string; class: string; mode: string }>();
      expect(out).to.include({ scenarioId: "1", class: "financial", mode: "atomic" });
      const s = await suite.scenarioRegistry.getScenario(1);
      expect(s.owner).to.equal(developer.address);
      expect(s.nodeId).to.equal(1n);
      const shown = await era(["scenario", "show", "1", "--json"]);
      expect(shown.json<{ allowedModes: string[]; servingNodes: string[] }>()).to.deep.include({
        allowedModes: ["standard", "atomic"],
        servingNodes: ["1"],
      });
    });

    it("switches the mode live and shows it", async function () {
      const r = await era(["scenario", "mode", "set", "1", "standard", "--json"], developer);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json()).to.deep.include({ from: "atomic", to: "standard" });
      expect(await suite.scenarioRegistry.modeOf(1)).to.equal(0n);
      const shown = await era(["scenario", "mode", "show", "1"]);
      expect(shown.stdout).to.match(/Scenario 1 \(financial\) runs in standard mode/);
    });

    it("refuses a mode the class forbids, a mode switch by a stranger, a bad class or an unknown scenario", async function () {
      await refused(
        ["scenario", "mode", "set", "1", "lightweight"],
        developer,
        2,
        /A financial scenario cannot run in lightweight mode/,
      );
      await refused(["scenario", "mode", "set", "1", "standard"], developer, 2, /already runs in standard mode/);
      await refused(["scenario", "mode", "set", "1", "atomic"], alice, 1, /ScenarioNotModeOperator/);
      await refused(
        ["scenario", "mode", "set", "1", "turbo"],
        developer,
        2,
        /Unknown execution mode "turbo"\. Use one of: standard/,
      );
      await refused(
        ["scenario", "register", "--class", "social", "--node", "1"],
        developer,
        2,
        /Unknown scenario class "social"/,
      );
      await refused(
        ["scenario", "register", "--class", "enterprise", "--node", "2"],
        developer,
        1,
        /ScenarioNodeNotActive/,
      );
      await refused(["scenario", "show", "9"], undefined, 2, /There is no scenario 9; only scenario 1 exists/);
    });
  });

  describe("revenue", function () {
    it("pays revenue and prints the split, which adds up to the payment", async function () {
      const owedBefore = await suite.revenueRouter.claimable(operator.address);
      const r = await era(["revenue", "pay", "1", "50000", "--json"], developer);
      expect(r.code, r.stderr).to.equal(0);
      const { split } = r.json<{ split: Record<string, string> }>();
      const parts = Object.values(split).map(BigInt);
      expect(parts.reduce((a, b) => a + b, 0n)).to.equal(50_000n * ERA);
      expect(split.node).to.equal((15_000n * ERA).toString()); // financial: 30% to the node
      expect((await suite.revenueRouter.claimable(operator.address)) - owedBefore).to.equal(15_000n * ERA);
    });

    it("claims the operator's revenue, and refuses when there is nothing", async function () {
      const owed = await suite.revenueRouter.claimable(operator.address);
      const before = await suite.token.balanceOf(operator.address);
      const r = await era(["revenue", "claim", "--json"], operator);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json<{ claimed: string }>().claimed).to.equal(owed.toString());
      expect((await suite.token.balanceOf(operator.address)) - before).to.equal(owed);
      await refused(["revenue", "claim"], operator, 1, /has no revenue to claim/);
    });

    it("refuses a garbage amount, an unknown scenario and a bad recipient", async function () {
      await refused(["revenue", "pay", "1", "lots"], developer, 2, /amount "lots" is not a number of ERA/);
      await refused(["revenue", "pay", "5", "10"], developer, 2, /There is no scenario 5/);
      await refused(["revenue", "claim", "--to", "bob"], developer, 2, /recipient "bob" is not a valid address/);
    });
  });

  describe("subsidy and rewards", function () {
    let subsidyFile: string;
    let rewardFile: string;

    interface FileOptions {
      /** The epoch the leaves are bound to (default: the distributor's next). */
      epochId?: bigint;
      /** Reward amounts for alice and bob (default 40 and 60 ERA). */
      rewards?: [bigint, bigint];
      /** Edits the file's JSON after it was built. */
      mutate?: (o: Record<string, unknown>) => void;
    }

    /** Writes a proof file built with the SDK. */
    async function proofFile(kind: "subsidy" | "reward", name: string, options: FileOptions = {}) {
      const epochId = options.epochId ?? (await suite.distributor.epochCount());
      const scope = { chainId: 31337n, distributor: addresses.distributor, epochId };
      const [forAlice, forBob] = options.rewards ?? [40n * ERA, 60n * ERA];
      const tree =
        kind === "subsidy"
          ? new SubsidyTree(scope, [
              { account: developer.address, scenarioId: 1n, baseAmount: 1_000n * ERA, mau: 100_001n },
              { account: alice.address, scenarioId: 1n, baseAmount: 10n * ERA, mau: 50n },
            ])
          : new RewardTree(scope, [
              { account: alice.address, amount: forAlice },
              { account: bob.address, amount: forBob },
            ]);
      const json = JSON.parse(serializeProofFile(toProofFile(tree, kind))) as Record<string, unknown>;
      options.mutate?.(json);
      const file = path.join(dir, name);
      writeFileSync(file, JSON.stringify(json));
      return file;
    }

    it("refuses proof files that are wrong for the command, the chain, the deployment or their own root", async function () {
      const garbage = path.join(dir, "garbage.json");
      writeFileSync(garbage, "[]");
      await refused(["subsidy", "publish", garbage], publisher, 2, /Not a valid ERA proof file/);
      await refused(["subsidy", "publish", path.join(dir, "absent.json")], publisher, 2, /does not exist/);
      const reward = await proofFile("reward", "kind.json");
      await refused(
        ["subsidy", "publish", reward],
        publisher,
        2,
        /user-reward proof file, not a developer-subsidy one.*era rewards/,
      );
      const chain = await proofFile("subsidy", "chain.json", { mutate: (o) => (o.chainId = "1") });
      await refused(["subsidy", "publish", chain], publisher, 2, /for chain 1, but the RPC endpoint is chain 31337/);
      const other = await proofFile("subsidy", "distributor.json", {
        mutate: (o) => (o.distributor = Wallet.createRandom().address),
      });
      await refused(["subsidy", "publish", other], publisher, 2, /not this deployment's/);
      const tampered = await proofFile("subsidy", "tampered.json", {
        mutate: (o) => {
          const claims = o.claims as { baseAmount: string; payout: string }[];
          claims[1].baseAmount = (1_000n * ERA).toString();
          claims[1].payout = (1_000n * ERA).toString();
        },
      });
      await refused(["subsidy", "publish", tampered], publisher, 2, /inconsistent: its claims hash to .* altered/);
      const rebound = await proofFile("subsidy", "rebound.json", { mutate: (o) => (o.epochId = "5") });
      await refused(["subsidy", "publish", rebound], publisher, 2, /inconsistent: its claims hash to/);
      const wrongEpoch = await proofFile("subsidy", "epoch.json", { epochId: 5n });
      await refused(["subsidy", "publish", wrongEpoch], publisher, 2, /the next epoch to publish is 0/);
    });

    it("publishes a subsidy epoch with the publisher key; anyone else is refused", async function () {
      subsidyFile = await proofFile("subsidy", "subsidy-0.json");
      await refused(["subsidy", "publish", subsidyFile], alice, 1, /lacks the role this needs/);
      const r = await era(["subsidy", "publish", subsidyFile, "--json"], publisher);
      expect(r.code, r.stderr).to.equal(0);
      const out = r.json<{ epochId: string; root: string; budget: string }>();
      const epoch = await suite.distributor.getEpoch(0);
      expect(out.epochId).to.equal("0");
      expect(epoch.root).to.equal(out.root);
      expect(epoch.budget.toString()).to.equal(out.budget);
      expect(epoch.budget).to.equal(1_100n * ERA + 10n * ERA); // MAU bonus on the first leaf
      await refused(["subsidy", "publish", subsidyFile], publisher, 2, /Epoch 0 is already published with this root/);
    });

    it("claims a subsidy once the dispute window is over, with the MAU bonus, exactly once", async function () {
      await refused(["subsidy", "claim", subsidyFile], developer, 1, /Epoch 0 opens for claims at/);
      await travel(2 * DAY + 1);
      const before = await suite.token.balanceOf(developer.address);
      const r = await era(["subsidy", "claim", subsidyFile, "--json"], developer);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json<{ total: string }>().total).to.equal((1_100n * ERA).toString());
      expect((await suite.token.balanceOf(developer.address)) - before).to.equal(1_100n * ERA);
      const again = await noTransaction(() => era(["subsidy", "claim", subsidyFile, "--json"], developer));
      expect(again.code).to.equal(0);
      expect(again.json<{ claimed: unknown[]; alreadyClaimed: string[] }>()).to.deep.include({
        claimed: [],
        alreadyClaimed: ["0"],
      });
      await refused(["subsidy", "claim", subsidyFile], bob, 2, /has no claim for 0x/);
    });

    it("claims for another account: the ERA goes to that account", async function () {
      const before = await suite.token.balanceOf(alice.address);
      const r = await era(["subsidy", "claim", subsidyFile, "--account", alice.address, "--json"], bob);
      expect(r.code, r.stderr).to.equal(0);
      expect((await suite.token.balanceOf(alice.address)) - before).to.equal(10n * ERA);
    });

    it("publishes a reward epoch and claims a reward straight into a delegation", async function () {
      rewardFile = await proofFile("reward", "reward-1.json");
      await refused(
        ["rewards", "publish", subsidyFile],
        publisher,
        2,
        /developer-subsidy proof file, not a user-reward one/,
      );
      const p = await era(["rewards", "publish", rewardFile, "--json"], publisher);
      expect(p.code, p.stderr).to.equal(0);
      await travel(2 * DAY + 1);
      await refused(
        ["rewards", "claim", rewardFile, "--account", bob.address, "--delegate", "1"],
        alice,
        2,
        /Only the account itself can claim and delegate/,
      );
      const stakeBefore = await suite.staking.stakeOf(bob.address, 1);
      const r = await era(["rewards", "claim", rewardFile, "--delegate", "1", "--json"], bob);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json<{ delegatedTo: string }>().delegatedTo).to.equal("1");
      expect((await suite.staking.stakeOf(bob.address, 1)) - stakeBefore).to.equal(60n * ERA);
      expect(await suite.distributor.isClaimed(1, 1)).to.equal(true);
    });

    it("refuses a claim from a file whose root is not the published one", async function () {
      const other = await proofFile("reward", "other-1.json", { epochId: 1n, rewards: [90n * ERA, 10n * ERA] });
      await refused(["rewards", "claim", other], alice, 2, /root 0x[0-9a-f]{64} is not epoch 1's published root/);
      const unpublished = await proofFile("reward", "unpublished.json");
      await refused(["rewards", "claim", unpublished], alice, 2, /Epoch 2 is not published yet/);
    });
  });

  describe("settle", function () {
    it("deposits with a permit, withdraws part and all, and shows the balance", async function () {
      const d = await era(["settle", "deposit", "300", "--json"], alice);
      expect(d.code, d.stderr).to.equal(0);
      expect(await suite.settlementEngine.freeBalance(alice.address, addresses.token)).to.equal(300n * ERA);
      const w = await era(["settle", "withdraw", "100", "--to", bob.address, "--json"], alice);
      expect(w.code, w.stderr).to.equal(0);
      expect(await suite.settlementEngine.freeBalance(alice.address, addresses.token)).to.equal(200n * ERA);
      const b = await era(["settle", "balance", "--account", alice.address, "--json"]);
      expect(b.json()).to.deep.include({ free: (200n * ERA).toString(), frozen: "0" });
      const all = await era(["settle", "withdraw", "all", "--json"], alice);
      expect(all.code, all.stderr).to.equal(0);
      expect(all.json<{ withdrawn: string }>().withdrawn).to.equal((200n * ERA).toString());
      expect(await suite.settlementEngine.freeBalance(alice.address, addresses.token)).to.equal(0n);
    });

    it("refuses withdrawing more than the free balance, a bad amount and a bad id", async function () {
      await refused(["settle", "withdraw", "all"], alice, 1, /has no free escrow balance/);
      await refused(["settle", "withdraw", "5"], alice, 1, /SettlementInsufficientFree/);
      await refused(["settle", "deposit", "-1"], alice, 2, /negative/);
      await refused(["settle", "status", "0x1234"], undefined, 2, /settlement id "0x1234" is not a 32-byte hex value/);
    });

    describe("another allow-listed token (--token)", function () {
      let usdc: string;
      let stray: string;

      before(async function () {
        const factory = new DecimalsToken__factory(as(deployer));
        const token = await (await factory.deploy("USD Coin", "USDC", 6)).waitForDeployment();
        usdc = await token.getAddress();
        await (await token.mint(alice.address, 1_000n * 10n ** 6n)).wait();
        const other = await (await factory.deploy("Stray", "STRAY", 6)).waitForDeployment();
        stray = await other.getAddress();
        await (await other.mint(alice.address, 1_000n * 10n ** 6n)).wait();
        // Governance (the timelock) allow-lists USDC.
        await node.provider.send("hardhat_impersonateAccount", [addresses.timelock]);
        await node.provider.send("hardhat_setBalance", [addresses.timelock, "0xde0b6b3a7640000"]);
        const timelock = new JsonRpcSigner(node.provider, addresses.timelock);
        await (await suite.settlementEngine.connect(timelock).setTokenAllowed(usdc, true)).wait();
        await node.provider.send("hardhat_stopImpersonatingAccount", [addresses.timelock]);
      });

      it("deposits, shows and withdraws it in its own decimals (an exact approval, then the deposit)", async function () {
        const d = await era(["settle", "deposit", "12.5", "--token", usdc, "--json"], alice);
        expect(d.code, d.stderr).to.equal(0);
        expect(d.json()).to.deep.include({ token: usdc, symbol: "USDC", decimals: 6, deposited: "12500000" });
        expect(d.json<{ transactions: string[] }>().transactions).to.have.length(2);
        expect(await suite.settlementEngine.freeBalance(alice.address, usdc)).to.equal(12_500_000n);
        const b = await era(["settle", "balance", "--account", alice.address, "--token", usdc]);
        expect(b.stdout).to.match(/12\.5 USDC free, 0 USDC frozen/);
        const w = await era(["settle", "withdraw", "2.25", "--token", usdc, "--json"], alice);
        expect(w.code, w.stderr).to.equal(0);
        expect(w.json()).to.deep.include({ withdrawn: "2250000", free: "10250000", symbol: "USDC" });
        const all = await era(["settle", "withdraw", "all", "--token", usdc], alice);
        expect(all.code, all.stderr).to.equal(0);
        expect(all.stdout).to.match(/Withdrew 10\.25 USDC of escrow/);
        expect(await suite.settlementEngine.freeBalance(alice.address, usdc)).to.equal(0n);
      });

      it("refuses a token that is not allow-listed, an address that is no token and too many decimals; nothing is sent", async function () {
        await refused(
          ["settle", "deposit", "1", "--token", stray],
          alice,
          2,
          /does not take STRAY \(0x[0-9a-fA-F]{40}\): the token is not on its allow-list/,
        );
        await refused(["settle", "withdraw", "all", "--token", stray], alice, 2, /not on its allow-list/);
        await refused(["settle", "deposit", "0.0000001", "--token", usdc], alice, 2, /has 7 decimals; USDC has 6/);
        await refused(["settle", "deposit", "1", "--token", bob.address], alice, 2, /is not an ERC-20/);
        await refused(["settle", "deposit", "1", "--token", "0x12"], alice, 2, /token "0x12" is not a valid address/);
        await refused(
          ["settle", "deposit", "2000", "--token", usdc],
          alice,
          1,
          /USDC balance .* less than the 2,000 USDC/,
        );
      });
    });

    it("shows the status of a settlement id", async function () {
      const r = await era(["settle", "status", id("never used"), "--json"]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json()).to.deep.include({ status: "none", lockDeadline: null });
    });
  });

  describe("notary", function () {
    const subject = id("shipment 42");
    const results = [id("picked"), id("delivered")];
    const batchResults = ["crate 1", "crate 2", "crate 3"].map((c) => ({
      subjectId: id(`${c} subject`),
      resultHash: id(`${c} weighed`),
    }));
    let scenarioId: bigint;
    let batchId: string;
    let tree: ReturnType<typeof notaryBatchTree>["tree"];
    /** `notary verify` of batch result `i`, with a proof (default: its own). */
    const verifyInBatch = (i: number, proof = tree.getProof(i), index = i, result = batchResults[i].resultHash) => [
      "notary",
      "verify",
      String(scenarioId),
      batchResults[i].subjectId,
      result,
      "--batch",
      batchId,
      "--index",
      String(index),
      "--proof",
      proof.join(","),
    ];

    before(async function () {
      const r = await era(["scenario", "register", "--class", "enterprise", "--node", "1", "--json"], developer);
      expect(r.code, r.stderr).to.equal(0);
      scenarioId = BigInt(r.json<{ scenarioId: string }>().scenarioId);
      const domain = domainOf("ERA NotaryRegistry", 31337n, addresses.notaryRegistry);
      const signer = as(nodeKey);
      for (const resultHash of results) {
        const now = BigInt((await node.provider.getBlock("latest"))!.timestamp);
        const attestation = await nextAttestation(suite.notaryRegistry, {
          scenarioId,
          subjectId: subject,
          resultHash,
          deadline: now + 3_600n,
        });
        const signature = await signAttestation(signer, domain, attestation);
        await (await suite.executionHub.connect(signer).submitNotarization(attestation, [signature])).wait();
      }
      // Three results of other subjects notarized in one batch, under one root.
      const now = BigInt((await node.provider.getBlock("latest"))!.timestamp);
      const salt = id("cli batch");
      const batch = notaryBatchTree(scenarioId, salt, batchResults);
      batchId = batch.notarizationId;
      tree = batch.tree;
      const attestation = { scenarioId, salt, root: tree.root, count: 3n, deadline: now + 3_600n };
      const signature = await signBatchAttestation(signer, domain, attestation);
      await (await suite.executionHub.connect(signer).submitNotarizationBatch(attestation, [signature])).wait();
    });

    it("prints a subject's complete trail", async function () {
      const r = await era(["notary", "trail", String(scenarioId), subject, "--json"]);
      expect(r.code, r.stderr).to.equal(0);
      const out = r.json<{
        complete: boolean;
        head: string;
        records: { resultHash: string; signers: { nodeId: string }[] }[];
      }>();
      expect(out.complete).to.equal(true);
      expect(out.records.map((x) => x.resultHash)).to.deep.equal(results);
      expect(out.records[1].signers).to.deep.equal([{ address: nodeKey.address, nodeId: "1" }]);
      expect(out.head).to.equal(await suite.notaryRegistry.headOf(scenarioId, subject));
    });

    it("verifies a result: who attested it, when, and where in the trail", async function () {
      const r = await era(["notary", "verify", String(scenarioId), subject, results[0], "--json"]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json()).to.deep.include({ verified: true, position: 1, trailLength: 2, executingNodeId: "1" });
      const text = await era(["notary", "verify", String(scenarioId), subject, results[1]]);
      expect(text.stdout).to.match(/^Verified: result .* record 2 of 2 .*executed by node 1/s);
    });

    it("verifies a result notarized in a batch: its proof against the batch's root, as the notary checks it", async function () {
      const r = await era([...verifyInBatch(1), "--json"]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json()).to.deep.include({
        verified: true,
        kind: "batch",
        notarizationId: batchId,
        index: "1",
        count: "3",
        root: tree.root,
        executingNodeId: "1",
        signers: [{ address: nodeKey.address, nodeId: "1" }],
      });
      const text = await era(verifyInBatch(2));
      expect(text.code, text.stderr).to.equal(0);
      expect(text.stdout).to.match(
        /^Verified: result .* notarized in batch\n.*\n {2}result 3 of 3 under root .*executed by node 1/,
      );
    });

    it("refuses a forged batch proof, a result not in the batch and an unknown batch (exit 1), bad flags (exit 2)", async function () {
      const forged = [id("forged"), ...tree.getProof(1).slice(1)];
      await refused(verifyInBatch(1, forged), undefined, 1, /does not lead from this result to the batch's root/);
      await refused(verifyInBatch(1, tree.getProof(0)), undefined, 1, /The notary does not confirm result/);
      await refused(
        verifyInBatch(1, undefined, 1, id("never weighed")),
        undefined,
        1,
        /does not lead from this result/,
      );
      await refused(
        verifyInBatch(1, undefined, 7),
        undefined,
        1,
        /at index 7 of batch .*: the batch holds 3 result\(s\)/,
      );
      const unknown = verifyInBatch(0);
      unknown[unknown.indexOf("--batch") + 1] = id("no such batch");
      await refused(unknown, undefined, 1, /No batch notarization 0x[0-9a-f]{64} of scenario \d+ was found/);
      await refused(verifyInBatch(0).slice(0, -2), undefined, 2, /verified with --batch, --index and --proof together/);
      await refused(
        [...verifyInBatch(0).slice(0, -1), "0x1234"],
        undefined,
        2,
        /proof element 1 "0x1234" is not a 32-byte/,
      );
    });

    it("does not verify a result that was never notarized (exit 1) and refuses malformed ids (exit 2)", async function () {
      await refused(
        ["notary", "verify", String(scenarioId), subject, id("lost")],
        undefined,
        1,
        /is not notarized \(the subject has 2 other record\(s\)\)/,
      );
      await refused(
        ["notary", "verify", String(scenarioId), "shipment-42", id("lost")],
        undefined,
        2,
        /subject id "shipment-42" is not a 32-byte hex value/,
      );
      await refused(["notary", "trail", "77", subject], undefined, 2, /There is no scenario 77/);
    });
  });

  describe("report", function () {
    it("reports nodes, scenarios, revenue, reserve and epochs as they are on chain", async function () {
      const r = await era(["report", "--json"]);
      expect(r.code, r.stderr).to.equal(0);
      const out = r.json<{
        nodes: { nodeId: string; bond: string; delegated: string; aprBps: string; status: string }[];
        scenarios: { scenarioId: string; class: string; mode: string; revenue: string }[];
        reserve: { reserve: string };
        epochs: { epochId: string; kind: string; claimed: string }[];
      }>();
      expect(out.nodes).to.have.length(Number(await suite.nodeRegistry.nodeCount()));
      for (const n of out.nodes) {
        const pool = await suite.staking.nodePool(BigInt(n.nodeId));
        expect(n.bond).to.equal((await suite.nodeRegistry.getNode(BigInt(n.nodeId))).bond.toString());
        expect(n.delegated).to.equal(pool.stake.toString());
        expect(n.aprBps).to.equal(pool.aprBps.toString());
      }
      expect(out.nodes.map((n) => n.status)).to.deep.equal(["active", "exiting"]);
      expect(out.scenarios.map((s) => [s.class, s.mode, s.revenue])).to.deep.equal([
        ["financial", "standard", (50_000n * ERA).toString()],
        ["enterprise", "notarized", "0"],
      ]);
      expect(out.reserve.reserve).to.equal((await suite.staking.reserveStatus()).reserve.toString());
      expect(out.epochs.map((e) => [e.kind, e.claimed])).to.deep.equal([
        ["developer-subsidy", (1_110n * ERA).toString()],
        ["user-reward", (60n * ERA).toString()],
      ]);
    });

    it("prints the report for people", async function () {
      const r = await era(["report"]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/Nodes \(2\)\n +id +status +bond/);
      expect(r.stdout).to.match(/Scenarios \(2\)/);
      expect(r.stdout).to.match(/1 +financial +standard +1 +50,000 ERA/);
    });
  });

  describe("node processes", function () {
    it("reads process settings from --name value pairs", function () {
      expect(settingsFromArgs(["--max-batch-size", "10", "--dry-run", "--rpc-url=http://x"])).to.deep.equal({
        maxBatchSize: "10",
        dryRun: "true",
        rpcUrl: "http://x",
      });
      expect(() => settingsFromArgs(["stray"])).to.throw(/Unexpected argument "stray"/);
    });

    it("executor run: says clearly when this build lacks it, else refuses an unknown setting", async function () {
      const present = existsSync(path.join(ROOT, "src", "executor", "index.ts"));
      const r = await era(["executor", "run", "--definitely-not-a-setting", "1"]);
      if (present) {
        expect(r.code).to.equal(2);
        expect(r.stderr).to.match(/definitelyNotASetting .* is not a setting/);
      } else {
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(/The executor is not available in this build/);
      }
    });

    it("verifier run: refuses an unknown setting, a bad value and a missing key before starting", async function () {
      const db = path.join(dir, "verifier.sqlite");
      const unknown = await era(["verifier", "run", "--db-path", db, "--colour", "red"], alice);
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr).to.match(/colour \(--colour\) is not a setting of verifier\. Known: dbPath/);
      const bad = await era(["verifier", "run", "--db-path", db, "--poll-interval-ms", "soon"], alice);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.match(/pollIntervalMs \(--poll-interval-ms\)/);
      const keyless = await era(["verifier", "run", "--db-path", db]);
      expect(keyless.code).to.equal(2);
      expect(keyless.stderr).to.match(/no key is configured/);
      expect(existsSync(db)).to.equal(false);
    });

    it("verifier run: the binary serves until SIGTERM, then stops cleanly", async function () {
      const db = path.join(dir, "verifier-run.sqlite");
      const child = spawn(
        process.execPath,
        [
          path.join(ROOT, "bin", "era.js"),
          "verifier",
          "run",
          "--db-path",
          db,
          "--ops-port",
          "0",
          "--confirmations",
          "0",
        ],
        {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH ?? "",
            ERA_RPC_URL: node.url,
            ERA_DEPLOYMENT: deploymentDir,
            ERA_PRIVATE_KEY: bob.privateKey,
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let log = "";
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (c: Buffer) => {
          log += c.toString();
          if (log.includes("ops server listening")) resolve();
        });
        child.stderr.on("data", (c: Buffer) => (log += c.toString()));
        void exited.then((code) => reject(new Error(`verifier exited with ${code} before serving:\n${log}`)));
      });
      const opsUrl = (JSON.parse(log.split("\n").find((l) => l.includes("ops server listening"))!) as { ops: string })
        .ops;
      const health = await fetch(`${opsUrl}/healthz`);
      expect([200, 503]).to.include(health.status);
      child.kill("SIGTERM");
      expect(await exited).to.equal(0);
      expect(existsSync(db)).to.equal(true);
    });

    it("indexer run: summarizes a month of the chain's activity as JSON", async function () {
      // A standard batch of scenario 1 (switched to standard mode above): alice and bob use it once each.
      const hubDomain = domainOf("ERA ExecutionHub", 31337n, addresses.executionHub);
      const actions = [];
      for (const user of [alice, bob]) {
        const action = { scenarioId: 1n, user: user.address, nonce: 1, payload: 7n };
        actions.push({ ...action, signature: await signAction(user, hubDomain, action) });
      }
      await (await suite.executionHub.connect(as(nodeKey)).submitStandard(1, id("batch 1"), actions)).wait();

      const start = (await node.provider.getBlock(1))!.timestamp;
      const r = await era([
        "indexer",
        "run",
        "--epoch-start",
        String(start),
        "--epoch-length",
        String(365 * DAY),
        "--month",
        "0",
        "--confirmations",
        "0",
        "--db-path",
        path.join(dir, "indexer.sqlite"),
        "--log-level",
        "silent",
        "--json",
      ]);
      expect(r.code, r.stderr).to.equal(0);
      const { summary } = r.json<{
        summary: { month: number; users: number; scenarios: { scenarioId: string; actions: number; mau: string }[] };
      }>();
      expect(summary.month).to.equal(0);
      expect(summary.users).to.equal(2);
      expect(summary.scenarios.find((x) => x.scenarioId === "1")).to.deep.include({ actions: 2, mau: "2" });
    });

    it("indexer run --publish: proposes the month's reward epoch through the node's transaction sender", async function () {
      // Month 0 of a one-hour calendar starting just before the standard batch above (alice and bob, once each).
      const [applied] = await suite.executionHub.queryFilter(suite.executionHub.filters.BatchApplied(id("batch 1")));
      const start = (await node.provider.getBlock(applied.blockNumber))!.timestamp - 1;
      await travel(3_600);
      const epochsBefore = await suite.distributor.epochCount();
      const outDir = path.join(dir, "indexer-proofs");
      const r = await era(
        [
          "indexer",
          "run",
          "--publish",
          "--epoch-start",
          String(start),
          "--epoch-length",
          "3600",
          "--month",
          "0",
          "--reward-pool",
          String(2n * ERA),
          "--confirmations",
          "0",
          "--tx-poll-interval-ms",
          "50",
          "--out-dir",
          outDir,
          "--db-path",
          path.join(dir, "indexer-publish.sqlite"),
          "--log-level",
          "silent",
          "--json",
        ],
        publisher,
      );
      expect(r.code, r.stderr).to.equal(0);
      const { publications } = r.json<{
        publications: { kind: string; epochId: string; root: string; txHash: string }[];
      }>();
      expect(publications.map((p) => [p.kind, p.epochId])).to.deep.equal([["reward", epochsBefore.toString()]]);
      expect(await suite.distributor.epochCount()).to.equal(epochsBefore + 1n);
      expect((await suite.distributor.getEpoch(epochsBefore)).root).to.equal(publications[0].root);
      const tx = (await node.provider.getTransaction(publications[0].txHash))!;
      expect(tx.from).to.equal(publisher.address);
      expect(tx.type, "an EIP-1559 transaction signed by the sender").to.equal(2);
    });

    it("indexer run --publish: refuses a sender setting out of range before anything is sent", async function () {
      const r = await noTransaction(() =>
        era(["indexer", "run", "--publish", "--epoch-start", "0", "--fee-bump-percent", "5"], publisher),
      );
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/feeBumpPercent \(--fee-bump-percent\) must be at least 12\.5/);
    });

    it("indexer run: says when no month has ended yet (exit 1)", async function () {
      const now = (await node.provider.getBlock("latest"))!.timestamp;
      const r = await era([
        "indexer",
        "run",
        "--epoch-start",
        String(now),
        "--confirmations",
        "0",
        "--db-path",
        path.join(dir, "indexer-early.sqlite"),
        "--log-level",
        "silent",
      ]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/No month has ended since --epoch-start yet/);
    });
  });

  describe("the era binary", function () {
    it("prints JSON a script can parse, and exits 2 with a message on bad input", async function () {
      const childEnv = { ERA_RPC_URL: node.url, ERA_DEPLOYMENT: deploymentDir, ERA_PRIVATE_KEY: alice.privateKey };
      const ok = await eraChild(["node", "status", "1", "--json"], childEnv);
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.json<{ operator: string }>().operator).to.equal(operator.address);
      const before = await node.provider.getBlockNumber();
      const bad = await eraChild(["stake", "delegate", "1", "-5", "--json"], childEnv);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.match(/Error: The amount "-5" is negative/);
      expect(bad.json()).to.deep.include({ ok: false });
      expect(await node.provider.getBlockNumber()).to.equal(before);
    });
  });
});
