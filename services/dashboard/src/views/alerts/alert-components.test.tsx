import { MantineProvider } from "@mantine/core";
import type { ChannelView, IncidentView, PolicyView, TimelineEntry } from "@hip/contracts";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AlertCoverageNotice } from "./AlertCoverage.tsx";
import { ChannelCard } from "./ChannelCard.tsx";
import { IncidentStateBadge, OpenIncidentBadge } from "./IncidentBadge.tsx";
import { IncidentCards, IncidentTable } from "./IncidentTable.tsx";
import { IncidentTimeline } from "./IncidentTimeline.tsx";
import { NoPolicyNotice } from "./NoPolicyNotice.tsx";
import { PolicyCard } from "./PolicyList.tsx";

const render = (node: React.ReactNode) => renderToStaticMarkup(<MantineProvider>{node}</MantineProvider>);
const noop = () => {};

const incident = (over: Partial<IncidentView> = {}): IncidentView => ({
  id: "4f2f5a52-7a0e-4c55-8f43-7c0d4b8b9e05",
  tenantId: "t1",
  integrationId: "2d0f5a52-7a0e-4c55-8f43-7c0d4b8b9e03",
  integrationName: "Lab feed",
  integrationType: "LAB_SYSTEM",
  state: "open",
  openedAt: "2026-01-01T10:00:00.000Z",
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolveReason: null,
  error: { code: "ECONNREFUSED", stage: "connect", message: "connection refused" },
  flapping: null,
  maintenance: null,
  kind: "STATUS",
  anomaly: null,
  parentIncidentId: null,
  suppressedBy: null,
  childCount: 0,
  children: [],
  durationMs: 125_000,
  ...over,
});

const channel: ChannelView = {
  id: "0b8f5a52-7a0e-4c55-8f43-7c0d4b8b9e01",
  name: "Ops hook",
  type: "WEBHOOK",
  config: { url: "https://hooks.example.com/****abcd", secret: "****wxyz" },
  secretsSet: { url: true, secret: true },
  lastDelivery: {
    key: "k",
    incidentId: "4f2f5a52-7a0e-4c55-8f43-7c0d4b8b9e05",
    transition: "opened",
    outcome: "succeeded",
    attempts: 1,
    at: "2026-01-01T10:00:01.000Z",
    statusCode: 200,
    error: null,
  },
  lastTest: null,
  version: 1,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  createdBy: "admin",
  updatedBy: "admin",
};

const policy = (enabled: boolean): PolicyView => ({
  id: "3e1f5a52-7a0e-4c55-8f43-7c0d4b8b9e04",
  name: "Everything",
  enabled,
  integrations: { scope: "all" },
  channelIds: [channel.id],
  notifyOnResolve: true,
  renotifyMinutes: null,
  escalation: null,
  flapping: { changes: 4, windowMinutes: 30, stableMinutes: 15 },
  expiryDays: [30, 14, 7, 1],
  dependencyGraceMinutes: 2,
  version: 1,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  createdBy: "admin",
  updatedBy: "admin",
});

