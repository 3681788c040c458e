import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { FunctionFragment } from "ethers";
import { ExecutionMode, ROLES, viaTimelock } from "../../helpers/fixtures";
import { batchNotarizationIdOf, domainOf, notarizationIdOf } from "../../../src/sdk/execution";
import { blockTimestampOf, now, signAll, signaturesOf, signersOf } from "../../helpers/execution";
import {
  ENTERPRISE,
  attestationDigestOf,
  attestationOf,
  batchAttestationDigestOf,
  deployMockHub,
  deploySecondRegistry,
  idOf,
  notarizeNext,
  notaryFixture,
  recordHashOf,
  recordOf,
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
      expect(await f.notaryRegistry.attestationDigest(a)).to.equal(attestationDigestOf(f.notaryDomain, a));
      const b = { scenarioId: ENTERPRISE, salt: idOf("batch"), root: idOf("root"), count: 7n, deadline: 99n };
      expect(await f.notaryRegistry.batchAttestationDigest(b)).to.equal(batchAttestationDigestOf(f.notaryDomain, b));
    });

    it("change with every signed field", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("fields");
      const base = await f.notaryRegistry.attestationDigest(a);
      for (const changed of [
        { ...a, scenarioId: a.scenarioId + 1n },
        { ...a, subjectId: idOf("other subject") },
        { ...a, resultHash: idOf("other result") },
        { ...a, previous: idOf("other previous") },
        { ...a, deadline: a.deadline + 1n },
      ]) {
        const digest = await f.notaryRegistry.attestationDigest(changed);
        expect(digest).to.not.equal(base);
        expect(digest).to.equal(attestationDigestOf(f.notaryDomain, changed));
      }
      const b = { scenarioId: ENTERPRISE, salt: idOf("batch"), root: idOf("root"), count: 7n, deadline: 99n };
      const baseBatch = await f.notaryRegistry.batchAttestationDigest(b);
      for (const changed of [
        { ...b, scenarioId: b.scenarioId + 1n },
        { ...b, salt: idOf("other salt") },
        { ...b, root: idOf("other root") },
        { ...b, count: b.count + 1n },
        { ...b, deadline: b.deadline + 1n },
      ]) {
        const digest = await f.notaryRegistry.batchAttestationDigest(changed);
        expect(digest).to.not.equal(baseBatch);
        expect(digest).to.equal(batchAttestationDigestOf(f.notaryDomain, changed));
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
      const sigs = signaturesOf(await signAll([f.keys[0]], f.notaryDomain, a));
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
      const sigs = signaturesOf(await signAll([f.keys[0]], f.notaryDomain, a));
      const b = {
        scenarioId: ENTERPRISE,
        salt: idOf("direct batch"),
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
      expect(await f.notaryRegistry.headOf(ENTERPRISE, a.subjectId)).to.equal(ethers.ZeroHash);
      expect(await f.notaryRegistry.batchCommitmentOf(batchNotarizationIdOf(ENTERPRISE, b.salt))).to.equal(
        ethers.ZeroHash,
      );
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

  describe("notarizationIdOf / batchNotarizationIdOf / recordHashOf", function () {
    it("equal the SDK's derivations", async function () {
      const f = await loadFixture(notaryFixture);
      const subject = idOf("subject");
      for (const previous of [ethers.ZeroHash, idOf("a head")]) {
        expect(await f.notaryRegistry.notarizationIdOf(ENTERPRISE, subject, previous)).to.equal(
          notarizationIdOf(ENTERPRISE, subject, previous),
        );
      }
      expect(await f.notaryRegistry.batchNotarizationIdOf(ENTERPRISE, idOf("salt"))).to.equal(
        batchNotarizationIdOf(ENTERPRISE, idOf("salt")),
      );
      const record: RecordFields = {
        scenarioId: ENTERPRISE,
        subjectId: subject,
        resultHash: idOf("result"),
        timestamp: 1_700_000_000n,
        previous: idOf("a head"),
        signers: [f.keys[0].address, f.keys[1].address],
      };
      expect(await f.notaryRegistry.recordHashOf(record)).to.equal(recordHashOf(record));
    });

    it("give every place of a trail its own id, and a single's id never equals a batch's for the same values", async function () {
      const f = await loadFixture(notaryFixture);
      const subject = idOf("subject");
      const ids = new Set<string>();
      for (const [scenarioId, subjectId, previous] of [
        [ENTERPRISE, subject, ethers.ZeroHash],
        [ENTERPRISE, subject, idOf("head 1")],
        [ENTERPRISE, idOf("other subject"), ethers.ZeroHash],
        [ENTERPRISE + 1n, subject, ethers.ZeroHash],
      ] as const) {
        ids.add(await f.notaryRegistry.notarizationIdOf(scenarioId, subjectId, previous));
      }
      ids.add(await f.notaryRegistry.batchNotarizationIdOf(ENTERPRISE, subject));
      ids.add(await f.notaryRegistry.batchNotarizationIdOf(ENTERPRISE, ethers.ZeroHash));
      expect(ids.size).to.equal(6);
    });
  });

  describe("notarize (ExecutionHub.submitNotarization)", function () {
    it("stores the record hash as the subject's head, and nothing under the notarization id", async function () {
      const f = await loadFixture(notaryFixture);
      const { record } = await notarizeNext(f, "store");
      const hash = recordHashOf(record);
      expect(await f.notaryRegistry.headOf(ENTERPRISE, record.subjectId)).to.equal(hash);
      const id = notarizationIdOf(ENTERPRISE, record.subjectId, ethers.ZeroHash);
      expect(await f.notaryRegistry.batchCommitmentOf(id)).to.equal(ethers.ZeroHash);
      // Nothing else moved: the same subject in another scenario, another subject.
      expect(await f.notaryRegistry.headOf(ENTERPRISE + 1n, record.subjectId)).to.equal(ethers.ZeroHash);
      expect(await f.notaryRegistry.headOf(ENTERPRISE, idOf("another subject"))).to.equal(ethers.ZeroHash);
    });

    it("emits Notarized with every field: derived id, scenario, subject, result, block timestamp, previous head, record hash, signers", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("event");
      const signed = await signAll([f.keys[0]], f.notaryDomain, a);
      const tx = await f.executionHub.connect(f.keys[0]).submitNotarization(a, signaturesOf(signed));
      const ts = await blockTimestampOf(tx);
      const hash = recordHashOf(recordOf(a, ts, signersOf(signed)));
      await expect(tx)
        .to.emit(f.notaryRegistry, "Notarized")
        .withArgs(
          notarizationIdOf(ENTERPRISE, a.subjectId, ethers.ZeroHash),
          a.scenarioId,
          a.subjectId,
          a.resultHash,
          ts,
          ethers.ZeroHash,
          hash,
          [f.keys[0].address],
        );
    });

    it("links the next result of the subject to the previous head, under the id of that place", async function () {
      const f = await loadFixture(notaryFixture);
      const { record: first } = await notarizeNext(f, "link");
      const firstHash = recordHashOf(first);
      await time.increase(60);
      const a = await attestationOf("link 2", { subjectId: first.subjectId, previous: firstHash });
      const signed = await signAll([f.keys[0]], f.notaryDomain, a);
      const tx = await f.executionHub.connect(f.keys[0]).submitNotarization(a, signaturesOf(signed));
      const second = recordOf(a, await blockTimestampOf(tx), signersOf(signed));
      await expect(tx)
        .to.emit(f.notaryRegistry, "Notarized")
        .withArgs(
          notarizationIdOf(ENTERPRISE, a.subjectId, firstHash),
          ENTERPRISE,
          a.subjectId,
          a.resultHash,
          second.timestamp,
          firstHash,
          recordHashOf(second),
          [f.keys[0].address],
        );
      expect(await f.notaryRegistry.headOf(ENTERPRISE, a.subjectId)).to.equal(recordHashOf(second));
      // The first record is still provable, through the second.
      expect(await f.notaryRegistry.verifyRecord(first, [second])).to.equal(true);
      expect(await f.notaryRegistry.verifyRecord(second, [])).to.equal(true);
    });

    it("returns the derived notarization id and the record hash (the new head) to the hub", async function () {
      const f = await loadFixture(notaryFixture);
      const { registry, hub, domain } = await deployMockHub(f);
      const a = await attestationOf("return");
      const tx = await hub.notarize(a, 1, signaturesOf(await signAll([f.keys[0]], domain, a)));
      const hash = recordHashOf(recordOf(a, await blockTimestampOf(tx), [f.keys[0].address]));
      await expect(tx)
        .to.emit(hub, "Returned")
        .withArgs(notarizationIdOf(ENTERPRISE, a.subjectId, ethers.ZeroHash), hash);
      expect(await registry.headOf(ENTERPRISE, a.subjectId)).to.equal(hash);
    });

    describe("verifyRecord (the subject's last record: no later records)", function () {
      it("is true for exactly the notarized record", async function () {
        const f = await loadFixture(notaryFixture);
        const { record } = await notarizeNext(f, "verify");
        expect(await f.notaryRegistry.verifyRecord(record, [])).to.equal(true);
      });

      it("is false when any field is changed", async function () {
        const f = await loadFixture(notaryFixture);
        const { record: r } = await notarizeNext(f, "tamper");
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
          expect(await f.notaryRegistry.verifyRecord(v, []), field).to.equal(false);
        }
      });

      it("is false for a well-formed record that was never notarized, with or without a notarized subject", async function () {
        const f = await loadFixture(notaryFixture);
        const { record } = await notarizeNext(f, "unknown");
        // The subject's real head as `previous`: the very record the nodes could have signed next.
        const next = await attestationOf("never notarized", {
          subjectId: record.subjectId,
          previous: recordHashOf(record),
        });
        expect(await f.notaryRegistry.verifyRecord(recordOf(next, await now(), record.signers), [])).to.equal(false);
        const fresh = await attestationOf("never notarized, fresh subject");
        expect(await f.notaryRegistry.verifyRecord(recordOf(fresh, await now(), []), [])).to.equal(false);
      });
    });

    it("reverts with NotaryExecutorMissing when the executing node did not sign (another serving node did)", async function () {
      const f = await loadFixture(notaryFixture);
      await f.scenarioRegistry.connect(f.developer).addServingNode(ENTERPRISE, 2);
      const a = await attestationOf("no executor");
      const sigs = signaturesOf(await signAll([f.keys[1]], f.notaryDomain, a));
      await expect(f.executionHub.connect(f.keys[0]).submitNotarization(a, sigs))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryExecutorMissing")
        .withArgs(1n);
      // The same signature is enough when node 2 submits it: the executor is whoever submits.
      await expect(f.executionHub.connect(f.keys[1]).submitNotarization(a, sigs))
        .to.emit(f.notaryRegistry, "Notarized")
        .withArgs(anyValue, ENTERPRISE, a.subjectId, a.resultHash, anyValue, ethers.ZeroHash, anyValue, [
          f.keys[1].address,
        ])
        .and.to.emit(f.executionHub, "BatchApplied")
        .withArgs(
          notarizationIdOf(ENTERPRISE, a.subjectId, ethers.ZeroHash),
          ENTERPRISE,
          ExecutionMode.Notarized,
          2n,
          0n,
          1n,
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

    it("never counts a key of no node as the executor, even when the hub passes executing node 0", async function () {
      const f = await loadFixture(notaryFixture);
      const second = await deploySecondRegistry(f, f.deployer.address);
      const domain = domainOf("ERA NotaryRegistry", f.chainId, await second.getAddress());
      const a = await attestationOf("node zero");
      await expect(second.notarize(a, 0, signaturesOf(await signAll([f.outsider], domain, a))))
        .to.be.revertedWithCustomError(second, "NotaryInvalidSigner")
        .withArgs(0n, f.outsider.address);
    });

    it("trusts the hub's check of the executing node: its own signature is not checked against the registries again", async function () {
      const f = await loadFixture(notaryFixture);
      // Node 4 (the bystander) is active but does not serve scenario 2: the real hub refuses it as executor …
      const a = await attestationOf("trusted executor");
      await expect(f.executionHub.connect(f.bystander).submitNotarization(a, []))
        .to.be.revertedWithCustomError(f.executionHub, "ExecutionNotServingNode")
        .withArgs(ENTERPRISE, f.bystander.address, 4n);
      // … while a registry whose hub (here an EOA) vouches for it takes its signature as the executor's.
      const second = await deploySecondRegistry(f, f.deployer.address);
      const domain = domainOf("ERA NotaryRegistry", f.chainId, await second.getAddress());
      await expect(second.notarize(a, 4, signaturesOf(await signAll([f.bystander], domain, a)))).to.emit(
        second,
        "Notarized",
      );
    });

    it("accepts signatures at their deadline", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("at deadline");
      const sigs = signaturesOf(await signAll([f.keys[0]], f.notaryDomain, a));
      await time.setNextBlockTimestamp(a.deadline);
      const tx = await f.executionHub.connect(f.keys[0]).submitNotarization(a, sigs);
      expect(await blockTimestampOf(tx)).to.equal(a.deadline);
      expect(await f.notaryRegistry.verifyRecord(recordOf(a, a.deadline, [f.keys[0].address]), [])).to.equal(true);
    });

    it("attack 7: reverts with NotaryExpired(deadline, now) one second after the deadline, recording nothing", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("expired");
      const sigs = signaturesOf(await signAll([f.keys[0]], f.notaryDomain, a));
      await time.setNextBlockTimestamp(a.deadline + 1n);
      await expect(f.executionHub.connect(f.keys[0]).submitNotarization(a, sigs))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryExpired")
        .withArgs(a.deadline, a.deadline + 1n);
      expect(await f.notaryRegistry.headOf(ENTERPRISE, a.subjectId)).to.equal(ethers.ZeroHash);
    });

    it("reverts with NotaryQuorumNotMet(0, 1) without any signature", async function () {
      const f = await loadFixture(notaryFixture);
      const a = await attestationOf("unsigned");
      await expect(f.executionHub.connect(f.keys[0]).submitNotarization(a, []))
        .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryQuorumNotMet")
        .withArgs(0n, 1n);
    });

    describe("the head binding (invariants 3 and 6: each attestation lands once, in one place)", function () {
      it("reverts with NotaryStaleHead(scenario, subject, head, previous) for a replay of an applied attestation", async function () {
        const f = await loadFixture(notaryFixture);
        const a = await attestationOf("replayed");
        const sigs = signaturesOf(await signAll([f.keys[0]], f.notaryDomain, a));
        await f.executionHub.connect(f.keys[0]).submitNotarization(a, sigs);
        const head = await f.notaryRegistry.headOf(ENTERPRISE, a.subjectId);
        await expect(f.executionHub.connect(f.keys[0]).submitNotarization(a, sigs))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryStaleHead")
          .withArgs(ENTERPRISE, a.subjectId, head, ethers.ZeroHash);
        expect(await f.notaryRegistry.headOf(ENTERPRISE, a.subjectId)).to.equal(head);
      });

      it("lands only the first of two results signed against the same head; the second lands once signed against the new head", async function () {
        const f = await loadFixture(notaryFixture);
        const { record: base } = await notarizeNext(f, "contended");
        const head = recordHashOf(base);
        const first = await attestationOf("contender 1", { subjectId: base.subjectId, previous: head });
        const second = await attestationOf("contender 2", { subjectId: base.subjectId, previous: head });
        const firstSigs = signaturesOf(await signAll([f.keys[0]], f.notaryDomain, first));
        const secondSigs = signaturesOf(await signAll([f.keys[0]], f.notaryDomain, second));
        const tx = await f.executionHub.connect(f.keys[0]).submitNotarization(first, firstSigs);
        const landed = recordOf(first, await blockTimestampOf(tx), [f.keys[0].address]);
        const newHead = recordHashOf(landed);
        await expect(f.executionHub.connect(f.keys[0]).submitNotarization(second, secondSigs))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryStaleHead")
          .withArgs(ENTERPRISE, base.subjectId, newHead, head);
        expect(await f.notaryRegistry.headOf(ENTERPRISE, base.subjectId)).to.equal(newHead);
        // Signed again against the new head, the second result follows the first.
        const resigned = { ...second, previous: newHead };
        const tx2 = await f.executionHub
          .connect(f.keys[0])
          .submitNotarization(resigned, signaturesOf(await signAll([f.keys[0]], f.notaryDomain, resigned)));
        const after = recordOf(resigned, await blockTimestampOf(tx2), [f.keys[0].address]);
        expect(await f.notaryRegistry.verifyTrail(ENTERPRISE, base.subjectId, [base, landed, after])).to.equal(true);
      });

      it("reverts with NotaryStaleHead for a first result signed against an invented head, and for a next result signed as a first", async function () {
        const f = await loadFixture(notaryFixture);
        const invented = await attestationOf("invented", { previous: idOf("invented head") });
        await expect(
          f.executionHub
            .connect(f.keys[0])
            .submitNotarization(invented, signaturesOf(await signAll([f.keys[0]], f.notaryDomain, invented))),
        )
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryStaleHead")
          .withArgs(ENTERPRISE, invented.subjectId, ethers.ZeroHash, idOf("invented head"));
        expect(await f.notaryRegistry.headOf(ENTERPRISE, invented.subjectId)).to.equal(ethers.ZeroHash);
        const { record } = await notarizeNext(f, "asFirst");
        const asFirst = await attestationOf("asFirst again", { subjectId: record.subjectId });
        await expect(
          f.executionHub
            .connect(f.keys[0])
            .submitNotarization(asFirst, signaturesOf(await signAll([f.keys[0]], f.notaryDomain, asFirst))),
        )
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryStaleHead")
          .withArgs(ENTERPRISE, record.subjectId, recordHashOf(record), ethers.ZeroHash);
      });

      it("binds the head to the subject and scenario: another subject's head is stale for this one", async function () {
        const f = await loadFixture(notaryFixture);
        const { record } = await notarizeNext(f, "one subject");
        const other = await attestationOf("other subject", { previous: recordHashOf(record) });
        await expect(
          f.executionHub
            .connect(f.keys[0])
            .submitNotarization(other, signaturesOf(await signAll([f.keys[0]], f.notaryDomain, other))),
        )
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryStaleHead")
          .withArgs(ENTERPRISE, other.subjectId, ethers.ZeroHash, recordHashOf(record));
      });

      it("checks the head before the deadline and the signatures: a stale, expired, unsigned attestation reports NotaryStaleHead", async function () {
        const f = await loadFixture(notaryFixture);
        const { record } = await notarizeNext(f, "head first");
        const a = await attestationOf("head first again", { subjectId: record.subjectId, deadline: 1n });
        await expect(f.executionHub.connect(f.keys[0]).submitNotarization(a, []))
          .to.be.revertedWithCustomError(f.notaryRegistry, "NotaryStaleHead")
          .withArgs(ENTERPRISE, record.subjectId, recordHashOf(record), ethers.ZeroHash);
      });
    });
  });
});
