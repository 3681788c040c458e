import { ErrorDescription, Interface, isError, type ErrorFragment, type Result } from "ethers";
import {
  BatchCommitments__factory,
  DelegatedStaking__factory,
  EpochDistributor__factory,
  EraTimelock__factory,
  EraToken__factory,
  ExecutionHub__factory,
  NodeRegistry__factory,
  NotaryRegistry__factory,
  RevenueRouter__factory,
  ScenarioRegistry__factory,
  SettlementEngine__factory,
} from "../../typechain-types";

/**
 * Decoding of the suite's custom errors into typed errors with a sentence a person can act on.
 *
 * Every contract of the suite reverts with a custom error carrying the failing values (EIP-6093 style). A raw revert
 * is 4 bytes of selector plus ABI-encoded arguments; `decodeContractError` finds the error among the ABIs of every
 * contract (and OpenZeppelin's errors they inherit), names its arguments, and attaches a message and a hint.
 */

/** Every error any contract of the suite can revert with, by selector. */
const SUITE_ERRORS: Interface = (() => {
  const abis = [
    EraToken__factory.abi,
    NodeRegistry__factory.abi,
    DelegatedStaking__factory.abi,
    ScenarioRegistry__factory.abi,
    RevenueRouter__factory.abi,
    EpochDistributor__factory.abi,
    EraTimelock__factory.abi,
    ExecutionHub__factory.abi,
    SettlementEngine__factory.abi,
    NotaryRegistry__factory.abi,
    BatchCommitments__factory.abi,
  ];
  const seen = new Set<string>();
  const fragments: unknown[] = [];
  for (const abi of abis) {
    for (const item of abi as readonly { type: string; name?: string; inputs?: readonly unknown[] }[]) {
      if (item.type !== "error") continue;
      const key = `${item.name}(${JSON.stringify(item.inputs)})`;
      if (seen.has(key)) continue;
      seen.add(key);
      fragments.push(item);
    }
  }
  return new Interface(fragments as never);
})();

type Args = Record<string, unknown>;
type Explain = (a: Args) => { message: string; hint: string };

