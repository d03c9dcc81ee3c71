import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HttpOptions, type HttpPeer, json, startHttp } from "./http.ts";
import { closedPort, waitListening } from "./net.ts";

export interface DicomScpOptions {
  /** Fixed port (the demo) or a free one (default). */
  port?: number;
  /** The SCP's own AE title (default `PACS`). */
  aeTitle?: string;
  /** Refuse every association (`storescp --refuse`): a PACS that rejects us. */
  refuse?: boolean;
}

export interface DicomScpPeer {
  port: number;
  endpoint: string;
  aeTitle: string;
  /** The storescp process id (stopped by PID, never by name). */
  pid: number;
  close: () => Promise<void>;
}

/** Throws a message naming the Debian package when DCMTK is not installed. */
export function requireDcmtk(): void {
  try {
    execFileSync("storescp", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("DCMTK's storescp is required for the DICOM peer: apt-get install -y dcmtk");
  }
}

/**
 * A real DICOM SCP: DCMTK's `storescp` (Debian package `dcmtk`), which answers association requests and C-ECHO
 * (Verification SOP Class) like a PACS. Received objects, if any, go to a temporary directory removed on close.
 */
export async function startDicomScp(opts: DicomScpOptions = {}): Promise<DicomScpPeer> {
  requireDcmtk();
  const port = opts.port ?? (await closedPort());
  const aeTitle = opts.aeTitle ?? "PACS";
  const dir = mkdtempSync(join(tmpdir(), "hip-storescp-"));
  const args = ["-aet", aeTitle, "-od", dir, ...(opts.refuse ? ["--refuse"] : []), String(port)];
  const child: ChildProcess = spawn("storescp", args, { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitListening(port),
      exited.then(() => {
        throw new Error(`storescp exited before listening on ${port} (port in use?)`);
      }),
    ]);
  } catch (err) {
    await close();
    throw err;
  }
  if (child.pid === undefined) throw new Error("storescp did not start");
  return { port, endpoint: `dicom://127.0.0.1:${port}`, aeTitle, pid: child.pid, close };
}

export interface DicomWebPeer extends HttpPeer {
  /** The DICOMweb base URL (what an integration's endpoint is). */
  base: string;
}

/** A DICOMweb (QIDO-RS) endpoint: `GET {base}/studies` answers one study as `application/dicom+json`. */
export async function startDicomWeb(opts: HttpOptions & { basePath?: string } = {}): Promise<DicomWebPeer> {
  const basePath = (opts.basePath ?? "/dicom-web").replace(/\/$/, "");
  const study = {
    "0020000D": { vr: "UI", Value: ["1.2.826.0.1.3680043.8.498.1"] },
    "00080020": { vr: "DA", Value: ["20260101"] },
    "00080061": { vr: "CS", Value: ["CT"] },
    "00100010": { vr: "PN", Value: [{ Alphabetic: "Simulated^Patient" }] },
  };
  const peer = await startHttp((req, res) => {
    const path = req.url.split("?")[0] ?? "";
    if (req.method === "GET" && path === `${basePath}/studies`) {
      return json(res, 200, [study], "application/dicom+json");
    }
    json(res, 404, { error: "not found" });
  }, opts);
  return Object.assign(peer, { base: `${peer.url}${basePath}` });
}
