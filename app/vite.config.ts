import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

// The SDK is imported through its package exports; the source condition reads its TypeScript
// directly, so the app needs no `npm run build --workspace sdk` first.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ["@openledger-evm/source", ...defaultClientConditions] },
  // The tokenizer tables (js-tiktoken, about 3 MB) are chunks only the attribution engine loads, on demand.
  build: { target: "es2022", chunkSizeWarningLimit: 4_000 },
});
