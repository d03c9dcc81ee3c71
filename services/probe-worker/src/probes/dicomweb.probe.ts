import type { HttpResponse } from "@hip/net-guard";
import { type AttemptEnv, succeeded } from "./attempt.ts";
import { joinUrl } from "./config.ts";
import { checkBody, checkStatus } from "./http/checks.ts";
import { failWith } from "./http/http.probe.ts";
import { authedRequest, diagnosticsOf } from "./http/request.ts";
import { type AttemptOutcome, ProbeFailure } from "./types.ts";

/**
 * DICOMweb QIDO-RS: `GET {base}/studies?limit=1` (or config.path) with `Accept: application/dicom+json`.
 * 204 (no studies) is a healthy answer; 200 must be application/dicom+json (or JSON) holding an array.
 */
export async function dicomwebProbe(env: AttemptEnv): Promise<AttemptOutcome> {
  let res: HttpResponse | null = null;
  try {
    const base = env.spec.endpoint;
    if (!base) throw new ProbeFailure("INVALID_URL", "connect", "the integration has no endpoint");
    res = await authedRequest(env, {
      url: joinUrl(base, env.cfg.path ?? "studies?limit=1"),
      method: "GET",
      headers: { accept: "application/dicom+json, application/json;q=0.5" },
    });
    checkStatus(res, env.cfg.expectedStatus);
    const diagnostics: Record<string, unknown> = { ...diagnosticsOf(res), ...checkBody(res, env.cfg) };
    if (res.status !== 204 && res.body.length > 0) {
      const ct = String(res.headers["content-type"] ?? "").toLowerCase();
      if (!/^application\/(dicom\+)?json/.test(ct)) {
        throw new ProbeFailure(
          "DICOMWEB_UNEXPECTED_CONTENT_TYPE",
          "protocol",
          `QIDO-RS answered ${ct || "without a content type"}; expected application/dicom+json`,
        );
      }
      let doc: unknown;
      try {
        doc = JSON.parse(res.body.toString("utf8"));
      } catch {
        throw new ProbeFailure("PROTOCOL_ERROR", "protocol", "QIDO-RS response is not valid JSON");
      }
      if (!Array.isArray(doc))
        throw new ProbeFailure("PROTOCOL_ERROR", "protocol", "QIDO-RS response is not a JSON array");
      diagnostics.studies = doc.length;
    } else {
      diagnostics.studies = 0;
    }
    return succeeded(env, "dicomweb", { timings: res.timings, tls: res.tls, diagnostics });
  } catch (err) {
    return failWith(env, "dicomweb", err, res);
  }
}
