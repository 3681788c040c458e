import { expect } from "chai";
import path from "node:path";
import type { ContractTransactionReceipt, Log } from "ethers";
import {
  DelegatedStaking__factory,
  EpochDistributor__factory,
  EraToken__factory,
  type DelegatedStaking,
  type EpochDistributor,
  type EraToken,
} from "../../../typechain-types";
import { serializeProofFile } from "../../../src/sdk/proofFile";
import {
  ACCOUNTS,
  advanceTime,
  DAY,
  ERA,
  hardhatAccount,
  publishRewardEpoch,
  writeProofFile,
} from "../../../scripts/app/localChain";
import { env, OUTPUT_DIR, screenshot } from "./environment";
import {
  connect,
  eventually,
  openApp,
  parseShownEra,
  settledActivity,
  textOf,
  waitForText,
  walletFor,
  type AppPage,
} from "./helpers";
import type { TestWallet } from "./testWallet";

/** One month as DESIGN.md §3 counts it: 365/12 days. */
const MONTH = (365 * DAY) / 12;
/** The page shows at most 4 decimals, cut: what it shows is at most this far below the exact amount. */
const SHOWN_PRECISION = 10n ** 14n;

function contracts() {
  const { addresses } = env().deployment;
  const provider = env().provider;
  return {
    token: EraToken__factory.connect(addresses.token, provider) as EraToken,
    staking: DelegatedStaking__factory.connect(addresses.staking, provider) as DelegatedStaking,
    distributor: EpochDistributor__factory.connect(addresses.distributor, provider) as EpochDistributor,
  };
}

/** The receipt of a transaction the page sent, checked to be mined successfully. */
async function receiptOf(hash: string): Promise<ContractTransactionReceipt> {
  const receipt = await env().provider.getTransactionReceipt(hash);
  expect(receipt, `receipt of ${hash}`).to.not.equal(null);
  expect(receipt?.status).to.equal(1);
  return receipt as ContractTransactionReceipt;
}

/** The one event `name` of the staking contract in a receipt. */
function stakingEvent(receipt: ContractTransactionReceipt, name: string) {
  const { staking } = contracts();
  const parsed = receipt.logs
    .filter((l: Log) => l.address === env().deployment.addresses.staking)
    .map((l: Log) => staking.interface.parseLog(l))
    .filter((e) => e?.name === name);
  expect(parsed, `${name} events`).to.have.length(1);
  return parsed[0]!;
}

/** What the page shows as an amount, as wei, checked against the exact on-chain value it stands for. */
function expectShown(text: string, exact: bigint) {
  const shown = parseShownEra(text);
  expect(shown <= exact && exact - shown < SHOWN_PRECISION, `page shows ${text}, chain holds ${exact} wei`).to.equal(
    true,
  );
}

