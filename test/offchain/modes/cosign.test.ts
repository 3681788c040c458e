import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Wallet } from "ethers";
import {
  cosignRequestBody,
  notaryBatchTree,
  QuorumNotReached,
  signCosignable,
  type Cosignable,
} from "../../../src/executor/cosign";
import { ENTERPRISE, ExecutionMode, LIGHT, rejectionOf, type ModesFixture } from "./helpers";
import {
  clientOf,
  knownResults,
  peerHandler,
  resultJob,
  servePeer,
  silentPeer,
  twoOfThreeFixture,
  vouch,
  withPeers,
} from "./peers";

/** A single attestation of scenario 2 for `label`'s result, against the subject's current head. */
async function single(f: ModesFixture, label: string, overrides: { deadline?: bigint; scenarioId?: bigint } = {}) {
  const job = resultJob(label, overrides.scenarioId);
  const item: Cosignable = {
    type: "single",
    attestation: {
      scenarioId: job.scenarioId,
      subjectId: job.subjectId,
      resultHash: job.resultHash,
      previous: await f.notaryRegistry.headOf(job.scenarioId, job.subjectId),
      deadline: overrides.deadline ?? BigInt(await time.latest()) + 600n,
    },
  };
  return { job, item };
}

/** The request body node 1 (or `requester`) sends for `item`. */
async function bodyOf(f: ModesFixture, item: Cosignable, requester: Wallet = f.keys[0]) {
  return cosignRequestBody(item, await signCosignable(requester, f.notaryDomain, item));
}

/** `body` with one attestation field replaced (as a client with another idea of the format would send it). */
function withField(body: unknown, field: string, value: unknown): unknown {
  const b = body as { item: { attestation: Record<string, unknown> } };
  return { ...b, item: { ...b.item, attestation: { ...b.item.attestation, [field]: value } } };
}

async function serverSetup() {
  const f = await twoOfThreeFixture();
  const known = new Set<string>();
  return { f, known, node2: peerHandler(f, 2n, knownResults(known)) };
}

