// Dev token (`./dev token ...` or `pnpm run token ...`; plain `pnpm token` is a pnpm 12 built-in): `./dev token --tenant t1 --role admin [--role viewer] [--sub alice] [--service probe-worker] [--ttl 3600]`
// Signs HS256 with JWT_SECRET (or the dev default) using node:crypto only; prints the token on stdout.
import { createHmac } from "node:crypto";
import { parseArgs } from "node:util";

const DEV_JWT_SECRET = "hip-dev-only-jwt-secret-not-for-production-use";

const { values } = parseArgs({
  options: {
    tenant: { type: "string" },
    role: { type: "string", multiple: true },
    sub: { type: "string" },
    service: { type: "string" },
    ttl: { type: "string", default: "3600" },
    iss: { type: "string" },
    aud: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(
    "usage: ./dev token --tenant <id> --role admin|viewer [--role ...] [--sub <user>] [--ttl <seconds>]",
  );
  console.log("       ./dev token --service <name>            (service token: roles [service], no tenant)");
  process.exit(0);
}
if (process.env.NODE_ENV === "production" && !process.env.JWT_SECRET) {
  console.error("JWT_SECRET is required when NODE_ENV=production");
  process.exit(1);
}
const secret = process.env.JWT_SECRET ?? DEV_JWT_SECRET;
const ttl = Number(values.ttl);
if (!Number.isInteger(ttl) || ttl <= 0) {
  console.error("--ttl must be a positive integer (seconds)");
  process.exit(1);
}

let claims: Record<string, unknown>;
if (values.service) {
  claims = { sub: values.service, roles: ["service"] };
} else {
  const roles = values.role ?? ["admin"];
  if (!values.tenant) {
    console.error("--tenant is required for a user token (or pass --service <name>)");
    process.exit(1);
  }
  const bad = roles.filter((r) => r !== "admin" && r !== "viewer");
  if (bad.length > 0) {
    console.error(`unknown role(s): ${bad.join(", ")} (admin | viewer)`);
    process.exit(1);
  }
  claims = { sub: values.sub ?? `dev-${roles[0]}`, tenantId: values.tenant, roles };
}
const iat = Math.floor(Date.now() / 1000);
const iss = values.iss ?? process.env.JWT_ISSUER;
const aud = values.aud ?? process.env.JWT_AUDIENCE;
const payload = { ...claims, iat, exp: iat + ttl, ...(iss ? { iss } : {}), ...(aud ? { aud } : {}) };
const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const head = `${enc({ alg: "HS256", typ: "JWT" })}.${enc(payload)}`;
console.log(`${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`);
