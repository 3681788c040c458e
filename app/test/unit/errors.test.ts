import { expect } from "chai";
import { Interface, makeError } from "ethers";
import { DelegatedStaking__factory, EpochDistributor__factory, EraToken__factory } from "../../../typechain-types";
import { decodeContractError, describeError } from "../../../src/sdk/errors";
import { isUnsupportedMethod, walletErrorCode } from "../../src/lib/wallets";

const ERA = 10n ** 18n;
const USER = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";
const token = new Interface(EraToken__factory.abi);
const staking = new Interface(DelegatedStaking__factory.abi);
const distributor = new Interface(EpochDistributor__factory.abi);

/** A revert as ethers reports it for a call or gas estimate through a wallet (CALL_EXCEPTION with data). */
function callException(data: string) {
  return makeError("execution reverted (unknown custom error)", "CALL_EXCEPTION", {
    action: "estimateGas",
    data,
    reason: null,
    transaction: { to: USER, data: "0x" },
    invocation: null,
    revert: null,
  });
}

describe("the sentences the staking page shows for errors", () => {
  it("turns an ERC-20 balance revert into amounts a person reads", () => {
    const data = token.encodeErrorResult("ERC20InsufficientBalance", [USER, 0n, 100n * ERA]);
    const decoded = decodeContractError(callException(data));
    expect(decoded?.errorName).to.equal("ERC20InsufficientBalance");
    expect(decoded?.args.needed).to.equal(100n * ERA);
    expect(describeError(callException(data))).to.equal(
      "Your ERA balance is 0 ERA, less than the 100 ERA this needs. Lower the amount or add ERA to this account first.",
    );
  });

  it("finds revert data however deeply a wallet nested it", () => {
    const data = staking.encodeErrorResult("StakingNothingToWithdraw", [USER, 2n]);
    const fromWallet = { code: -32603, message: "Internal JSON-RPC error.", data: { code: 3, data } };
    expect(describeError({ error: { info: { error: fromWallet } } })).to.equal(
      "Nothing has finished unbonding on node 2 yet. Wait until the unbonding countdown ends, then withdraw.",
    );
  });

  it("speaks of stake, not pool shares, when an undelegation is too large", () => {
    const tooMuch = staking.encodeErrorResult("StakingInsufficientStake", [USER, 1n, 10n ** 22n, 10n ** 21n]);
    expect(describeError(callException(tooMuch))).to.equal(
      "That is more than you have delegated to node 1. Undelegate at most the stake your position shows (or all of it).",
    );
    const nothing = staking.encodeErrorResult("StakingInsufficientStake", [USER, 3n, 1n, 0n]);
    expect(describeError(callException(nothing))).to.equal(
      "You have nothing delegated to node 3. Undelegate at most the stake your position shows (or all of it).",
    );
  });

  it("explains a claim that was already paid", () => {
    const data = distributor.encodeErrorResult("DistributorAlreadyClaimed", [4n, 7n]);
    expect(describeError(callException(data))).to.equal(
      "Claim #7 of epoch 4 was already paid. Nothing to do: each claim pays once.",
    );
  });

  it("says the user refused, whether the wallet's code or ethers' reached the page", () => {
    const sentence = "You rejected the request in your wallet. Nothing was sent.";
    expect(describeError({ code: 4001, message: "User rejected the request." })).to.equal(sentence);
    expect(
      describeError(
        makeError("user rejected action", "ACTION_REJECTED", { action: "signTypedData", reason: "rejected" }),
      ),
    ).to.equal(sentence);
  });

  it("uses a wallet's own message when ethers could not classify it, without hex blobs", () => {
    const unknown = makeError("could not coalesce error", "UNKNOWN_ERROR", {
      error: { code: -32603, message: `The wallet is on chain 1, not 31337 (tx 0x${"ab".repeat(40)}).` },
    });
    expect(describeError(unknown)).to.equal("The wallet is on chain 1, not 31337 (tx (data)).");
  });

  it("reads wallet error codes wherever ethers put them", () => {
    const unsupported = makeError("could not coalesce error", "UNKNOWN_ERROR", {
      error: { code: 4200, message: "ethers-unsupported: no eth_signTypedData_v4" },
    });
    expect(walletErrorCode(unsupported)).to.equal(4200);
    expect(isUnsupportedMethod(unsupported)).to.equal(true);
    expect(isUnsupportedMethod({ code: -32601, message: "the method eth_signTypedData_v4 does not exist" })).to.equal(
      true,
    );
    expect(
      isUnsupportedMethod(makeError("unsupported operation", "UNSUPPORTED_OPERATION", { operation: "signTypedData" })),
    ).to.equal(true);
  });

  it("never mistakes a refusal or a revert for a missing wallet method", () => {
    expect(isUnsupportedMethod({ code: 4001, message: "User rejected: method not supported by policy" })).to.equal(
      false,
    );
    const revert = callException(token.encodeErrorResult("ERC20InsufficientBalance", [USER, 0n, 1n]));
    expect(isUnsupportedMethod(revert)).to.equal(false);
  });
});
