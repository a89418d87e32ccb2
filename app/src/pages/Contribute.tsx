import { useState, type DragEvent } from "react";

import {
  contentAddress,
  formatProblem,
  gatewayFetcher,
  storageServiceStore,
  type PendingReveal,
  type SubmitProgress,
} from "@openledger-evm/sdk";

import { Table } from "../components.tsx";
import { ActionStatus, Alert, Loaded, open, sentenceOf, useAction, useApp, useLoad, useWallet } from "../protocol.tsx";
import { localRevealStore } from "../reveals.ts";

/** A dropped file after the page's checks: its address, or why it cannot be sent. */
interface Checked {
  name: string;
  bytes: Uint8Array;
  contentHash: `0x${string}`;
  sizeBytes: bigint;
  cid: string;
  uri: string;
  problem?: string;
}

/** Contributing: files checked in the page, uploaded to the storage service, then committed and revealed. */
export default function Contribute({ id }: { id: bigint }) {
  const { config, reader } = useApp();
  const wallet = useWallet();
  const action = useAction();
  const [files, setFiles] = useState<Checked[]>([]);
  const [quota, setQuota] = useState<string | undefined>();
  const [checking, setChecking] = useState(false);
  const terms = useLoad(["terms-now", String(id)], async () => {
    const [info, epoch] = await Promise.all([reader.datanets.get(id), reader.datanets.currentEpoch(id)]);
    return { info, terms: await reader.datanets.epochTerms({ datanetId: id, epoch: BigInt(epoch) }) };
  });
  const pending = useLoad(["reveals", wallet.account, String(id)], async () => localRevealStore(wallet.account!).list().filter((r) => r.datanetId === id), {
    enabled: wallet.account !== undefined,
  });

  /** The SDK's checks, in the page, before anything is sent: size, format, then quotas and duplicates on chain. */
  const check = async (list: File[]) => {
    const loaded = terms.data;
    if (loaded === undefined) return;
    setChecking(true);
    setQuota(undefined);
    const checked = await Promise.all(
      list.map(async (file): Promise<Checked> => {
        const bytes = new Uint8Array(await file.arrayBuffer());
        const address = await contentAddress(bytes);
        const max = loaded.terms.maxBytesPerContribution;
        const problem =
          address.sizeBytes > max
            ? `${file.name} is ${address.sizeBytes} bytes, over this datanet's limit of ${max} bytes per item.`
            : bytes.length === 0
              ? `${file.name} is empty.`
              : formatProblem(loaded.info.kind, bytes);
        return { name: file.name, bytes, ...address, ...(problem === undefined ? {} : { problem: problem.endsWith(".") ? problem : `${file.name}: ${problem}.` }) };
      }),
    );
    setFiles(checked);
    const good = checked.filter((f) => f.problem === undefined);
    if (good.length > 0 && wallet.account !== undefined) {
      try {
        await reader.contributions.check({ datanetId: id, contributor: wallet.account, items: good.map(({ contentHash, sizeBytes, uri }) => ({ contentHash, sizeBytes, uri })) });
      } catch (error) {
        setQuota(await sentenceOf(error));
      }
    }
    setChecking(false);
  };

  const sendable = files.length > 0 && files.every((f) => f.problem === undefined) && quota === undefined && !checking;
  const bond = (terms.data?.terms.submissionBond ?? 0n) * BigInt(files.length);

  const progressLine = (step: (line: string) => void) => (p: SubmitProgress) => {
    if (p.step === "checked") step(`Checked against the datanet's rules: the commitment bonds ${open(p.bond)}.`);
    if (p.step === "committed") step(`Committed (${p.pending.commitment.slice(0, 10)}…); the salt is saved in this browser.`);
    if (p.step === "revealing") step("Revealing…");
    if (p.step === "revealed") step(`Reveal sent (${p.hash.slice(0, 10)}…), waiting for it to be mined…`);
  };

  const submit = () =>
    action.run(async (step) => {
      const writer = await wallet.writer();
      const walletClient = writer.walletClient!;
      const store = storageServiceStore({
        url: config.storageUrl,
        walletClient,
        chainId: config.deployment.chainId,
        registry: config.deployment.contracts.datanetRegistry,
        reader: gatewayFetcher(config.storageUrl),
      });
      for (const file of files) {
        step(`Uploading ${file.name} to the storage service (sign the upload)…`);
        await store.put(file.bytes, { datanetId: id });
        step(`Stored ${file.name} as ${file.cid}.`);
      }
      const items = files.map(({ contentHash, sizeBytes, uri }) => ({ contentHash, sizeBytes, uri }));
      const options = { store: localRevealStore(walletClient.account.address), onProgress: progressLine(step) };
      step("Committing (approve the bond, then the commitment)…");
      const handle = await writer.contributions.submitBatch({ datanetId: id, items }, options);
      const { contributionIds } = await handle.wait();
      setFiles([]);
      return `Registered as contribution${contributionIds.length > 1 ? "s" : ""} #${contributionIds.join(", #")}. Verdicts open once the reveal window has passed.`;
    });

  const resume = (reveal: PendingReveal) =>
    action.run(async (step) => {
      const writer = await wallet.writer();
      const handle = await writer.contributions.reveal(reveal, { store: localRevealStore(reveal.contributor), onProgress: progressLine(step) });
      const { contributionIds } = await handle.wait();
      return `Revealed: contribution${contributionIds.length > 1 ? "s" : ""} #${contributionIds.join(", #")}.`;
    });

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    void check([...event.dataTransfer.files]);
  };

  return (
    <>
      <h1>Contribute to datanet #{String(id)}</h1>
      <Alert text={wallet.problem} />
      {pending.data !== undefined && pending.data.length > 0 && (
        <section aria-labelledby="pending-title">
          <h2 id="pending-title">Committed, not yet revealed</h2>
          <ul>
            {pending.data.map((r) => (
              <li key={r.commitment}>
                {r.items.length} item(s), {open(r.bond)} bonded, committed at {r.committedAt}{" "}
                <button type="button" disabled={action.busy} onClick={() => resume(r)}>
                  Reveal now
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <Loaded query={terms} what="the datanet's terms">
        {({ terms: t }) => (
          <>
            <div className="dropzone" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
              <label htmlFor="files">Drop files here, or choose them</label>
              <input id="files" type="file" multiple onChange={(e) => void check([...(e.target.files ?? [])])} />
              <p>
                At most {String(t.maxBytesPerContribution)} bytes per item and {t.maxContributionsPerContributorPerEpoch} items per epoch; each item bonds {open(t.submissionBond)}.
              </p>
            </div>
            {checking && <p role="status">Checking the files…</p>}
            {files.length > 0 && (
              <Table caption="The files, checked in this page" columns={["File", "Size", "Content hash", "CID", "Check"]}>
                {files.map((f) => (
                  <tr key={f.name + f.contentHash}>
                    <td>{f.name}</td>
                    <td>{String(f.sizeBytes)} bytes</td>
                    <td className="mono">{f.contentHash.slice(0, 18)}…</td>
                    <td className="mono">{f.cid.slice(0, 18)}…</td>
                    <td>{f.problem ?? "ok"}</td>
                  </tr>
                ))}
              </Table>
            )}
            {files.map((f) => (
              <Alert key={f.name} text={f.problem} />
            ))}
            <Alert text={quota} />
            {sendable && (
              <p>
                Sending these {files.length} file(s) bonds <strong data-testid="bond">{open(bond)}</strong> (returned with the verdicts unless rejected).{" "}
                <button type="button" disabled={action.busy || wallet.problem !== undefined} onClick={submit}>
                  Upload, commit and reveal
                </button>
              </p>
            )}
          </>
        )}
      </Loaded>
      <ActionStatus action={action} />
    </>
  );
}