describe("staking page, in Chromium against a Hardhat node", function () {
  this.timeout(180_000);

  describe("before a wallet connects", function () {
    let app: AppPage;
    before(async () => (app = await openApp(undefined)));
    after(() => app.close());

    it("lists the nodes with name, metadata, status, bond, total delegated, service score and APR", async () => {
      const { page } = app;
      const aurora = page.getByTestId("node-1");
      await waitForText(aurora.locator(".node-name"), "Aurora");
      expect(await textOf(aurora)).to.equal(
        "Aurora #1 Financial and enterprise scenarios, three regions. aurora.example Active 25,000 ERA 40,000 ERA " +
          "100.00% 12.00%",
      );
      expect(await textOf(page.getByTestId("node-2"))).to.equal(
        "Borealis #2 Lightweight scenarios, high throughput. Active 15,000 ERA 65,000 ERA 40.00% 9.60%",
      );
      expect(await textOf(page.getByTestId("node-3"))).to.equal(
        "Cygnus #3 New node, building its service record. Active 10,000 ERA 0 ERA 0.00% 8.00%",
      );
      expect(await textOf(page.getByLabel("Wallet"))).to.equal(
        "No wallet found in this browser. Install a browser wallet (any EIP-6963 or EIP-1193 wallet), then reload.",
      );
      await screenshot(page, "nodes-without-wallet");
    });

    it("sorts the nodes by any column, both ways", async () => {
      const { page } = app;
      const names = () => page.locator("tbody .node-name").allTextContents();
      expect(await names(), "default: APR, highest first").to.deep.equal(["Aurora", "Borealis", "Cygnus"]);
      await page.getByRole("button", { name: "APR" }).click();
      expect(await names()).to.deep.equal(["Cygnus", "Borealis", "Aurora"]);
      await page.getByRole("button", { name: "Total delegated" }).click();
      expect(await names()).to.deep.equal(["Borealis", "Aurora", "Cygnus"]);
      await page.getByRole("button", { name: "Bond" }).click();
      expect(await names()).to.deep.equal(["Aurora", "Borealis", "Cygnus"]);
      await page.getByRole("button", { name: "Bond" }).click();
      expect(await names()).to.deep.equal(["Cygnus", "Borealis", "Aurora"]);
      expect(await page.getByRole("columnheader", { name: "Bond" }).getAttribute("aria-sort")).to.equal("ascending");
    });
  });

  describe("connecting", function () {
    it("explains a refused connection, connects on the next try, and reconnects without a prompt after a reload", async () => {
      const wallet = await walletFor(19, 0n);
      const app = await openApp(wallet);
      try {
        const { page } = app;
        wallet.rejectNextCall("eth_requestAccounts");
        await page.getByRole("button", { name: "Connect ERA Test Wallet" }).click();
        await waitForText(page.locator(".notice-error"), "You rejected the request in your wallet. Nothing was sent.");
        expect(await page.getByTestId("account").count()).to.equal(0);

        await connect(page);
        expect(await page.locator(".notice-error").count()).to.equal(0);
        const prompts = wallet.calls.filter((m) => m === "eth_requestAccounts").length;
        await page.reload();
        await page.getByTestId("account").waitFor();
        expect(wallet.calls.filter((m) => m === "eth_requestAccounts").length, "prompts after reload").to.equal(
          prompts,
        );

        await page.getByRole("button", { name: "Disconnect" }).click();
        await page.reload();
        await page.getByRole("button", { name: "Connect ERA Test Wallet" }).waitFor();
        expect(await page.getByTestId("account").count()).to.equal(0);
      } finally {
        await app.close();
      }
    });
  });

  describe("a delegator's month: delegate, earn, claim, redelegate, undelegate, withdraw", function () {
    let app: AppPage;
    let wallet: TestWallet;
    let user: string;
    const borealis = 2n;
    const aurora = 1n;

    before(async () => {
      wallet = await walletFor(ACCOUNTS.sampleUser, 50_000n * ERA);
      user = wallet.address;
      app = await openApp(wallet);
    });
    after(() => app.close());

    it("connects through EIP-6963 and shows the account, its chain and its ERA balance", async () => {
      const { page } = app;
      await connect(page);
      expect(await page.getByTestId("account").getAttribute("title")).to.equal(user);
      expect(await textOf(page.getByTestId("wallet-chain"))).to.equal("Hardhat (local) (chain 31337)");
      await waitForText(page.getByTestId("balance"), "50,000 ERA");
      expect(await textOf(page.getByTestId("staked"))).to.equal("0 ERA");
    });

    it("delegates with one permit signature and one transaction, showing pending → confirmed with the hash", async () => {
      const { page } = app;
      const { staking, token } = contracts();
      const before = wallet.calls.length;
      await page.getByLabel("Node", { exact: true }).selectOption(borealis.toString());
      await page.getByLabel("Amount (ERA)").fill("10000");
      await page.getByRole("button", { name: "Delegate", exact: true }).click();

      const activity = await settledActivity(page, "Delegate 10,000 ERA to Borealis");
      expect(activity.status, activity.text).to.equal("confirmed");
      expect(wallet.callsSince(before)).to.deep.equal(["eth_signTypedData_v4", "eth_sendTransaction"]);
      expect(activity.hashes).to.have.length(1);
      const receipt = await receiptOf(activity.hashes[0]);
      expect(receipt.to).to.equal(env().deployment.addresses.staking);
      expect(stakingEvent(receipt, "Delegated").args.amount).to.equal(10_000n * ERA);

      expect(await staking.stakeOf(user, borealis)).to.equal(10_000n * ERA);
      expect(await token.balanceOf(user)).to.equal(40_000n * ERA);
      expect(await token.allowance(user, env().deployment.addresses.staking)).to.equal(0n);
      await waitForText(page.getByTestId("balance"), "40,000 ERA");
      await waitForText(page.getByTestId(`position-${borealis}`).getByTestId("position-stake"), "10,000 ERA");
      await waitForText(page.getByTestId("node-2").locator("td").nth(2), "75,000 ERA");
      await screenshot(page, "delegated");
    });

    it("shows the yield accruing once time passes: 80 ERA for 10,000 ERA over a month at 9.6%", async () => {
      const { page } = app;
      await advanceTime(env().provider, MONTH);
      const onChain = await contracts().staking.claimableYield(user, borealis);
      expect(onChain >= 80n * ERA && onChain < 80n * ERA + ERA / 100n, `claimable ${onChain}`).to.equal(true);
      const shown = await waitForText(
        page.getByTestId(`position-${borealis}`).getByTestId("position-yield"),
        /^80\.00\d\d ERA$/,
      );
      expect(parseShownEra(shown) >= onChain - SHOWN_PRECISION).to.equal(true);
      await waitForText(page.getByTestId("claimable"), /^80\.00\d\d ERA$/);
      await screenshot(page, "yield-accrued");
    });

    it("claims the yield into the wallet", async () => {
      const { page } = app;
      const { token, staking } = contracts();
      const balanceBefore = await token.balanceOf(user);
      await page.getByTestId(`position-${borealis}`).getByRole("button", { name: "Claim yield" }).click();

      const activity = await settledActivity(page, "Claim yield from Borealis");
      expect(activity.status, activity.text).to.equal("confirmed");
      const claimed = stakingEvent(await receiptOf(activity.hashes[0]), "YieldClaimed").args.amount as bigint;
      expect(claimed >= 80n * ERA && claimed < 80n * ERA + ERA / 100n, `claimed ${claimed}`).to.equal(true);
      const balance = await token.balanceOf(user);
      expect(balance).to.equal(balanceBefore + claimed);
      expect(await staking.settledYield(user)).to.equal(0n);
      await eventually(
        "the page's balance to include the yield",
        () => textOf(page.getByTestId("balance")),
        (t) => parseShownEra(t) > 40_000n * ERA,
      );
      expectShown(await textOf(page.getByTestId("balance")), balance);
    });

    it("claims the next yield and redelegates it to another node in one transaction", async () => {
      const { page } = app;
      const { token, staking } = contracts();
      await advanceTime(env().provider, 10 * DAY);
      const balanceBefore = await token.balanceOf(user);
      const card = page.getByTestId(`position-${borealis}`);
      await card.getByLabel("Redelegate the yield to").selectOption(aurora.toString());
      await card.getByRole("button", { name: "Claim and redelegate" }).click();

      const activity = await settledActivity(page, "Claim yield from Borealis and delegate it to Aurora");
      expect(activity.status, activity.text).to.equal("confirmed");
      const receipt = await receiptOf(activity.hashes[0]);
      const claimed = stakingEvent(receipt, "YieldClaimed").args.amount as bigint;
      expect(claimed > 0n).to.equal(true);
      expect(stakingEvent(receipt, "Delegated").args.amount).to.equal(claimed);
      expect(await staking.stakeOf(user, aurora)).to.equal(claimed);
      expect(await token.balanceOf(user)).to.equal(balanceBefore);
      expectShown(
        await waitForText(page.getByTestId(`position-${aurora}`).getByTestId("position-stake"), /ERA$/),
        claimed,
      );
    });

    it("undelegates part of the stake and counts down the 7-day unbonding", async () => {
      const { page } = app;
      const { staking } = contracts();
      const card = page.getByTestId(`position-${borealis}`);
      await card.getByLabel("Undelegate (ERA)").fill("4000");
      await card.getByRole("button", { name: "Undelegate", exact: true }).click();

      const activity = await settledActivity(page, "Undelegate 4,000 ERA from Borealis");
      expect(activity.status, activity.text).to.equal("confirmed");
      const receipt = await receiptOf(activity.hashes[0]);
      expect(stakingEvent(receipt, "UndelegationStarted").args.amount).to.equal(4_000n * ERA);
      expect(await staking.stakeOf(user, borealis)).to.equal(6_000n * ERA);
      const entries = await staking.unbondingsOf(user, borealis);
      expect(entries).to.have.length(1);
      const block = await env().provider.getBlock(receipt.blockNumber);
      expect(entries[0].releaseAt).to.equal(BigInt(block!.timestamp) + 7n * BigInt(DAY));

      const entry = card.getByTestId("unbonding-entry");
      const text = await waitForText(
        entry,
        /^4,000 ERA available in (6d 23h 5\dm|7d 0h 00m) \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/,
      );
      expect(text).to.include(new Date(Number(entries[0].releaseAt) * 1000).toISOString().slice(0, 10));
      expect(await card.getByRole("button", { name: "Withdraw (nothing ready yet)" }).isDisabled()).to.equal(true);
      await waitForText(page.getByTestId("unbonding"), "4,000 ERA");
      await screenshot(page, "unbonding");
    });

    it("withdraws the unbonded ERA once the countdown is over", async () => {
      const { page } = app;
      const { token, staking } = contracts();
      await advanceTime(env().provider, 7 * DAY);
      const card = page.getByTestId(`position-${borealis}`);
      await waitForText(card.getByTestId("unbonding-entry"), "4,000 ERA ready to withdraw");
      const balanceBefore = await token.balanceOf(user);
      await card.getByRole("button", { name: "Withdraw", exact: true }).click();

      const activity = await settledActivity(page, "Withdraw unbonded ERA from Borealis");
      expect(activity.status, activity.text).to.equal("confirmed");
      expect(stakingEvent(await receiptOf(activity.hashes[0]), "Withdrawn").args.amount).to.equal(4_000n * ERA);
      expect(await token.balanceOf(user)).to.equal(balanceBefore + 4_000n * ERA);
      expect(await staking.unbondingsOf(user, borealis)).to.have.length(0);
      await eventually(
        "the unbonding entry to go",
        () => card.getByTestId("unbonding-entry").count(),
        (n) => n === 0,
      );
      await waitForText(page.getByTestId("unbonding"), "0 ERA");
      expect(app.errors.map((e) => e.message)).to.deep.equal([]);
    });
  });

  describe("a wallet that cannot sign typed data", function () {
    it("delegates with an approval, then the delegation, and shows both transactions", async () => {
      const wallet = await walletFor(16, 1_000n * ERA, { signsTypedData: false });
      const app = await openApp(wallet);
      try {
        const { page } = app;
        await connect(page);
        await waitForText(page.getByTestId("balance"), "1,000 ERA");
        const before = wallet.calls.length;
        await page.getByLabel("Node", { exact: true }).selectOption("3");
        await page.getByLabel("Amount (ERA)").fill("100");
        await page.getByRole("button", { name: "Delegate", exact: true }).click();

        const activity = await settledActivity(page, "Delegate 100 ERA to Cygnus");
        expect(activity.status, activity.text).to.equal("confirmed");
        expect(wallet.callsSince(before)).to.deep.equal([
          "eth_signTypedData_v4",
          "eth_sendTransaction",
          "eth_sendTransaction",
        ]);
        expect(activity.text).to.match(/Approve ERA: 0x[0-9a-f]{64}.*Delegate: 0x[0-9a-f]{64}/);
        expect(activity.hashes).to.have.length(2);
        await receiptOf(activity.hashes[0]);
        await receiptOf(activity.hashes[1]);
        expect(await contracts().staking.stakeOf(wallet.address, 3n)).to.equal(100n * ERA);
        expect(await contracts().token.balanceOf(wallet.address)).to.equal(900n * ERA);
      } finally {
        await app.close();
      }
    });
  });

  describe("a wallet on another chain", function () {
    it("asks to switch, switches with wallet_switchEthereumChain, and notices a later change", async () => {
      const wallet = await walletFor(17, 1_000n * ERA, { chainId: 1 });
      const app = await openApp(wallet);
      try {
        const { page } = app;
        await connect(page);
        const notice = page.getByTestId("wrong-chain");
        expect(await textOf(notice)).to.equal(
          "Your wallet is on Ethereum (chain 1). This deployment is on Hardhat (local) (chain 31337): switch your " +
            "wallet to it to stake. Switch to Hardhat (local)",
        );
        expect(await page.getByRole("button", { name: "Delegate", exact: true }).count()).to.equal(0);
        expect(await page.getByTestId("balance").count()).to.equal(0);
        await screenshot(page, "wrong-chain");

        await page.getByRole("button", { name: "Switch to Hardhat (local)" }).click();
        await eventually(
          "the notice to go",
          () => notice.count(),
          (n) => n === 0,
        );
        expect(wallet.calls).to.include("wallet_switchEthereumChain");
        await waitForText(page.getByTestId("balance"), "1,000 ERA");
        expect(await page.getByRole("button", { name: "Delegate", exact: true }).isEnabled()).to.equal(true);

        await wallet.switchTo(137);
        await waitForText(notice, /^Your wallet is on chain 137\. This deployment is on Hardhat \(local\)/);
        expect(await page.getByRole("button", { name: "Delegate", exact: true }).count()).to.equal(0);
      } finally {
        await app.close();
      }
    });
  });

  describe("mistakes and refusals, in sentences", function () {
    let app: AppPage;
    let wallet: TestWallet;
    before(async () => {
      wallet = await walletFor(18, 500n * ERA);
      app = await openApp(wallet);
      await connect(app.page);
      await waitForText(app.page.getByTestId("balance"), "500 ERA");
      await app.page.getByLabel("Node", { exact: true }).selectOption("1");
    });
    after(() => app.close());

    async function delegate(amount: string) {
      await app.page.getByLabel("Amount (ERA)").fill(amount);
      await app.page.getByRole("button", { name: "Delegate", exact: true }).click();
    }
    const problem = () => app.page.locator("form").getByRole("alert");

    it("refuses a delegation above the balance before asking the wallet anything", async () => {
      const before = wallet.calls.length;
      await delegate("1000");
      await waitForText(problem(), "That is more than your balance of 500 ERA. Enter at most that.");
      expect(wallet.callsSince(before)).to.deep.equal([]);
      expect(await app.page.getByLabel("Amount (ERA)").getAttribute("aria-invalid")).to.equal("true");
      await screenshot(app.page, "over-balance");
    });

    it("explains amounts it cannot read", async () => {
      await delegate("1,5");
      await waitForText(problem(), "Use a dot for decimals and no thousands separators, e.g. 1000.5.");
      await delegate("0");
      await waitForText(problem(), "Enter an amount greater than zero.");
    });

    it("says so when the user rejects the signature, and sends nothing", async () => {
      wallet.rejectNextCall("eth_signTypedData_v4");
      const before = wallet.calls.length;
      await delegate("100");
      const activity = await settledActivity(app.page, "Delegate 100 ERA to Aurora");
      expect(activity.status).to.equal("failed");
      expect(activity.text).to.include("You rejected the request in your wallet. Nothing was sent.");
      expect(wallet.callsSince(before)).to.deep.equal(["eth_signTypedData_v4"]);
      expect(await contracts().staking.stakeOf(wallet.address, 1n)).to.equal(0n);
    });

    it("decodes the revert when the balance was spent elsewhere while the user was signing", async () => {
      const { token } = contracts();
      wallet.duringNextSignature(async () => {
        const spender = token.connect(hardhatAccount(18, env().provider));
        await (await spender.transfer(hardhatAccount(ACCOUNTS.treasury).address, 500n * ERA)).wait();
      });
      await delegate("100");
      const activity = await settledActivity(app.page, "Delegate 100 ERA to Aurora");
      expect(activity.status).to.equal("failed");
      expect(activity.text).to.include(
        "Your ERA balance is 0 ERA, less than the 100 ERA this needs. Lower the amount or add ERA to this account first.",
      );
      expect(activity.text).to.not.match(/0x[0-9a-fA-F]{8}/);
      expect(activity.hashes).to.deep.equal([]);
      expect(await token.balanceOf(wallet.address)).to.equal(0n);
      expect(await contracts().staking.stakeOf(wallet.address, 1n)).to.equal(0n);
      await screenshot(app.page, "revert-explained");
    });
  });

  describe("claims from the indexer's proof file", function () {
    let app: AppPage;
    let wallet: TestWallet;
    const proofsDir = path.join(OUTPUT_DIR, "proofs");
    before(async () => {
      wallet = await walletFor(19, 0n);
      app = await openApp(wallet);
      await connect(app.page);
    });
    after(() => app.close());

    it("claims a reward leaf from a picked file and then shows it as claimed", async () => {
      const { page } = app;
      const { token, distributor } = contracts();
      const file = await publishRewardEpoch(env().provider, env().deployment.addresses, [
        { account: hardhatAccount(12).address, amount: 75n * ERA },
        { account: wallet.address, amount: 250n * ERA },
      ]);
      const balanceBefore = await token.balanceOf(wallet.address);
      await page.getByLabel("Proof file").setInputFiles(writeProofFile(proofsDir, file));
      const claim = page.getByTestId("claim");
      await waitForText(claim, /^Claim #1: 250 ERA Ready to claim\./);
      await claim.getByRole("button", { name: "Claim", exact: true }).click();

      const activity = await settledActivity(page, `Claim reward #1 of epoch ${file.epochId} (250 ERA)`);
      expect(activity.status, activity.text).to.equal("confirmed");
      await receiptOf(activity.hashes[0]);
      expect(await token.balanceOf(wallet.address)).to.equal(balanceBefore + 250n * ERA);
      expect(await distributor.isClaimed(file.epochId, 1n)).to.equal(true);
      expect(await distributor.isClaimed(file.epochId, 0n)).to.equal(false);
      await waitForText(claim, "Claim #1: 250 ERA Already claimed.");
    });

    it("claims a pasted reward leaf and delegates it to a node in one transaction", async () => {
      const { page } = app;
      const { token, staking } = contracts();
      const file = await publishRewardEpoch(env().provider, env().deployment.addresses, [
        { account: wallet.address, amount: 40n * ERA },
      ]);
      const balanceBefore = await token.balanceOf(wallet.address);
      await page.getByLabel("…or paste its JSON").fill(serializeProofFile(file));
      await page.getByRole("button", { name: "Read pasted proof" }).click();
      const claim = page.getByTestId("claim");
      await waitForText(claim, /^Claim #0: 40 ERA Ready to claim\./);
      await claim.getByLabel("Delegate the reward to").selectOption("1");
      await claim.getByRole("button", { name: "Claim and delegate" }).click();

      const activity = await settledActivity(page, "Claim reward #0 of epoch");
      expect(activity.status, activity.text).to.equal("confirmed");
      expect(activity.text).to.include("(40 ERA) and delegate it to Aurora");
      await receiptOf(activity.hashes[0]);
      expect(await staking.stakeOf(wallet.address, 1n)).to.equal(40n * ERA);
      expect(await token.balanceOf(wallet.address)).to.equal(balanceBefore);
      await screenshot(page, "proof-claimed");
    });

    it("shows when an epoch is not open yet, and when a file has no claim for the account", async () => {
      const { page } = app;
      const pending = await publishRewardEpoch(
        env().provider,
        env().deployment.addresses,
        [{ account: wallet.address, amount: 5n * ERA }],
        { open: false },
      );
      await page.getByLabel("…or paste its JSON").fill(serializeProofFile(pending));
      await page.getByRole("button", { name: "Read pasted proof" }).click();
      const epoch = await contracts().distributor.getEpoch(pending.epochId);
      const opens = new Date(Number(epoch.opensAt) * 1000).toISOString();
      await waitForText(
        page.getByTestId("claim"),
        `Claim #0: 5 ERA Claims open at ${opens.slice(0, 10)} ${opens.slice(11, 16)} UTC, after the epoch's dispute window.`,
      );
      expect(await page.getByTestId("claim").getByRole("button").count()).to.equal(0);

      const others = await publishRewardEpoch(env().provider, env().deployment.addresses, [
        { account: hardhatAccount(12).address, amount: ERA },
      ]);
      await page.getByLabel("…or paste its JSON").fill(serializeProofFile(others));
      await page.getByRole("button", { name: "Read pasted proof" }).click();
      await waitForText(
        page.getByTestId("proof-file").getByRole("status"),
        `This file has no claim for ${wallet.address}.`,
      );
    });

    it("rejects a file of another chain and a malformed file, naming the problem", async () => {
      const { page } = app;
      const file = await publishRewardEpoch(env().provider, env().deployment.addresses, [
        { account: wallet.address, amount: ERA },
      ]);
      const foreign = JSON.parse(serializeProofFile(file)) as Record<string, unknown>;
      foreign.chainId = "1";
      await page.getByLabel("…or paste its JSON").fill(JSON.stringify(foreign));
      await page.getByRole("button", { name: "Read pasted proof" }).click();
      const alert = page.locator("section", { has: page.getByLabel("Proof file") }).getByRole("alert");
      await waitForText(
        alert,
        "This proof file is for Ethereum (chain 1), but this page is on Hardhat (local) (chain 31337). Open the " +
          "page of that network, or use this network's file.",
      );
      expect(await page.getByTestId("proof-file").count()).to.equal(0);

      await page.getByLabel("…or paste its JSON").fill(JSON.stringify({ version: 1, kind: "reward" }));
      await page.getByRole("button", { name: "Read pasted proof" }).click();
      await waitForText(
        alert,
        /^Not a valid ERA proof file: chainId: .+ Use the file the indexer wrote for the epoch, unchanged\.$/,
      );
    });
  });

  describe("on a phone, with the keyboard only", function () {
    it("connects, picks a node and delegates without a mouse, with no horizontal scrolling", async () => {
      const wallet = await walletFor(12, 1_000n * ERA);
      const app = await openApp(wallet, { width: 390, height: 844 });
      try {
        const { page } = app;
        await page.getByTestId("node-1").waitFor();
        await page.keyboard.press("Tab");
        expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal("Skip to content");
        await page.keyboard.press("Tab");
        expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).to.equal(
          "Connect ERA Test Wallet",
        );
        await page.keyboard.press("Enter");
        await page.getByTestId("account").waitFor();
        await waitForText(page.getByTestId("balance"), "1,000 ERA");

        // Every stop of the focus order is something visible on the phone.
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        const stops: string[] = [];
        for (let i = 0; i < 30; i++) {
          await page.keyboard.press("Tab");
          const stop = await page.evaluate(() => {
            const el = document.activeElement as HTMLElement | null;
            if (!el || el === document.body) return null;
            const box = el.getBoundingClientRect();
            return {
              name: el.getAttribute("aria-label") ?? el.textContent?.trim() ?? el.id,
              visible: box.width > 0 && box.height > 0,
            };
          });
          if (!stop) break;
          expect(stop.visible, `focus stop "${stop.name}" is visible`).to.equal(true);
          stops.push(stop.name);
        }
        expect(stops).to.include.members(["Disconnect", "Delegate to Aurora", "Delegate to Cygnus", "Max"]);

        await page.getByRole("button", { name: "Delegate to Cygnus" }).focus();
        await page.keyboard.press("Enter");
        expect(
          await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent),
        ).to.equal("Amount (ERA)");
        expect(await page.getByLabel("Node", { exact: true }).inputValue()).to.equal("3");
        await page.keyboard.type("25");
        await page.keyboard.press("Enter");
        const activity = await settledActivity(page, "Delegate 25 ERA to Cygnus");
        expect(activity.status, activity.text).to.equal("confirmed");
        expect(await contracts().staking.stakeOf(wallet.address, 3n)).to.equal(25n * ERA);
        await waitForText(page.getByTestId("position-3").getByTestId("position-stake"), "25 ERA");

        const overflowing = await page.evaluate(() =>
          [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${el.textContent?.slice(0, 40)}`),
        );
        expect(overflowing, "elements wider than the phone's screen").to.deep.equal([]);
        await screenshot(page, "phone");
      } finally {
        await app.close();
      }
    });
  });

  describe("privacy", function () {
    it("requested nothing but its own files and the chain's RPC in any of the pages above", () => {
      const allowed = new Set([new URL(env().appUrl).origin, new URL(env().node.rpcUrl).origin]);
      const elsewhere = env().requests.filter((url) => !url.startsWith("data:") && !allowed.has(new URL(url).origin));
      expect(env().requests.length).to.be.greaterThan(0);
      expect(elsewhere).to.deep.equal([]);
    });
  });
});
