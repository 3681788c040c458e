import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Wallet } from "ethers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { batchNotarizationIdOf, type BatchAttestationFields } from "../../../src/sdk/execution";
import { DAY, ScenarioClass } from "../../helpers/fixtures";
import { blockTimestampOf, malleate, now, signAllBatch, signaturesOf, signersOf } from "../../helpers/execution";
import {
  ENTERPRISE,
  batchRecordHashOf,
  batchTreeOf,
  deployMockHub,
  idOf,
  notaryFixture,
  recordOf,
  resultsOf,
  twoOfThreeFixture,
  type BatchRecordFields,
  type BatchResult,
  type NotaryFixture,
} from "./helpers";

const SIZE = 7;

/**
 * A batch attestation of scenario 2 (salt derived from `label`) over `results` (count = their number unless given),
 * valid for a day, with the tree built under the batch's derived notarization id.
 */
async function batchOf(label: string, results: readonly BatchResult[], count?: number) {
  const salt = idOf(`batch ${label}`);
  const notarizationId = batchNotarizationIdOf(ENTERPRISE, salt);
  const tree = batchTreeOf(ENTERPRISE, notarizationId, results);
  const attestation: BatchAttestationFields = {
    scenarioId: ENTERPRISE,
    salt,
    root: tree.root,
    count: BigInt(count ?? results.length),
    deadline: (await now()) + DAY,
  };
  return { tree, attestation, results, notarizationId };
}

/** Submits a batch through the hub as node 1, signed by `wallets`; returns its record. */
async function notarizeBatch(
  f: NotaryFixture,
  attestation: BatchAttestationFields,
  wallets: readonly Wallet[],
): Promise<BatchRecordFields> {
  const signed = await signAllBatch(wallets, f.notaryDomain, attestation);
  const tx = await f.executionHub.connect(f.keys[0]).submitNotarizationBatch(attestation, signaturesOf(signed));
  return {
    scenarioId: attestation.scenarioId,
    notarizationId: batchNotarizationIdOf(attestation.scenarioId, attestation.salt),
    root: attestation.root,
    count: BigInt(attestation.count),
    timestamp: await blockTimestampOf(tx),
    signers: signersOf(signed),
  };
}

/** Two notarized batches of SIZE results each (node 1 alone signs, quorum 1). */
async function batchFixture() {
  const f = await notaryFixture();
  const first = await batchOf("first", resultsOf("first", SIZE));
  const firstRecord = await notarizeBatch(f, first.attestation, [f.keys[0]]);
  const second = await batchOf("second", resultsOf("second", SIZE));
  const secondRecord = await notarizeBatch(f, second.attestation, [f.keys[0]]);
  return { f, first, firstRecord, second, secondRecord };
}

