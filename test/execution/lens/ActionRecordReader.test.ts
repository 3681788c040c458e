// The deployless reader is exercised here (a contract test, so that coverage sees it) and through the executor and
// verifier in test/offchain.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { randomId } from "../../../src/sdk/execution";
import {
  ActionRecordReads,
  MAX_QUERIES_PER_CALL,
  readActionRecords,
  type ActionQuery,
} from "../../../src/sdk/actionRecords";
import { ActionRecordReader__factory } from "../../../typechain-types";
import {
  ExecutionMode,
  LIGHT,
  actionJob,
  modesFixture,
  rejectionOf,
  type ModesFixture,
} from "../../offchain/modes/helpers";

/** Two actions applied in standard mode (alice's nonce 1, bob's nonce 2), in two batches. */
async function appliedFixture() {
  const f = await modesFixture();
  const applied = [await actionJob(f, f.alice, 1, 11n), await actionJob(f, f.bob, 2, 22n)];
  await f.scenarioRegistry.connect(f.developer).setMode(LIGHT, ExecutionMode.Standard);
  for (const j of applied) {
    await f.executionHub
      .connect(f.keys[0])
      .submitStandard(LIGHT, randomId(), [
        { user: j.user, nonce: j.nonce, payload: j.payload, signature: j.signature },
      ]);
  }
  return { f, hub: f.addresses.executionHub };
}

/** What the hub answers for each query, one call each. */
async function oneByOne(f: ModesFixture, queries: readonly ActionQuery[]): Promise<bigint[]> {
  return Promise.all(queries.map(async (q) => (await f.executionHub.actionRecord(q.scenarioId, q.user, q.nonce))[0]));
}

describe("Action records read in bulk (ActionRecordReader, deployless)", function () {
  it("answers each query's standard-batch sequence number, 0 for a nonce never applied, in query order", async function () {
    const { f, hub } = await loadFixture(appliedFixture);
    const queries: ActionQuery[] = [
      { scenarioId: LIGHT, user: f.bob.address, nonce: 2 },
      { scenarioId: LIGHT, user: f.alice.address, nonce: 2 },
      { scenarioId: LIGHT, user: f.alice.address, nonce: 1 },
      { scenarioId: LIGHT + 1n, user: f.alice.address, nonce: 1 },
    ];
    const seqs = await readActionRecords(ethers.provider, hub, queries);
    expect(seqs).to.deep.equal(await oneByOne(f, queries));
    expect(seqs[0]).to.be.greaterThan(seqs[2]).and.to.be.greaterThan(0n);
    expect(seqs[1]).to.equal(0n);
    expect(seqs[3]).to.equal(0n);
    expect(await readActionRecords(ethers.provider, hub, [])).to.deep.equal([]);
  });

  it("sends no transaction and leaves no contract: the answer is the creation call's output", async function () {
    const { f, hub } = await loadFixture(appliedFixture);
    const block = await ethers.provider.getBlockNumber();
    await readActionRecords(ethers.provider, hub, [{ scenarioId: LIGHT, user: f.alice.address, nonce: 1 }]);
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
    // Deployed for real, the "runtime code" is the ABI-encoded answer itself (which is why nothing deploys it).
    const deployed = await new ActionRecordReader__factory(f.keys[0]).deploy(hub, [
      { scenarioId: LIGHT, user: f.alice.address, nonce: 1 },
    ]);
    const code = await ethers.provider.getCode(await deployed.getAddress());
    const [seqs] = ethers.AbiCoder.defaultAbiCoder().decode(["uint256[]"], code) as unknown as [bigint[]];
    expect([...seqs]).to.deep.equal(await oneByOne(f, [{ scenarioId: LIGHT, user: f.alice.address, nonce: 1 }]));
  });

  it(`refuses more than ${MAX_QUERIES_PER_CALL} queries in one call`, async function () {
    const { f, hub } = await loadFixture(appliedFixture);
    const queries = Array.from({ length: MAX_QUERIES_PER_CALL + 1 }, (_, i) => ({
      scenarioId: LIGHT,
      user: f.alice.address,
      nonce: i,
    }));
    const error = await rejectionOf(readActionRecords(ethers.provider, hub, queries));
    expect(error).to.be.instanceOf(RangeError);
    expect(error.message).to.match(/At most 256 action records per call, got 257/);
  });

  it("coalesces the reads asked in one turn of the event loop: 300 reads in 2 calls, each answered as alone", async function () {
    const { f, hub } = await loadFixture(appliedFixture);
    const reads = new ActionRecordReads(ethers.provider, hub);
    const queries = Array.from({ length: 300 }, (_, i) => ({
      scenarioId: LIGHT,
      user: i % 2 === 0 ? f.alice.address : f.bob.address,
      nonce: i % 5,
    }));
    const seqs = await Promise.all(queries.map((q) => reads.seqOf(q)));
    expect(reads.calls).to.equal(2);
    expect(seqs).to.deep.equal(await oneByOne(f, queries));
    // Applied: alice's nonce 1 (i ≡ 6 mod 10) and bob's nonce 2 (i ≡ 7 mod 10), 30 each.
    expect(seqs.filter((s) => s !== 0n)).to.have.length(30 + 30);

    // Reads asked in later turns go out in later calls.
    await reads.seqOf(queries[0]);
    await reads.seqOf(queries[1]);
    expect(reads.calls).to.equal(4);
  });

  it("rejects every read of a failed call with its error, and reads again afterwards", async function () {
    const { f, hub } = await loadFixture(appliedFixture);
    let fail = true;
    const reads = new ActionRecordReads(
      {
        call: async (tx) => {
          if (fail) throw new Error("node unreachable");
          return ethers.provider.call(tx);
        },
      },
      hub,
    );
    const query = { scenarioId: LIGHT, user: f.alice.address, nonce: 1 };
    const failed = await Promise.allSettled([reads.seqOf(query), reads.seqOf({ ...query, nonce: 9 })]);
    expect(failed.map((r) => r.status)).to.deep.equal(["rejected", "rejected"]);
    expect((failed[0] as PromiseRejectedResult).reason).to.have.property("message", "node unreachable");
    fail = false;
    expect(await reads.seqOf(query)).to.equal((await oneByOne(f, [query]))[0]);
  });
});
