import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { formatBps, formatDuration, formatEra } from "../../../src/cli/format";
import { parseAddress, parseAmount, parseAmountOrAll, parseBytes32, parseId } from "../../../src/cli/parse";
import { UsageError } from "../../../src/cli/errors";
import { devAccount, ERA, eraInProcess } from "./helpers";

/** The message and hint of the usage error `fn` throws. */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError);
    return (e as UsageError).text;
  }
  expect.fail("no error was thrown");
}

/** The CLI's parsing and formatting of values, and what `era deploy` asks before touching a non-development chain. */
describe("era CLI: values", function () {
  describe("amounts", function () {
    it("reads ERA as decimal numbers, exactly", function () {
      expect(parseAmount("1.5")).to.equal(ERA + ERA / 2n);
      expect(parseAmount("1000")).to.equal(1_000n * ERA);
      expect(parseAmount(" 0.000000000000000001 ")).to.equal(1n);
      expect(parseAmountOrAll("ALL")).to.equal("all");
    });

    for (const [input, problem] of [
      ["-1", /is negative/],
      ["abc", /is not a number of ERA/],
      ["1,5", /no commas/],
      ["1e18", /no exponent/],
      [".5", /is not a number of ERA/],
      ["0.0", /is zero/],
      ["1.0000000000000000001", /has 19 decimals/],
      ["1".repeat(80), /is too large/],
    ] as const) {
      it(`refuses "${input.length > 20 ? `${input.slice(0, 20)}…` : input}" with a usage error naming the problem`, function () {
        expect(usageError(() => parseAmount(input))).to.match(problem);
      });
    }
  });

  describe("addresses, ids and hashes", function () {
    it("checksums addresses and refuses a wrong checksum with its own hint", function () {
      const a = devAccount(1).address;
      expect(parseAddress(a.toLowerCase())).to.equal(a);
      const letter = a.slice(2).search(/[a-fA-F]/) + 2; // flip the case of one letter: the checksum breaks
      const flipped = a[letter] === a[letter].toUpperCase() ? a[letter].toLowerCase() : a[letter].toUpperCase();
      const broken = a.slice(0, letter) + flipped + a.slice(letter + 1);
      expect(usageError(() => parseAddress(broken))).to.match(/checksum is wrong/);
      expect(usageError(() => parseAddress("0x12"))).to.match(/40 hex digits/);
    });

    it("takes ids from 1 and 32-byte hex values only", function () {
      expect(parseId("12")).to.equal(12n);
      expect(usageError(() => parseId("0"))).to.match(/from 1 up/);
      expect(usageError(() => parseId("1.5"))).to.match(/not a valid id/);
      expect(parseBytes32(`0x${"AB".repeat(32)}`)).to.equal(`0x${"ab".repeat(32)}`);
      expect(usageError(() => parseBytes32("0xabcd"))).to.match(/64 hex digits/);
    });
  });

  describe("formatting", function () {
    it("prints every decimal of an amount, grouped by thousands", function () {
      expect(formatEra(1_234_567n * ERA + ERA / 2n)).to.equal("1,234,567.5 ERA");
      expect(formatEra(1n)).to.equal("0.000000000000000001 ERA");
      expect(formatEra(-(1_000n * ERA))).to.equal("-1,000 ERA");
      expect(formatEra(0n)).to.equal("0 ERA");
    });

    it("prints basis points as percentages and durations in their largest units", function () {
      expect(formatBps(960n)).to.equal("9.6%");
      expect(formatBps(1_200)).to.equal("12%");
      expect(formatDuration(7 * 86_400 + 3_600)).to.equal("7d 1h");
      expect(formatDuration(59)).to.equal("59s");
    });
  });

  describe("deploy to a chain that is not a development chain", function () {
    let server: Server;
    let url: string;

    before(async function () {
      // Answers eth_chainId with 5 (and nothing else): enough to reach every check made before sending.
      server = createServer((req, res) => {
        req.resume();
        req.on("end", () =>
          res.writeHead(200, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":1,"result":"0x5"}'),
        );
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    after(function () {
      server.close();
    });

    const env = () => ({ ERA_RPC_URL: url, ERA_PRIVATE_KEY: devAccount(0).privateKey });

    it("has no default parameters there", async function () {
      const r = await eraInProcess(["deploy"], { env: env() });
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/Chain 5 is not a development chain.*--parameters deploy\/parameters\/<network>\.json/);
    });

    it("needs --yes when no one can confirm, and stops when the answer is no", async function () {
      const args = ["deploy", "--parameters", "deploy/parameters/testnet.json"];
      const unattended = await eraInProcess(args, { env: env() });
      expect(unattended.code).to.equal(2);
      expect(unattended.stderr).to.match(/Deploying to chain 5 needs confirmation\. Pass --yes/);

      const questions: string[] = [];
      const declined = await eraInProcess(args, {
        env: env(),
        confirm: async (q) => {
          questions.push(q);
          return false;
        },
      });
      expect(declined.code).to.equal(2);
      expect(declined.stderr).to.match(/Deployment cancelled\. Nothing was sent\./);
      expect(questions).to.deep.equal([`Deploy the ERA suite to chain 5 at ${url} from ${devAccount(0).address}?`]);
    });
  });
});
