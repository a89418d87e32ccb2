import { LeaderboardTable } from "../LeaderboardTable.tsx";
import { Loaded, useApp, useLoad } from "../protocol.tsx";

/** A datanet's leaderboard: acceptance and quality, not volume, with each rank explained. */
export default function Leaderboard({ id }: { id: bigint }) {
  const { reader } = useApp();
  const board = useLoad(["leaderboard", String(id)], () => reader.reputation.leaderboard({ datanetId: id }));
  return (
    <>
      <h1>Leaderboard of datanet #{String(id)}</h1>
      <Loaded query={board} what="the leaderboard">
        {(rows) =>
          rows.length === 0 ? (
            <p>No contributor has been judged yet.</p>
          ) : (
            <>
              <p>
                Ranked by score: the Wilson lower bound of each contributor's acceptance rate times the mean quality of the accepted work. Every score here was rebuilt from
                events and {rows.every((r) => r.verified) ? "matches" : "does NOT all match"} the chain's.
              </p>
              <LeaderboardTable rows={rows} />
            </>
          )
        }
      </Loaded>
    </>
  );
}