const era = (wei: unknown): string => {
  if (typeof wei !== "bigint") return String(wei);
  const whole = wei / 10n ** 18n;
  const frac = (wei % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return `${whole.toLocaleString("en-US")}${frac ? "." + frac.slice(0, 6) : ""} ERA`;
};
const when = (ts: unknown): string =>
  typeof ts === "bigint" ? new Date(Number(ts) * 1000).toISOString().replace(".000Z", "Z") : String(ts);

/**
 * Sentences for the errors people meet in normal use (wallet users, node operators, developers). Errors not listed
 * here get a generic sentence naming the error and its values.
 */
const EXPLAIN: Record<string, Explain> = {
  // ERC-20 (OpenZeppelin, EIP-6093)
  ERC20InsufficientBalance: (a) => ({
    message: `Your ERA balance is ${era(a.balance)}, less than the ${era(a.needed)} this needs.`,
    hint: "Lower the amount or add ERA to this account first.",
  }),
  ERC20InsufficientAllowance: (a) => ({
    message: `The contract may spend only ${era(a.allowance)} of your ERA, less than the ${era(a.needed)} this needs.`,
    hint: "Approve a larger amount (or sign a permit) and try again.",
  }),
  ERC2612ExpiredSignature: (a) => ({
    message: `The permit signature expired at ${when(a.deadline)}.`,
    hint: "Sign a new permit and send it promptly.",
  }),
  ERC2612InvalidSigner: () => ({
    message: "The permit signature does not belong to this account.",
    hint: "Sign the permit again with the account that owns the ERA.",
  }),
  ERC20ExceededCap: (a) => ({
    message: `Minting would take the supply past its cap of ${era(a.cap)}.`,
    hint: "Mint less.",
  }),
  // Staking
  StakingZeroAmount: () => ({ message: "The amount is zero.", hint: "Enter an amount greater than zero." }),
  StakingNodeNotActive: (a) => ({
    message: `Node ${a.nodeId} is not active, so it cannot take new delegations.`,
    hint: "Choose an active node.",
  }),
  StakingNodeWipedOut: (a) => ({
    message: `Node ${a.nodeId} was slashed to zero and cannot take new delegations.`,
    hint: "Choose another node.",
  }),
  StakingInsufficientStake: (a) => ({
    message:
      a.shares === 0n
        ? `You have nothing delegated to node ${a.nodeId}.`
        : `That is more than you have delegated to node ${a.nodeId}.`,
    hint: "Undelegate at most the stake your position shows (or all of it).",
  }),
  StakingTooManyUnbondings: (a) => ({
    message: `You already have the maximum of ${a.max} unbonding entries on node ${a.nodeId}.`,
    hint: "Withdraw the entries that have matured, then undelegate again.",
  }),
  StakingNothingToWithdraw: (a) => ({
    message: `Nothing has finished unbonding on node ${a.nodeId} yet.`,
    hint: "Wait until the unbonding countdown ends, then withdraw.",
  }),
  StakingNothingToClaim: () => ({
    message: "There is no yield to claim yet.",
    hint: "Yield accrues every second while you are delegated; try again later.",
  }),
  // Node registry
  NodeRegistryUnknownNode: (a) => ({ message: `There is no node ${a.nodeId}.`, hint: "Check the node id." }),
  NodeRegistryNotOperator: (a) => ({
    message: `${a.caller} is not the operator of node ${a.nodeId}.`,
    hint: "Send this from the node's operator account.",
  }),
  NodeRegistryOperatorHasNode: (a) => ({
    message: `${a.operator} already operates node ${a.nodeId}.`,
    hint: "Use a different operator account, or manage the existing node.",
  }),
  NodeRegistryBondTooLow: (a) => ({
    message: `A bond of ${era(a.bond)} is below the minimum of ${era(a.minBond)}.`,
    hint: "Bond at least the minimum.",
  }),
  NodeRegistryInsufficientBond: (a) => ({
    message: `Node ${a.nodeId} has ${era(a.bond)} bonded, less than the ${era(a.requested)} requested.`,
    hint: "Request at most the node's bond.",
  }),
  NodeRegistryNothingToWithdraw: (a) => ({
    message: `Nothing of node ${a.nodeId}'s bond has finished unbonding yet.`,
    hint: "Wait for the unbonding period to end.",
  }),
  // Distributor
  DistributorAlreadyClaimed: (a) => ({
    message: `Claim #${a.index} of epoch ${a.epochId} was already paid.`,
    hint: "Nothing to do: each claim pays once.",
  }),
  DistributorInvalidProof: (a) => ({
    message: `The proof does not match epoch ${a.epochId} for claim #${a.index} of ${a.account}.`,
    hint: "Use the proof file the indexer published for this epoch, unchanged, from the account it names.",
  }),
  DistributorEpochNotOpen: (a) => ({
    message: `Epoch ${a.epochId} opens for claims at ${when(a.opensAt)}.`,
    hint: "Claim after that time.",
  }),
  DistributorClaimExpired: (a) => ({
    message: `Claims for epoch ${a.epochId} closed at ${when(a.claimDeadline)}.`,
    hint: "This epoch can no longer be claimed.",
  }),
  DistributorEpochVetoed: (a) => ({
    message: `Epoch ${a.epochId} was vetoed by governance.`,
    hint: "Wait for a corrected epoch.",
  }),
  DistributorUnknownEpoch: (a) => ({ message: `There is no epoch ${a.epochId}.`, hint: "Check the epoch id." }),
  // Governance
  EnforcedPause: () => ({
    message: "This contract is paused by its guardian; new deposits are stopped for now.",
    hint: "Withdrawals and claims of what you are owed still work; try this later.",
  }),
  AccessControlUnauthorizedAccount: (a) => ({
    message: `${a.account} lacks the role this needs.`,
    hint: "Send it from an account that holds the role (for parameters: through the timelock).",
  }),
  // Execution
  ExecutionModeMismatch: (a) => ({
    message: `Scenario ${a.scenarioId} is in mode ${modeName(a.current)}, but the batch was built for ${modeName(a.submitted)}.`,
    hint: "Rebuild the batch for the scenario's current mode.",
  }),
  ExecutionNotServingNode: (a) => ({
    message: `${a.submitter} is not the key of an active node serving scenario ${a.scenarioId}.`,
    hint: "Submit with the signing key of a node the scenario owner added to its serving set.",
  }),
  ExecutionBatchUsed: (a) => ({
    message: `Batch ${a.batchId} was applied already.`,
    hint: "Nothing to do: a batch id applies once. Use a new id for new work.",
  }),
};

const MODE_NAMES = ["standard", "atomic settlement", "notarized", "lightweight"];
function modeName(mode: unknown): string {
  const i = typeof mode === "bigint" ? Number(mode) : Number(mode);
  return MODE_NAMES[i] ?? `mode ${String(mode)}`;
}

/** A revert of one of the suite's contracts, decoded: which error, with which values, and what to do. */
export class EraContractError extends Error {
  override readonly name = "EraContractError";
  constructor(
    /** The custom error's name, e.g. `StakingNothingToWithdraw`. */
    readonly errorName: string,
    /** Its arguments by parameter name (and by position). */
    readonly args: Readonly<Record<string, unknown>>,
    /** A sentence on what to do about it. */
    readonly hint: string,
    /** The raw revert data. */
    readonly data: string,
    message: string,
  ) {
    super(message);
  }

  /** `ErrorName(arg=value, …)`, for logs. */
  get signature(): string {
    const parts = Object.entries(this.args)
      .filter(([k]) => !/^\d+$/.test(k))
      .map(([k, v]) => `${k}=${String(v)}`);
    return `${this.errorName}(${parts.join(", ")})`;
  }
}

function namedArgs(fragment: ErrorFragment, values: Result): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  fragment.inputs.forEach((input, i) => {
    const v: unknown = values[i];
    out[input.name || String(i)] = v;
  });
  return out;
}

