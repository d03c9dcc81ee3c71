import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "dashboard",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx", "server/**/*.test.ts", "e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
