import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeProbe } from "../index.ts";
import { closedPort, makeSpec, startTcp, testCtx } from "../testing/peers.ts";

/** Real DCMTK peers (Debian package `dcmtk`). */
function requireDcmtk(): void {
  try {
    execFileSync("storescp", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("DCMTK is required for the DICOM tests: apt-get install -y dcmtk");
  }
}

async function waitListening(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`DCMTK peer did not listen on ${port}`);
}

async function startScp(cmd: string, args: (port: number) => string[]) {
  const port = await closedPort();
  const child = spawn(cmd, args(port), { stdio: "ignore" });
  await waitListening(port);
  return { port, child };
}

describe("DICOM C-ECHO against DCMTK", () => {
  const children: ChildProcess[] = [];
  let store = 0;
  let refusing = 0;
  let checking = 0;
  let dir = "";

  beforeAll(async () => {
    requireDcmtk();
    dir = mkdtempSync(join(tmpdir(), "hip-dcmqr-"));
    const s = await startScp("storescp", (p) => ["-aet", "STORESCP", String(p)]);
    const r = await startScp("storescp", (p) => ["--refuse", String(p)]);
    // dcmqrscp checks the called AE title against its AETable.
    const qrPort = await closedPort();
    writeFileSync(
      join(dir, "qr.cfg"),
      [
        `NetworkTCPPort = ${qrPort}`,
        "MaxPDUSize = 16384",
        "MaxAssociations = 16",
        "HostTable BEGIN",
        "HostTable END",
        "VendorTable BEGIN",
        "VendorTable END",
        "AETable BEGIN",
        `PACS_MAIN ${dir} RW (10, 1024mb) ANY`,
        "AETable END",
        "",
      ].join("\n"),
    );
    const qr = spawn("dcmqrscp", ["-c", join(dir, "qr.cfg"), "--single-process", String(qrPort)], {
      stdio: "ignore",
    });
    await waitListening(qrPort);
    children.push(s.child, r.child, qr);
    store = s.port;
    refusing = r.port;
    checking = qrPort;
  });

  afterAll(() => {
    for (const c of children) c.kill("SIGTERM");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const spec = (port: number, config: Record<string, unknown> = {}, over = {}) =>
    makeSpec({ type: "IMAGING_SYSTEM", endpoint: `dicom://127.0.0.1:${port}`, config, ...over });

  it("storescp accepts the association and answers C-ECHO with Success", async () => {
    const out = await executeProbe(
      spec(store, { callingAeTitle: "HIP_PROBE", calledAeTitle: "STORESCP" }),
      testCtx(),
    );
    expect(out).toMatchObject({ probe: "dicom", success: true, error: null });
    expect(out.diagnostics).toMatchObject({
      association: "accepted",
      callingAeTitle: "HIP_PROBE",
      calledAeTitle: "STORESCP",
      echoStatus: "0x0000",
      released: true,
    });
    expect(String(out.diagnostics.implementationVersionName)).toMatch(/DCMTK/);
    expect(out.timings.connectMs).toBeGreaterThanOrEqual(0);
  });

  it("storescp --refuse: DICOM_ASSOCIATION_REJECTED with result/source/reason decoded", async () => {
    const out = await executeProbe(spec(refusing, {}, { retryAttempts: 2 }), testCtx());
    expect(out.error).toMatchObject({ code: "DICOM_ASSOCIATION_REJECTED", stage: "protocol" });
    expect(out.diagnostics).toMatchObject({
      association: "rejected",
      rejectResult: "rejected-permanent",
      rejectSource: "service-user",
      rejectReason: "no-reason-given",
    });
    expect(out.attempts).toBe(1);
  });

  it("dcmqrscp checks the called AE title: wrong title rejected, right title echoed", async () => {
    const wrong = await executeProbe(spec(checking, { calledAeTitle: "NOT_ME" }), testCtx());
    expect(wrong.error?.code).toBe("DICOM_ASSOCIATION_REJECTED");
    expect(wrong.error?.message).toContain("called-AE-title-not-recognized");
    const right = await executeProbe(spec(checking, { calledAeTitle: "PACS_MAIN" }), testCtx());
    expect(right.success).toBe(true);
  });
});

describe("DICOM C-ECHO against scripted peers", () => {
  it("A-ASSOCIATE-RJ transient is retried; A-ABORT is DICOM_ABORTED; non-DICOM is a protocol error", async () => {
    const rj = await startTcp((s) =>
      s.once("data", () => s.end(Buffer.from([3, 0, 0, 0, 0, 4, 0, 2, 3, 1]))),
    );
    const ab = await startTcp((s) =>
      s.once("data", () => s.end(Buffer.from([7, 0, 0, 0, 0, 4, 0, 0, 2, 1]))),
    );
    const http = await startTcp((s) => s.once("data", () => s.end("HTTP/1.1 400 Bad Request\r\n\r\n")));
    try {
      const a = await executeProbe(
        makeSpec({ type: "IMAGING_SYSTEM", endpoint: `dicom://127.0.0.1:${rj.port}`, retryAttempts: 2 }),
        testCtx(),
      );
      expect(a.error?.message).toBe(
        "association rejected: rejected-transient, source service-provider (presentation), reason temporary-congestion",
      );
      expect(a.attempts).toBe(3);
      const b = await executeProbe(
        makeSpec({ type: "IMAGING_SYSTEM", endpoint: `dicom://127.0.0.1:${ab.port}` }),
        testCtx(),
      );
      expect(b.error?.code).toBe("DICOM_ABORTED");
      expect(b.error?.message).toContain("unrecognized-PDU");
      const c = await executeProbe(
        makeSpec({ type: "IMAGING_SYSTEM", endpoint: `dicom://127.0.0.1:${http.port}` }),
        testCtx(),
      );
      expect(c.error?.code).toBe("DICOM_PROTOCOL_ERROR");
    } finally {
      await Promise.all([rj.close(), ab.close(), http.close()]);
    }
  });
});
