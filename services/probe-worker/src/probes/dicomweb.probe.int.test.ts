import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeProbe } from "./index.ts";
import { type HttpPeer, json, makeSpec, startHttp, testCtx } from "./testing/peers.ts";

describe("DICOMweb probe (QIDO-RS)", () => {
  let peer: HttpPeer;
  beforeAll(async () => {
    peer = await startHttp((req, res) => {
      if (req.url === "/dicom-web/studies?limit=1") {
        return json(res, 200, [{ "0020000D": { vr: "UI", Value: ["1.2.3"] } }], "application/dicom+json");
      }
      if (req.url === "/empty/studies?limit=1") {
        res.writeHead(204);
        return res.end();
      }
      if (req.url === "/html/studies?limit=1") {
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html></html>");
      }
      json(res, 404, {});
    });
  });
  afterAll(async () => {
    await peer.close();
  });

  const spec = (path: string) => makeSpec({ type: "IMAGING_SYSTEM", endpoint: `${peer.url}${path}` });

  it("2xx application/dicom+json is healthy", async () => {
    const out = await executeProbe(spec("/dicom-web"), testCtx());
    expect(out).toMatchObject({ probe: "dicomweb", success: true });
    expect(out.diagnostics.studies).toBe(1);
    expect(peer.requests.at(-1)?.headers.accept).toContain("application/dicom+json");
  });

  it("204 (no studies) is healthy", async () => {
    expect((await executeProbe(spec("/empty"), testCtx())).success).toBe(true);
  });

  it("a wrong content type or status fails", async () => {
    expect((await executeProbe(spec("/html"), testCtx())).error?.code).toBe(
      "DICOMWEB_UNEXPECTED_CONTENT_TYPE",
    );
    expect((await executeProbe(spec("/missing"), testCtx())).error?.code).toBe("HTTP_STATUS");
  });
});
