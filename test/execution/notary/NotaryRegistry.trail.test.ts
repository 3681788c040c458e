import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ScenarioClass } from "../../helpers/fixtures";
import type { INotaryRegistry } from "../../../typechain-types";
import { signAll, signaturesOf } from "../../helpers/execution";
import {
  ENTERPRISE,
  attestationOf,
  idOf,
  notarizeNext,
  notaryFixture,
  recordHashOf,
  trailFromEvents,
  type NotaryFixture,
  type RecordFields,
} from "./helpers";

type Rec = INotaryRegistry.RecordStruct;

/** The second enterprise scenario registered by `trailFixture` (also served by node 1). */
const OTHER_SCENARIO = 4n;
const SUBJECT_A = idOf("subject A");
const SUBJECT_B = idOf("subject B");

/** Record as the off-chain hash mirror takes it. */
const fieldsOf = (r: Rec): RecordFields => ({
  scenarioId: BigInt(r.scenarioId),
  subjectId: String(r.subjectId),
  resultHash: String(r.resultHash),
  timestamp: BigInt(r.timestamp),
  previous: String(r.previous),
  signers: r.signers.map(String),
});

/** Notarizes the subject's next result (against its current head), then lets 600 s pass. */
async function notarize(f: NotaryFixture, scenarioId: bigint, subjectId: string, label: string): Promise<void> {
  await notarizeNext(f, label, { scenarioId, subjectId });
  await time.increase(600);
}

/**
 * Subject A of scenario 2 gets 5 results, interleaved with 3 results of subject B and one result of subject A in
 * scenario 4 (another enterprise scenario): A0 B0 A1 A2 (4:A) B1 A3 B2 A4.
 */
async function trailFixture(): Promise<NotaryFixture> {
  const f = await notaryFixture();
  await f.scenarioRegistry.connect(f.developer).registerScenario(ScenarioClass.Enterprise, 1, "ipfs://enterprise-2");
  await notarize(f, ENTERPRISE, SUBJECT_A, "A0");
  await notarize(f, ENTERPRISE, SUBJECT_B, "B0");
  await notarize(f, ENTERPRISE, SUBJECT_A, "A1");
  await notarize(f, ENTERPRISE, SUBJECT_A, "A2");
  await notarize(f, OTHER_SCENARIO, SUBJECT_A, "4:A");
  await notarize(f, ENTERPRISE, SUBJECT_B, "B1");
  await notarize(f, ENTERPRISE, SUBJECT_A, "A3");
  await notarize(f, ENTERPRISE, SUBJECT_B, "B2");
  await notarize(f, ENTERPRISE, SUBJECT_A, "A4");
  return f;
}