/** Finds revert data (0x + selector + args) anywhere ethers or a wallet put it in an error. */
export function revertDataOf(error: unknown, depth = 0): string | undefined {
  if (depth > 6 || error === null || typeof error !== "object") return undefined;
  const e = error as Record<string, unknown>;
  const data = e.data;
  if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) return data;
  if (data && typeof data === "object") {
    const inner = revertDataOf(data, depth + 1);
    if (inner) return inner;
  }
  for (const key of ["error", "info", "cause", "revert"]) {
    const inner = revertDataOf(e[key], depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * Decodes an error thrown by a call or transaction to the suite into an `EraContractError`, or `undefined` when it
 * is not a revert with one of the suite's custom errors (a plain `require` message or an RPC failure, say).
 */
export function decodeContractError(error: unknown): EraContractError | undefined {
  const data = revertDataOf(error);
  if (!data) return undefined;
  let parsed: ErrorDescription | null;
  try {
    parsed = SUITE_ERRORS.parseError(data);
  } catch {
    return undefined;
  }
  if (!parsed) return undefined;
  const args = namedArgs(parsed.fragment, parsed.args);
  const explain = EXPLAIN[parsed.name];
  if (explain) {
    const { message, hint } = explain(args);
    return new EraContractError(parsed.name, args, hint, data, message);
  }
  const values = Object.entries(args)
    .map(([k, v]) => `${k} = ${String(v)}`)
    .join(", ");
  const message = `The contract refused: ${parsed.name}${values ? ` (${values})` : ""}.`;
  return new EraContractError(
    parsed.name,
    args,
    "Check the values named above against the contract's rules.",
    data,
    message,
  );
}

/**
 * One sentence for any error a user can meet: a decoded contract error, a wallet rejection, a network failure, or
 * the error's own message as a last resort. Never a raw hex blob.
 */
export function describeError(error: unknown): string {
  const decoded = decodeContractError(error);
  if (decoded) return `${decoded.message} ${decoded.hint}`;
  if (error && typeof error === "object") {
    const e = error as { code?: unknown; shortMessage?: unknown; message?: unknown; reason?: unknown };
    if (e.code === 4001 || e.code === "ACTION_REJECTED" || isError(error, "ACTION_REJECTED")) {
      return "You rejected the request in your wallet. Nothing was sent.";
    }
    if (e.code === 4902) return "Your wallet does not know this chain. Add it in the wallet, then try again.";
    if (isError(error, "NETWORK_ERROR") || isError(error, "TIMEOUT") || isError(error, "SERVER_ERROR")) {
      return "The chain's RPC endpoint did not answer. Check the RPC URL or your connection, then try again.";
    }
    if (isError(error, "INSUFFICIENT_FUNDS")) {
      return "The account has too little ETH to pay for gas. Add ETH to it, then try again.";
    }
    if (isError(error, "CALL_EXCEPTION")) {
      const reason = typeof e.reason === "string" && e.reason ? `: ${e.reason}` : "";
      return `The contract refused the call${reason}. Check the inputs and the account, then try again.`;
    }
    if (isError(error, "UNKNOWN_ERROR")) {
      // ethers could not classify a wallet's or node's error: its own message is the informative part.
      const inner = (error as { error?: { message?: unknown } }).error?.message;
      if (typeof inner === "string" && inner) return stripHex(inner.replace(/^ethers-(user-denied|unsupported): /, ""));
    }
    const text = typeof e.shortMessage === "string" ? e.shortMessage : typeof e.message === "string" ? e.message : "";
    if (text) return stripHex(text);
  }
  return stripHex(String(error));
}

function stripHex(text: string): string {
  return text.replace(/0x[0-9a-fA-F]{66,}/g, "(data)");
}
