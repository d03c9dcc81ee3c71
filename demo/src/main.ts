/*
 * The demo's command line (run by `./dev demo`; see README "Demo").
 *
 *   node demo/src/main.ts simulators [--base-port 3100] [--ready-file PATH]
 *       starts every simulated system on 127.0.0.1:(base+1 … base+12), writes PATH (JSON: endpoints and child
 *       PIDs) once all listen, logs a line per minute with what they answered, stops on SIGTERM/SIGINT.
 *   node demo/src/main.ts seed [--base-port 3100] [--config-url URL] [--alert-url URL]
 *       with DEMO_TOKEN (an admin JWT of tenant `demo`): creates or updates the demo integrations through the REST
 *       API, runs a first connection test of each, and (hook) seeds alert channels when the alert-service answers.
 */
import { renameSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { seedAlerts } from "./alerts.ts";
import { demoIntegrations } from "./catalog.ts";
import { DEMO_CREDENTIALS } from "./credentials.ts";
import { apiClient, kickOffTests, seedIntegrations } from "./seed.ts";
import { demoEndpoints, startDemoSimulators } from "./simulators.ts";

const log = (line: string) => console.log(`[demo] ${line}`);

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    "base-port": { type: "string", default: "3100" },
    "ready-file": { type: "string" },
    "config-url": { type: "string", default: "http://127.0.0.1:3001" },
    "alert-url": { type: "string", default: "http://127.0.0.1:3005" },
  },
});
const basePort = Number(values["base-port"]);
if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65_000) {
  console.error("--base-port must be a port number");
  process.exit(2);
}

async function runSimulators(): Promise<void> {
  const sims = await startDemoSimulators({ basePort });
  for (const [name, url] of Object.entries(sims.endpoints)) log(`${name.padEnd(14)} ${url}`);
  const readyFile = values["ready-file"];
  if (readyFile) {
    writeFileSync(
      `${readyFile}.tmp`,
      JSON.stringify({ endpoints: sims.endpoints, childPids: sims.childPids }),
    );
    renameSync(`${readyFile}.tmp`, readyFile);
  }
  log(`simulators ready (pid ${process.pid}; storescp pid ${sims.childPids.join(", ")})`);
  const timer = setInterval(() => log(`answered so far: ${JSON.stringify(sims.counters())}`), 60_000);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    log(`${signal}: stopping simulators`);
    await sims.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

async function runSeed(): Promise<void> {
  const token = process.env.DEMO_TOKEN;
  if (!token) {
    console.error(
      "DEMO_TOKEN is required: an admin token of tenant demo (./dev token --tenant demo --role admin)",
    );
    process.exit(2);
  }
  const endpoints = demoEndpoints(basePort);
  const wanted = demoIntegrations(endpoints);
  const api = apiClient(values["config-url"], token);
  const seeded = await seedIntegrations(api, wanted);
  log(
    `integrations: ${seeded.created.length} created, ${seeded.updated.length} updated, ${seeded.unchanged.length} unchanged`,
  );
  const outcomes = await kickOffTests(api, wanted, seeded.ids);
  for (const [name, outcome] of Object.entries(outcomes)) log(`first test  ${name}: ${outcome}`);
  await seedAlerts({
    alertUrl: values["alert-url"],
    api: apiClient(values["alert-url"], token),
    webhookUrl: endpoints.alertWebhook,
    webhookSecret: DEMO_CREDENTIALS.webhookSecret,
    emailTo: "on-call@demo-hospital.test",
    log,
  });
}

const command = positionals[0];
if (command === "simulators") await runSimulators();
else if (command === "seed") await runSeed();
else {
  console.error("usage: node demo/src/main.ts simulators|seed [--base-port N] (see the header of this file)");
  process.exit(2);
}
