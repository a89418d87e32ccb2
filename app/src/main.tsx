import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { WagmiProvider } from "wagmi";

import { App } from "./App.tsx";
import { loadConfig } from "./config.ts";
import { Alert, AppProvider, sentenceOf } from "./protocol.tsx";
import { wagmiConfig } from "./wallet.ts";

const root = createRoot(document.getElementById("root")!);
try {
  const config = await loadConfig();
  const queries = new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false, staleTime: 2_000 } } });
  root.render(
    <StrictMode>
      <WagmiProvider config={wagmiConfig(config)}>
        <QueryClientProvider client={queries}>
          <AppProvider config={config}>
            <App />
          </AppProvider>
        </QueryClientProvider>
      </WagmiProvider>
    </StrictMode>,
  );
} catch (error) {
  const message = await sentenceOf(error);
  root.render(
    <main>
      <h1>OpenLedger</h1>
      <Alert text={message} />
    </main>,
  );
}
