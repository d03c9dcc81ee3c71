import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "probe-worker",
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
