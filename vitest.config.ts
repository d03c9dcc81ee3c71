import { defineConfig } from "vitest/config";

// One runner for the workspace: each package with a vitest.config.ts is a project.
export default defineConfig({
  test: {
    projects: [
      "libs/*/vitest.config.ts",
      "services/*/vitest.config.ts",
      "tests/*/vitest.config.ts",
      "demo/vitest.config.ts",
      "examples/*/vitest.config.ts",
    ],
  },
});
