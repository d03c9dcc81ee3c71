import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Test-only: a private CA and leaf certificates made with the openssl CLI. */
export interface TestCa {
  ca: string;
  /** A leaf for `altNames` (e.g. "DNS:localhost,IP:127.0.0.1") valid `days` from now (0 = expires now). */
  leaf: (altNames: string, days: number) => { key: string; cert: string };
  dispose: () => void;
}

const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });

export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "hip-ca-"));
  const p = (f: string) => join(dir, f);
  openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    p("ca.key"),
    "-out",
    p("ca.pem"),
    "-days",
    "5",
    "-subj",
    "/CN=HIP Test CA",
  ]);
  let n = 0;
  return {
    ca: readFileSync(p("ca.pem"), "utf8"),
    leaf: (altNames, days) => {
      n++;
      writeFileSync(p(`ext${n}.cnf`), `subjectAltName=${altNames}\n`);
      openssl([
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        p(`l${n}.key`),
        "-out",
        p(`l${n}.csr`),
        "-subj",
        "/CN=localhost",
      ]);
      openssl([
        "x509",
        "-req",
        "-in",
        p(`l${n}.csr`),
        "-CA",
        p("ca.pem"),
        "-CAkey",
        p("ca.key"),
        "-CAcreateserial",
        "-days",
        String(days),
        "-extfile",
        p(`ext${n}.cnf`),
        "-out",
        p(`l${n}.pem`),
      ]);
      return { key: readFileSync(p(`l${n}.key`), "utf8"), cert: readFileSync(p(`l${n}.pem`), "utf8") };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
