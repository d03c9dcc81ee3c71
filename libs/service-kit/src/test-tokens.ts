import { createHmac, createSign } from "node:crypto";

/** Test helper: signs a compact JWS by hand, so tests can forge every kind of bad token. */
export function signJwt(
  payload: Record<string, unknown>,
  key:
    | { alg: "HS256"; secret: string }
    | { alg: "RS256"; privateKeyPem: string; kid?: string }
    | { alg: "none" },
): string {
  const header: Record<string, string> = { alg: key.alg, typ: "JWT" };
  if (key.alg === "RS256" && key.kid) header.kid = key.kid;
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const input = `${b64(header)}.${b64({ iat: Math.floor(Date.now() / 1000), ...payload })}`;
  if (key.alg === "none") return `${input}.`;
  if (key.alg === "HS256")
    return `${input}.${createHmac("sha256", key.secret).update(input).digest("base64url")}`;
  const signer = createSign("RSA-SHA256");
  signer.update(input);
  return `${input}.${signer.sign(key.privateKeyPem).toString("base64url")}`;
}
