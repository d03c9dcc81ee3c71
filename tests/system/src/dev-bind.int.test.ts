import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { waitFor } from "@hip/testkit";
import { afterAll, describe, expect, it } from "vitest";

const REPO_ROOT = resolve(import.meta.dirname, "../../..");
const root = mkdtempSync(join(tmpdir(), "hip-dev-bind-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * Runs ./dev's real start_service (scripts/stack.sh) against a stand-in service that records the HOST and PORT
 * it was started with, so nothing listens and nothing of the shared machine is touched.
 */
async function startWith(
  env: Record<string, string>,
): Promise<{ HOST?: string; PORT?: string; SMTP_SINK_HOST?: string }> {
  rmSync(join(root, ".run"), { recursive: true, force: true });
  cpSync(join(REPO_ROOT, "scripts"), join(root, "scripts"), { recursive: true });
  const dir = join(root, "services/config-service/src");
  mkdirSync(dir, { recursive: true });
  const out = join(root, "started.json");
  rmSync(out, { force: true });
  writeFileSync(
    join(dir, "main.ts"),
    `import { writeFileSync } from "node:fs";
const { HOST, PORT, SMTP_SINK_HOST } = process.env;
writeFileSync(${JSON.stringify(out)}, JSON.stringify({ HOST, PORT, SMTP_SINK_HOST }));
`,
  );
  writeFileSync(join(root, "services/config-service/package.json"), '{"type":"module"}');
  execFileSync("bash", ["-c", "source scripts/stack.sh && start_service config-service"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: root, ROOT: root, ...env },
    stdio: "ignore",
  });
  // start_service runs the service in the background, as ./dev up does.
  await waitFor(() => existsSync(out) && readFileSync(out, "utf8").endsWith("}"), {
    what: "the stand-in service",
  });
  return JSON.parse(readFileSync(out, "utf8"));
}

describe("./dev up binds the services to loopback", () => {
  it("starts every service with HOST=127.0.0.1 (the services keep 0.0.0.0 as their default for containers)", async () => {
    const first = await startWith({});
    expect(first).toEqual({ HOST: "127.0.0.1", PORT: "3001", SMTP_SINK_HOST: "127.0.0.1" });
  });

  it("HIP_BIND_HOST overrides it", async () => {
    const exposed = await startWith({ HIP_BIND_HOST: "0.0.0.0" });
    expect(exposed.HOST).toBe("0.0.0.0");
  });
});
