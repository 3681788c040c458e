import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseEther, Wallet, type Provider, type Signer, type TransactionReceipt } from "ethers";
import {
  connectSuite,
  ExecutionMode,
  ScenarioClass,
  SettlementStatus,
  type Suite,
  type SuiteAddresses,
} from "../sdk/economy";
import {
  domainOf,
  packActions,
  randomId,
  recordHashOf,
  recordOfAttestation,
  type NotaryRecord,
} from "../sdk/execution";
import { claimsOf, parseProofFileText } from "../sdk/proofFile";
import { MODE_NAMES } from "../executor/schemas";
import { notaryBatchTree } from "../executor/cosign";
import { ERA, formatEra } from "./referenceMonth";
import { JobClient, type JobView } from "./jobClient";
import { DemoChild, DemoProcessError, freePort, runToEnd } from "./processes";
import type { Progress } from "./progress";
import { atomicLegs, likes, settlement, shipmentResults, startResultCheckServer, type WorkloadSize } from "./workload";

/** The chain the demo drives: JSON-RPC for its children, a provider and funded accounts for itself. */
export interface DemoChain {
  /** Where the node processes reach the chain. */
  rpcUrl: string;
  chainId: bigint;
  provider: Provider;
  /** Dev-chain controls (time travel): `evm_increaseTime`, `evm_mine`. */
  send(method: string, params: unknown[]): Promise<unknown>;
  /** Pays gas for everyone else (ETH) and deploys. */
  funder: Signer;
  /** Holds the genesis ERA. */
  treasury: Signer;
  /** The indexer's publisher key (holds the distributor's publisher role). */
  publisherKey: string;
}

export interface DemoOptions {
  workload: WorkloadSize;
  /** Folder for the processes' configuration, state files, logs and proof files. */
  workDir: string;
  addresses: SuiteAddresses;
  /** Block the suite was deployed from (the processes start reading there). */
  deploymentBlock: number;
  progress: Progress;
}

/** Gas and throughput of one execution mode, measured over the run. */
export interface ModeFigures {
  mode: string;
  actions: number;
  transactions: number;
  gasUsed: bigint;
  gasPerAction: bigint;
  seconds: number;
  actionsPerSecond: number;
}

export interface WorkloadReport {
  processes: { name: string; url?: string; log: string }[];
  nodes: { nodeId: bigint; role: string; apiUrl?: string }[];
  scenarios: { name: string; scenarioId: bigint; node: bigint; servingNodes: bigint[]; quorum: number }[];
  modes: ModeFigures[];
  modeSequence: string[];
  settlements: {
    submitted: number;
    settled: number;
    committed: number;
    refunded: number;
    open: number;
    terminalRate: number;
    refundedBy: string[];
  };
  notarizations: { submitted: number; verified: number; quorum: number; subjects: number };
  fraud: {
    batchId: string;
    nodeId: bigint;
    provenBy: string;
    kind: string;
    slashed: bigint;
    bounty: bigint;
    bondBefore: bigint;
    bondAfter: bigint;
    batchStatus: string;
  };
  finalizedBatches: number;
  jobsFailed: number;
  month: {
    epochStart: number;
    publications: { kind: string; epochId: bigint; budget: bigint; file: string }[];
    revenuePaid: bigint;
    revenueClaimed: { who: string; amount: bigint }[];
    subsidiesClaimed: bigint;
    subsidyBudget: bigint;
    rewardsClaimed: bigint;
    rewardBudget: bigint;
    claimedAndDelegated: { account: string; nodeId: bigint; amount: bigint; stakeAfter: bigint };
  };
}

const FRAUD_KINDS = [
  "duplicate nonce in batch",
  "duplicate nonce across batches",
  "nonce used in standard mode",
  "signature not produced",
];
const BATCH_STATUS = ["none", "pending", "rejected", "finalized"];

/**
 * Runs the demo's workload on a deployed suite, through separate node processes: registers four nodes (three honest
 * ones, each with its executor, and one that will cheat) and one scenario per class; starts the three executors
 * (co-signing each other's notarizations) and a verifier; posts settlements, enterprise results and likes to the
 * executors' job APIs while the lightweight scenario switches standard → lightweight → standard; injects a
 * fraudulent lightweight batch and waits for the verifier to prove it; lets a lock expire and be refunded; then closes
 * the month with the indexer process and has everyone claim. Every figure is read back from the chain or measured.
 */
