import { expect } from "chai";
import { ZeroHash, getAddress, id } from "ethers";
import { PrecheckUnavailableError, type AcceptResult } from "../../../src/executor/executor";
import { parseJobFile, JobFileError } from "../../../src/executor/import";
import { startIntakeServer, type IntakeServer, type JobService } from "../../../src/executor/intake";
import type { Job } from "../../../src/executor/types";
import { http, silent } from "./helpers";

const A = "0x1111111111111111111111111111111111111111";
const B = "0x2222222222222222222222222222222222222222";
const T = "0x3333333333333333333333333333333333333333";
const SIG = `0x${"ab".repeat(65)}`;

const ACTION = { kind: "action", scenarioId: "3", user: A, nonce: 1, payload: "42", signature: SIG };
const SETTLEMENT = {
  kind: "settlement",
  scenarioId: "1",
  path: "atomic",
  id: id("s1"),
  legs: [
    { payer: A, payee: B, token: T, amount: "100" },
    { payer: B, payee: A, token: T, amount: "40" },
    { payer: A, payee: B, token: T, amount: "5" },
  ],
  deadline: "1700000000",
  hashlock: ZeroHash,
  signatures: [SIG, SIG],
};
const RESULT = { kind: "result", scenarioId: "2", subjectId: id("subject"), resultHash: id("result") };

type Body = Record<string, unknown>;
const set = (base: Body, path: (string | number)[], value: unknown): Body => {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
};

/** (body, the field and the sentence the 400 must name). */
const INVALID: [string, Body, string][] = [
  ["an unknown kind", { ...ACTION, kind: "like" }, "kind: must be one of action, settlement, result"],
  ["a missing scenarioId", set(ACTION, ["scenarioId"], undefined), "scenarioId: is required"],
  ["a number for a bigint", set(ACTION, ["scenarioId"], 3), "scenarioId: must be a decimal integer string"],
  ["scenario 0", set(ACTION, ["scenarioId"], "0"), "scenarioId: must be a scenario id (1 or more)"],
  ["a short address", set(ACTION, ["user"], "0x1234"), "user: must be a 0x-prefixed 20-byte address"],
  [
    "a bad checksum",
    set(ACTION, ["user"], "0xAbcdef1111111111111111111111111111111111"),
    "user: has a bad checksum: check the address, or write it all in lowercase",
  ],
  ["a negative nonce", set(ACTION, ["nonce"], -1), "nonce: must be a whole number from 0 to 4294967295"],
  ["a fractional nonce", set(ACTION, ["nonce"], 1.5), "nonce: must be a whole number from 0 to 4294967295"],
  ["an exponent", set(ACTION, ["payload"], "1e3"), "payload: must be a decimal integer string"],
  ["a payload past 64 bits", set(ACTION, ["payload"], (1n << 64n).toString()), "payload: must be below 2^64"],
  [
    "a short signature",
    set(ACTION, ["signature"], "0x1234"),
    "signature: must be a 65-byte signature, 0x followed by 130 hex digits",
  ],
  [
    "an unknown field",
    { ...ACTION, fee: "1" },
    "fee: is not a field of this job kind: remove it or check its spelling",
  ],
  [
    "a fractional amount",
    set(SETTLEMENT, ["legs", 2, "amount"], "1.5"),
    "legs.2.amount: must be a decimal integer string",
  ],
  ["a zero amount", set(SETTLEMENT, ["legs", 0, "amount"], "0"), "legs.0.amount: must be greater than zero"],
  ["a bad payer", set(SETTLEMENT, ["legs", 1, "payer"], "bob"), "legs.1.payer: must be a 0x-prefixed 20-byte address"],
  ["a missing token", set(SETTLEMENT, ["legs", 1, "token"], undefined), "legs.1.token: is required"],
  ["no legs", set(SETTLEMENT, ["legs"], []), "legs: must hold at least one leg"],
  ["a short id", set(SETTLEMENT, ["id"], "0x01"), "id: must be 0x followed by 64 hex digits"],
  ["a negative deadline", set(SETTLEMENT, ["deadline"], "-1"), "deadline: must be a decimal integer string"],
  ["an unknown path", set(SETTLEMENT, ["path"], "later"), 'path: must be "atomic" or "lock"'],
  [
    "a hashlock on an atomic settlement",
    set(SETTLEMENT, ["hashlock"], id("lock")),
    "hashlock: must be zero (0x00…00) for path atomic",
  ],
  [
    "one signature for two payers",
    set(SETTLEMENT, ["signatures"], [SIG]),
    "signatures: must hold one signature per distinct payer, in order of first appearance (2), not 1",
  ],
  [
    "a preimage that does not open the hashlock",
    { ...SETTLEMENT, path: "lock", hashlock: id("lock"), preimage: id("other") },
    "preimage: does not hash to hashlock (keccak256(abi.encode(preimage)))",
  ],
  ["a missing subject", set(RESULT, ["subjectId"], undefined), "subjectId: is required"],
  ["a bad result hash", set(RESULT, ["resultHash"], "0xzz"), "resultHash: must be 0x followed by 64 hex digits"],
];

