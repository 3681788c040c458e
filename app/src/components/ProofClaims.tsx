import { useEffect, useId, useRef, useState } from "react";
import { describeError } from "../../../src/sdk/errors";
import { parseProofFileText, type ProofFile, type RewardProof } from "../../../src/sdk/proofFile";
import type { StakingContracts } from "../lib/chain";
import { proofFileMismatch, readClaims, describeClaimState, type ClaimRow } from "../lib/proofs";
import type { NodeRow } from "../lib/nodes";
import { Amount } from "./Amount";
import { NodeSelect } from "./Fields";

interface Props {
  chainId: number;
  distributor: string;
  account: string | undefined;
  contracts: StakingContracts | undefined;
  /** Changes with every new snapshot, so claim states are read again. */
  blockNumber: number | undefined;
  chainTime: bigint | undefined;
  targets: NodeRow[];
  /** Whether the wallet can send (connected on the right chain). */
  canSend: boolean;
  busy: boolean;
  onClaim: (file: ProofFile, row: ClaimRow) => void;
  onClaimAndDelegate: (file: ProofFile & { kind: "reward" }, claim: RewardProof, nodeId: bigint) => void;
}

/** Claims a reward or subsidy leaf from the proof file the activity indexer published for an epoch. */
export function ProofClaims(props: Props) {
  const { account, contracts, blockNumber, chainTime } = props;
  const id = useId();
  const [text, setText] = useState("");
  const [file, setFile] = useState<ProofFile>();
  const [problem, setProblem] = useState<string>();
  const [rows, setRows] = useState<ClaimRow[]>();
  const [target, setTarget] = useState("");

  const load = (json: string) => {
    setRows(undefined);
    try {
      const parsed = parseProofFileText(json);
      const mismatch = proofFileMismatch(parsed, props.chainId, props.distributor);
      if (mismatch) {
        setFile(undefined);
        setProblem(mismatch);
        return;
      }
      setFile(parsed);
      setProblem(undefined);
    } catch (e) {
      setFile(undefined);
      setProblem(describeError(e));
    }
  };

  // Claim states change with blocks, not with every tick of the chain clock: read the clock, react to blocks.
  const clock = useRef(chainTime);
  clock.current = chainTime;
  useEffect(() => {
    const now = clock.current;
    if (!file || !account || !contracts || now === undefined) return;
    let cancelled = false;
    readClaims(contracts, file, account, now)
      .then((r) => !cancelled && setRows(r))
      .catch((e: unknown) => !cancelled && setProblem(`Could not read the claims: ${describeError(e)}`));
    return () => {
      cancelled = true;
    };
  }, [file, account, contracts, blockNumber]);

  return (
    <section aria-labelledby={`${id}-title`} className="card">
      <h2 id={`${id}-title`}>Claim rewards and subsidies</h2>
      <p className="hint">
        Open the proof file the indexer published for an epoch (a JSON file), or paste its contents. Nothing is
        uploaded: the page reads it locally.
      </p>
      <div className="field">
        <label htmlFor={`${id}-file`}>Proof file</label>
        <input
          id={`${id}-file`}
          type="file"
          accept=".json,application/json"
          onChange={(e) => {
            const picked = e.target.files?.[0];
            if (picked) void picked.text().then(load);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-paste`}>…or paste its JSON</label>
        <textarea id={`${id}-paste`} rows={3} value={text} onChange={(e) => setText(e.target.value)} />
        <button type="button" className="secondary" onClick={() => load(text)} disabled={text.trim() === ""}>
          Read pasted proof
        </button>
      </div>
      {problem ? (
        <p className="problem" role="alert">
          {problem}
        </p>
      ) : null}
      {file ? (
        <div className="proof" data-testid="proof-file">
          <p>
            {file.kind === "reward" ? "User rewards" : "Developer subsidies"}, epoch {file.epochId.toString()} —{" "}
            {file.claims.length} claim{file.claims.length === 1 ? "" : "s"} in the file.
          </p>
          {!account ? (
            <p>Connect your wallet to see your claims in this file.</p>
          ) : rows === undefined ? (
            <p>Reading your claims…</p>
          ) : rows.length === 0 ? (
            <p role="status">This file has no claim for {account}.</p>
          ) : (
            <ul className="claims">
              {rows.map((row) => (
                <li key={row.claim.index.toString()} data-testid="claim">
                  <span>
                    Claim #{row.claim.index.toString()}: <Amount wei={row.payout} />
                  </span>{" "}
                  <span className="claim-state">{describeClaimState(row.status)}</span>
                  {row.status.state === "claimable" ? (
                    <div className="input-row">
                      <button
                        type="button"
                        disabled={!props.canSend || props.busy}
                        onClick={() => props.onClaim(file, row)}
                      >
                        Claim
                      </button>
                      {file.kind === "reward" && props.targets.length > 0 ? (
                        <>
                          <NodeSelect
                            id={`${id}-target-${row.claim.index}`}
                            label="Delegate the reward to"
                            hideLabel
                            placeholder="Delegate to…"
                            nodes={props.targets}
                            value={target}
                            onChange={setTarget}
                          />
                          <button
                            type="button"
                            className="secondary"
                            disabled={!props.canSend || props.busy || target === ""}
                            onClick={() =>
                              props.onClaimAndDelegate(
                                file as ProofFile & { kind: "reward" },
                                row.claim as RewardProof,
                                BigInt(target),
                              )
                            }
                          >
                            Claim and delegate
                          </button>
                        </>
                      ) : null}
                    </div>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </section>
  );
}
