import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Transaction, makeError, type Provider } from "ethers";
import { EraContractError } from "../../../src/sdk/errors";
import { ExecutionMode } from "../../../src/sdk/economy";
import { classifyRpcError, RpcUnavailableError } from "../../../src/node/rpc";
import { GasCapError, TxSender, type SignedTx, type TxSenderOptions } from "../../../src/node/sender";
import type { TxRequest } from "../../../src/node/types";
import type { HubFixture } from "../../execution/hub/helpers";
import { STANDARD_SCENARIO, eventually, signedActions, standardFixture, users } from "./helpers";

const S = STANDARD_SCENARIO;

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

/** The in-process provider with some methods replaced. */
function withMethods(target: Provider, methods: Record<string, (...args: never[]) => Promise<unknown>>): Provider {
  return new Proxy(target, {
    get(t, prop) {
      if (typeof prop === "string" && prop in methods) return methods[prop];
      const value: unknown = Reflect.get(t, prop, t);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

describe("TxSender", function () {
  let f: HubFixture;

  beforeEach(async function () {
    f = await loadFixture(standardFixture);
  });

  afterEach(async function () {
    await network.provider.send("evm_setIntervalMining", [0]);
    await network.provider.send("evm_setAutomine", [true]);
  });

  function sender(overrides: Partial<TxSenderOptions> = {}): TxSender {
    return new TxSender({
      provider: ethers.provider,
      signer: f.node1Key,
      chainId: f.chainId,
      gasBufferPercent: 20,
      maxGasPerTx: 16_777_216n,
      feeBumpPercent: 12.5,
      maxFeePerGas: ethers.parseUnits("1000", "gwei"),
      stuckAfterMs: 60_000,
      pollIntervalMs: 20,
      confirmations: 1,
      retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
      ...overrides,
    });
  }

  /** A standard batch of `count` fresh actions (nonces from `firstNonce`) under `label`. */
  async function batch(label: string, count = 2, firstNonce = 1): Promise<TxRequest> {
    const actions = await signedActions(f.hubDomain, S, users(2, label), count, firstNonce);
    return {
      to: f.addresses.executionHub,
      data: f.executionHub.interface.encodeFunctionData("submitStandard", [S, ethers.id(label), actions]),
      label: "standard-batch",
    };
  }

  it("signs consecutive nonces from the chain's pending nonce, and reads it again after another sender used the key", async function () {
    const s = sender();
    const start = await ethers.provider.getTransactionCount(f.node1Key.address, "pending");
    const r1 = await s.submit(await batch("a"));
    // Someone else sends with the same key: the sender's next nonce is taken.
    await f.node1Key.sendTransaction({ to: f.node1Key.address, value: 0n });
    const r2 = await s.submit(await batch("b"));
    const [t1, t2] = await Promise.all([r1, r2].map((r) => ethers.provider.getTransaction(r.hash)));
    expect(t1!.nonce).to.equal(start);
    expect(t2!.nonce).to.equal(start + 2);
    expect([r1.status, r2.status]).to.deep.equal([1, 1]);
  });

  it("sets the gas limit to the estimate plus the buffer, and refuses a transaction above the per-transaction cap", async function () {
    const req = await batch("gas", 4);
    const estimate = await ethers.provider.estimateGas({ from: f.node1Key.address, to: req.to, data: req.data });
    expect(await sender({ gasBufferPercent: 25 }).gasLimitFor(req)).to.equal((estimate * 125n) / 100n);
    const capped = sender({ maxGasPerTx: estimate - 1n });
    const error = await capped.submit(req).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(GasCapError);
    expect((error as GasCapError).message).to.match(/needs \d+ gas, more than the \d+ one transaction may use/);
  });

  it("retries a broadcast whose answer was lost with the same bytes: one transaction, counted as an RPC error", async function () {
    let lost = 0;
    const flaky = withMethods(ethers.provider, {
      broadcastTransaction: async (raw: string) => {
        const sent = await ethers.provider.broadcastTransaction(raw);
        if (lost++ === 0) throw makeError("socket hang up", "NETWORK_ERROR", { event: "send" });
        return sent;
      },
    });
    const errors: string[] = [];
    const signed: SignedTx[] = [];
    const start = await ethers.provider.getTransactionCount(f.node1Key.address);
    const receipt = await sender({
      provider: flaky,
      hooks: { rpcError: (method, kind) => errors.push(`${method}:${kind}`) },
    }).submit(await batch("lost"), { onSigned: (tx) => void signed.push(tx) });
    expect(receipt.status).to.equal(1);
    expect(signed).to.have.length(1);
    expect(receipt.hash).to.equal(signed[0].hash);
    expect(await ethers.provider.getTransactionCount(f.node1Key.address)).to.equal(start + 1);
    expect(errors[0]).to.equal("eth_sendRawTransaction:transient");
  });

  it("gives up on a request that keeps failing with RpcUnavailableError, after the configured tries", async function () {
    let calls = 0;
    const down = withMethods(ethers.provider, {
      estimateGas: async () => {
        calls++;
        throw coded("connect ECONNREFUSED 127.0.0.1:8545", "UNKNOWN_ERROR");
      },
    });
    const error = await sender({ provider: down })
      .submit(await batch("down"))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).to.be.instanceOf(RpcUnavailableError);
    expect((error as Error).message).to.match(
      /^The RPC endpoint failed 4 time\(s\) on eth_estimateGas: connect ECONNREFUSED/,
    );
    expect(calls).to.equal(4);
  });

  it("surfaces a revert as a decoded EraContractError and sends nothing", async function () {
    const req = await batch("used");
    await sender().submit(req);
    const nonce = await ethers.provider.getTransactionCount(f.node1Key.address);
    const signed: SignedTx[] = [];
    const error = await sender()
      .submit(req, { onSigned: (tx) => void signed.push(tx) })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).to.be.instanceOf(EraContractError);
    expect((error as EraContractError).errorName).to.equal("ExecutionBatchUsed");
    expect((error as EraContractError).message).to.match(/^Batch 0x[0-9a-f]{64} was applied already\.$/);
    expect(signed).to.have.length(0);
    expect(await ethers.provider.getTransactionCount(f.node1Key.address)).to.equal(nonce);
  });

  it("decodes a transaction that reverted on chain because the state changed after its simulation", async function () {
    await network.provider.send("evm_setAutomine", [false]);
    const signed: SignedTx[] = [];
    const pending = sender()
      .submit(await batch("switched"), { onSigned: (tx) => void signed.push(tx) })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await eventually("sent", () => signed.length === 1);
    // The owner switches the scenario's mode, paying more: mined first in the same block.
    const fee = ethers.parseUnits("100", "gwei");
    await f.scenarioRegistry
      .connect(f.developer)
      .setMode(S, ExecutionMode.Lightweight, { maxFeePerGas: fee, maxPriorityFeePerGas: fee });
    await network.provider.send("evm_mine", []);
    const error = await pending;
    expect(error).to.be.instanceOf(EraContractError);
    expect((error as EraContractError).errorName).to.equal("ExecutionModeMismatch");
    expect((await ethers.provider.getTransactionReceipt(signed[0].hash))?.status).to.equal(0);
  });

  it("resubmits a stuck transaction with the same nonce and fees raised by at least 12.5%", async function () {
    await network.provider.send("evm_setAutomine", [false]);
    const signed: SignedTx[] = [];
    const bumps: string[] = [];
    const s = sender({ stuckAfterMs: 150, hooks: { feeBumped: (label) => bumps.push(label) } });
    const pending = s.submit(await batch("stuck"), { onSigned: (tx) => void signed.push(tx) });
    await eventually("a resubmission", () => signed.length >= 2);
    await network.provider.send("evm_mine", []);
    const receipt = await pending;
    expect(receipt.status).to.equal(1);
    const [first, second] = signed;
    expect(second.nonce).to.equal(first.nonce);
    expect(second.maxFeePerGas * 1000n).to.be.gte(first.maxFeePerGas * 1125n);
    expect(second.maxPriorityFeePerGas * 1000n).to.be.gte(first.maxPriorityFeePerGas * 1125n);
    expect(signed.map((t) => t.hash)).to.include(receipt.hash);
    expect(receipt.hash).to.not.equal(first.hash);
    expect(bumps.length).to.be.gte(1);
    expect(await ethers.provider.getTransactionCount(f.node1Key.address)).to.equal(first.nonce + 1);
  });

  it("does not raise fees past maxFeePerGas: the stuck transaction waits and is mined as first sent", async function () {
    await network.provider.send("evm_setAutomine", [false]);
    const market = await ethers.provider.getFeeData();
    const signed: SignedTx[] = [];
    const s = sender({ stuckAfterMs: 100, maxFeePerGas: market.maxFeePerGas! });
    const pending = s.submit(await batch("capped"), { onSigned: (tx) => void signed.push(tx) });
    await eventually("sent", () => signed.length === 1);
    // Several stuck periods pass without a resubmission.
    await new Promise((r) => setTimeout(r, 500));
    expect(signed).to.have.length(1);
    expect(signed[0].maxFeePerGas).to.equal(market.maxFeePerGas);
    await network.provider.send("evm_mine", []);
    expect((await pending).hash).to.equal(signed[0].hash);
  });

  it("works under interval mining: concurrent submissions get consecutive nonces and all confirm", async function () {
    await network.provider.send("evm_setAutomine", [false]);
    await network.provider.send("evm_setIntervalMining", [200]);
    const s = sender();
    const start = await ethers.provider.getTransactionCount(f.node1Key.address, "pending");
    const receipts = await Promise.all(["i1", "i2", "i3"].map(async (l) => s.submit(await batch(l))));
    const nonces = await Promise.all(receipts.map(async (r) => (await ethers.provider.getTransaction(r.hash))!.nonce));
    expect(nonces.sort()).to.deep.equal([start, start + 1, start + 2]);
    expect(receipts.every((r) => r.status === 1)).to.equal(true);
  });

  it("resumes a transaction an earlier run left pending, and reports none when it can no longer land", async function () {
    await network.provider.send("evm_setAutomine", [false]);
    const signed: SignedTx[] = [];
    const first = sender({ stuckAfterMs: 100 });
    const abort = new AbortController();
    const abandoned = first.submit(await batch("resume"), {
      onSigned: (tx) => void signed.push(tx),
      signal: abort.signal,
    });
    await eventually("sent", () => signed.length === 1);
    abort.abort();
    await abandoned.catch(() => undefined);
    // A new run with the journaled hash picks it up and bumps it while stuck.
    const again = sender({ stuckAfterMs: 100 });
    const resumed = again.resume("standard-batch", signed.slice(0, 1), { onSigned: (tx) => void signed.push(tx) });
    await eventually("a resubmission", () => signed.length >= 2);
    await network.provider.send("evm_mine", []);
    const receipt = await resumed;
    expect(receipt?.status).to.equal(1);
    expect(await again.settled(signed)).to.equal(true);
    expect(await again.resume("standard-batch", [{ hash: ethers.id("unknown"), nonce: 0 }])).to.equal(undefined);
  });

  it("retires a signed transaction the node never saw, so that it can never be mined later", async function () {
    const s = sender();
    const req = await batch("never-sent");
    const nonce = await ethers.provider.getTransactionCount(f.node1Key.address, "pending");
    const fees = await ethers.provider.getFeeData();
    const raw = await f.node1Key.signTransaction({
      type: 2,
      chainId: f.chainId,
      nonce,
      to: req.to,
      data: req.data,
      gasLimit: 1_000_000n,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    const signed = [{ hash: Transaction.from(raw).hash!, nonce }];
    expect(await s.settled(signed)).to.equal(false);
    await s.retire(signed);
    expect(await s.settled(signed)).to.equal(true);
    expect(await ethers.provider.getTransactionCount(f.node1Key.address)).to.equal(nonce + 1);
    const late = await ethers.provider.broadcastTransaction(raw).then(
      () => "mined",
      (e: unknown) => classifyRpcError(e),
    );
    expect(late).to.equal("nonce-too-low");
    expect((await f.executionHub.batchOf(ethers.id("never-sent"))).used).to.equal(false);
  });

  describe("classifyRpcError", function () {
    const cases: [string, unknown, string][] = [
      ["a revert with data", { data: "0x12345678" }, "revert"],
      ["nonce too low (Hardhat)", new Error("Nonce too low. Expected nonce to be 5 but got 4."), "nonce-too-low"],
      ["a replacement underpriced", coded("replacement fee too low", "REPLACEMENT_UNDERPRICED"), "underpriced"],
      ["a known transaction", new Error("Known transaction: 0xabc"), "already-known"],
      ["insufficient funds", coded("insufficient funds", "INSUFFICIENT_FUNDS"), "insufficient-funds"],
      ["a timeout", coded("request timeout", "TIMEOUT"), "transient"],
      ["a 503", new Error("bad response (status=503)"), "transient"],
      ["an invalid argument", coded("invalid address", "INVALID_ARGUMENT"), "permanent"],
    ];
    for (const [what, error, kind] of cases) {
      it(`sorts ${what} as ${kind}`, function () {
        expect(classifyRpcError(error)).to.equal(kind);
      });
    }
  });
});