export async function runWorkload(chain: DemoChain, o: DemoOptions): Promise<WorkloadReport> {
  const { progress: p, workload: w } = o;
  mkdirSync(o.workDir, { recursive: true });
  const suite = connectSuite(o.addresses, chain.provider);
  const wait = async (tx: Promise<{ wait(): Promise<TransactionReceipt | null> }>) => (await (await tx).wait())!;
  const chainNow = async () => BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  const warp = async (seconds: bigint) => {
    await chain.send("evm_increaseTime", [Number(seconds)]);
    await chain.send("evm_mine", []);
  };
  const wallet = () => new Wallet(Wallet.createRandom().privateKey, chain.provider);
  const funder = chain.funder;
  const treasury = chain.treasury;
  const giveEth = async (to: string, eth = "10") => wait(funder.sendTransaction({ to, value: parseEther(eth) }));
  const giveEra = async (to: string, amount: bigint) => wait(suite.token.connect(treasury).transfer(to, amount));

  // ------------------------------------------------------------------ actors, nodes, scenarios
  p.step("registering 3 nodes with executors, 1 node that will cheat, and one scenario per class");
  const minBond = await suite.nodeRegistry.minBond();
  const nodes: { operator: Wallet; key: Wallet; id: bigint; role: string }[] = [];
  for (const role of ["financial executor", "enterprise executor", "lightweight executor", "cheating node"]) {
    const operator = wallet();
    const key = wallet();
    await giveEth(operator.address);
    await giveEth(key.address);
    await giveEra(operator.address, minBond);
    await wait(suite.token.connect(operator).approve(o.addresses.nodeRegistry, minBond));
    await wait(
      suite.nodeRegistry.connect(operator).register(key.address, `ipfs://demo-node-${nodes.length + 1}`, minBond),
    );
    nodes.push({ operator, key, role, id: await suite.nodeRegistry.nodeOfOperator(operator.address) });
  }
  const [nFin, nEnt, nLight, nRogue] = nodes;
  const developer = wallet();
  await giveEth(developer.address);
  const registry = suite.scenarioRegistry.connect(developer);
  const register = async (cls: ScenarioClass, node: bigint, name: string) => {
    await wait(registry.registerScenario(cls, node, `ipfs://demo-${name}`));
    return suite.scenarioRegistry.scenarioCount();
  };
  const finId = await register(ScenarioClass.Financial, nFin.id, "settlements");
  const entId = await register(ScenarioClass.Enterprise, nEnt.id, "supply-chain");
  const lightId = await register(ScenarioClass.Lightweight, nLight.id, "likes");
  await wait(registry.addServingNode(entId, nFin.id));
  await wait(registry.addServingNode(entId, nLight.id));
  await wait(registry.setQuorum(entId, 2));
  await wait(registry.addServingNode(lightId, nRogue.id));
  if ((await suite.scenarioRegistry.getScenario(lightId)).mode !== BigInt(ExecutionMode.Standard)) {
    await wait(registry.setMode(lightId, ExecutionMode.Standard));
  }
  const scenarios: WorkloadReport["scenarios"] = [];
  for (const [name, id] of [
    ["financial", finId],
    ["enterprise", entId],
    ["lightweight", lightId],
  ] as const) {
    const s = await suite.scenarioRegistry.getScenario(id);
    scenarios.push({
      name,
      scenarioId: id,
      node: s.nodeId,
      servingNodes: [...(await suite.scenarioRegistry.servingNodes(id))],
      quorum: Number(s.quorum),
    });
  }
  for (const s of scenarios) {
    p.detail(
      `${s.name} scenario ${s.scenarioId}: node ${s.node}, served by ${s.servingNodes.join(", ")}, quorum ${s.quorum}`,
    );
  }

  p.step(`funding ${w.parties} settlement parties' escrow and ${w.users} users`);
  const parties = Array.from({ length: w.parties }, wallet);
  for (const party of parties) {
    await giveEth(party.address, "1");
    await giveEra(party.address, 1_000n * ERA);
    await wait(suite.token.connect(party).approve(o.addresses.settlementEngine, 1_000n * ERA));
    await wait(suite.settlementEngine.connect(party).deposit(o.addresses.token, 1_000n * ERA));
  }
  const users = Array.from({ length: w.users }, wallet);

  // ------------------------------------------------------------------ processes
  p.step("starting 3 executors (co-signing each other over /cosign) and a verifier, as separate processes");
  const deploymentFile = path.join(o.workDir, "deployed_addresses.json");
  writeFileSync(deploymentFile, JSON.stringify(ignitionAddresses(o.addresses), null, 2));
  const executors = [nFin, nEnt, nLight];
  const ports = await Promise.all(executors.map(async () => ({ api: await freePort(), ops: await freePort() })));
  const apiUrl = (i: number) => `http://127.0.0.1:${ports[i].api}`;
  const children: DemoChild[] = [];
  const resultCheck = await startResultCheckServer();
  const processes: WorkloadReport["processes"] = [];
  try {
    for (const [i, node] of executors.entries()) {
      const configFile = path.join(o.workDir, `executor-${node.id}.json`);
      const peers = Object.fromEntries(executors.flatMap((n, j) => (j === i ? [] : [[n.id.toString(), apiUrl(j)]])));
      writeFileSync(
        configFile,
        JSON.stringify(
          {
            rpcUrl: chain.rpcUrl,
            chainId: Number(chain.chainId),
            deployment: deploymentFile,
            journal: path.join(o.workDir, `executor-${node.id}.sqlite`),
            httpPort: ports[i].api,
            opsPort: ports[i].ops,
            peers,
            resultCheckUrl: resultCheck.url,
            fromBlock: o.deploymentBlock,
            maxBatchSize: 200,
            maxBatchAgeMs: 300,
            pollIntervalMs: 200,
            modePollMs: 200,
            challengePollMs: 1_000,
            logLevel: "info",
          },
          null,
          2,
        ),
      );
      const log = path.join(o.workDir, `executor-${node.id}.log`);
      children.push(
        new DemoChild({
          name: `executor of node ${node.id}`,
          entry: "bin/era.js",
          args: ["executor", "run", "--config", configFile],
          env: { ERA_EXECUTOR_NODE_KEY: node.key.privateKey },
          logFile: log,
        }),
      );
      processes.push({ name: `executor (node ${node.id})`, url: apiUrl(i), log });
    }
    const verifierKey = wallet();
    await giveEth(verifierKey.address);
    const verifierOps = await freePort();
    const verifierLog = path.join(o.workDir, "verifier.log");
    const verifier = new DemoChild({
      name: "verifier",
      entry: "bin/era.js",
      args: [
        ...cliArgs(chain, o, "verifier"),
        "--poll-interval-ms",
        "500",
        "--ops-port",
        String(verifierOps),
        // The executors serve their lightweight batches' signatures; the verifier checks every action's.
        "--signature-urls",
        executors.map((n, i) => `${n.id}=${apiUrl(i)}`).join(","),
      ],
      env: { ERA_PRIVATE_KEY: verifierKey.privateKey },
      logFile: verifierLog,
    });
    children.push(verifier);
    processes.push({ name: "verifier", url: `http://127.0.0.1:${verifierOps}`, log: verifierLog });
    await Promise.all([
      ...executors.map((_, i) => children[i].waitReady(`http://127.0.0.1:${ports[i].ops}/healthz`)),
      verifier.waitReady(`http://127.0.0.1:${verifierOps}/healthz`),
    ]);
    for (const x of processes) p.detail(`${x.name.padEnd(20)} ${x.url ?? ""}  log ${x.log}`);
    const alive = () => children.forEach((c) => c.assertRunning());
    const [finApi, entApi, lightApi] = executors.map((n, i) => new JobClient(`executor of node ${n.id}`, apiUrl(i)));

    // ---------------------------------------------------------------- workload
    const epochStart = Number(await chainNow());
    const hubDomain = domainOf("ERA ExecutionHub", chain.chainId, o.addresses.executionHub);
    const engineDomain = domainOf("ERA SettlementEngine", chain.chainId, o.addresses.settlementEngine);
    const now = await chainNow();
    p.step(
      `posting ${w.atomicSettlements} atomic settlements, ${w.committedLocks + 1} settlement locks ` +
        `and ${w.shipments * 3} enterprise results`,
    );
    const settlementJobs = [];
    for (let i = 0; i < w.atomicSettlements; i++) {
      settlementJobs.push(
        await settlement(
          engineDomain,
          finId,
          parties,
          atomicLegs(i, parties.length, ERA),
          o.addresses.token,
          now + 3_600n,
        ),
      );
    }
    for (let i = 0; i < w.committedLocks; i++) {
      settlementJobs.push(
        await settlement(
          engineDomain,
          finId,
          parties,
          [{ from: i % parties.length, to: (i + 2) % parties.length, amount: 25n * ERA }],
          o.addresses.token,
          now + 3_600n,
          {
            preimage: randomId(),
          },
        ),
      );
    }
    // A cross-chain leg that never completes: its preimage is never revealed, so the lock must end refunded.
    const expiring = await settlement(
      engineDomain,
      finId,
      parties,
      [{ from: 0, to: 1, amount: 40n * ERA }],
      o.addresses.token,
      now + 180n,
      {},
    );
    settlementJobs.push(expiring);
    const settlementIds = await finApi.post(settlementJobs);
    // Each shipment goes through its states in order: a state's results are posted once the previous state's landed
    // (a subject's records form a hash-linked trail, each signed against the head before it).
    const resultJobs = shipmentResults(entId, w.shipments, randomId().slice(2, 10));
    const states = resultJobs.length / w.shipments;
    const resultIds: string[] = [];
    const resultsDone = (async () => {
      for (let k = 0; k < states; k++) {
        const ids = await entApi.post(resultJobs.filter((_, i) => i % states === k));
        resultIds.push(...ids);
        await entApi.confirmed(ids, () => {}, 300_000, alive);
      }
    })();
    resultsDone.catch(() => undefined);

    const nonces = new Map<string, number>();
    const phases: { mode: string; ids: string[] }[] = [];
    const runPhase = async (label: string, count: number) => {
      const jobs = await likes(users, nonces, hubDomain, lightId, count);
      const ids = await lightApi.post(jobs);
      await lightApi.confirmed(ids, (d) => p.count(`likes (${label})`, d, ids.length), 300_000, alive);
      phases.push({ mode: label, ids });
    };
    p.step(`likes while the lightweight scenario runs in standard mode`);
    await runPhase("standard", w.likes[0]);
    p.step("the scenario's owner switches it to lightweight mode on chain (the executor follows ModeSwitched)");
    await wait(registry.setMode(lightId, ExecutionMode.Lightweight));
    await runPhase("lightweight", w.likes[1]);

    p.step(`node ${nRogue.id} posts a fraudulent lightweight batch straight to the hub (one nonce used twice)`);
    const victim = wallet();
    const bondBefore = (await suite.nodeRegistry.getNode(nRogue.id)).bond;
    const rogueBatch = randomId();
    await wait(
      suite.executionHub.connect(nRogue.key).submitLightweight(
        lightId,
        rogueBatch,
        packActions([
          { user: victim.address, nonce: 1, payload: 1n },
          { user: victim.address, nonce: 1, payload: 2n },
        ]),
      ),
    );

    p.step("the owner switches the scenario back to standard mode");
    await wait(registry.setMode(lightId, ExecutionMode.Standard));
    await runPhase("standard again", w.likes[2]);

    p.step("waiting for settlements (atomic, and locks committed by the executor's follow-ups) and notarizations");
    const settlementViews = await finApi.confirmed(
      settlementIds,
      (d) => p.count("settlement jobs", d, settlementIds.length),
      300_000,
      alive,
    );
    await resultsDone;
    const resultViews = await entApi.confirmed(
      resultIds,
      (d) => p.count("results notarized", d, resultIds.length),
      300_000,
      alive,
    );
    const terminal = async (id: string) => {
      const s = Number(await suite.settlementEngine.statusOf(id));
      return s === SettlementStatus.Settled || s === SettlementStatus.Committed || s === SettlementStatus.Refunded;
    };
    for (const job of settlementJobs.filter((j) => j.preimage !== undefined)) {
      while (!(await terminal(job.id))) {
        alive();
        await sleep(250);
      }
    }

    p.step("waiting for the verifier to prove the fraudulent batch");
    const fraudEvent = async () =>
      (
        await suite.batchCommitments.queryFilter(
          suite.batchCommitments.filters.FraudProven(rogueBatch),
          o.deploymentBlock,
        )
      )[0];
    const until = Date.now() + 120_000;
    let fraud = await fraudEvent();
    while (fraud === undefined) {
      alive();
      if (Date.now() > until)
        throw new DemoProcessError("verifier", "did not prove the fraudulent batch within 120 s", verifierLog);
      await sleep(500);
      fraud = await fraudEvent();
    }
    const bondAfter = (await suite.nodeRegistry.getNode(nRogue.id)).bond;
    p.detail(
      `proven by ${fraud.args.challenger} (${FRAUD_KINDS[Number(fraud.args.kind)]}): node ${nRogue.id} slashed ` +
        `${formatEra(fraud.args.slashed)}, bond ${formatEra(bondBefore)} → ${formatEra(bondAfter)}`,
    );

    const window = await suite.batchCommitments.challengeWindow();
    p.step(`time passes: the expiring lock's deadline and the ${Number(window) / 3600} h challenge window`);
    await warp(window + 3_600n);
    while (!(await terminal(expiring.id))) {
      alive();
      await sleep(250);
      await chain.send("evm_mine", []);
    }
    const refundedLogs = await suite.settlementEngine.queryFilter(
      suite.settlementEngine.filters.Refunded(),
      o.deploymentBlock,
    );
    const refundedBy: string[] = [];
    for (const log of refundedLogs) {
      const tx = await chain.provider.getTransaction(log.transactionHash);
      const who = tx?.from ?? "?";
      refundedBy.push(
        who === verifierKey.address ? "verifier" : executors.some((n) => n.key.address === who) ? "executor" : who,
      );
    }

    // ---------------------------------------------------------------- figures of the run
    const lightViews = await lightApi.list(lightId);
    const byId = new Map(lightViews.map((v) => [v.id, v]));
    const modeSequence = phases.map((ph) => {
      const modes = new Set(ph.ids.map((id) => byId.get(id)?.mode ?? "?"));
      return [...modes].join("+");
    });
    const figures: ModeFigures[] = [];
    // Seconds are summed over separate stretches of work (the two standard phases), never across the gap between.
    const measure = async (mode: string, views: JobView[], stretches: JobView[][] = [views]) => {
      const txs = new Map<string, number>();
      for (const v of views) if (v.txHash) txs.set(v.txHash, (txs.get(v.txHash) ?? 0) + 1);
      let gasUsed = 0n;
      for (const hash of txs.keys()) gasUsed += (await chain.provider.getTransactionReceipt(hash))!.gasUsed;
      const span = (group: JobView[]) =>
        group.length === 0
          ? 0
          : Math.max(...group.map((v) => Date.parse(v.updatedAt))) -
            Math.min(...group.map((v) => Date.parse(v.createdAt)));
      const seconds = Math.max(0.001, stretches.map(span).reduce((a, b) => a + b, 0) / 1000);
      figures.push({
        mode,
        actions: views.length,
        transactions: txs.size,
        gasUsed,
        gasPerAction: views.length === 0 ? 0n : gasUsed / BigInt(views.length),
        seconds,
        actionsPerSecond: views.length / seconds,
      });
    };
    const phaseViews = (i: number) => phases[i].ids.map((id) => byId.get(id)!);
    const standardOnly = (i: number) => phaseViews(i).filter((v) => v.mode === MODE_NAMES[ExecutionMode.Standard]);
    await measure("standard", [...standardOnly(0), ...standardOnly(2)], [standardOnly(0), standardOnly(2)]);
    await measure(
      "lightweight",
      phaseViews(1).filter((v) => v.mode === MODE_NAMES[ExecutionMode.Lightweight]),
    );
    const pathOf = new Map(settlementJobs.map((j, i) => [settlementIds[i], j.path]));
    await measure(
      "atomic settlement",
      settlementViews.filter((v) => pathOf.get(v.id) === "atomic"),
    );
    await measure(
      "settlement lock (lock tx)",
      settlementViews.filter((v) => pathOf.get(v.id) === "lock"),
    );
    await measure("notarized (2 of 3)", resultViews);

    const statuses = await Promise.all(
      settlementJobs.map(async (j) => Number(await suite.settlementEngine.statusOf(j.id))),
    );
    const count = (s: SettlementStatus) => statuses.filter((x) => x === s).length;
    const settled = count(SettlementStatus.Settled);
    const committed = count(SettlementStatus.Committed);
    const refunded = count(SettlementStatus.Refunded);

    const notarizations = await verifyNotarizations(
      suite,
      entId,
      resultViews.map((v) => ({ ...(v.job as { subjectId: string; resultHash: string }), batchId: v.batchId! })),
      o.deploymentBlock,
    );

    const jobsFailed = [...(await finApi.list()), ...(await entApi.list()), ...(await lightApi.list())].filter(
      (v) => v.status === "failed",
    ).length;

    p.step("stopping the executors and the verifier");
    await Promise.all(children.map((c) => c.stop()));

    p.step("finalizing the lightweight batches whose challenge window is over");
    const committedLogs = await suite.batchCommitments.queryFilter(
      suite.batchCommitments.filters.BatchCommitted(undefined, lightId),
      o.deploymentBlock,
    );
    let finalizedBatches = 0;
    for (const log of committedLogs) {
      const status = Number((await suite.batchCommitments.getBatch(log.args.batchId)).status);
      if (BATCH_STATUS[status] === "pending") {
        await wait(suite.batchCommitments.connect(funder).finalize(log.args.batchId));
        finalizedBatches++;
      }
    }
    const rogueStatus = BATCH_STATUS[Number((await suite.batchCommitments.getBatch(rogueBatch)).status)];

    // ---------------------------------------------------------------- the month
    const month = await closeMonth(chain, o, suite, {
      epochStart,
      developer,
      operators: executors.map((n) => n.operator),
      users,
      delegateTo: nFin.id,
      giveEth,
      giveEra,
      wait,
      warp,
    });

    return {
      processes,
      nodes: nodes.map((n, i) => ({ nodeId: n.id, role: n.role, apiUrl: i < 3 ? apiUrl(i) : undefined })),
      scenarios,
      modes: figures,
      modeSequence,
      settlements: {
        submitted: settlementJobs.length,
        settled,
        committed,
        refunded,
        open: settlementJobs.length - settled - committed - refunded,
        terminalRate: (settled + committed + refunded) / settlementJobs.length,
        refundedBy,
      },
      notarizations,
      fraud: {
        batchId: rogueBatch,
        nodeId: nRogue.id,
        provenBy: fraud.args.challenger === verifierKey.address ? "verifier" : fraud.args.challenger,
        kind: FRAUD_KINDS[Number(fraud.args.kind)],
        slashed: fraud.args.slashed,
        bounty: fraud.args.bounty,
        bondBefore,
        bondAfter,
        batchStatus: rogueStatus,
      },
      finalizedBatches,
      jobsFailed,
      month,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await resultCheck.close();
  }
}

/** Contract names of the suite's addresses, as Ignition records them in deployed_addresses.json. */
const CONTRACT_NAMES: Record<keyof SuiteAddresses, string> = {
  timelock: "EraTimelock",
  token: "EraToken",
  nodeRegistry: "NodeRegistry",
  staking: "DelegatedStaking",
  scenarioRegistry: "ScenarioRegistry",
  distributor: "EpochDistributor",
  revenueRouter: "RevenueRouter",
  settlementEngine: "SettlementEngine",
  notaryRegistry: "NotaryRegistry",
  executionHub: "ExecutionHub",
  batchCommitments: "BatchCommitments",
};

/** The suite's addresses as an Ignition deployed_addresses.json (what every node process reads). */
function ignitionAddresses(addresses: SuiteAddresses): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(CONTRACT_NAMES) as (keyof SuiteAddresses)[]).map((k) => [`Suite#${CONTRACT_NAMES[k]}`, addresses[k]]),
  );
}

