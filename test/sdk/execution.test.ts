import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { batchNotarizationIdOf, executingNodeOf, notarizationIdOf } from "../../src/sdk/execution";
import { DAY } from "../helpers/fixtures";
import { now, signAll, signAllBatch, signaturesOf } from "../helpers/execution";
import {
  ENTERPRISE,
  attestationOf,
  batchTreeOf,
  idOf,
  notarizeNext,
  resultsOf,
  twoOfThreeFixture,
} from "../execution/notary/helpers";

describe("SDK: executingNodeOf", function () {
  it("names the node that executed a single notarization, read from the hub's BatchApplied", async function () {
    const f = await loadFixture(twoOfThreeFixture);
    const first = await notarizeNext(f, "by node 1", {}, [f.keys[0], f.keys[1]]);
    const firstId = notarizationIdOf(ENTERPRISE, first.attestation.subjectId, ethers.ZeroHash);
    const firstBlock = (await first.tx.wait())!.blockNumber;

    // Node 2 executes the subject's next result (it serves the scenario; node 1 co-signs).
    const base = await attestationOf("by node 1");
    const attestation = {
      ...base,
      resultHash: idOf("second result"),
      previous: await f.notaryRegistry.headOf(ENTERPRISE, base.subjectId),
    };
    const signed = await signAll([f.keys[0], f.keys[1]], f.notaryDomain, attestation);
    const tx = await f.executionHub.connect(f.keys[1]).submitNotarization(attestation, signaturesOf(signed));
    const secondBlock = (await tx.wait())!.blockNumber;
    const secondId = notarizationIdOf(ENTERPRISE, attestation.subjectId, attestation.previous);

    expect(await executingNodeOf(f.executionHub, firstId)).to.equal(1n);
    expect(await executingNodeOf(f.executionHub, firstId, firstBlock, firstBlock)).to.equal(1n);
    expect(await executingNodeOf(f.executionHub, secondId, secondBlock, secondBlock)).to.equal(2n);
  });

  it("names the node that executed a batch notarization", async function () {
    const f = await loadFixture(twoOfThreeFixture);
    const salt = idOf("sdk batch");
    const notarizationId = batchNotarizationIdOf(ENTERPRISE, salt);
    const tree = batchTreeOf(ENTERPRISE, notarizationId, resultsOf("sdk batch", 3));
    const attestation = { scenarioId: ENTERPRISE, salt, root: tree.root, count: 3n, deadline: (await now()) + DAY };
    const signed = await signAllBatch([f.keys[0], f.keys[2]], f.notaryDomain, attestation);
    await (await f.executionHub.connect(f.keys[0]).submitNotarizationBatch(attestation, signaturesOf(signed))).wait();
    expect(await executingNodeOf(f.executionHub, notarizationId)).to.equal(1n);
  });

  it("is undefined for an id nothing was applied under, and outside the blocks read", async function () {
    const f = await loadFixture(twoOfThreeFixture);
    const { attestation, tx } = await notarizeNext(f, "range", {}, [f.keys[0], f.keys[1]]);
    const id = notarizationIdOf(ENTERPRISE, attestation.subjectId, ethers.ZeroHash);
    const block = (await tx.wait())!.blockNumber;
    expect(await executingNodeOf(f.executionHub, idOf("never notarized"))).to.equal(undefined);
    expect(await executingNodeOf(f.executionHub, id, 0, block - 1)).to.equal(undefined);
  });
});