describe("NotaryRegistry batches", function () {
  describe("notarizeBatch (ExecutionHub.submitNotarizationBatch)", function () {
    it("stores the batch record hash as the commitment of its derived id and emits BatchNotarized with every field", async function () {
      const f = await loadFixture(notaryFixture);
      const { attestation, notarizationId } = await batchOf("event", resultsOf("event", SIZE));
      const signed = await signAllBatch([f.keys[0]], f.notaryDomain, attestation);
      const tx = await f.executionHub.connect(f.keys[0]).submitNotarizationBatch(attestation, signaturesOf(signed));
      const ts = await blockTimestampOf(tx);
      const hash = batchRecordHashOf({
        scenarioId: ENTERPRISE,
        notarizationId,
        root: attestation.root,
        count: BigInt(attestation.count),
        timestamp: ts,
        signers: signersOf(signed),
      });
      await expect(tx)
        .to.emit(f.notaryRegistry, "BatchNotarized")
        .withArgs(notarizationId, ENTERPRISE, attestation.root, SIZE, ts, hash, [f.keys[0].address]);
      expect(await f.notaryRegistry.batchCommitmentOf(notarizationId)).to.equal(hash);
    });

    it("returns the batch's derived id and record hash to the hub", async function () {
      const f = await loadFixture(notaryFixture);
      const { registry, hub, domain } = await deployMockHub(f);
      const { attestation, notarizationId } = await batchOf("return", resultsOf("return", 3));
      const signed = await signAllBatch([f.keys[0]], domain, attestation);
      const tx = await hub.notarizeBatch(attestation, 1, signaturesOf(signed));
      const ts = await blockTimestampOf(tx);
      const hash = batchRecordHashOf({
        scenarioId: ENTERPRISE,
        notarizationId,
        root: attestation.root,
        count: 3n,
        timestamp: ts,
        signers: signersOf(signed),
      });
      await expect(tx).to.emit(hub, "Returned").withArgs(notarizationId, hash);
      expect(await registry.batchCommitmentOf(notarizationId)).to.equal(hash);
    });

    it("accepts a batch of one result (the root is the leaf, the proof empty)", async function () {
      const f = await loadFixture(notaryFixture);
      const one = await batchOf("one", resultsOf("one", 1));
      expect(one.tree.getProof(0)).to.deep.equal([]);
      const record = await notarizeBatch(f, one.attestation, [f.keys[0]]);
      const r = one.results[0];
      expect(await f.notaryRegistry.verifyInBatch(record, 0, r.subjectId, r.resultHash, [])).to.equal(true);
      expect(await f.notaryRegistry.verifyInBatch(record, 1, r.subjectId, r.resultHash, [])).to.equal(false);
    });

    it("reverts with NotaryEmptyBatch for count 0, even when validly signed", async function () {
      const f = await loadFixture(notaryFixture);
      const { attestation, notarizationId } = await batchOf("empty", resultsOf("empty", 2), 0);
      const sigs = signaturesOf(await signAllBatch([f.keys[0]], f.notaryDomain, attestation));
      await expect(
        f.executionHub.connect(f.keys[0]).submitNotarizationBatch(attestation, sigs),
      ).to.be.revertedWithCustomError(f.notaryRegistry, "NotaryEmptyBatch");
      expect(await f.notaryRegistry.batchCommitmentOf(notarizationId)).to.equal(ethers.ZeroHash);
    });

    it("attack 7: accepts signatures at their deadline and reverts with NotaryExpired one second later (batch)", async function () {
      const f = await loadFixture(notaryFixture);
      const late = await batchOf("late", resultsOf("late", 2));
      const lateSigs = signaturesOf(await signAllBatch([f.keys[0]], f.notaryDomain, late.attestation));
      const onTime = await batchOf("on time", resultsOf("on time", 2));
      onTime.attestation.deadline = late.attestation.deadline;
      const onTimeSigs = signaturesOf(await signAllBatch([f.keys[0]], f.notaryDomain, onTime.attestation));
      await time.setNextBlockTimestamp(onTime.attestation.deadline);
      await expect(f.executionHub.connect(f.keys[0]).submitNotarizationBatch(onTime.attestation, onTimeSigs)).to.emit(
        f.notaryRegistry,
        "BatchNotarized",
      );
      await expect(f.executionHub.connect(f.keys[0]).submitNotarizationBatch(late.attestation, lateSigs))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryExpired")
        .withArgs(late.attestation.deadline, late.attestation.deadline + 1n);
    });

    it("reverts with NotaryIdUsed for a salt used before in the scenario: the same batch again, or another batch", async function () {
      const { f, first, firstRecord } = await loadFixture(batchFixture);
      const commitment = await f.notaryRegistry.batchCommitmentOf(firstRecord.notarizationId);
      // The same batch again (a replay).
      const again = signaturesOf(await signAllBatch([f.keys[0]], f.notaryDomain, first.attestation));
      await expect(f.executionHub.connect(f.keys[0]).submitNotarizationBatch(first.attestation, again))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryIdUsed")
        .withArgs(firstRecord.notarizationId);
      // Other results, validly signed, under the same salt.
      const other = await batchOf("other results", resultsOf("other results", 3));
      const reused = { ...other.attestation, salt: first.attestation.salt };
      await expect(
        f.executionHub
          .connect(f.keys[0])
          .submitNotarizationBatch(reused, signaturesOf(await signAllBatch([f.keys[0]], f.notaryDomain, reused))),
      )
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryIdUsed")
        .withArgs(firstRecord.notarizationId);
      expect(await f.notaryRegistry.batchCommitmentOf(firstRecord.notarizationId)).to.equal(commitment);
    });

    it("derives the id from the scenario too: the same salt is free in another enterprise scenario", async function () {
      const { f, first, firstRecord } = await loadFixture(batchFixture);
      await f.scenarioRegistry
        .connect(f.developer)
        .registerScenario(ScenarioClass.Enterprise, 1, "ipfs://enterprise-2");
      const otherScenario = await f.scenarioRegistry.scenarioCount();
      const b = { ...first.attestation, scenarioId: otherScenario };
      const id = batchNotarizationIdOf(otherScenario, b.salt);
      expect(id).to.not.equal(firstRecord.notarizationId);
      await expect(
        f.executionHub
          .connect(f.keys[0])
          .submitNotarizationBatch(b, signaturesOf(await signAllBatch([f.keys[0]], f.notaryDomain, b))),
      )
        .to.emit(f.notaryRegistry, "BatchNotarized")
        .withArgs(id, otherScenario, b.root, b.count, anyValue, anyValue, [f.keys[0].address]);
    });

    it("does not move any subject's trail head, and its results are not single records", async function () {
      const { f, first, firstRecord } = await loadFixture(batchFixture);
      for (const r of first.results)
        expect(await f.notaryRegistry.headOf(ENTERPRISE, r.subjectId)).to.equal(ethers.ZeroHash);
      const r = first.results[0];
      const asSingle = recordOf(
        {
          scenarioId: ENTERPRISE,
          subjectId: r.subjectId,
          resultHash: r.resultHash,
          previous: ethers.ZeroHash,
          deadline: 0n,
        },
        firstRecord.timestamp,
        firstRecord.signers,
      );
      expect(await f.notaryRegistry.verifyRecord(asSingle, [])).to.equal(false);
      expect(await f.notaryRegistry.verifyTrail(ENTERPRISE, r.subjectId, [asSingle])).to.equal(false);
    });
  });

  describe("verifyInBatch", function () {
    it("is true for every result of the batch with its proof", async function () {
      const { f, first, firstRecord, second, secondRecord } = await loadFixture(batchFixture);
      for (const [batch, record] of [
        [first, firstRecord],
        [second, secondRecord],
      ] as const) {
        for (const [i, r] of batch.results.entries()) {
          const proof = batch.tree.getProof(i);
          expect(
            await f.notaryRegistry.verifyInBatch(record, i, r.subjectId, r.resultHash, proof),
            `result ${i}`,
          ).to.equal(true);
        }
      }
    });

    it("is false for a wrong result hash, a wrong subject or a wrong index", async function () {
      const { f, first, firstRecord } = await loadFixture(batchFixture);
      const r = first.results[3];
      const proof = first.tree.getProof(3);
      const v = f.notaryRegistry.verifyInBatch.bind(f.notaryRegistry);
      expect(await v(firstRecord, 3, r.subjectId, idOf("forged result"), proof)).to.equal(false);
      expect(await v(firstRecord, 3, first.results[4].subjectId, r.resultHash, proof)).to.equal(false);
      expect(await v(firstRecord, 4, r.subjectId, r.resultHash, proof)).to.equal(false);
      expect(await v(firstRecord, 3, r.subjectId, r.resultHash, first.tree.getProof(4))).to.equal(false);
      expect(await v(firstRecord, 3, r.subjectId, r.resultHash, [])).to.equal(false);
    });

    it("is false for index ≥ count, even with a proof valid in the tree (a result the nodes did not count)", async function () {
      const { f } = await loadFixture(batchFixture);
      // The tree holds 3 leaves, the nodes attest to 2.
      const batch = await batchOf("short count", resultsOf("short count", 3), 2);
      const record = await notarizeBatch(f, batch.attestation, [f.keys[0]]);
      const r = batch.results[2];
      const proof = batch.tree.getProof(2);
      expect(batch.tree.verify(2, proof)).to.equal(true);
      expect(await f.notaryRegistry.verifyInBatch(record, 2, r.subjectId, r.resultHash, proof)).to.equal(false);
      expect(
        await f.notaryRegistry.verifyInBatch(
          record,
          1,
          batch.results[1].subjectId,
          batch.results[1].resultHash,
          batch.tree.getProof(1),
        ),
      ).to.equal(true);
      expect(await f.notaryRegistry.verifyInBatch(record, 2n ** 256n - 1n, r.subjectId, r.resultHash, proof)).to.equal(
        false,
      );
    });

    it("is false when any field of the batch record is wrong", async function () {
      const { f, first, firstRecord, secondRecord } = await loadFixture(batchFixture);
      const r = first.results[0];
      const proof = first.tree.getProof(0);
      const variants: Array<[string, BatchRecordFields]> = [
        ["scenarioId", { ...firstRecord, scenarioId: firstRecord.scenarioId + 1n }],
        ["root", { ...firstRecord, root: secondRecord.root }],
        ["count", { ...firstRecord, count: firstRecord.count + 1n }],
        ["timestamp", { ...firstRecord, timestamp: firstRecord.timestamp + 1n }],
        ["signers", { ...firstRecord, signers: [f.keys[1].address] }],
        ["notarizationId (of the other batch)", { ...firstRecord, notarizationId: secondRecord.notarizationId }],
        ["notarizationId (unused)", { ...firstRecord, notarizationId: idOf("never used") }],
      ];
      for (const [field, b] of variants) {
        expect(await f.notaryRegistry.verifyInBatch(b, 0, r.subjectId, r.resultHash, proof), field).to.equal(false);
      }
    });

    it("is false for a result and proof of another batch presented under this batch's record", async function () {
      const { f, second, firstRecord, secondRecord } = await loadFixture(batchFixture);
      const r = second.results[2];
      const proof = second.tree.getProof(2);
      expect(await f.notaryRegistry.verifyInBatch(secondRecord, 2, r.subjectId, r.resultHash, proof)).to.equal(true);
      expect(await f.notaryRegistry.verifyInBatch(firstRecord, 2, r.subjectId, r.resultHash, proof)).to.equal(false);
    });

    it("is false for a batch that was never notarized, even if its record and proof are consistent", async function () {
      const { f } = await loadFixture(batchFixture);
      const ghost = await batchOf("ghost", resultsOf("ghost", 4));
      const record: BatchRecordFields = {
        scenarioId: ENTERPRISE,
        notarizationId: ghost.notarizationId,
        root: ghost.attestation.root,
        count: 4n,
        timestamp: await now(),
        signers: [f.keys[0].address],
      };
      const r = ghost.results[1];
      expect(
        await f.notaryRegistry.verifyInBatch(record, 1, r.subjectId, r.resultHash, ghost.tree.getProof(1)),
      ).to.equal(false);
    });
  });

  describe("quorum rules (2-of-3)", function () {
    async function quorumBatch() {
      const f = await loadFixture(twoOfThreeFixture);
      const batch = await batchOf("quorum", resultsOf("quorum", 4));
      return { f, a: batch.attestation, batch };
    }
    const submit = (f: NotaryFixture, a: BatchAttestationFields, sigs: string[]) =>
      f.executionHub.connect(f.keys[0]).submitNotarizationBatch(a, sigs);

    it("notarizes with the executor and one co-signer, recording both in ascending order", async function () {
      const { f, a, batch } = await quorumBatch();
      const record = await notarizeBatch(f, a, [f.keys[2], f.keys[0]]);
      expect(record.signers).to.deep.equal(
        [f.keys[0].address, f.keys[2].address].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1)),
      );
      expect(await f.notaryRegistry.batchCommitmentOf(record.notarizationId)).to.equal(batchRecordHashOf(record));
      const r = batch.results[0];
      expect(
        await f.notaryRegistry.verifyInBatch(record, 0, r.subjectId, r.resultHash, batch.tree.getProof(0)),
      ).to.equal(true);
    });

    it("reverts with NotaryQuorumNotMet(1, 2) with the executor's signature alone", async function () {
      const { f, a } = await quorumBatch();
      await expect(submit(f, a, signaturesOf(await signAllBatch([f.keys[0]], f.notaryDomain, a))))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryQuorumNotMet")
        .withArgs(1n, 2n);
    });

    it("attack: reverts with NotarySignersNotSorted for the executor's signature twice", async function () {
      const { f, a } = await quorumBatch();
      const [s] = await signAllBatch([f.keys[0]], f.notaryDomain, a);
      await expect(submit(f, a, [s.signature, s.signature]))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotarySignersNotSorted")
        .withArgs(1n, s.signer);
    });

    it("reverts with NotarySignersNotSorted for descending signers", async function () {
      const { f, a } = await quorumBatch();
      const signed = (await signAllBatch([f.keys[0], f.keys[1]], f.notaryDomain, a)).reverse();
      await expect(submit(f, a, signaturesOf(signed)))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotarySignersNotSorted")
        .withArgs(1n, signed[1].signer);
    });

    it("reverts with NotaryInvalidSigner for a co-signer that does not serve the scenario", async function () {
      const { f, a } = await quorumBatch();
      const signed = await signAllBatch([f.keys[0], f.bystander], f.notaryDomain, a);
      const i = signed.findIndex((s) => s.signer === f.bystander.address);
      await expect(submit(f, a, signaturesOf(signed)))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryInvalidSigner")
        .withArgs(i, f.bystander.address);
    });

    it("reverts with NotaryExecutorMissing when two co-signers sign but not the executor", async function () {
      const { f, a } = await quorumBatch();
      await expect(submit(f, a, signaturesOf(await signAllBatch([f.keys[1], f.keys[2]], f.notaryDomain, a))))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryExecutorMissing")
        .withArgs(1n);
    });

    it("attack: reverts with NotaryBadSignature(index) for a malleated co-signature", async function () {
      const { f, a } = await quorumBatch();
      const signed = await signAllBatch([f.keys[0], f.keys[1]], f.notaryDomain, a);
      const sigs = signaturesOf(signed);
      sigs[1] = malleate(sigs[1]);
      await expect(submit(f, a, sigs))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryBadSignature")
        .withArgs(1n);
    });
  });
});
