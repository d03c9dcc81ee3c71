// Heap held by concurrent probes against peers answering huge bodies (issue 9 item 9; docs/probes.md "Buffer caps").
// `node --expose-gc bench/probe-worker/large-answers.bench.ts [concurrency=50] [answerMiB=15]` prints JSON: heap and
// RSS before and at the peak while `concurrency` FHIR probes and as many HTTP probes with a jsonPath condition read
// an answer of `answerMiB` from a loopback peer, and the outcome codes. No stores needed.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { executeProbe, OAuthTokenCache } from "../../services/probe-worker/src/probes/index.ts";
import { makeSpec } from "../../services/probe-worker/src/probes/testing/peers.ts";

const concurrency = Number(process.argv[2] ?? 50);
const answerMiB = Number(process.argv[3] ?? 15);
const answer = Buffer.from(
  JSON.stringify({
    resourceType: "CapabilityStatement",
    status: "active",
    fhirVersion: "4.0.1",
    description: "x".repeat(answerMiB << 20),
    rest: [{ mode: "server", resource: [{ type: "Patient" }] }],
  }),
);
const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/fhir+json" });
  res.end(answer);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const gc = (globalThis as { gc?: () => void }).gc;
const mib = (n: number) => Math.round((n / (1 << 20)) * 10) / 10;
gc?.();
const before = process.memoryUsage();
let peakHeap = before.heapUsed;
let peakRss = before.rss;
let peakBuffers = before.arrayBuffers;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
  peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
}, 5);
const ctx = { allowedCidrs: ["127.0.0.0/8"], tokenCache: new OAuthTokenCache() };
const started = performance.now();
const outcomes = await Promise.all([
  ...Array.from({ length: concurrency }, () =>
    executeProbe(makeSpec({ type: "FHIR", endpoint: `${base}/fhir`, timeout: 60_000 }), ctx),
  ),
  ...Array.from({ length: concurrency }, () =>
    executeProbe(
      makeSpec({
        endpoint: `${base}/health`,
        timeout: 60_000,
        config: { jsonPath: "$.status", jsonEquals: "active" },
      }),
      ctx,
    ),
  ),
]);
clearInterval(sampler);
const codes: Record<string, number> = {};
for (const o of outcomes) {
  const code = o.error?.code ?? "OK";
  codes[code] = (codes[code] ?? 0) + 1;
}
console.log(
  JSON.stringify(
    {
      concurrency,
      probes: outcomes.length,
      answerMiB: mib(answer.length),
      heapBeforeMiB: mib(before.heapUsed),
      heapPeakMiB: mib(peakHeap),
      buffersBeforeMiB: mib(before.arrayBuffers),
      buffersPeakMiB: mib(peakBuffers),
      rssBeforeMiB: mib(before.rss),
      rssPeakMiB: mib(peakRss),
      seconds: Math.round((performance.now() - started) / 100) / 10,
      outcomes: codes,
      gcExposed: Boolean(gc),
    },
    null,
    2,
  ),
);
server.close();