describe("executor intake API", function () {
  let server: IntakeServer;
  let accepted: Job[][];
  let answer: (jobs: readonly Job[]) => Promise<AcceptResult[]>;

  const service: JobService = {
    accept: (jobs) => {
      accepted.push([...jobs]);
      return answer(jobs);
    },
    job: () => undefined,
    list: () => ({ jobs: [] }),
  };

  beforeEach(async function () {
    accepted = [];
    answer = async (jobs) => jobs.map((_, i) => ({ outcome: "accepted" as const, id: `job-${i}` }));
    server = await startIntakeServer({
      host: "127.0.0.1",
      port: 0,
      service,
      maxRequestBytes: 4_096,
      maxJobsPerRequest: 3,
      logger: silent,
    });
  });

  afterEach(async function () {
    await server.close();
  });

  describe("refuses an invalid job with a 400 naming the field", function () {
    for (const [what, body, message] of INVALID) {
      it(`${what} → ${message.split(":")[0]}`, async function () {
        const res = await http<{ error: { code: string; message: string } }>("POST", `${server.url}/jobs`, body);
        expect(res.status).to.equal(400);
        expect(res.body.error).to.include({ code: "invalid", message });
        expect(accepted).to.deep.equal([]);
      });
    }

    it("names the job's index in a list, and takes none of the list", async function () {
      const res = await http<{ error: { message: string } }>("POST", `${server.url}/jobs`, [
        ACTION,
        set(ACTION, ["nonce"], "2"),
      ]);
      expect(res.status).to.equal(400);
      expect(res.body.error.message).to.equal("[1].nonce: must be a whole number from 0 to 4294967295");
      expect(accepted).to.deep.equal([]);
    });

    it("says what is wrong with a body that is not a job at all", async function () {
      const cases: [string, string][] = [
        ["{", "The body is not valid JSON"],
        ["", "The body is empty: send a job object or a list of jobs."],
        ["5", "must be a JSON object (one job)"],
        ["[]", "The list holds no job."],
      ];
      for (const [raw, message] of cases) {
        const res = await http<{ error: { message: string } }>("POST", `${server.url}/jobs`, undefined, raw);
        expect(res.status, raw).to.equal(400);
        expect(res.body.error.message, raw).to.contain(message);
      }
    });
  });

  it("accepts valid jobs of every kind, bigints and addresses normalised", async function () {
    const lower = { ...ACTION, user: "0xabcdef1111111111111111111111111111111111" };
    const res = await http<{ accepted: number; results: { index: number; outcome: string; id: string }[] }>(
      "POST",
      `${server.url}/jobs`,
      [lower, SETTLEMENT, RESULT],
    );
    expect(res.status).to.equal(200);
    expect(res.body.accepted).to.equal(3);
    expect(res.body.results.map((r) => [r.index, r.outcome])).to.deep.equal([
      [0, "accepted"],
      [1, "accepted"],
      [2, "accepted"],
    ]);
    const [action, settlement] = accepted[0];
    expect(action).to.deep.include({ scenarioId: 3n, payload: 42n, user: getAddress(lower.user) });
    expect(settlement.kind === "settlement" && settlement.legs[2].amount).to.equal(5n);
  });

  it("answers one job with 202, a retried one with 200 and its id, a conflicting one with 409, a refused one with 422", async function () {
    const outcomes: AcceptResult[] = [
      { outcome: "accepted", id: "j1" },
      { outcome: "duplicate", id: "j1", status: "submitted", same: true },
      { outcome: "duplicate", id: "j1", status: "submitted", same: false },
      { outcome: "refused", reason: "nonce: 1 was already used on chain" },
    ];
    const seen: [number, unknown][] = [];
    for (const outcome of outcomes) {
      answer = async () => [outcome];
      const res = await http("POST", `${server.url}/jobs`, ACTION);
      seen.push([res.status, res.body]);
    }
    expect(seen[0]).to.deep.equal([202, { id: "j1", status: "queued" }]);
    expect(seen[1]).to.deep.equal([200, { id: "j1", status: "submitted", duplicate: true }]);
    expect(seen[2][0]).to.equal(409);
    expect(seen[2][1]).to.deep.include({
      error: { code: "conflict", id: "j1", message: (seen[2][1] as { error: { message: string } }).error.message },
    });
    expect((seen[2][1] as { error: { message: string } }).error.message).to.match(
      /^Job j1 \(submitted\) is already journaled/,
    );
    expect(seen[3]).to.deep.equal([422, { error: { code: "refused", message: "nonce: 1 was already used on chain" } }]);
  });

  it("answers 503 with Retry-After when the chain cannot be read for the precheck", async function () {
    answer = async () => {
      throw new PrecheckUnavailableError("Cannot check the job against the chain now (timeout). Send it again later.");
    };
    const res = await fetch(`${server.url}/jobs`, { method: "POST", body: JSON.stringify(ACTION) });
    expect(res.status).to.equal(503);
    expect(res.headers.get("retry-after")).to.equal("5");
    expect(((await res.json()) as { error: { message: string } }).error.message).to.contain("Send it again later");
  });

  it("refuses a body over maxRequestBytes and a request over maxJobsPerRequest with 413", async function () {
    const big = await http<{ error: { code: string; message: string } }>(
      "POST",
      `${server.url}/jobs`,
      Array.from({ length: 30 }, () => ACTION),
    );
    expect(big.status).to.equal(413);
    expect(big.body.error.message).to.equal(
      "The request body is larger than 4096 bytes (maxRequestBytes): send fewer jobs per request.",
    );
    const many = await http<{ error: { message: string } }>("POST", `${server.url}/jobs`, [
      ACTION,
      ACTION,
      ACTION,
      ACTION,
    ]);
    expect(many.status).to.equal(413);
    expect(many.body.error.message).to.match(/holds 4 jobs, more than 3 \(maxJobsPerRequest\)/);
    expect(accepted).to.deep.equal([]);
  });

  it("checks the listing's query and routes", async function () {
    const cases: [string, string, number, string][] = [
      ["GET", "/jobs?status=done", 400, "status: must be one of queued, batched, submitted, confirmed, failed"],
      ["GET", "/jobs?limit=0", 400, "limit: must be a whole number from 1 to 1000"],
      ["GET", "/jobs?after=x", 400, "after: must be the `next` cursor of the previous page"],
      ["GET", "/jobs?scenario=abc", 400, "scenario: must be a scenario id (a decimal integer)"],
      ["GET", "/jobs/nope", 404, "No job nope: check the id the executor returned."],
      ["GET", "/batches", 404, "Not found: use POST /jobs, GET /jobs/:id or GET /jobs."],
      ["PUT", "/jobs", 405, "Method not allowed here: use GET, POST."],
    ];
    for (const [method, path, status, message] of cases) {
      const res = await http<{ error: { message: string } }>(method as "GET", `${server.url}${path}`);
      expect([res.status, res.body.error.message], path).to.deep.equal([status, message]);
    }
    const ok = await http<{ jobs: unknown[]; next: null }>("GET", `${server.url}/jobs?status=queued&limit=5`);
    expect(ok).to.deep.equal({ status: 200, body: { jobs: [], next: null } });
  });

  describe("job files", function () {
    it("reads NDJSON and JSON arrays", function () {
      const ndjson = `${JSON.stringify(ACTION)}\n\n${JSON.stringify(RESULT)}\n`;
      expect(parseJobFile(ndjson).map((j) => j.kind)).to.deep.equal(["action", "result"]);
      expect(parseJobFile(JSON.stringify([SETTLEMENT])).map((j) => j.kind)).to.deep.equal(["settlement"]);
    });

    it("lists every bad line with its field, and sends nothing", function () {
      const text = [JSON.stringify(ACTION), "{oops", JSON.stringify(set(SETTLEMENT, ["legs", 2, "amount"], "x"))].join(
        "\n",
      );
      let error: unknown;
      try {
        parseJobFile(text, "jobs.ndjson");
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(JobFileError);
      const problems = (error as JobFileError).problems;
      expect(problems[0]).to.match(/^line 2: not valid JSON/);
      expect(problems[1]).to.equal("line 3: legs.2.amount: must be a decimal integer string");
      expect((error as Error).message).to.match(/^jobs\.ndjson: 2 problem\(s\); nothing was sent\./);
    });
  });
});
