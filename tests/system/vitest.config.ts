import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "system",
    include: ["src/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
