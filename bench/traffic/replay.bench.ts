/**
 * Issue 14 acceptance replay, printed: 30 days of generated per-minute traffic for 50 integrations (night lull,
 * weekends, two holidays) with 5 outages, 3 error spikes and 2 stuck queues, run through the stats service's
 * detector minute by minute. Prints precision, recall, per-fault detection delay against its threshold, and
 * every false alert. The same scenario is asserted by services/stats-service/test/traffic-acceptance.test.ts.
 *
 *   node bench/traffic/replay.bench.ts
 */
import { replay, score } from "../../services/stats-service/test/traffic-replay.ts";

const r = replay();
const s = score(r);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");
console.log(
  `replayed ${r.integrations} integrations x ${r.minutes} minutes (${r.evaluations.toLocaleString("en")} evaluations) in ${(r.elapsedMs / 1000).toFixed(1)} s`,
);
console.log(`alerts ${r.alerts.length}, true ${s.truePositives}, false ${s.falseAlerts.length}`);
console.log(
  `precision ${s.precision.toFixed(3)}  recall ${s.recall.toFixed(3)}  max false alerts per integration ${s.maxFalsePerIntegration}`,
);
console.log(
  "\nfault                              start (UTC)        delay  threshold  within threshold + 1 min",
);
for (const f of s.faults) {
  const ok =
    f.delayMinutes !== null && f.thresholdMinutes !== null && f.delayMinutes <= f.thresholdMinutes + 1;
  console.log(
    `${`${f.fault.kind} #${f.fault.integration}`.padEnd(34)} ${iso(f.fault.start)}  ${String(f.delayMinutes ?? "-").padStart(4)} m  ${String(f.thresholdMinutes === null ? "-" : Math.round(f.thresholdMinutes * 10) / 10).padStart(6)} m  ${ok ? "yes" : "NO"}`,
  );
}
for (const a of s.falseAlerts) {
  console.log(
    `false: ${a.kind} #${a.integration} at ${iso(a.detectedAt)} observed ${JSON.stringify(a.observed)}`,
  );
}
