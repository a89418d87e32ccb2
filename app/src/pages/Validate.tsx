import { useState } from "react";
import { parseUnits } from "viem";

import {
  assertSameContent,
  cidOfUri,
  ContentUnavailableError,
  gatewayFetcher,
  hashMatches,
  isText,
  judge,
  proseQuality,
  ReasonCode,
  serializeSignedVerdicts,
  sizeMatches,
  sizeWithin,
  type ContentCheck,
  type ContributionRecord,
  type PendingContribution,
} from "@openledger-evm/sdk";

import { ActionStatus, Alert, INDEXER_REFRESH_MS, Listed, Loaded, open, sentenceOf, useAction, useApp, useLoad, useWallet, when } from "../protocol.tsx";

/** The checks a careful validator runs, by name, in order (the SDK's). */
function checksFor(c: ContributionRecord, maxBytes: bigint): [string, ContentCheck][] {
  return [
    ["Hash matches the registered content hash", hashMatches],
    ["Size is the declared size", sizeMatches(c.sizeBytes)],
    ["Size is within the datanet's limit", sizeWithin(maxBytes)],
    ["Is text", isText],
    ["Prose quality", proseQuality()],
  ];
}

/** One pending contribution: its content fetched by CID and verified, the checks, and a verdict. */
function Review({ contribution }: { contribution: PendingContribution }) {
  const { config } = useApp();
  const wallet = useWallet();
  const action = useAction();
  const [review, setReview] = useState<{ text: string; results: [string, string][]; suggested: { accept: boolean; quality: number; reasonCode: number } } | undefined>();
  const [fetchError, setFetchError] = useState<string | undefined>();
  const [accept, setAccept] = useState(true);
  const [quality, setQuality] = useState("80");
  const [signed, setSigned] = useState<string | undefined>();

  const fetchAndCheck = async () => {
    setFetchError(undefined);
    try {
      const cid = cidOfUri(contribution.uri);
      if (cid === undefined) throw new ContentUnavailableError(contribution.uri, "the URI is not ipfs://<cid>");
      // The gateway's blocks are verified against the CID as they arrive, then the whole against the content hash.
      const bytes = await gatewayFetcher(config.storageUrl).get(cid);
      await assertSameContent(bytes, { contentHash: contribution.contentHash, cid });
      const checks = checksFor(contribution, contribution.maxBytesPerContribution);
      const results = checks.map(([name, check]): [string, string] => {
        const result = check(bytes, contribution.contentHash);
        return [name, result.reject ? `fails: ${result.reason}` : `passes (quality ${result.quality})`];
      });
      const verdict = judge(checks.map(([, check]) => check), bytes, contribution.contentHash);
      setReview({ text: new TextDecoder().decode(bytes), results, suggested: verdict });
      setAccept(verdict.accept);
      setQuality(String(verdict.quality));
    } catch (error) {
      setFetchError(await sentenceOf(error));
    }
  };

  const verdict = () => {
    const q = Number(quality);
    return { contentHash: contribution.contentHash, accept, quality: accept ? q : 0, reasonCode: accept ? ReasonCode.Ok : (review?.suggested.reasonCode ?? ReasonCode.Spam) || ReasonCode.Spam };
  };
  const submit = () =>
    action.run(async (step) => {
      const writer = await wallet.writer();
      step("Sending the verdict…");
      const { finalized, skipped } = await (await writer.validators.attest(verdict())).wait();
      if (skipped.length > 0) return "The chain skipped the verdict (it had moved past it).";
      return finalized.length > 0 ? `Verdict recorded; it closed the contribution as ${finalized[0]!.accepted ? "accepted" : "rejected"}.` : "Verdict recorded.";
    });
  const sign = () =>
    action.run(async () => {
      const writer = await wallet.writer();
      setSigned(serializeSignedVerdicts([await writer.validators.signVerdict(verdict())]));
      return "Signed: give the JSON below to an aggregator (openledger validate aggregate) to submit with others.";
    });

  return (
    <li className="card">
      <p>
        Contribution #{String(contribution.contributionId)}, {String(contribution.sizeBytes)} bytes, <span className="mono">{contribution.uri}</span>; verdicts close{" "}
        {when(contribution.votingEndsAt)}.{" "}
        <button type="button" onClick={fetchAndCheck}>
          Fetch and check #{String(contribution.contributionId)}
        </button>
      </p>
      <Alert text={fetchError} />
      {review !== undefined && (
        <>
          <p role="status">Fetched by CID; every block and the content hash verified.</p>
          <blockquote className="content">{review.text}</blockquote>
          <table>
            <caption>The SDK's checks</caption>
            <tbody>
              {review.results.map(([name, result]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{result}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <fieldset>
            <legend>Verdict on #{String(contribution.contributionId)}</legend>
            <label>
              <input type="radio" name={`v${contribution.contributionId}`} checked={accept} onChange={() => setAccept(true)} /> Accept
            </label>
            <label>
              <input type="radio" name={`v${contribution.contributionId}`} checked={!accept} onChange={() => setAccept(false)} /> Reject
            </label>
            <label>
              Quality (0–100){" "}
              <input type="number" min={0} max={100} value={quality} disabled={!accept} onChange={(e) => setQuality(e.target.value)} />
            </label>
            <button type="button" disabled={action.busy} onClick={submit}>
              Submit verdict
            </button>
            <button type="button" disabled={action.busy} onClick={sign}>
              Sign for an aggregator
            </button>
          </fieldset>
        </>
      )}
      <ActionStatus action={action} />
      {signed !== undefined && <textarea readOnly aria-label="Signed verdict (JSON)" value={signed} rows={6} />}
    </li>
  );
}

/** Validating: stake, unbond and withdraw; the queue of contributions to judge; the validator's agreement record. */
export default function Validate({ id }: { id: bigint }) {
  const { reader, indexer } = useApp();
  const wallet = useWallet();
  const action = useAction();
  const [amount, setAmount] = useState("1000");
  const account = wallet.account;
  const mine = useLoad(
    ["validator", account, String(id)],
    async () => {
      const [stake, agreement, info, queue] = await Promise.all([
        reader.validators.getStake({ datanetId: id, validator: account! }),
        reader.validators.agreement({ datanetId: id, validator: account! }),
        reader.datanets.get(id),
        indexer.pendingQueue({ validator: account!, datanetId: id }),
      ]);
      return { stake, agreement, info, queue };
    },
    { enabled: account !== undefined, refetchInterval: INDEXER_REFRESH_MS },
  );

  const stake = () =>
    action.run(async (step) => {
      let wei: bigint;
      try {
        wei = parseUnits(amount, 18);
      } catch {
        throw new Error(`"${amount}" is not an amount of OPEN.`);
      }
      const writer = await wallet.writer();
      step("Signing the permit, then staking…");
      const { newStake } = await (await writer.validators.stake({ datanetId: id, amount: wei })).wait();
      return `Staked: ${open(newStake)} bonded on datanet #${id}.`;
    });
  const unbond = () =>
    action.run(async () => {
      const { unlocksAt } = await (await (await wallet.writer()).validators.requestUnbond({ datanetId: id })).wait();
      return `Unbonding: the stake can be withdrawn after ${when(unlocksAt)}.`;
    });
  const withdraw = () =>
    action.run(async () => {
      const { amount: paid } = await (await (await wallet.writer()).validators.withdraw({ datanetId: id })).wait();
      return `Withdrawn: ${open(paid)}.`;
    });

  return (
    <>
      <h1>Validate datanet #{String(id)}</h1>
      {account === undefined ? (
        <Alert text={wallet.problem} />
      ) : (
        <Loaded query={mine} what="your stake and queue">
          {({ stake: s, agreement, info, queue }) => (
            <>
              <section aria-labelledby="stake-title">
                <h2 id="stake-title">Stake</h2>
                <p data-testid="stake">
                  {open(s.amount)} bonded{s.unbondingEndsAt !== 0 ? `, unbonding until ${when(s.unbondingEndsAt)}` : ""}; the datanet asks at least {open(info.policy.minValidatorStake)}. Your
                  verdicts agreed with the outcome {agreement.agreed} time(s) and disagreed {agreement.disagreed} time(s).
                </p>
                <label>
                  Amount (OPEN) <input value={amount} inputMode="decimal" onChange={(e) => setAmount(e.target.value)} />
                </label>{" "}
                <button type="button" disabled={action.busy} onClick={stake}>
                  Stake
                </button>{" "}
                <button type="button" disabled={action.busy || s.amount === 0n} onClick={unbond}>
                  Request unbond
                </button>{" "}
                <button type="button" disabled={action.busy || s.unbondingEndsAt === 0} onClick={withdraw}>
                  Withdraw
                </button>
                <ActionStatus action={action} />
              </section>
              <section aria-labelledby="queue-title">
                <h2 id="queue-title">Pending queue</h2>
                <Listed items={queue} empty="Nothing to judge: no contribution revealed after your stake was bonded is open for verdicts now.">
                  {(list) => (
                    <ul className="queue">
                      {list.map((c) => (
                        <Review key={String(c.contributionId)} contribution={c} />
                      ))}
                    </ul>
                  )}
                </Listed>
              </section>
            </>
          )}
        </Loaded>
      )}
    </>
  );
}
