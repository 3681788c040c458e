import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { FunctionFragment } from "ethers";
import { ROLES, viaTimelock } from "../../helpers/fixtures";
import { domainOf } from "../../../src/sdk/execution";
import {
  ENTERPRISE,
  attestationDigestOf,
  attestationOf,
  batchAttestationDigestOf,
  blockTimestampOf,
  deployMockHub,
  deploySecondRegistry,
  idOf,
  notaryFixture,
  now,
  recordHashOf,
  recordOf,
  signAll,
  signaturesOf,
  signersOf,
  type NotaryFixture,
  type RecordFields,
} from "./helpers";

describe("NotaryRegistry", function () {
  describe("deployment", function () {
    it("is wired to the node registry, the scenario registry and the hub, with the timelock as only admin", async function () {
      const f = await loadFixture(notaryFixture);
      expect(await f.notaryRegistry.nodes()).to.equal(f.addresses.nodeRegistry);
      expect(await f.notaryRegistry.scenarios()).to.equal(f.addresses.scenarioRegistry);
      expect(await f.notaryRegistry.hub()).to.equal(f.addresses.executionHub);
      expect(await f.notaryRegistry.hasRole(ROLES.DEFAULT_ADMIN, f.addresses.timelock)).to.equal(true);
      expect(await f.notaryRegistry.hasRole(ROLES.DEFAULT_ADMIN, f.deployer.address)).to.equal(false);
      expect(await f.notaryRegistry.getRoleMemberCount(ROLES.DEFAULT_ADMIN)).to.equal(1n);
    });

    it("reverts with AdminGuardedZeroAddress for a zero node registry, scenario registry or admin", async function () {
      const f = await loadFixture(notaryFixture);
      const factory = await ethers.getContractFactory("NotaryRegistry");
      const { nodeRegistry, scenarioRegistry } = f.addresses;
      const zero = ethers.ZeroAddress;
      for (const args of [
        [zero, scenarioRegistry, f.deployer.address],
        [nodeRegistry, zero, f.deployer.address],
        [nodeRegistry, scenarioRegistry, zero],
      ] as const) {
        await expect(factory.deploy(...args)).to.be.revertedWithCustomError(factory, "AdminGuardedZeroAddress");
      }
    });

    it("signs under the EIP-712 domain ('ERA NotaryRegistry', '1', chain id, its own address)", async function () {
      const f = await loadFixture(notaryFixture);
      const d = await f.notaryRegistry.eip712Domain();
      expect(d.name).to.equal("ERA NotaryRegistry");
      expect(d.version).to.equal("1");
      expect(d.chainId).to.equal(f.chainId);
      expect(d.verifyingContract).to.equal(f.addresses.notaryRegistry);
      expect(d.salt).to.equal(ethers.ZeroHash);
      expect(d.extensions).to.deep.equal([]);
    });
  });

  describe("attestationDigest / batchAttestationDigest", function () {
    it("equal ethers' TypedDataEncoder.hash of the typed data under the registry's domain", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("digest");
      expect(await f.notaryRegistry.attestationDigest(a)).to.equal(attestationDigestOf(f.domain, a));
      const b = { scenarioId: ENTERPRISE, notarizationId: idOf("batch"), root: idOf("root"), count: 7n, deadline: 99n };
      expect(await f.notaryRegistry.batchAttestationDigest(b)).to.equal(batchAttestationDigestOf(f.domain, b));
    });

    it("change with every signed field", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("fields");
      const base = await f.notaryRegistry.attestationDigest(a);
      for (const changed of [
        { ...a, scenarioId: a.scenarioId + 1n },
        { ...a, subjectId: idOf("other subject") },
        { ...a, resultHash: idOf("other result") },
        { ...a, notarizationId: idOf("other id") },
        { ...a, deadline: a.deadline + 1n },
      ]) {
        const digest = await f.notaryRegistry.attestationDigest(changed);
        expect(digest).to.not.equal(base);
        expect(digest).to.equal(attestationDigestOf(f.domain, changed));
      }
      const b = { scenarioId: ENTERPRISE, notarizationId: idOf("batch"), root: idOf("root"), count: 7n, deadline: 99n };
      const baseBatch = await f.notaryRegistry.batchAttestationDigest(b);
      for (const changed of [
        { ...b, scenarioId: b.scenarioId + 1n },
        { ...b, notarizationId: idOf("other id") },
        { ...b, root: idOf("other root") },
        { ...b, count: b.count + 1n },
        { ...b, deadline: b.deadline + 1n },
      ]) {
        const digest = await f.notaryRegistry.batchAttestationDigest(changed);
        expect(digest).to.not.equal(baseBatch);
        expect(digest).to.equal(batchAttestationDigestOf(f.domain, changed));
      }
    });

    it("are bound to the registry: another deployment computes other digests for the same data", async function () {
      const f = await loadFixture(notaryFixture);
      const second = await deploySecondRegistry(f, f.deployer.address);
      const a = await attestationOf("bound");
      const otherDomain = domainOf("ERA NotaryRegistry", f.chainId, await second.getAddress());
      expect(await second.attestationDigest(a)).to.equal(attestationDigestOf(otherDomain, a));
      expect(await second.attestationDigest(a)).to.not.equal(await f.notaryRegistry.attestationDigest(a));
    });
  });

  describe("setHub", function () {
    it("lets the admin (timelock) replace the hub and emits HubChanged", async function () {
      const f = await loadFixture(notaryFixture);
      const data = f.notaryRegistry.interface.encodeFunctionData("setHub", [f.carol.address]);
      await expect(viaTimelock(f, f.notaryRegistry, data))
        .to.emit(f.notaryRegistry, "HubChanged")
        .withArgs(f.carol.address);
      expect(await f.notaryRegistry.hub()).to.equal(f.carol.address);
    });

    it("reverts with AccessControlUnauthorizedAccount for anyone but the admin (attacker, deployer, the hub's nodes)", async function () {
      const f = await loadFixture(notaryFixture);
      for (const caller of [f.attacker, f.deployer, f.keys[0]]) {
        await expect(f.notaryRegistry.connect(caller).setHub(caller.address))
          .to.be.revertedWithCustomError(f.notaryRegistry, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, ROLES.DEFAULT_ADMIN);
      }
      expect(await f.notaryRegistry.hub()).to.equal(f.addresses.executionHub);
    });

    it("reverts with AdminGuardedZeroAddress for address(0)", async function () {
      const f = await loadFixture(notaryFixture);
      const data = f.notaryRegistry.interface.encodeFunctionData("setHub", [ethers.ZeroAddress]);
      await expect(viaTimelock(f, f.notaryRegistry, data)).to.be.revertedWithCustomError(
        f.notaryRegistry,
        "AdminGuardedZeroAddress",
      );
      expect(await f.notaryRegistry.hub()).to.equal(f.addresses.executionHub);
    });

    it("cuts the old hub off: its notarizations revert with NotaryOnlyHub(oldHub)", async function () {
      const f = await loadFixture(notaryFixture);
      await viaTimelock(
        f,
        f.notaryRegistry,
        f.notaryRegistry.interface.encodeFunctionData("setHub", [f.carol.address]),
      );
      const a = await attestationOf("old hub");
      const sigs = signaturesOf(await signAll([f.keys[0]], f.domain, a));
      await expect(f.executionHub.connect(f.keys[0]).submitNotarization(a, sigs))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryOnlyHub")
        .withArgs(f.addresses.executionHub);
      // The new hub (an EOA here) can.
      await expect(f.notaryRegistry.connect(f.carol).notarize(a, 1, sigs)).to.emit(f.notaryRegistry, "Notarized");
    });
  });

  describe("access to notarize / notarizeBatch", function () {
    it("reverts with NotaryOnlyHub for a direct call, even by the executing node's key with valid signatures", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("direct");
      const sigs = signaturesOf(await signAll([f.keys[0]], f.domain, a));
      const b = {
        scenarioId: ENTERPRISE,
        notarizationId: idOf("direct batch"),
        root: idOf("root"),
        count: 1n,
        deadline: a.deadline,
      };
      for (const caller of [f.keys[0], f.attacker, f.developer]) {
        await expect(f.notaryRegistry.connect(caller).notarize(a, 1, sigs))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryOnlyHub")
          .withArgs(caller.address);
        await expect(f.notaryRegistry.connect(caller).notarizeBatch(b, 1, sigs))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryOnlyHub")
          .withArgs(caller.address);
      }
      expect(await f.notaryRegistry.commitmentOf(a.notarizationId)).to.equal(ethers.ZeroHash);
    });

    it("is append-only: besides notarize, notarizeBatch, setHub and the role functions, every function is a view", async function () {
      const f = await loadFixture(notaryFixture);
      const mutating = f.notaryRegistry.interface.fragments
        .filter((x): x is FunctionFragment => x.type === "function")
        .filter((fn) => fn.stateMutability !== "view" && fn.stateMutability !== "pure")
        .map((fn) => fn.name)
        .sort();
      expect(mutating).to.deep.equal([
        "grantRole",
        "notarize",
        "notarizeBatch",
        "renounceRole",
        "revokeRole",
        "setHub",
      ]);
    });
  });

  describe("notarize (ExecutionHub.submitNotarization)", function () {
    /** Notarizes `label` for scenario 2 signed by node 1 alone; returns the record as the contract stores it. */
    async function notarizeOne(f: NotaryFixture, label: string, previous = ethers.ZeroHash): Promise<RecordFields> {
      const a = await attestationOf(label);
      const signed = await signAll([f.keys[0]], f.domain, a);
      const tx = await f.executionHub.connect(f.keys[0]).submitNotarization(a, signaturesOf(signed));
      return recordOf(a, await blockTimestampOf(tx), previous, signersOf(signed));
    }

    it("stores the record hash as the notarization's commitment and as the subject's head", async function () {
      const f = await loadFixture(notaryFixture);
      const r = await notarizeOne(f, "store");
      const hash = recordHashOf(r);
      expect(await f.notaryRegistry.commitmentOf(r.notarizationId)).to.equal(hash);
      expect(await f.notaryRegistry.headOf(ENTERPRISE, r.subjectId)).to.equal(hash);
      // Nothing else moved: the same subject in another scenario, another subject.
      expect(await f.notaryRegistry.headOf(ENTERPRISE + 1n, r.subjectId)).to.equal(ethers.ZeroHash);
      expect(await f.notaryRegistry.headOf(ENTERPRISE, idOf("another subject"))).to.equal(ethers.ZeroHash);
    });

    it("emits Notarized with every field: ids, result, block timestamp, previous head, record hash, signers", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("event");
      const signed = await signAll([f.keys[0]], f.domain, a);
      const tx = await f.executionHub.connect(f.keys[0]).submitNotarization(a, signaturesOf(signed));
      const ts = await blockTimestampOf(tx);
      const hash = recordHashOf(recordOf(a, ts, ethers.ZeroHash, signersOf(signed)));
      await expect(tx)
        .to.emit(f.notaryRegistry, "Notarized")
        .withArgs(a.notarizationId, a.scenarioId, a.subjectId, a.resultHash, ts, ethers.ZeroHash, hash, [
          f.keys[0].address,
        ]);
    });

    it("links the next result of the subject to the previous head", async function () {
      const f = await loadFixture(notaryFixture);
      const first = await notarizeOne(f, "link");
      const firstHash = recordHashOf(first);
      await time.increase(60);
      const a = await attestationOf("link 2", { subjectId: first.subjectId });
      const signed = await signAll([f.keys[0]], f.domain, a);
      const tx = await f.executionHub.connect(f.keys[0]).submitNotarization(a, signaturesOf(signed));
      const second = recordOf(a, await blockTimestampOf(tx), firstHash, signersOf(signed));
      await expect(tx)
        .to.emit(f.notaryRegistry, "Notarized")
        .withArgs(
          a.notarizationId,
          ENTERPRISE,
          a.subjectId,
          a.resultHash,
          second.timestamp,
          firstHash,
          recordHashOf(second),
          [f.keys[0].address],
        );
      expect(await f.notaryRegistry.headOf(ENTERPRISE, a.subjectId)).to.equal(recordHashOf(second));
      // The first record is untouched.
      expect(await f.notaryRegistry.commitmentOf(first.notarizationId)).to.equal(firstHash);
      expect(await f.notaryRegistry.verifyRecord(first)).to.equal(true);
      expect(await f.notaryRegistry.verifyRecord(second)).to.equal(true);
    });

    it("returns the record hash (the new commitment and head) to the hub", async function () {
      const f = await loadFixture(notaryFixture);
      const { registry, hub, domain } = await deployMockHub(f);
      const a = await attestationOf("return");
      const tx = await hub.notarize(a, 1, signaturesOf(await signAll([f.keys[0]], domain, a)));
      const hash = recordHashOf(recordOf(a, await blockTimestampOf(tx), ethers.ZeroHash, [f.keys[0].address]));
      await expect(tx).to.emit(hub, "Returned").withArgs(hash);
      expect(await registry.commitmentOf(a.notarizationId)).to.equal(hash);
      expect(await registry.headOf(ENTERPRISE, a.subjectId)).to.equal(hash);
    });

    describe("verifyRecord", function () {
      it("is true for exactly the notarized record", async function () {
        const f = await loadFixture(notaryFixture);
        const r = await notarizeOne(f, "verify");
        expect(await f.notaryRegistry.verifyRecord(r)).to.equal(true);
      });

      it("is false when any field is changed", async function () {
        const f = await loadFixture(notaryFixture);
        const r = await notarizeOne(f, "tamper");
        const variants: Array<[string, RecordFields]> = [
          ["scenarioId", { ...r, scenarioId: r.scenarioId + 1n }],
          ["subjectId", { ...r, subjectId: idOf("other subject") }],
          ["resultHash", { ...r, resultHash: idOf("forged result") }],
          ["timestamp (earlier)", { ...r, timestamp: r.timestamp - 1n }],
          ["timestamp (later)", { ...r, timestamp: r.timestamp + 1n }],
          ["previous", { ...r, previous: idOf("invented previous") }],
          ["signers (other)", { ...r, signers: [f.keys[1].address] }],
          ["signers (added)", { ...r, signers: [...r.signers, f.keys[1].address] }],
          ["signers (none)", { ...r, signers: [] }],
        ];
        for (const [field, v] of variants) {
          expect(await f.notaryRegistry.verifyRecord(v), field).to.equal(false);
        }
      });

      it("is false for a notarization id that was never used, even with a well-formed record", async function () {
        const f = await loadFixture(notaryFixture);
        const r = await notarizeOne(f, "unknown");
        expect(await f.notaryRegistry.verifyRecord({ ...r, notarizationId: idOf("never used") })).to.equal(false);
        const a = await attestationOf("never notarized");
        expect(await f.notaryRegistry.verifyRecord(recordOf(a, await now(), ethers.ZeroHash, []))).to.equal(false);
      });
    });

    it("reverts with NotaryExecutorMissing when the executing node did not sign (another serving node did)", async function () {
      const f = await loadFixture(notaryFixture);
      await f.scenarioRegistry.connect(f.developer).addServingNode(ENTERPRISE, 2);
      const a = await attestationOf("no executor");
      const sigs = signaturesOf(await signAll([f.keys[1]], f.domain, a));
      await expect(f.executionHub.connect(f.keys[0]).submitNotarization(a, sigs))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryExecutorMissing")
        .withArgs(1n);
      // The same signature is enough when node 2 submits it: the executor is whoever submits.
      await expect(f.executionHub.connect(f.keys[1]).submitNotarization(a, sigs)).to.emit(
        f.notaryRegistry,
        "Notarized",
      );
    });

    it("checks the signatures against the executing node id the hub passes", async function () {
      const f = await loadFixture(notaryFixture);
      await f.scenarioRegistry.connect(f.developer).addServingNode(ENTERPRISE, 2);
      const second = await deploySecondRegistry(f, f.deployer.address);
      const domain = domainOf("ERA NotaryRegistry", f.chainId, await second.getAddress());
      const a = await attestationOf("executor id");
      const sigs = signaturesOf(await signAll([f.keys[0]], domain, a));
      await expect(second.notarize(a, 2, sigs))
        .to.be.revertedWithCustomError(second, "NotaryExecutorMissing")
        .withArgs(2n);
      await expect(second.notarize(a, 1, sigs)).to.emit(second, "Notarized");
    });

    it("accepts signatures at their deadline", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("at deadline");
      const sigs = signaturesOf(await signAll([f.keys[0]], f.domain, a));
      await time.setNextBlockTimestamp(a.deadline);
      const tx = await f.executionHub.connect(f.keys[0]).submitNotarization(a, sigs);
      expect(await blockTimestampOf(tx)).to.equal(a.deadline);
      expect(
        await f.notaryRegistry.verifyRecord(recordOf(a, a.deadline, ethers.ZeroHash, [f.keys[0].address])),
      ).to.equal(true);
    });

    it("reverts with NotaryExpired(deadline, now) one second after the deadline", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("expired");
      const sigs = signaturesOf(await signAll([f.keys[0]], f.domain, a));
      await time.setNextBlockTimestamp(a.deadline + 1n);
      await expect(f.executionHub.connect(f.keys[0]).submitNotarization(a, sigs))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryExpired")
        .withArgs(a.deadline, a.deadline + 1n);
      expect(await f.notaryRegistry.commitmentOf(a.notarizationId)).to.equal(ethers.ZeroHash);
    });

    it("reverts with NotaryQuorumNotMet(0, 1) without any signature", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("unsigned");
      await expect(f.executionHub.connect(f.keys[0]).submitNotarization(a, []))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryQuorumNotMet")
        .withArgs(0n, 1n);
    });

    describe("attack: rewriting a notarization (same id twice)", function () {
      it("reverts with NotaryIdUsed for a replay of the same attestation and signatures", async function () {
        const f = await loadFixture(notaryFixture);
        const a = await attestationOf("replayed");
        const sigs = signaturesOf(await signAll([f.keys[0]], f.domain, a));
        await f.executionHub.connect(f.keys[0]).submitNotarization(a, sigs);
        const commitment = await f.notaryRegistry.commitmentOf(a.notarizationId);
        await expect(f.executionHub.connect(f.keys[0]).submitNotarization(a, sigs))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryIdUsed")
          .withArgs(a.notarizationId);
        expect(await f.notaryRegistry.commitmentOf(a.notarizationId)).to.equal(commitment);
        expect(await f.notaryRegistry.headOf(ENTERPRISE, a.subjectId)).to.equal(commitment);
      });

      it("reverts with NotaryIdUsed for a new, validly signed result under a used id, and changes nothing", async function () {
        const f = await loadFixture(notaryFixture);
        const original = await notarizeOne(f, "original");
        const hash = recordHashOf(original);
        for (const forged of [
          await attestationOf("forged same subject", {
            notarizationId: original.notarizationId,
            subjectId: original.subjectId,
          }),
          await attestationOf("forged other subject", { notarizationId: original.notarizationId }),
        ]) {
          const sigs = signaturesOf(await signAll([f.keys[0]], f.domain, forged));
          await expect(f.executionHub.connect(f.keys[0]).submitNotarization(forged, sigs))
            .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryIdUsed")
            .withArgs(original.notarizationId);
          expect(await f.notaryRegistry.headOf(ENTERPRISE, forged.subjectId)).to.equal(
            forged.subjectId === original.subjectId ? hash : ethers.ZeroHash,
          );
        }
        expect(await f.notaryRegistry.commitmentOf(original.notarizationId)).to.equal(hash);
        expect(await f.notaryRegistry.headOf(ENTERPRISE, original.subjectId)).to.equal(hash);
        expect(await f.notaryRegistry.verifyRecord(original)).to.equal(true);
      });

      it("checks the id before the deadline: a used id with expired signatures still reports NotaryIdUsed", async function () {
        const f = await loadFixture(notaryFixture);
        const original = await notarizeOne(f, "id first");
        const a = await attestationOf("id first again", { notarizationId: original.notarizationId, deadline: 1n });
        await expect(f.executionHub.connect(f.keys[0]).submitNotarization(a, []))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryIdUsed")
          .withArgs(original.notarizationId);
      });
    });
  });
});
