import { expect } from "chai";
import { RewardTree, SubsidyTree } from "../../../src/sdk/merkle";
import { toProofFile } from "../../../src/sdk/proofFile";
import { claimStateOf, describeClaimState, payoutOf, proofFileMismatch, type EpochFacts } from "../../src/lib/proofs";
import { checkDelegation, checkUndelegation } from "../../src/lib/validation";
import type { NodeRow } from "../../src/lib/nodes";

const ERA = 10n ** 18n;
const DISTRIBUTOR = "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853";
const USER = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";

describe("claims from proof files", () => {
  const reward = toProofFile(
    new RewardTree({ chainId: 31337n, distributor: DISTRIBUTOR, epochId: 2n }, [{ account: USER, amount: 250n * ERA }]),
    "reward",
  );

  it("proofFileMismatch accepts this deployment's file and explains any other", () => {
    expect(proofFileMismatch(reward, 31337, DISTRIBUTOR.toLowerCase())).to.equal(undefined);
    expect(proofFileMismatch(reward, 11155111, DISTRIBUTOR)).to.equal(
      "This proof file is for Hardhat (local) (chain 31337), but this page is on Sepolia (chain 11155111). Open the " +
        "page of that network, or use this network's file.",
    );
    expect(proofFileMismatch(reward, 31337, "0x0000000000000000000000000000000000000001")).to.equal(
      `This proof file is for the distributor at ${DISTRIBUTOR}, not this deployment's ` +
        "(0x0000000000000000000000000000000000000001). Use the file published for this deployment.",
    );
  });

  it("payoutOf pays a subsidy with its MAU bonus and a reward as is", () => {
    const subsidy = toProofFile(
      new SubsidyTree({ chainId: 31337n, distributor: DISTRIBUTOR, epochId: 1n }, [
        { account: USER, scenarioId: 1n, baseAmount: 1_000n * ERA, mau: 100_001n },
      ]),
      "subsidy",
    );
    expect(payoutOf(subsidy.claims[0])).to.equal(1_100n * ERA);
    expect(payoutOf(reward.claims[0])).to.equal(250n * ERA);
  });

  describe("claimStateOf judges a leaf as the contract would", () => {
    const epoch: EpochFacts = { kind: 1n, vetoed: false, opensAt: 1_000n, claimDeadline: 2_000n };
    const state = (
      facts: EpochFacts | undefined,
      claimed: boolean,
      now: bigint,
      kind: "reward" | "subsidy" = "reward",
    ) => claimStateOf(kind, facts, claimed, now).state;

    it("claimable from the opening second through the deadline second", () => {
      expect(state(epoch, false, 1_000n)).to.equal("claimable");
      expect(state(epoch, false, 2_000n)).to.equal("claimable");
      expect(state(epoch, false, 999n)).to.equal("not-open");
      expect(state(epoch, false, 2_001n)).to.equal("expired");
    });

    it("claimed, vetoed, of another kind, or not published", () => {
      expect(state(epoch, true, 1_500n)).to.equal("claimed");
      expect(state({ ...epoch, vetoed: true }, false, 1_500n)).to.equal("vetoed");
      expect(state(epoch, false, 1_500n, "subsidy")).to.equal("wrong-kind");
      expect(state(undefined, false, 1_500n)).to.equal("unknown-epoch");
    });

    it("describes each state in a sentence", () => {
      expect(describeClaimState({ state: "not-open", opensAt: 1_767_225_600n })).to.equal(
        "Claims open at 2026-01-01 00:00 UTC, after the epoch's dispute window.",
      );
      expect(describeClaimState({ state: "expired", deadline: 0n })).to.equal("Claims closed at 1970-01-01 00:00 UTC.");
      expect(describeClaimState({ state: "claimed" })).to.equal("Already claimed.");
    });
  });
});

describe("checks before the wallet is asked", () => {
  const active = { id: 1n, name: "Aurora", status: "active" } as NodeRow;

  it("checkDelegation needs an active node and at most the balance", () => {
    expect(checkDelegation("10", 100n * ERA, undefined)).to.deep.equal({
      ok: false,
      error: "Choose a node to delegate to.",
    });
    expect(checkDelegation("10", 100n * ERA, { ...active, status: "exiting" })).to.deep.equal({
      ok: false,
      error: "Aurora is not active and takes no new delegations. Choose an active node.",
    });
    expect(checkDelegation("100", 100n * ERA, active)).to.deep.equal({ ok: true, wei: 100n * ERA });
    expect(checkDelegation("100.000000000000000001", 100n * ERA, active)).to.deep.equal({
      ok: false,
      error: "That is more than your balance of 100 ERA. Enter at most that.",
    });
    expect(checkDelegation("abc", 100n * ERA, active)).to.deep.equal({
      ok: false,
      error: "Enter a number, e.g. 250 or 0.5.",
    });
  });

  it("checkUndelegation allows at most the stake, to the wei", () => {
    expect(checkUndelegation("6000", 6_000n * ERA)).to.deep.equal({ ok: true, wei: 6_000n * ERA });
    expect(checkUndelegation("6000.5", 6_000n * ERA + 1n)).to.deep.equal({
      ok: false,
      error: "You have 6,000.000000000000000001 ERA delegated here. Enter at most that, or choose “All”.",
    });
  });
});
