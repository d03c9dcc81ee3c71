import {
  closedPort,
  startAuthApi,
  startDicomScp,
  startDicomWeb,
  startFhirServer,
  startFlappingApi,
  startMllp,
  startWebhookReceiver,
} from "@hip/simulators";
import { DEMO_CREDENTIALS } from "./credentials.ts";

/** Where each simulated hospital system answers. Every URL is on 127.0.0.1. */
export interface DemoEndpoints {
  hl7Accepting: string;
  hl7Rejecting: string;
  fhirBase: string;
  dicom: string;
  dicomAeTitle: string;
  dicomWeb: string;
  apiKeyApi: string;
  basicAuthApi: string;
  bearerApi: string;
  oauthApi: string;
  oauthTokenUrl: string;
  flapping: string;
  down: string;
  webhook: string;
  /** Where alert-service webhook notifications go (same receiver, its own path). */
  alertWebhook: string;
}

/** Port offsets from the base port (`./dev demo`: 3100, so 3101–3112); the README lists them. */
export const DEMO_PORT_OFFSETS = {
  hl7Accepting: 1,
  hl7Rejecting: 2,
  fhir: 3,
  dicom: 4,
  dicomWeb: 5,
  apiKeyApi: 6,
  basicAuthApi: 7,
  bearerApi: 8,
  oauthApi: 9,
  flapping: 10,
  down: 11,
  webhook: 12,
} as const;
type Slot = keyof typeof DEMO_PORT_OFFSETS;

const DICOM_AE = "PACS";

function endpointsFromPorts(port: (slot: Slot) => number): DemoEndpoints {
  const http = (slot: Slot) => `http://127.0.0.1:${port(slot)}`;
  return {
    hl7Accepting: `mllp://127.0.0.1:${port("hl7Accepting")}`,
    hl7Rejecting: `mllp://127.0.0.1:${port("hl7Rejecting")}`,
    fhirBase: `${http("fhir")}/fhir`,
    dicom: `dicom://127.0.0.1:${port("dicom")}`,
    dicomAeTitle: DICOM_AE,
    dicomWeb: `${http("dicomWeb")}/dicom-web`,
    apiKeyApi: `${http("apiKeyApi")}/v1/health`,
    basicAuthApi: `${http("basicAuthApi")}/api/status`,
    bearerApi: `${http("bearerApi")}/eligibility/ping`,
    oauthApi: `${http("oauthApi")}/payments/health`,
    oauthTokenUrl: `${http("oauthApi")}/oauth/token`,
    flapping: `${http("flapping")}/health`,
    down: `${http("down")}/health`,
    webhook: `${http("webhook")}/hooks/hip`,
    alertWebhook: `${http("webhook")}/hooks/alerts`,
  };
}

/** The endpoints of simulators started with `basePort` (what `./dev demo` seeds without asking the process). */
export function demoEndpoints(basePort: number): DemoEndpoints {
  return endpointsFromPorts((slot) => basePort + DEMO_PORT_OFFSETS[slot]);
}

export interface DemoSimulators {
  endpoints: DemoEndpoints;
  /** PIDs of child processes (DCMTK's storescp), so a supervisor can stop them by PID. */
  childPids: number[];
  /** Per simulator: how many requests/messages it answered (for the test and the log). */
  counters: () => Record<string, number>;
  close: () => Promise<void>;
}

/**
 * Starts every simulated system on loopback: at `basePort + offset` each (the demo), or on free ports when
 * `basePort` is omitted (the test). The "down" system is a port nothing listens on.
 */
export async function startDemoSimulators(opts: { basePort?: number } = {}): Promise<DemoSimulators> {
  const base = opts.basePort;
  const at = (slot: Slot) => (base === undefined ? {} : { port: base + DEMO_PORT_OFFSETS[slot] });
  const started: { close: () => Promise<void> }[] = [];
  const keep = <T extends { close: () => Promise<void> }>(p: T): T => {
    started.push(p);
    return p;
  };
  const c = DEMO_CREDENTIALS;
  try {
    const accepting = keep(
      await startMllp({ ...at("hl7Accepting"), ackCode: "AA", application: "ADT-ENGINE" }),
    );
    const rejecting = keep(
      await startMllp({
        ...at("hl7Rejecting"),
        ackCode: "AE",
        application: "LIS",
        text: "Unknown receiving application",
      }),
    );
    const fhir = keep(await startFhirServer(at("fhir")));
    const dicom = keep(await startDicomScp({ ...at("dicom"), aeTitle: DICOM_AE }));
    const dicomWeb = keep(await startDicomWeb(at("dicomWeb")));
    const latency: [number, number] = [5, 60];
    const apiKey = keep(
      await startAuthApi({
        ...at("apiKeyApi"),
        name: "lab results",
        latencyMs: latency,
        auth: { type: "API_KEY", key: c.labApiKey },
      }),
    );
    const basic = keep(
      await startAuthApi({
        ...at("basicAuthApi"),
        name: "pharmacy",
        latencyMs: latency,
        auth: { type: "BASIC_AUTH", username: c.pharmacyUser, password: c.pharmacyPassword },
      }),
    );
    const bearer = keep(
      await startAuthApi({
        ...at("bearerApi"),
        name: "insurance eligibility",
        latencyMs: [40, 180],
        auth: { type: "TOKEN", token: c.insuranceToken },
      }),
    );
    const oauth = keep(
      await startAuthApi({
        ...at("oauthApi"),
        name: "payment gateway",
        latencyMs: latency,
        auth: { type: "OAUTH", clientId: c.paymentClientId, clientSecret: c.paymentClientSecret },
      }),
    );
    const flapping = keep(await startFlappingApi(at("flapping")));
    const webhook = keep(await startWebhookReceiver({ ...at("webhook"), secret: c.webhookSecret }));
    const downPort = base === undefined ? await closedPort() : base + DEMO_PORT_OFFSETS.down;
    const ports: Record<Slot, number> = {
      hl7Accepting: accepting.port,
      hl7Rejecting: rejecting.port,
      fhir: fhir.port,
      dicom: dicom.port,
      dicomWeb: dicomWeb.port,
      apiKeyApi: apiKey.port,
      basicAuthApi: basic.port,
      bearerApi: bearer.port,
      oauthApi: oauth.port,
      flapping: flapping.port,
      down: downPort,
      webhook: webhook.port,
    };
    return {
      endpoints: endpointsFromPorts((slot) => ports[slot]),
      childPids: [dicom.pid],
      counters: () => ({
        hl7Accepting: accepting.hits(),
        hl7Rejecting: rejecting.hits(),
        fhir: fhir.hits(),
        dicomWeb: dicomWeb.hits(),
        apiKeyApi: apiKey.hits(),
        basicAuthApi: basic.hits(),
        bearerApi: bearer.hits(),
        oauthApi: oauth.hits(),
        oauthTokensIssued: oauth.tokensIssued(),
        flapping: flapping.answered().total,
        webhookDeliveries: webhook.deliveries.length,
        webhookRejected: webhook.rejected(),
      }),
      close: async () => {
        await Promise.all(started.map((p) => p.close()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((p) => p.close()));
    throw err;
  }
}
