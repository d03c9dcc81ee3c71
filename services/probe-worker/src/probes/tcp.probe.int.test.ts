import { describe, expect, it } from "vitest";
import { executeProbe } from "./index.ts";
import { closedPort, makeSpec, startTcp, testCtx } from "./testing/peers.ts";

describe("TCP probe (fallback)", () => {
  it("an accepting port is success with connect timing", async () => {
    const peer = await startTcp();
    try {
      const out = await executeProbe(
        makeSpec({ type: "PHARMACY_SYSTEM", endpoint: `tcp://127.0.0.1:${peer.port}` }),
        testCtx(),
      );
      expect(out).toMatchObject({ probe: "tcp", success: true, attempts: 1 });
      expect(out.timings.connectMs).toBeGreaterThanOrEqual(0);
      expect(peer.connections).toBe(1);
    } finally {
      await peer.close();
    }
  });

  it("a closed port is CONNECTION_REFUSED, attempts = retries + 1", async () => {
    const port = await closedPort();
    const ctx = testCtx();
    const out = await executeProbe(
      makeSpec({ type: "INSURANCE", endpoint: `tcp://127.0.0.1:${port}`, retryAttempts: 2 }),
      ctx,
    );
    expect(out.error).toMatchObject({ code: "CONNECTION_REFUSED", stage: "connect" });
    expect(out.attempts).toBe(3);
    expect(ctx.sleeps).toHaveLength(2);
  });

  it("an endpoint without a port is INVALID_URL", async () => {
    const out = await executeProbe(makeSpec({ type: "INSURANCE", endpoint: "tcp://127.0.0.1" }), testCtx());
    expect(out.error?.code).toBe("INVALID_URL");
  });
});
