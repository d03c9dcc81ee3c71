import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { API_BASE_PATH } from "../../libs/contracts/src/api.ts";

// `pnpm dev` proxies the API to a running dashboard server (./dev up) so the SPA keeps one origin.
export default defineConfig({
  base: "/dashboard/integration/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500, sourcemap: false },
  server: {
    port: 5173,
    proxy: {
      [API_BASE_PATH]: "http://127.0.0.1:3002",
      "/dashboard/dev-token": "http://127.0.0.1:3002",
      "/dashboard/integration/runtime-config.json": "http://127.0.0.1:3002",
    },
  },
});