/** `era <process> run` on the demo's chain and deployment, reading from the deployment block, its state in the work folder. */
function cliArgs(chain: DemoChain, o: DemoOptions, process: "verifier" | "indexer"): string[] {
  return [
    process,
    "run",
    "--rpc",
    chain.rpcUrl,
    "--deployment",
    path.join(o.workDir, "deployed_addresses.json"),
    "--db-path",
    path.join(o.workDir, `${process}.sqlite`),
    "--start-block",
    String(o.deploymentBlock),
    "--confirmations",
    "0",
  ];
}

/**
 * Checks every notarized result from chain data alone, as an auditor would. A result notarized on its own: the
 * subject's trail is rebuilt from the notary's `Notarized` events and verified whole (`verifyTrail`), and the result
 * must be in it with at least the quorum's signatures. Results notarized together under one root: the batch record
 * is read from its `BatchNotarized` event (the executor's batch id is the salt), and each result is proven in it
 * (`verifyInBatch`) with the tree rebuilt from the batch's results in order.
 */
async function verifyNotarizations(
  suite: Suite,
  scenarioId: bigint,
  results: readonly { subjectId: string; resultHash: string; batchId: string }[],
  fromBlock: number,
): Promise<WorkloadReport["notarizations"]> {
  const quorum = Number((await suite.scenarioRegistry.getScenario(scenarioId)).quorum);
  const notary = suite.notaryRegistry;
  const batches = new Map<string, { subjectId: string; resultHash: string }[]>();
  for (const r of results) batches.set(r.batchId, [...(batches.get(r.batchId) ?? []), r]);
  let verified = 0;
  const trails = new Map<string, NotaryRecord[]>();
  for (const [batchId, members] of batches) {
    if (members.length === 1) {
      const { subjectId, resultHash } = members[0];
      if (!trails.has(subjectId)) {
        const logs = await notary.queryFilter(notary.filters.Notarized(undefined, scenarioId, subjectId), fromBlock);
        const trail = logs.map(({ args: a }) => {
          const { scenarioId: sc, subjectId: sub, resultHash: hash, previous } = a;
          return recordOfAttestation(
            { scenarioId: sc, subjectId: sub, resultHash: hash, previous, deadline: 0n },
            a.timestamp,
            a.signers,
          );
        });
        const whole =
          trail.length > 0 &&
          (await notary.verifyTrail(scenarioId, subjectId, trail)) &&
          recordHashOf(trail[trail.length - 1]) === (await notary.headOf(scenarioId, subjectId));
        trails.set(subjectId, whole ? trail : []);
      }
      if (trails.get(subjectId)!.some((t) => t.resultHash === resultHash && t.signers.length >= quorum)) verified++;
      continue;
    }
    const { notarizationId, tree } = notaryBatchTree(scenarioId, batchId, members);
    const [event] = await notary.queryFilter(notary.filters.BatchNotarized(notarizationId, scenarioId), fromBlock);
    if (event === undefined || event.args.root !== tree.root || event.args.signers.length < quorum) continue;
    const record = {
      scenarioId,
      notarizationId,
      root: tree.root,
      count: event.args.count,
      timestamp: event.args.timestamp,
      signers: [...event.args.signers],
    };
    for (const [i, r] of members.entries()) {
      if (await notary.verifyInBatch(record, i, r.subjectId, r.resultHash, tree.getProof(i))) verified++;
    }
  }
  return {
    submitted: results.length,
    verified,
    quorum,
    subjects: new Set(results.map((r) => r.subjectId)).size,
  };
}