describe("alert components", () => {
  it("the open-incident badge is a labelled link to the incident", () => {
    const html = render(<OpenIncidentBadge incident={incident()} />);
    expect(html).toContain('href="/dashboard/integration/incidents/4f2f5a52-7a0e-4c55-8f43-7c0d4b8b9e05"');
    expect(html).toContain("Incident open");
    expect(render(<OpenIncidentBadge incident={incident({ state: "acknowledged" })} />)).toContain(
      "Incident acknowledged",
    );
    expect(render(<IncidentStateBadge state="resolved" />)).toContain(
      'aria-label="Incident state: Resolved"',
    );
  });

  it("gives admins ack and note on open incidents, a note on acknowledged ones, viewers neither", () => {
    const rows = [
      incident(),
      incident({ id: "5f2f5a52-7a0e-4c55-8f43-7c0d4b8b9e06", state: "acknowledged" }),
    ];
    const admin = render(<IncidentTable rows={rows} canWrite loading={false} onChanged={noop} />);
    expect(admin.match(/>Acknowledge</g)).toHaveLength(1);
    expect(admin.match(/>Add note</g)).toHaveLength(2);
    expect(admin).toContain("ECONNREFUSED");
    expect(admin).toContain("2 min 5 s");
    for (const View of [IncidentTable, IncidentCards]) {
      const viewer = render(<View rows={rows} canWrite={false} loading={false} onChanged={noop} />);
      expect(viewer).not.toContain(">Acknowledge<");
      expect(viewer).not.toContain(">Add note<");
      expect(viewer).toContain("Lab feed");
    }
    expect(render(<IncidentTable rows={[]} canWrite loading={false} onChanged={noop} />)).toContain(
      "No incidents match these filters.",
    );
  });

  it("groups suppressed incidents under their parent's, marked with the parent and the dependents count", () => {
    const parentId = "6f2f5a52-7a0e-4c55-8f43-7c0d4b8b9e07";
    const rows = [
      incident({
        id: "7f2f5a52-7a0e-4c55-8f43-7c0d4b8b9e08",
        integrationName: "Ward feed",
        suppressedBy: parentId,
      }),
      incident({ id: "8f2f5a52-7a0e-4c55-8f43-7c0d4b8b9e09", integrationName: "Billing" }),
      incident({ id: parentId, integrationName: "VPN tunnel", childCount: 50 }),
    ];
    for (const View of [IncidentTable, IncidentCards]) {
      const html = render(<View rows={rows} canWrite={false} loading={false} onChanged={noop} />);
      expect(html).toContain("Suppressed by VPN tunnel");
      expect(html).toContain("50 dependents affected");
      const order = ["Billing", "VPN tunnel", "Ward feed"].map((n) => html.indexOf(`>${n}<`));
      expect(order.every((p, k) => p >= 0 && (k === 0 || p > (order[k - 1] ?? 0)))).toBe(true);
    }
  });

  it("renders the timeline in order with its facts", () => {
    const entries: TimelineEntry[] = [
      {
        id: "1",
        at: "2026-01-01T10:00:00.000Z",
        kind: "opened",
        actor: "system",
        data: { error: { code: "TIMEOUT", stage: "connect", message: "timed out" }, deliveries: 1 },
      },
      {
        id: "2",
        at: "2026-01-01T10:00:01.000Z",
        kind: "delivery",
        actor: "system",
        data: {
          channelName: "Ops hook",
          channelType: "WEBHOOK",
          outcome: "success",
          statusCode: 200,
          latencyMs: 8,
          attempt: 1,
          transition: "opened",
        },
      },
      { id: "3", at: "2026-01-01T10:05:00.000Z", kind: "acknowledged", actor: "alice", data: {} },
    ];
    const html = render(<IncidentTimeline entries={entries} />);
    const order = ["Opened", "Delivered via Ops hook (WEBHOOK)", "Acknowledged by alice"].map((t) =>
      html.indexOf(t),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain("TIMEOUT · stage connect — timed out");
    expect(html).toContain("HTTP 200 · 8 ms");
  });

  it("shows channel settings only as the API's masks, and its last delivery", () => {
    const admin = render(
      <ChannelCard
        channel={channel}
        canWrite
        testing={false}
        testResult={null}
        onTest={noop}
        onEdit={noop}
        onDelete={noop}
      />,
    );
    expect(admin).toContain("https://hooks.example.com/****abcd");
    expect(admin).toContain("****wxyz");
    expect(admin).toContain("Delivered");
    expect(admin).toContain("HTTP 200");
    expect(admin).toMatch(/>Test</);
    const viewer = render(
      <ChannelCard
        channel={channel}
        canWrite={false}
        testing={false}
        testResult={null}
        onTest={noop}
        onEdit={noop}
        onDelete={noop}
      />,
    );
    for (const action of [">Test<", ">Edit<", ">Delete<"]) expect(viewer).not.toContain(action);
    const tested = render(
      <ChannelCard
        channel={channel}
        canWrite
        testing={false}
        testResult={{
          ok: false,
          channelType: "WEBHOOK",
          statusCode: null,
          latencyMs: 3,
          error: { code: "SSRF_BLOCKED", message: "blocked" },
          testedAt: "2026-01-01T10:00:00.000Z",
        }}
        onTest={noop}
        onEdit={noop}
        onDelete={noop}
      />,
    );
    expect(tested).toContain("Test failed");
    expect(tested).toContain("SSRF_BLOCKED: blocked");
  });

  it("says plainly when nobody will be notified", () => {
    const none = render(<NoPolicyNotice policies={[]} />);
    expect(none).toContain("Nobody will be notified");
    expect(none).toContain("no alert policy");
    expect(render(<NoPolicyNotice policies={[policy(false)]} />)).toContain("disabled");
    expect(render(<NoPolicyNotice policies={[policy(true)]} />)).not.toContain("Nobody will be notified");
  });

  it("describes a policy and hides its write controls from viewers", () => {
    const html = render(
      <PolicyCard
        policy={policy(true)}
        channels={[channel]}
        canWrite={false}
        onEdit={noop}
        onDelete={noop}
      />,
    );
    expect(html).toContain("All integrations");
    expect(html).toContain("Notifies: Ops hook");
    expect(html).not.toContain(">Edit<");
  });

  it("tells on an integration's page whether anyone hears about its outages", () => {
    const lab = { id: "2d0f5a52-7a0e-4c55-8f43-7c0d4b8b9e03", type: "LAB_SYSTEM" as const };
    const covered = render(<AlertCoverageNotice policies={[policy(true)]} integration={lab} />);
    expect(covered).toContain("Outages notify through policy Everything");
    const nobody = render(<AlertCoverageNotice policies={[policy(false)]} integration={lab} />);
    expect(nobody).toContain("Nobody is notified when this integration fails");
  });
});
