import { ProbeFailure } from "../types.ts";
import { type AttemptEnv, failed, succeeded } from "../attempt.ts";
import { joinUrl } from "../config.ts";
import { checkBody, checkStatus } from "./checks.ts";
import { authedRequest, diagnosticsOf } from "./request.ts";
import type { AttemptOutcome } from "../types.ts";
import type { HttpResponse } from "@hip/net-guard";

/** Generic HTTP(S) check: method/path/body from config, auth, expected status (default 2xx), body conditions. */
export async function httpProbe(env: AttemptEnv): Promise<AttemptOutcome> {
  let res: HttpResponse | null = null;
  try {
    const endpoint = env.spec.endpoint;
    if (!endpoint) throw new ProbeFailure("INVALID_URL", "connect", "the integration has no endpoint");
    const method = env.cfg.method ?? "GET";
    const hasBody = env.cfg.body !== undefined && method !== "GET" && method !== "HEAD";
    const headers: Record<string, string> = { accept: "*/*" };
    if (hasBody && !Object.keys(env.spec.headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["content-type"] = /^\s*[[{]/.test(env.cfg.body ?? "") ? "application/json" : "text/plain";
    }
    res = await authedRequest(env, {
      url: joinUrl(endpoint, env.cfg.path),
      method,
      headers,
      body: hasBody ? env.cfg.body : undefined,
    });
    checkStatus(res, env.cfg.expectedStatus);
    const facts = checkBody(res, env.cfg);
    return succeeded(env, "http", {
      timings: res.timings,
      tls: res.tls,
      diagnostics: { ...diagnosticsOf(res), ...facts },
    });
  } catch (err) {
    return failWith(env, "http", err, res);
  }
}

/** A failure after a response keeps that response's timings and TLS facts. */
export function failWith(
  env: AttemptEnv,
  probe: Parameters<typeof failed>[1],
  err: unknown,
  res: HttpResponse | null,
) {
  if (res && err instanceof ProbeFailure) {
    err.timings = { ...res.timings, ...err.timings };
    err.tls = err.tls ?? res.tls;
    return failed(env, probe, err, diagnosticsOf(res));
  }
  return failed(env, probe, err);
}
