// Dev token (`./dev token ...` or `pnpm run token ...`; plain `pnpm token` is a pnpm 12 built-in): `./dev token --tenant t1 --role admin [--role viewer] [--sub alice] [--service probe-worker] [--ttl 3600]`
// Signs HS256 with JWT_SECRET (or the dev default) with the platform's one signer; prints the token on stdout.
// jwt.ts depends on node:crypto only, so this script needs none of the workspace's packages installed.
import { parseArgs } from "node:util";
import { DEV_JWT_SECRET, signHs256 } from "../libs/service-kit/src/jwt.ts";

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
// The services refuse longer-lived tokens (docs/security.md): say so here rather than hand out a token that 401s.
const cap = Number(
  (values.service ? process.env.JWT_SERVICE_MAX_TTL_SECONDS : process.env.JWT_MAX_TTL_SECONDS) ??
    (values.service ? 30 * 86_400 : 86_400),
);
if (ttl > cap) {
  console.error(
    `--ttl ${ttl} exceeds the ${cap} s the services accept (JWT_${values.service ? "SERVICE_" : ""}MAX_TTL_SECONDS)`,
  );
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
const iss = values.iss ?? process.env.JWT_ISSUER;
const aud = values.aud ?? process.env.JWT_AUDIENCE;
console.log(signHs256({ ...claims, iss, aud }, secret, { ttlSeconds: ttl }));
