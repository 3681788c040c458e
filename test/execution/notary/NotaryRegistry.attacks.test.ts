import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { concat, toBeHex, type Wallet } from "ethers";
import {
  domainOf,
  notarizationIdOf,
  signAttestation,
  signBatchAttestation,
  type AttestationFields,
} from "../../../src/sdk/execution";
import {
  SECP256K1_N,
  blockTimestampOf,
  malleate,
  rawEcrecover,
  signAll,
  signaturesOf,
  signersOf,
} from "../../helpers/execution";
import {
  ENTERPRISE,
  attestationDigestOf,
  attestationOf,
  batchAttestationDigestOf,
  compactOf,
  deploySecondRegistry,
  idOf,
  notaryFixture,
  recordHashOf,
  recordOf,
  threeOfThreeFixture,
  twoOfThreeFixture,
  type NotaryFixture,
} from "./helpers";

/** Submits through the hub as node 1 (the executing node). */
const submit = (f: NotaryFixture, a: AttestationFields, signatures: string[]) =>
  f.executionHub.connect(f.keys[0]).submitNotarization(a, signatures);

/** Index of `address` in an ascending list of signed entries. */
const indexOf = (signed: readonly { signer: string }[], address: string): number =>
  signed.findIndex((s) => s.signer === address);

