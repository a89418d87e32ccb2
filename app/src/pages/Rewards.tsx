import { useState } from "react";
import { parseUnits } from "viem";

import { rewardPoolsAbi } from "@openledger-evm/sdk";

import { PolicyTable, Table } from "../components.tsx";
import { ActionStatus, Alert, INDEXER_REFRESH_MS, Listed, Loaded, open, useAction, useApp, useLoad, useWallet } from "../protocol.tsx";

/** Rewards: what the account can claim per epoch (one claim for many), and funding an epoch with its terms shown first. */
export default function Rewards({ id }: { id: bigint }) {
  const { config, reader, indexer } = useApp();
  const wallet = useWallet();
  const claim = useAction();
  const fund = useAction();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [fundEpoch, setFundEpoch] = useState<string>("");
  const [amount, setAmount] = useState("100");
  const current = useLoad(["epoch", String(id)], () => reader.datanets.currentEpoch(id));
  const epochText = fundEpoch === "" ? String(current.data ?? "") : fundEpoch;
  const validEpoch = /^\d+$/.test(epochText) && current.data !== undefined && BigInt(epochText) >= BigInt(current.data);
  const terms = useLoad(
    ["terms", String(id), epochText],
    async () => ({ policy: await reader.datanets.epochTerms({ datanetId: id, epoch: BigInt(epochText) }), pool: await reader.rewards.pool({ datanetId: id, epoch: BigInt(epochText) }) }),
    { enabled: validEpoch },
  );
  const claimable = useLoad(
    ["claimable", wallet.account, String(id)],
    async () => {
      const claimWindowEpochs = await reader.publicClient.readContract({ address: config.deployment.contracts.rewardPools, abi: rewardPoolsAbi, functionName: "claimWindowEpochs" });
      return indexer.claimableEpochs(wallet.account!, { claimWindowEpochs: Number(claimWindowEpochs), datanetId: id });
    },
    { enabled: wallet.account !== undefined, refetchInterval: INDEXER_REFRESH_MS },
  );

  const claimChosen = () =>
    claim.run(async () => {
      const { paid, epochs } = await (await (await wallet.writer()).rewards.claim({ datanetId: id, epochs: [...chosen].map(BigInt) })).wait();
      setChosen(new Set());
      return `Claimed ${open(paid)} from ${epochs.length} epoch(s).`;
    });
  const fundNow = () =>
    fund.run(async (step) => {
      let wei: bigint;
      try {
        wei = parseUnits(amount, 18);
      } catch {
        throw new Error(`"${amount}" is not an amount of OPEN.`);
      }
      step("Signing the permit, then funding…");
      const { credited, fundedTotal } = await (await (await wallet.writer()).rewards.fund({ datanetId: id, epoch: BigInt(epochText), amount: wei })).wait();
      return `Funded ${open(credited)}; epoch ${epochText}'s pool holds ${open(fundedTotal)}.`;
    });

  return (
    <>
      <h1>Rewards of datanet #{String(id)}</h1>
      <Alert text={wallet.problem} />
      <section aria-labelledby="claim-title">
        <h2 id="claim-title">Claimable</h2>
        {wallet.account !== undefined && (
          <Loaded query={claimable} what="your claimable rewards">
            {(rows) => (
              <Listed items={rows.filter((r) => r.contributorShare + r.validatorShare > 0n)} empty="Nothing to claim: no ended epoch owes this account a share.">
                {(owed) => (
                  <>
                    <Table caption="Shares per ended epoch" columns={["Claim", "Epoch", "As contributor", "As validator"]}>
                      {owed.map((r) => (
                        <tr key={String(r.epoch)}>
                          <td>
                            <input
                              type="checkbox"
                              aria-label={`Claim epoch ${r.epoch}`}
                              checked={chosen.has(String(r.epoch))}
                              onChange={(e) => {
                                const next = new Set(chosen);
                                if (e.target.checked) next.add(String(r.epoch));
                                else next.delete(String(r.epoch));
                                setChosen(next);
                              }}
                            />
                          </td>
                          <td>{String(r.epoch)}</td>
                          <td>{open(r.contributorShare)}</td>
                          <td>{open(r.validatorShare)}</td>
                        </tr>
                      ))}
                    </Table>
                    <button type="button" disabled={claim.busy || chosen.size === 0} onClick={claimChosen}>
                      Claim {chosen.size} epoch(s) in one transaction
                    </button>
                  </>
                )}
              </Listed>
            )}
          </Loaded>
        )}
        <ActionStatus action={claim} />
      </section>
      <section aria-labelledby="fund-title">
        <h2 id="fund-title">Fund an epoch</h2>
        <label>
          Epoch <input value={epochText} inputMode="numeric" onChange={(e) => setFundEpoch(e.target.value)} />
        </label>{" "}
        <label>
          Amount (OPEN) <input value={amount} inputMode="decimal" onChange={(e) => setAmount(e.target.value)} />
        </label>
        <Alert text={!validEpoch && current.data !== undefined ? `Choose the current epoch (${current.data}) or a later one: ended epochs cannot be funded.` : undefined} />
        {validEpoch && (
          <Loaded query={terms} what="the epoch's terms">
            {({ policy, pool }) => (
              <>
                <p>The pool holds {open(pool.funded)} so far. Your funding is paid out under these terms, fixed before the money comes:</p>
                <PolicyTable policy={policy} caption={`Epoch ${epochText}'s terms`} />
                <button type="button" disabled={fund.busy || wallet.problem !== undefined} onClick={fundNow}>
                  Fund epoch {epochText} under these terms
                </button>
              </>
            )}
          </Loaded>
        )}
        <ActionStatus action={fund} />
      </section>
    </>
  );
}