describe("Co-signing: the POST /cosign handler", function () {
  it("signs a result it can confirm for a serving peer, with its registered key", async function () {
    const { f, known, node2 } = await loadFixture(serverSetup);
    const { job, item } = await single(f, "ok");
    vouch(known, job);
    const answer = await node2(await bodyOf(f, item));
    expect(answer.status).to.equal(200);
    const { signer, signature } = answer.json as { signer: string; signature: string };
    expect(signer).to.equal(f.keys[1].address);
    if (item.type !== "single") throw new Error("unreachable");
    expect(ethers.recoverAddress(await f.notaryRegistry.attestationDigest(item.attestation), signature)).to.equal(
      f.keys[1].address,
    );
  });

  it("refuses a result it cannot check (422, with the reason)", async function () {
    const { f, node2 } = await loadFixture(serverSetup);
    const { job, item } = await single(f, "unknown");
    const answer = await node2(await bodyOf(f, item));
    expect(answer).to.deep.equal({
      status: 422,
      json: { error: `Refused: this node cannot confirm result ${job.resultHash} for subject ${job.subjectId}.` },
    });
  });

  it("refuses requests it must not sign, each with its status and reason", async function () {
    const { f, known, node2 } = await loadFixture(serverSetup);
    const { job, item } = await single(f, "checks");
    vouch(known, job);
    if (item.type !== "single") throw new Error("unreachable");
    const now = BigInt(await time.latest());
    const cases: [string, unknown, number, RegExp][] = [
      ["malformed", { item: { type: "single" }, requesterSignature: "0x" }, 400, /Malformed request: item.attestation/],
      ["a number where a decimal string is due", withField(await bodyOf(f, item), "deadline", 5), 400, /deadline/],
      [
        "stale head",
        await bodyOf(f, { ...item, attestation: { ...item.attestation, previous: ethers.id("old head") } }),
        409,
        /head is 0x0{64}/,
      ],
      [
        "deadline too far",
        await bodyOf(f, { ...item, attestation: { ...item.attestation, deadline: now + 7_200n } }),
        422,
        /deadline must be within 3600 s/,
      ],
      [
        "deadline past",
        await bodyOf(f, { ...item, attestation: { ...item.attestation, deadline: now } }),
        422,
        /deadline/,
      ],
      [
        "requester is no node",
        await bodyOf(f, item, f.outsider),
        403,
        /is not the key of an active node serving scenario 2/,
      ],
      ["requester is itself", await bodyOf(f, item, f.keys[1]), 403, /own key/],
      [
        "not enterprise",
        await bodyOf(f, { ...item, attestation: { ...item.attestation, scenarioId: LIGHT } }),
        422,
        /not an enterprise scenario/,
      ],
      [
        "unknown scenario",
        await bodyOf(f, { ...item, attestation: { ...item.attestation, scenarioId: 99n } }),
        422,
        /scenario 99 is not registered/,
      ],
    ];
    for (const [what, body, status, reason] of cases) {
      const answer = await node2(body);
      expect(answer.status, what).to.equal(status);
      expect((answer.json as { error: string }).error, what).to.match(reason);
    }
  });

  it("refuses while the scenario is not in notarized mode, or when this node does not serve it", async function () {
    const { f, known, node2 } = await loadFixture(serverSetup);
    const { job, item } = await single(f, "mode");
    vouch(known, job);
    await f.scenarioRegistry.connect(f.developer).setMode(ENTERPRISE, ExecutionMode.Standard);
    expect((await node2(await bodyOf(f, item))).status).to.equal(409);
    await f.scenarioRegistry.connect(f.developer).setMode(ENTERPRISE, ExecutionMode.Notarized);
    await f.scenarioRegistry.connect(f.developer).setQuorum(ENTERPRISE, 1);
    await f.scenarioRegistry.connect(f.developer).removeServingNode(ENTERPRISE, 2);
    const answer = await node2(await bodyOf(f, item));
    expect(answer).to.deep.equal({ status: 403, json: { error: "Refused: node 2 does not serve scenario 2." } });
  });

  it("checks a batch's root against the results it lists, and each result", async function () {
    const { f, known, node2 } = await loadFixture(serverSetup);
    const jobs = [resultJob("b0"), resultJob("b1")];
    jobs.forEach((j) => vouch(known, j));
    const results = jobs.map((j) => ({ subjectId: j.subjectId, resultHash: j.resultHash }));
    const salt = ethers.id("salt");
    const deadline = BigInt(await time.latest()) + 600n;
    const batch = (root: string, count = 2, listed = results): Cosignable => ({
      type: "batch",
      attestation: { scenarioId: ENTERPRISE, salt, root, count, deadline },
      results: listed,
    });
    const { tree } = notaryBatchTree(ENTERPRISE, salt, results);
    expect((await node2(await bodyOf(f, batch(tree.root)))).status).to.equal(200);
    expect((await node2(await bodyOf(f, batch(ethers.id("other root"))))).json).to.deep.equal({
      error: "Refused: the root is not the Merkle root of the results listed.",
    });
    expect((await node2(await bodyOf(f, batch(tree.root, 3)))).status).to.equal(422);
    const withUnknown = [...results, { subjectId: ethers.id("s"), resultHash: ethers.id("r") }];
    const unknownRoot = notaryBatchTree(ENTERPRISE, salt, withUnknown).tree.root;
    expect((await node2(await bodyOf(f, batch(unknownRoot, 3, withUnknown)))).json).to.deep.equal({
      error: `Refused: this node cannot confirm result ${ethers.id("r")} for subject ${ethers.id("s")}.`,
    });
  });
});