describe("NotaryRegistry — signature attacks", function () {
  const quorums: Array<[bigint, () => Promise<NotaryFixture>]> = [
    [2n, twoOfThreeFixture],
    [3n, threeOfThreeFixture],
  ];

  for (const [k, fixture] of quorums) {
    describe(`${k}-of-3 quorum (nodes 1, 2, 3 serve scenario 2; node 1 executes)`, function () {
      /** The k keys that sign by default: the executor first, then the others. */
      const quorumKeys = (f: NotaryFixture): Wallet[] => f.keys.slice(0, Number(k));

      it(`notarizes with ${k} signatures including the executor; signers recorded in ascending order`, async function () {
        const f = await loadFixture(fixture);
        expect(await f.scenarioRegistry.quorumOf(ENTERPRISE)).to.equal(k);
        const a = await attestationOf(`quorum ${k}`);
        const signed = await signAll(quorumKeys(f), f.notaryDomain, a);
        const signers = signersOf(signed);
        expect(signers.map((x) => BigInt(x))).to.deep.equal(
          signers.map((x) => BigInt(x)).sort((x, y) => (x < y ? -1 : 1)),
        );
        const tx = await submit(f, a, signaturesOf(signed));
        const record = recordOf(a, await blockTimestampOf(tx), signers);
        await expect(tx)
          .to.emit(f.notaryRegistry, "Notarized")
          .withArgs(
            notarizationIdOf(ENTERPRISE, a.subjectId, ethers.ZeroHash),
            ENTERPRISE,
            a.subjectId,
            a.resultHash,
            record.timestamp,
            ethers.ZeroHash,
            recordHashOf(record),
            signers,
          );
        expect(await f.notaryRegistry.verifyRecord(record, [])).to.equal(true);
      });

      if (k < 3n) {
        it("accepts more signatures than the quorum and records every signer", async function () {
          const f = await loadFixture(fixture);
          const a = await attestationOf("all three");
          const signed = await signAll(f.keys, f.notaryDomain, a);
          const tx = await submit(f, a, signaturesOf(signed));
          const record = recordOf(a, await blockTimestampOf(tx), signersOf(signed));
          expect(record.signers).to.have.length(3);
          expect(await f.notaryRegistry.verifyRecord(record, [])).to.equal(true);
        });

        it(`reverts with NotaryExecutorMissing when ${k} other serving nodes sign but not the executor`, async function () {
          const f = await loadFixture(fixture);
          const a = await attestationOf("others only");
          const sigs = signaturesOf(await signAll([f.keys[1], f.keys[2]], f.notaryDomain, a));
          await expect(submit(f, a, sigs))
            .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryExecutorMissing")
            .withArgs(1n);
        });
      }

      it(`reverts with NotaryQuorumNotMet(${k - 1n}, ${k}) with one signature too few`, async function () {
        const f = await loadFixture(fixture);
        const a = await attestationOf("too few");
        const sigs = signaturesOf(await signAll(f.keys.slice(0, Number(k) - 1), f.notaryDomain, a));
        await expect(submit(f, a, sigs))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryQuorumNotMet")
          .withArgs(k - 1n, k);
        expect(await f.notaryRegistry.headOf(ENTERPRISE, a.subjectId)).to.equal(ethers.ZeroHash);
      });

      it("attack 7: reverts with NotarySignersNotSorted when one node's signature is counted twice", async function () {
        const f = await loadFixture(fixture);
        const a = await attestationOf("duplicate");
        // k − 1 distinct signers, the first one duplicated to reach k signatures.
        const signed = await signAll(f.keys.slice(0, Number(k) - 1), f.notaryDomain, a);
        const sigs = [signed[0].signature, ...signaturesOf(signed)];
        expect(sigs).to.have.length(Number(k));
        await expect(submit(f, a, sigs))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotarySignersNotSorted")
          .withArgs(1n, signed[0].signer);
      });

      it("reverts with NotarySignersNotSorted when the signatures are not in ascending signer order", async function () {
        const f = await loadFixture(fixture);
        const a = await attestationOf("unsorted");
        const signed = (await signAll(f.keys, f.notaryDomain, a)).reverse();
        await expect(submit(f, a, signaturesOf(signed)))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotarySignersNotSorted")
          .withArgs(1n, signed[1].signer);
      });

      const invalidSigners: Array<[string, (f: NotaryFixture) => Promise<Wallet>]> = [
        ["a key that belongs to no node", async (f) => f.outsider],
        ["an active node that does not serve the scenario", async (f) => f.bystander],
        [
          "a node that unbonded its whole bond (no longer active, still listed as serving)",
          async (f) => {
            await f.nodeRegistry.connect(f.operator2).unbond(2, (await f.nodeRegistry.getNode(2)).bond);
            expect(await f.nodeRegistry.isActive(2)).to.equal(false);
            expect(await f.scenarioRegistry.isServing(ENTERPRISE, 2)).to.equal(true);
            return f.keys[1];
          },
        ],
        [
          "the old key of a node that rotated its signing key",
          async (f) => {
            await f.nodeRegistry.connect(f.operator2).setSigningKey(2, ethers.Wallet.createRandom().address);
            return f.keys[1];
          },
        ],
      ];
      if (k < 3n) {
        invalidSigners.push([
          "a node removed from the serving set",
          async (f) => {
            await f.scenarioRegistry.connect(f.developer).removeServingNode(ENTERPRISE, 3);
            expect(await f.nodeRegistry.isActive(3)).to.equal(true);
            return f.keys[2];
          },
        ]);
      } else {
        it("keeps every signer of a 3-of-3 quorum: removing a serving node reverts with ScenarioBadQuorum", async function () {
          const f = await loadFixture(fixture);
          await expect(f.scenarioRegistry.connect(f.developer).removeServingNode(ENTERPRISE, 3))
            .to.be.revertedWithCustomError(f.scenarioRegistry, "ScenarioBadQuorum")
            .withArgs(ENTERPRISE, 3n, 2n);
          expect(await f.scenarioRegistry.isServing(ENTERPRISE, 3)).to.equal(true);
        });
      }

      for (const [what, prepare] of invalidSigners) {
        it(`reverts with NotaryInvalidSigner(index, signer) for ${what}`, async function () {
          const f = await loadFixture(fixture);
          const intruder = await prepare(f);
          const a = await attestationOf(`intruder ${what}`);
          // The quorum without the intruder's node (if it is one of ours), the intruder added, all sorted.
          const honest = f.keys.filter((w) => w.address !== intruder.address).slice(0, Number(k) - 1);
          const signed = await signAll([...honest, intruder], f.notaryDomain, a);
          await expect(submit(f, a, signaturesOf(signed)))
            .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryInvalidSigner")
            .withArgs(indexOf(signed, intruder.address), intruder.address);
          expect(await f.notaryRegistry.headOf(ENTERPRISE, a.subjectId)).to.equal(ethers.ZeroHash);
        });
      }

      it("attack 7: reverts with NotaryBadSignature(index) for the malleated (high-s) twin of a valid signature", async function () {
        const f = await loadFixture(fixture);
        const a = await attestationOf("malleated");
        const signed = await signAll(quorumKeys(f), f.notaryDomain, a);
        const i = signed.length - 1;
        const twin = malleate(signed[i].signature);
        // Raw ecrecover accepts the twin as the same signer: only the low-s rule stops it.
        const digest = attestationDigestOf(f.notaryDomain, a);
        expect(await rawEcrecover(digest, twin)).to.equal(signed[i].signer);
        expect(twin).to.not.equal(signed[i].signature);
        const sigs = signaturesOf(signed);
        sigs[i] = twin;
        await expect(submit(f, a, sigs))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryBadSignature")
          .withArgs(i);
        // The honest form goes through.
        await expect(submit(f, a, signaturesOf(signed))).to.emit(f.notaryRegistry, "Notarized");
      });
    });
  }

  describe("attack 7: notary signature malleability — malformed, address(0)-recovering and 64-byte compact signatures (NotaryBadSignature)", function () {
    /** A valid signature of node 1 at index 0 and a malformed one at index 1 (2-of-3 quorum). */
    async function withSecond(f: NotaryFixture, a: AttestationFields, second: string) {
      const first = await signAttestation(f.keys[0], f.notaryDomain, a);
      return [first, second];
    }

    const malformed: Array<[string, (valid: string) => string]> = [
      ["r = 0 (ecrecover returns address(0))", (v) => concat([ethers.ZeroHash, ethers.dataSlice(v, 32)])],
      [
        "r = n, out of range (ecrecover returns address(0))",
        (v) => concat([toBeHex(SECP256K1_N, 32), ethers.dataSlice(v, 32)]),
      ],
      ["v = 0 instead of 27/28 (ecrecover returns address(0))", (v) => concat([ethers.dataSlice(v, 0, 64), "0x00"])],
      ["v = 1 instead of 27/28 (ecrecover returns address(0))", (v) => concat([ethers.dataSlice(v, 0, 64), "0x01"])],
      ["s = 0", (v) => concat([ethers.dataSlice(v, 0, 32), ethers.ZeroHash, ethers.dataSlice(v, 64)])],
      ["65 zero bytes", () => ethers.hexlify(new Uint8Array(65))],
      ["an empty signature", () => "0x"],
      ["66 bytes (a valid signature with a trailing byte)", (v) => concat([v, "0x00"])],
      ["64 bytes (a valid signature without its v)", (v) => ethers.dataSlice(v, 0, 64)],
    ];

    for (const [what, make] of malformed) {
      it(`reverts with NotaryBadSignature(1) for ${what}`, async function () {
        const f = await loadFixture(twoOfThreeFixture);
        const a = await attestationOf(`malformed ${what}`);
        const valid = await signAttestation(f.keys[1], f.notaryDomain, a);
        await expect(submit(f, a, await withSecond(f, a, make(valid))))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryBadSignature")
          .withArgs(1n);
      });
    }

    it("rejects a 64-byte EIP-2098 compact signature (OpenZeppelin 5 tryRecover takes 65-byte `bytes` only)", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("compact");
      const full = await signAttestation(f.keys[0], f.notaryDomain, a);
      const compact = compactOf(full);
      expect(ethers.dataLength(compact)).to.equal(64);
      // The compact form is a valid signature of node 1 off-chain …
      expect(ethers.recoverAddress(attestationDigestOf(f.notaryDomain, a), compact)).to.equal(f.keys[0].address);
      // … but the registry refuses its length, so the same signature can never be counted in two encodings.
      await expect(submit(f, a, [compact]))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryBadSignature")
        .withArgs(0n);
      await expect(submit(f, a, [full])).to.emit(f.notaryRegistry, "Notarized");
    });

    it("reverts with NotaryBadSignature(0) for a lone malformed signature (quorum 1)", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("bad first");
      await expect(submit(f, a, ["0x"]))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryBadSignature")
        .withArgs(0n);
    });
  });

  describe("attack 7: notary signature replay — forked chain id, second registry, other type (invariant 8)", function () {
    /** The address the registry recovers from `signature` over the digest it computes for `a`. */
    const recoveredBy = (f: NotaryFixture, a: AttestationFields, signature: string): string =>
      ethers.recoverAddress(attestationDigestOf(f.notaryDomain, a), signature);

    /** The foreign signature recovers to an address that is no node key: NotaryInvalidSigner(0, thatAddress). */
    async function expectForeign(f: NotaryFixture, a: AttestationFields, signature: string) {
      const recovered = recoveredBy(f, a, signature);
      expect(recovered).to.not.equal(f.keys[0].address);
      expect(await f.nodeRegistry.nodeOfSigningKey(recovered)).to.equal(0n);
      await expect(submit(f, a, [signature]))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryInvalidSigner")
        .withArgs(0n, recovered);
      expect(await f.notaryRegistry.headOf(ENTERPRISE, a.subjectId)).to.equal(ethers.ZeroHash);
    }

    it("rejects a signature made for another chain id with NotaryInvalidSigner(0, recovered)", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("other chain");
      const otherChain = domainOf("ERA NotaryRegistry", f.chainId + 1n, f.addresses.notaryRegistry);
      await expectForeign(f, a, await signAttestation(f.keys[0], otherChain, a));
    });

    it("rejects a signature made for another NotaryRegistry deployment, valid there, with NotaryInvalidSigner", async function () {
      const f = await loadFixture(notaryFixture);
      const second = await deploySecondRegistry(f, f.deployer.address);
      const otherDomain = domainOf("ERA NotaryRegistry", f.chainId, await second.getAddress());
      const a = await attestationOf("other registry");
      const signature = await signAttestation(f.keys[0], otherDomain, a);
      await expectForeign(f, a, signature);
      // The very same signature notarizes on the registry it was made for.
      await expect(second.notarize(a, 1, [signature])).to.emit(second, "Notarized");
    });

    it("rejects a signature of the deployed registry on another deployment", async function () {
      const f = await loadFixture(notaryFixture);
      const second = await deploySecondRegistry(f, f.deployer.address);
      const a = await attestationOf("reverse replay");
      const signature = await signAttestation(f.keys[0], f.notaryDomain, a);
      const recovered = ethers.recoverAddress(await second.attestationDigest(a), signature);
      await expect(second.notarize(a, 1, [signature]))
        .to.be.revertedWithCustomError(second, "NotaryInvalidSigner")
        .withArgs(0n, recovered);
    });

    it("rejects a signature made under another contract's name in the domain (e.g. the hub's)", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("other name");
      const hubNamed = domainOf("ERA ExecutionHub", f.chainId, f.addresses.notaryRegistry);
      await expectForeign(f, a, await signAttestation(f.keys[0], hubNamed, a));
    });

    it("rejects the signature of another result of the same type (resultHash changed after signing)", async function () {
      const f = await loadFixture(notaryFixture);
      const signedFor = await attestationOf("honest");
      const signature = await signAttestation(f.keys[0], f.notaryDomain, signedFor);
      await expectForeign(f, { ...signedFor, resultHash: idOf("forged") }, signature);
    });

    it("rejects a single-result signature presented for a batch (other EIP-712 type), and vice versa", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("type");
      const single = await signAttestation(f.keys[0], f.notaryDomain, a);
      const b = {
        scenarioId: ENTERPRISE,
        salt: idOf("type batch"),
        root: a.resultHash,
        count: 1n,
        deadline: a.deadline,
      };
      const fromSingle = ethers.recoverAddress(batchAttestationDigestOf(f.notaryDomain, b), single);
      await expect(f.executionHub.connect(f.keys[0]).submitNotarizationBatch(b, [single]))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryInvalidSigner")
        .withArgs(0n, fromSingle);
      const batchSig = await signBatchAttestation(f.keys[0], f.notaryDomain, b);
      await expect(submit(f, a, [batchSig]))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryInvalidSigner")
        .withArgs(0n, recoveredBy(f, a, batchSig));
    });
  });
});