interface MonthCloseContext {
  epochStart: number;
  developer: Wallet;
  operators: Wallet[];
  users: Wallet[];
  delegateTo: bigint;
  giveEth(to: string, eth?: string): Promise<unknown>;
  giveEra(to: string, amount: bigint): Promise<unknown>;
  wait(tx: Promise<{ wait(): Promise<TransactionReceipt | null> }>): Promise<TransactionReceipt>;
  warp(seconds: bigint): Promise<void>;
}

/** Revenue paid and claimed, the month closed by the indexer process, subsidies and rewards claimed from its proofs. */
async function closeMonth(
  chain: DemoChain,
  o: DemoOptions,
  suite: Suite,
  c: MonthCloseContext,
): Promise<WorkloadReport["month"]> {
  const p = o.progress;
  p.step("scenario revenue paid; nodes and the developer claim their shares");
  const payer = new Wallet(Wallet.createRandom().privateKey, chain.provider);
  await c.giveEth(payer.address);
  const revenue = [10_000n * ERA, 4_000n * ERA, 6_000n * ERA];
  const revenuePaid = revenue.reduce((a, b) => a + b, 0n);
  await c.giveEra(payer.address, revenuePaid);
  await c.wait(suite.token.connect(payer).approve(o.addresses.revenueRouter, revenuePaid));
  const count = await suite.scenarioRegistry.scenarioCount();
  // The three workload scenarios are the last three registered.
  for (const [i, amount] of revenue.entries()) {
    await c.wait(suite.revenueRouter.connect(payer).pay(count - 2n + BigInt(i), amount));
  }
  const revenueClaimed: { who: string; amount: bigint }[] = [];
  for (const [who, signer] of [
    ...c.operators.map((op, i) => [`node operator ${i + 1}`, op] as const),
    ["developer", c.developer] as const,
  ]) {
    const before = await suite.token.balanceOf(signer.address);
    await c.wait(suite.revenueRouter.connect(signer).claim(signer.address));
    revenueClaimed.push({ who, amount: (await suite.token.balanceOf(signer.address)) - before });
  }
  await c.wait(suite.revenueRouter.connect(chain.funder).flushPools());
  const subsidyBudget = 3_000n * ERA;
  await c.wait(suite.token.connect(chain.treasury).approve(o.addresses.distributor, subsidyBudget * 2n));
  await c.wait(suite.distributor.connect(chain.treasury).fundSubsidies(subsidyBudget * 2n));

  p.step("the indexer process closes month 0: counts MAU from chain records, publishes subsidy and reward epochs");
  const outDir = path.join(o.workDir, "proofs");
  const stdout = await runToEnd({
    name: "indexer",
    entry: "bin/era.js",
    args: [
      ...cliArgs(chain, o, "indexer"),
      "--json",
      "--epoch-start",
      String(c.epochStart),
      "--epoch-length",
      "3600",
      "--month",
      "0",
      "--publish",
      "--subsidy-budget",
      subsidyBudget.toString(),
      "--out-dir",
      outDir,
    ],
    env: { ERA_PRIVATE_KEY: chain.publisherKey },
    logFile: path.join(o.workDir, "indexer.log"),
  });
  // Its stdout holds its JSON log lines, then the result (`--json`), which starts on a line of its own.
  const lines = stdout.split("\n");
  const out = JSON.parse(lines.slice(lines.indexOf("{")).join("\n")) as {
    publications?: { kind: string; epochId: string; budget: string; file: string }[];
  };
  const publications = (out.publications ?? []).map((x) => ({
    kind: x.kind,
    epochId: BigInt(x.epochId),
    budget: BigInt(x.budget),
    file: x.file,
  }));
  for (const x of publications) p.detail(`${x.kind} epoch ${x.epochId}: ${formatEra(x.budget)}, proofs in ${x.file}`);
  const subsidyPub = publications.find((x) => x.kind === "subsidy");
  const rewardPub = publications.find((x) => x.kind === "reward");
  if (!subsidyPub || !rewardPub) {
    throw new DemoProcessError(
      "indexer",
      "published no subsidy or no reward epoch",
      path.join(o.workDir, "indexer.log"),
    );
  }

  p.step("dispute window over: the developer claims subsidies, users claim rewards, one claims and delegates");
  const opensAt = (await suite.distributor.getEpoch(rewardPub.epochId)).opensAt;
  const head = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  if (opensAt > head) await c.warp(opensAt - head);
  const subsidyFile = parseProofFileText(readFileSync(subsidyPub.file, "utf8"));
  let subsidiesClaimed = 0n;
  if (subsidyFile.kind === "subsidy") {
    for (const claim of claimsOf(subsidyFile, c.developer.address)) {
      const before = await suite.token.balanceOf(c.developer.address);
      await c.wait(
        suite.distributor
          .connect(c.developer)
          .claimSubsidy(
            subsidyFile.epochId,
            claim.index,
            claim.account,
            claim.scenarioId,
            claim.baseAmount,
            claim.mau,
            claim.proof,
          ),
      );
      subsidiesClaimed += (await suite.token.balanceOf(c.developer.address)) - before;
    }
  }
  const rewardFile = parseProofFileText(readFileSync(rewardPub.file, "utf8"));
  if (rewardFile.kind !== "reward" || rewardFile.claims.length < 2) {
    throw new DemoProcessError("indexer", "wrote a reward proof file with fewer than two claims", rewardPub.file);
  }
  const byAddress = new Map(c.users.map((u) => [u.address, u]));
  let rewardsClaimed = 0n;
  const delegating = rewardFile.claims.find((x) => byAddress.has(x.account))!;
  for (const claim of rewardFile.claims.filter((x) => x !== delegating)) {
    // Anyone may send a reward claim; the ERA goes to the account of the leaf.
    const before = await suite.token.balanceOf(claim.account);
    await c.wait(
      suite.distributor
        .connect(chain.funder)
        .claimReward(rewardFile.epochId, claim.index, claim.account, claim.amount, claim.proof),
    );
    rewardsClaimed += (await suite.token.balanceOf(claim.account)) - before;
  }
  const user = byAddress.get(delegating.account)!;
  await c.giveEth(user.address, "1");
  const stakeBefore = await suite.staking.stakeOf(user.address, c.delegateTo);
  await c.wait(
    suite.distributor
      .connect(user)
      .claimRewardAndDelegate(rewardFile.epochId, delegating.index, delegating.amount, delegating.proof, c.delegateTo),
  );
  const stakeAfter = await suite.staking.stakeOf(user.address, c.delegateTo);
  rewardsClaimed += stakeAfter - stakeBefore;
  p.detail(
    `${user.address} claimed ${formatEra(delegating.amount)} and delegated it to node ${c.delegateTo} in one transaction`,
  );

  return {
    epochStart: c.epochStart,
    publications,
    revenuePaid,
    revenueClaimed,
    subsidiesClaimed,
    subsidyBudget: subsidyPub.budget,
    rewardsClaimed,
    rewardBudget: rewardPub.budget,
    claimedAndDelegated: { account: user.address, nodeId: c.delegateTo, amount: delegating.amount, stakeAfter },
  };
}