describe("Co-signing: collecting a quorum over HTTP", function () {
  it("collects 2 of 3 from live peers, sorted by signer, this node's own signature included", async function () {
    const { f, known } = await loadFixture(serverSetup);
    const { job, item } = await single(f, "quorum");
    vouch(known, job);
    await withPeers(
      [servePeer(peerHandler(f, 2n, knownResults(known))), servePeer(peerHandler(f, 3n, knownResults(known)))],
      async ([p2, p3]) => {
        const signed = await clientOf(f, { 2: p2.url, 3: p3.url }).collect(item);
        expect(signed).to.have.length(2);
        expect(signed.map((s) => s.signer)).to.include(f.keys[0].address);
        const sorted = [...signed].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
        expect(signed).to.deep.equal(sorted);
      },
    );
  });

  it("gets past a peer that refuses and one that times out, when the others make the quorum", async function () {
    const { f, known } = await loadFixture(serverSetup);
    const { job, item } = await single(f, "partial");
    vouch(known, job);
    await withPeers([silentPeer(), servePeer(peerHandler(f, 3n, knownResults(known)))], async ([hanging, p3]) => {
      const signed = await clientOf(f, { 2: hanging.url, 3: p3.url }, 500).collect(item);
      expect(signed.map((s) => s.signer).sort()).to.deep.equal([f.keys[0].address, f.keys[2].address].sort());
    });
    await withPeers(
      [servePeer(peerHandler(f, 2n, knownResults(new Set()))), servePeer(peerHandler(f, 3n, knownResults(known)))],
      async ([refusing, p3]) => {
        const signed = await clientOf(f, { 2: refusing.url, 3: p3.url }).collect(item);
        expect(signed.map((s) => s.signer)).to.include(f.keys[2].address);
        expect(signed.map((s) => s.signer)).not.to.include(f.keys[1].address);
      },
    );
  });

  it("fails clearly when the quorum cannot be reached, saying what each peer did", async function () {
    const { f, known } = await loadFixture(serverSetup);
    await f.scenarioRegistry.connect(f.developer).setQuorum(ENTERPRISE, 3);
    const { job, item } = await single(f, "no quorum");
    vouch(known, job);
    await withPeers(
      [servePeer(peerHandler(f, 2n, knownResults(new Set()))), silentPeer()],
      async ([refusing, hanging]) => {
        const err = await rejectionOf(clientOf(f, { 2: refusing.url, 3: hanging.url }, 300).collect(item));
        expect(err).to.be.instanceOf(QuorumNotReached);
        const q = err as QuorumNotReached;
        expect([q.quorum, q.collected]).to.deep.equal([3, 1]);
        expect(q.peers.map((p) => [p.nodeId, p.outcome])).to.have.deep.members([
          [2n, "refused"],
          [3n, "timeout"],
        ]);
        expect(q.message).to.match(/^Quorum not reached for scenario 2: 1 of 3 signatures — /);
        expect(q.message).to.match(/node 2: refused \(422 Refused: this node cannot confirm result/);
        expect(q.message).to.match(
          /node 3: timeout \(no answer from http:\/\/127\.0\.0\.1:\d+\/cosign within 300 ms\)/,
        );
        expect(q.message).to.match(/Check that the peer executors are running/);
      },
    );
  });

  it("does not ask a peer without a URL, and says so when that leaves the quorum out of reach", async function () {
    const { f } = await loadFixture(serverSetup);
    const { item } = await single(f, "no urls");
    const err = (await rejectionOf(clientOf(f, {}).collect(item))) as QuorumNotReached;
    expect(err).to.be.instanceOf(QuorumNotReached);
    expect(err.peers.map((p) => [p.nodeId, p.outcome, p.detail])).to.deep.equal([
      [2n, "not asked", "no URL configured for it"],
      [3n, "not asked", "no URL configured for it"],
    ]);
  });

  it("rejects an answer signed by a key that is not the peer's", async function () {
    const { f, known } = await loadFixture(serverSetup);
    const { job, item } = await single(f, "impostor");
    vouch(known, job);
    // Node 3's URL answers with node 2's signature: valid, but not node 3's.
    await withPeers([servePeer(peerHandler(f, 2n, knownResults(known)))], async ([p2]) => {
      const err = (await rejectionOf(clientOf(f, { 3: p2.url }).collect(item))) as QuorumNotReached;
      expect(err.peers.find((p) => p.nodeId === 3n)).to.deep.equal({
        nodeId: 3n,
        outcome: "invalid",
        detail: `signed by ${f.keys[1].address}, not by the active key of node 3`,
      });
    });
  });
});
