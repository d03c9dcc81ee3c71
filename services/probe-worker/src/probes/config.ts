import { type ConnectionSpec, IntegrationConfig } from "@hip/contracts";
import { z } from "zod";
import { ProbeFailure } from "@hip/net-guard";

/** Probe-only config keys not in the shared IntegrationConfig (the config object is loose by design). */
const ProbeExtras = z.looseObject({
  /** OAuth2 client authentication at the token endpoint (RFC 6749 §2.3.1). Default client_secret_basic. */
  tokenAuthMethod: z.enum(["client_secret_basic", "client_secret_post"]).optional(),
  audience: z.string().max(1024).optional(),
});

export type ProbeConfig = IntegrationConfig & z.infer<typeof ProbeExtras>;

/**
 * Parses the record's config. Unknown keys pass through; a malformed known key fails the probe with
 * CONFIG_INVALID naming the key (silently ignoring e.g. a bad `expectedStatus` would report a wrong health).
 */
export function probeConfig(spec: ConnectionSpec): ProbeConfig {
  const parsed = IntegrationConfig.safeParse(spec.config);
  const extras = ProbeExtras.safeParse(spec.config);
  const issue = !parsed.success
    ? parsed.error.issues[0]
    : !extras.success
      ? extras.error.issues[0]
      : undefined;
  if (issue || !parsed.success || !extras.success) {
    const where = issue?.path.length ? `config.${issue.path.join(".")}` : "config";
    throw new ProbeFailure("CONFIG_INVALID", "application", `${where}: ${issue?.message ?? "invalid"}`);
  }
  return { ...parsed.data, ...extras.data };
}

/** Joins a base endpoint and a configured path: `https://h/v1` + `/health` = `https://h/v1/health`. */
export function joinUrl(base: string, path: string | undefined): string {
  if (!path) return base;
  const u = new URL(base);
  const [p = "", query] = path.split(/\?(.*)/s, 2);
  u.pathname = `${u.pathname.replace(/\/+$/, "")}/${p.replace(/^\/+/, "")}`;
  if (query !== undefined) u.search = query;
  return u.toString();
}
