import { lazy, Suspense, useEffect, useState, type ComponentType } from "react";

import { AccountBar } from "./AccountBar.tsx";

/** Each page is its own chunk: the first load carries only the shell and the page it opens on. */
const pages: Record<string, ComponentType<{ id: bigint }>> = {
  datanets: lazy(() => import("./pages/Datanets.tsx")),
  datanet: lazy(() => import("./pages/Datanet.tsx")),
  contribute: lazy(() => import("./pages/Contribute.tsx")),
  mine: lazy(() => import("./pages/MyContributions.tsx")),
  validate: lazy(() => import("./pages/Validate.tsx")),
  leaderboard: lazy(() => import("./pages/Leaderboard.tsx")),
  rewards: lazy(() => import("./pages/Rewards.tsx")),
  models: lazy(() => import("./pages/ModelFactory.tsx")),
  attribution: lazy(() => import("./pages/Attribution.tsx")),
  audit: lazy(() => import("./pages/Audit.tsx")),
};

/** `#/<page>/<datanet id>`: the page and the datanet it is about (the last one chosen, else 1). */
function parseRoute(hash: string): { page: string; id: bigint } {
  const [page = "datanets", id] = hash.replace(/^#\/?/, "").split("/");
  const known = page in pages ? page : "datanets";
  const datanetId = id !== undefined && /^[1-9]\d*$/.test(id) ? BigInt(id) : BigInt(sessionStorage.getItem("openledger.datanet") ?? "1");
  return { page: known, id: datanetId };
}

const NAV: [page: string, label: string][] = [
  ["datanets", "Datanets"],
  ["contribute", "Contribute"],
  ["mine", "My contributions"],
  ["validate", "Validate"],
  ["leaderboard", "Leaderboard"],
  ["rewards", "Rewards"],
  ["models", "ModelFactory"],
  ["attribution", "Attribution"],
  ["audit", "Audit"],
];

export function App() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => sessionStorage.setItem("openledger.datanet", String(route.id)), [route.id]);
  const Page = pages[route.page]!;
  return (
    <>
      <header>
        <p className="brand">OpenLedger</p>
        <nav aria-label="Pages">
          <ul>
            {NAV.map(([page, label]) => (
              <li key={page}>
                <a href={`#/${page}/${route.id}`} aria-current={route.page === page || (page === "datanets" && route.page === "datanet") ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <AccountBar />
      </header>
      <main>
        <Suspense fallback={<p role="status">Loading the page…</p>}>
          <Page key={`${route.page}/${route.id}`} id={route.id} />
        </Suspense>
      </main>
    </>
  );
}
