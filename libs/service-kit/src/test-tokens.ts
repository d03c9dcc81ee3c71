import { createSign } from "node:crypto";
import { signHs256 } from "./jwt.ts";

/**
 * Test helper: signs a compact JWS by hand, so tests can forge every kind of bad token. Adds `exp` one hour
 * ahead unless the payload names `exp` (`exp: undefined` forges a token without one).
 */
export function signJwt(
  claims: Record<string, unknown>,
  key:
    | { alg: "HS256"; secret: string }
    | { alg: "RS256"; privateKeyPem: string; kid?: string }
    | { alg: "none" },
): string {
  const payload = "exp" in claims ? claims : { ...claims, exp: Math.floor(Date.now() / 1000) + 3600 };
  if (key.alg === "HS256") return signHs256(payload, key.secret);
  const header: Record<string, string> = { alg: key.alg, typ: "JWT" };
  if (key.alg === "RS256" && key.kid) header.kid = key.kid;
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const input = `${b64(header)}.${b64({ iat: Math.floor(Date.now() / 1000), ...payload })}`;
  if (key.alg === "none") return `${input}.`;
  const signer = createSign("RSA-SHA256");
  signer.update(input);
  return `${input}.${signer.sign(key.privateKeyPem).toString("base64url")}`;
}
