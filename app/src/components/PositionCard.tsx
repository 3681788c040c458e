import { useId, useState, type FormEvent } from "react";
import { ALL } from "../lib/actions";
import type { PositionView } from "../lib/chain";
import { formatBps, formatCountdown, formatUtc } from "../lib/format";
import type { NodeRow } from "../lib/nodes";
import { checkUndelegation } from "../lib/validation";
import { Amount } from "./Amount";
import { AmountField, NodeSelect } from "./Fields";

interface Props {
  node: NodeRow;
  position: PositionView;
  /** Yield accrued on this node now (extrapolated between reads), excluding the settled yield. */
  liveYield: bigint;
  /** Yield already settled from any node; the next claim on any node pays it too. */
  settledYield: bigint;
  /** The chain's time now. */
  chainTime: bigint;
  /** Active nodes, targets of claim-and-redelegate. */
  targets: NodeRow[];
  busy: boolean;
  onUndelegate: (amount: bigint) => Promise<boolean>;
  onWithdraw: () => void;
  onClaim: () => void;
  onClaimAndRedelegate: (toNodeId: bigint) => void;
}

/** The user's position with one node, and what can be done with it. */
export function PositionCard(props: Props) {
  const { node, position, liveYield, settledYield, chainTime, targets, busy } = props;
  const id = useId();
  const [amount, setAmount] = useState("");
  const [problem, setProblem] = useState<string>();
  const [target, setTarget] = useState(node.status === "active" ? node.id.toString() : "");
  const matured = position.unbondings.filter((u) => u.releaseAt <= chainTime);
  const claimable = liveYield + settledYield;

  const undelegate = async (event: FormEvent, all: boolean) => {
    event.preventDefault();
    if (all) {
      if (await props.onUndelegate(ALL)) setAmount("");
      return;
    }
    const checked = checkUndelegation(amount, position.stake);
    if (!checked.ok) return setProblem(checked.error);
    setProblem(undefined);
    if (await props.onUndelegate(checked.wei)) setAmount("");
  };

  return (
    <article className="card position" aria-labelledby={`${id}-title`} data-testid={`position-${node.id}`}>
      <h3 id={`${id}-title`}>
        {node.name} <span className="node-id">#{node.id.toString()}</span>{" "}
        <span className="apr">{formatBps(node.aprBps)} APR</span>
      </h3>
      <dl className="facts">
        <div>
          <dt>Delegated</dt>
          <dd data-testid="position-stake">
            <Amount wei={position.stake} />
          </dd>
        </div>
        <div>
          <dt>Yield accruing here</dt>
          <dd data-testid="position-yield">
            <Amount wei={liveYield} minDecimals={4} />
          </dd>
        </div>
      </dl>

      {position.unbondings.length > 0 ? (
        <div className="unbondings">
          <h4>Unbonding</h4>
          <ul>
            {position.unbondings.map((u) => {
              const left = u.releaseAt - chainTime;
              return (
                <li key={`${u.index}-${u.releaseAt}`} data-testid="unbonding-entry">
                  <Amount wei={u.value} />{" "}
                  {left > 0n ? (
                    <span>
                      available in <strong className="countdown">{formatCountdown(left)}</strong>{" "}
                      <time dateTime={new Date(Number(u.releaseAt) * 1000).toISOString()}>
                        ({formatUtc(u.releaseAt)})
                      </time>
                    </span>
                  ) : (
                    <strong className="ready">ready to withdraw</strong>
                  )}
                </li>
              );
            })}
          </ul>
          <button type="button" onClick={props.onWithdraw} disabled={busy || matured.length === 0}>
            {matured.length === 0 ? "Withdraw (nothing ready yet)" : "Withdraw"}
          </button>
        </div>
      ) : null}

      <div className="actions">
        <div className="claim-row">
          <button type="button" onClick={props.onClaim} disabled={busy || claimable === 0n}>
            Claim yield
          </button>
          {targets.length > 0 ? (
            <div className="input-row">
              <NodeSelect
                id={`${id}-target`}
                label="Redelegate the yield to"
                hideLabel
                placeholder="Redelegate to…"
                nodes={targets}
                value={target}
                onChange={setTarget}
              />
              <button
                type="button"
                className="secondary"
                disabled={busy || claimable === 0n || target === ""}
                onClick={() => props.onClaimAndRedelegate(BigInt(target))}
              >
                Claim and redelegate
              </button>
            </div>
          ) : null}
        </div>
        {settledYield > 0n ? (
          <p className="hint">
            Includes <Amount wei={settledYield} minDecimals={4} /> settled earlier; any claim pays it.
          </p>
        ) : null}

        {position.stake > 0n ? (
          <form className="field" onSubmit={(e) => void undelegate(e, false)} noValidate>
            <AmountField
              id={`${id}-undelegate`}
              label="Undelegate (ERA)"
              value={amount}
              onChange={(v) => {
                setAmount(v);
                setProblem(undefined);
              }}
              problem={problem}
            >
              <button type="submit" className="secondary" disabled={busy}>
                Undelegate
              </button>
              <button type="button" className="secondary" disabled={busy} onClick={(e) => void undelegate(e, true)}>
                Undelegate all
              </button>
            </AmountField>
          </form>
        ) : null}
      </div>
    </article>
  );
}