describe("NotaryRegistry trails (invariant 6)", function () {
  async function trails() {
    const f = await loadFixture(trailFixture);
    const a = await trailFromEvents(f.notaryRegistry, ENTERPRISE, SUBJECT_A);
    const b = await trailFromEvents(f.notaryRegistry, ENTERPRISE, SUBJECT_B);
    const other = await trailFromEvents(f.notaryRegistry, OTHER_SCENARIO, SUBJECT_A);
    return { f, a, b, other };
  }

  describe("verifyTrail", function () {
    it("is true for the complete ordered trail rebuilt from the Notarized events alone", async function () {
      const { f, a, b, other } = await trails();
      expect(a.map((r) => r.resultHash)).to.deep.equal(["A0", "A1", "A2", "A3", "A4"].map((l) => idOf(`result ${l}`)));
      expect(b).to.have.length(3);
      expect(other).to.have.length(1);
      expect(await f.notaryRegistry.verifyTrail(ENTERPRISE, SUBJECT_A, a)).to.equal(true);
      expect(await f.notaryRegistry.verifyTrail(ENTERPRISE, SUBJECT_B, b)).to.equal(true);
      expect(await f.notaryRegistry.verifyTrail(OTHER_SCENARIO, SUBJECT_A, other)).to.equal(true);
    });

    it("links every record to the hash of the one before; the head is the hash of the last", async function () {
      const { f, a } = await trails();
      let previous = ethers.ZeroHash;
      for (const r of a) {
        expect(r.previous).to.equal(previous);
        previous = recordHashOf(fieldsOf(r));
      }
      expect(await f.notaryRegistry.headOf(ENTERPRISE, SUBJECT_A)).to.equal(previous);
      // Timestamps are strictly increasing (one block each, 600 s apart).
      for (let i = 1; i < a.length; ++i) expect(BigInt(a[i].timestamp)).to.be.greaterThan(BigInt(a[i - 1].timestamp));
    });

    it("keeps the trails of the same subject id in two scenarios apart", async function () {
      const { f, a, other } = await trails();
      expect(await f.notaryRegistry.headOf(OTHER_SCENARIO, SUBJECT_A)).to.equal(recordHashOf(fieldsOf(other[0])));
      expect(other[0].previous).to.equal(ethers.ZeroHash);
      expect(await f.notaryRegistry.verifyTrail(OTHER_SCENARIO, SUBJECT_A, a)).to.equal(false);
      expect(await f.notaryRegistry.verifyTrail(ENTERPRISE, SUBJECT_A, other)).to.equal(false);
    });

    const broken: Array<[string, (t: { a: Rec[]; b: Rec[]; other: Rec[] }) => Rec[]]> = [
      ["the first record missing", ({ a }) => a.slice(1)],
      ["a middle record missing", ({ a }) => [...a.slice(0, 2), ...a.slice(3)]],
      ["the last record missing", ({ a }) => a.slice(0, -1)],
      ["two records swapped", ({ a }) => [a[0], a[2], a[1], a[3], a[4]]],
      ["the order reversed", ({ a }) => [...a].reverse()],
      ["a record duplicated in place", ({ a }) => [a[0], a[1], a[1], a[2], a[3], a[4]]],
      ["the last record duplicated at the end", ({ a }) => [...a, a[4]]],
      ["a record of another subject in place of one", ({ a, b }) => [a[0], b[0], a[2], a[3], a[4]]],
      ["a record of another subject appended", ({ a, b }) => [...a, b[2]]],
      ["the same subject's record from another scenario appended", ({ a, other }) => [...a, other[0]]],
      [
        "an extra, never notarized record linked after the head",
        ({ a }) => [...a, { ...a[4], resultHash: idOf("extra"), previous: recordHashOf(fieldsOf(a[4])) }],
      ],
      [
        "a record whose result was rewritten (links kept)",
        ({ a }) => [a[0], a[1], { ...a[2], resultHash: idOf("rewritten") }, a[3], a[4]],
      ],
      [
        "a record whose signers were rewritten (links kept)",
        ({ a }) => [a[0], { ...a[1], signers: [] }, a[2], a[3], a[4]],
      ],
      ["only another subject's records", ({ b }) => b],
      ["an empty list (the subject has records)", () => []],
    ];

    for (const [what, make] of broken) {
      it(`is false with ${what}`, async function () {
        const { f, a, b, other } = await trails();
        expect(await f.notaryRegistry.verifyTrail(ENTERPRISE, SUBJECT_A, make({ a, b, other }))).to.equal(false);
      });
    }

    it("is true for the empty list of a subject never notarized (head zero)", async function () {
      const { f } = await trails();
      expect(await f.notaryRegistry.headOf(ENTERPRISE, idOf("never"))).to.equal(ethers.ZeroHash);
      expect(await f.notaryRegistry.verifyTrail(ENTERPRISE, idOf("never"), [])).to.equal(true);
    });
  });

  describe("verifyRecord (a record and every later record of its subject)", function () {
    it("is true for every record of the trail with the records after it", async function () {
      const { f, a, b, other } = await trails();
      for (const [i, r] of a.entries()) {
        expect(await f.notaryRegistry.verifyRecord(r, a.slice(i + 1)), `A${i}`).to.equal(true);
      }
      for (const [i, r] of b.entries()) {
        expect(await f.notaryRegistry.verifyRecord(r, b.slice(i + 1)), `B${i}`).to.equal(true);
      }
      expect(await f.notaryRegistry.verifyRecord(other[0], [])).to.equal(true);
    });

    const broken: Array<[string, (t: { a: Rec[]; b: Rec[] }) => [Rec, Rec[]]]> = [
      ["a middle later record omitted", ({ a }) => [a[1], [a[2], a[4]]]],
      ["the last later record omitted", ({ a }) => [a[1], a.slice(2, 4)]],
      ["every later record omitted", ({ a }) => [a[1], []]],
      [
        "a later record forged (result rewritten, links kept)",
        ({ a }) => [a[1], [a[2], { ...a[3], resultHash: idOf("forged") }, a[4]]],
      ],
      [
        "a later record forged (timestamp moved, links kept)",
        ({ a }) => [a[1], [a[2], { ...a[3], timestamp: BigInt(a[3].timestamp) + 1n }, a[4]]],
      ],
      [
        "an invented record inserted",
        ({ a }) => [
          a[1],
          [a[2], { ...a[3], resultHash: idOf("inserted"), previous: recordHashOf(fieldsOf(a[2])) }, a[3], a[4]],
        ],
      ],
      ["later records reordered", ({ a }) => [a[1], [a[2], a[4], a[3]]]],
      ["a later record repeated", ({ a }) => [a[1], [a[2], a[3], a[3], a[4]]]],
      ["an earlier record given as later", ({ a }) => [a[2], [a[1], a[3], a[4]]]],
      [
        "a record appended after the head",
        ({ a }) => [a[3], [a[4], { ...a[4], previous: recordHashOf(fieldsOf(a[4])) }]],
      ],
      ["another subject's later records", ({ a, b }) => [a[1], b.slice(1)]],
      ["another subject's record with this subject's later records", ({ a, b }) => [b[0], a.slice(1)]],
      ["the record itself forged (result rewritten)", ({ a }) => [{ ...a[1], resultHash: idOf("forged") }, a.slice(2)]],
    ];

    for (const [what, make] of broken) {
      it(`is false with ${what}`, async function () {
        const { f, a, b } = await trails();
        const [record, later] = make({ a, b });
        expect(await f.notaryRegistry.verifyRecord(record, later)).to.equal(false);
      });
    }
  });

  describe("append-only", function () {
    it("a new result extends the trail: old records unchanged and still provable, the old list now misses its last", async function () {
      const { f, a } = await trails();
      const head = await f.notaryRegistry.headOf(ENTERPRISE, SUBJECT_A);
      await notarize(f, ENTERPRISE, SUBJECT_A, "A5");
      const after = await trailFromEvents(f.notaryRegistry, ENTERPRISE, SUBJECT_A);
      expect(after).to.have.length(6);
      expect(after.slice(0, 5)).to.deep.equal(a);
      expect(after[5].previous).to.equal(head);
      for (const [i, r] of a.entries()) {
        expect(await f.notaryRegistry.verifyRecord(r, after.slice(i + 1)), `A${i}`).to.equal(true);
        expect(await f.notaryRegistry.verifyRecord(r, a.slice(i + 1)), `A${i} without A5`).to.equal(false);
      }
      expect(await f.notaryRegistry.verifyTrail(ENTERPRISE, SUBJECT_A, a)).to.equal(false);
      expect(await f.notaryRegistry.verifyTrail(ENTERPRISE, SUBJECT_A, after)).to.equal(true);
      expect(await f.notaryRegistry.headOf(ENTERPRISE, SUBJECT_A)).to.equal(recordHashOf(fieldsOf(after[5])));
    });

    it("a failed notarization (signed for a place already taken) leaves the trail and its head unchanged", async function () {
      const { f, a } = await trails();
      const head = await f.notaryRegistry.headOf(ENTERPRISE, SUBJECT_A);
      // Signed against the head A2 followed: an attempt to rewrite A2's place.
      const rewrite = await attestationOf("rewrite", { subjectId: SUBJECT_A, previous: String(a[2].previous) });
      await expect(
        f.executionHub
          .connect(f.keys[0])
          .submitNotarization(rewrite, signaturesOf(await signAll([f.keys[0]], f.notaryDomain, rewrite))),
      )
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryStaleHead")
        .withArgs(ENTERPRISE, SUBJECT_A, head, a[2].previous);
      expect(await f.notaryRegistry.headOf(ENTERPRISE, SUBJECT_A)).to.equal(head);
      expect(await f.notaryRegistry.verifyTrail(ENTERPRISE, SUBJECT_A, a)).to.equal(true);
      expect(await trailFromEvents(f.notaryRegistry, ENTERPRISE, SUBJECT_A)).to.deep.equal(a);
    });
  });
});
