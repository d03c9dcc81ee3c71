import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { maskSecret, parseKeyRing } from "./key-ring.ts";

const key = () => randomBytes(32).toString("base64");

describe("key ring", () => {
  it("round-trips under the newest key and decrypts older keys", () => {
    const k1 = key();
    const old = parseKeyRing(`a:${k1}`);
    const ct = old.encrypt("s3cret-value", "t1:id:apiKey");
    const ring = parseKeyRing(`a:${k1},b:${key()}`);
    expect(ring.currentKeyId).toBe("b");
    expect(ring.decrypt(ct, "t1:id:apiKey")).toBe("s3cret-value");
    const fresh = ring.encrypt("s3cret-value", "t1:id:apiKey");
    expect(ring.keyIdOf(fresh)).toBe("b");
    expect(fresh).not.toContain("s3cret");
  });

  it("refuses a ciphertext moved to another row or field (AAD)", () => {
    const ring = parseKeyRing(`a:${key()}`);
    const ct = ring.encrypt("x", "t1:id:apiKey");
    expect(() => ring.decrypt(ct, "t2:id:apiKey")).toThrow(/failed authentication/);
  });

  it("rejects malformed key specs without echoing key material", () => {
    expect(() => parseKeyRing("")).toThrow(/at least one key/);
    expect(() => parseKeyRing("a:c2hvcnQ=")).toThrow(/32 bytes/);
    expect(() => parseKeyRing(`bad id:${key()}`)).toThrow(/keyId/);
  });

  it("masks with the last four characters only when long enough", () => {
    expect(maskSecret("abcdefgh1234")).toBe("****1234");
    expect(maskSecret("short")).toBe("****");
  });
});
