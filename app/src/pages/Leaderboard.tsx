import { MAX_PAGE, type IndexedLeaderboardEntry } from "@openledger-evm/sdk";

import { LeaderboardTable } from "../LeaderboardTable.tsx";
import { INDEXER_REFRESH_MS, Loaded, useApp, useLoad } from "../protocol.tsx";

/** A datanet's leaderboard from the indexer (every page of it): acceptance and quality, not volume, with each rank explained. */
export default function Leaderboard({ id }: { id: bigint }) {
  const { indexer } = useApp();
  const board = useLoad(
    ["leaderboard", String(id)],
    async () => {
      const [block, rows] = await Promise.all([indexer.indexedBlock(), readAll(id)]);
      return { block, rows };
    },
    { refetchInterval: INDEXER_REFRESH_MS * 5 },
  );
  async function readAll(datanetId: bigint): Promise<IndexedLeaderboardEntry[]> {
    const rows: IndexedLeaderboardEntry[] = [];
    for (;;) {
      const { items } = await indexer.leaderboard(datanetId, { limit: MAX_PAGE, offset: rows.length });
      rows.push(...items);
      if (items.length < MAX_PAGE) return rows;
    }
  }
  return (
    <>
      <h1>Leaderboard of datanet #{String(id)}</h1>
      <Loaded query={board} what="the leaderboard" empty="No contributor has been judged yet." isEmpty={({ rows }) => rows.length === 0}>
        {({ block, rows }) => (
          <>
            <p>
              Ranked by score: the Wilson lower bound of each contributor's acceptance rate times the mean quality of the accepted work (the chain's reputation, as the
              indexer read it up to block {String(block.number)}).
            </p>
            <LeaderboardTable rows={rows} />
          </>
        )}
      </Loaded>
    </>
  );
}
