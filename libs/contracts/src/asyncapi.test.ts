import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildAsyncApi } from "./asyncapi.ts";

describe("docs/asyncapi.json", () => {
  it("is up to date with the zod contracts (regenerate: pnpm --filter @hip/contracts run asyncapi)", () => {
    const committed = JSON.parse(
      readFileSync(new URL("../../../docs/asyncapi.json", import.meta.url), "utf8"),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildAsyncApi())));
  });

  it("never describes a secret field in an event payload", () => {
    const text = JSON.stringify(buildAsyncApi().components);
    for (const field of ['"apiKey"', '"apiSecret"', '"password"', '"clientSecret"', '"token"']) {
      expect(text).not.toContain(field);
    }
  });
});
