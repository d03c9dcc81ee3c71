import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "config-service",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
