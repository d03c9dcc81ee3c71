import type { AnyEvent, StatsStreamEvent } from "@hip/contracts";

export interface StreamMessage {
  /** SSE id: the CloudEvent id the message came from. */
  id: string;
  event: StatsStreamEvent;
}

type Listener = (m: StreamMessage) => void;

interface TenantChannel {
  /** The last messages by id, oldest first (a Map keeps insertion order): O(1) dedupe, append and trim. */
  ring: Map<string, StreamMessage>;
  listeners: Set<Listener>;
}

/**
 * Per-replica, per-tenant fan-out for GET /stats/stream. Fed by this replica's own live consumer (a unique group,
 * so every replica sees every event); keeps the last `bufferSize` messages of each tenant for Last-Event-ID
 * resumption. Ids are CloudEvent ids, identical on every replica, so a client may resume on another replica.
 */
export class StreamHub {
  private readonly channels = new Map<string, TenantChannel>();
  private readonly bufferSize: number;

  constructor(bufferSize: number) {
    this.bufferSize = bufferSize;
  }

  private channel(tenantId: string): TenantChannel {
    let c = this.channels.get(tenantId);
    if (!c) {
      c = { ring: new Map(), listeners: new Set() };
      this.channels.set(tenantId, c);
    }
    return c;
  }

  publish(tenantId: string, m: StreamMessage): void {
    const c = this.channel(tenantId);
    if (c.ring.has(m.id)) return;
    c.ring.set(m.id, m);
    if (c.ring.size > this.bufferSize) {
      const oldest = c.ring.keys().next();
      if (!oldest.done) c.ring.delete(oldest.value);
    }
    for (const l of c.listeners) l(m);
  }

  publishEvent(e: AnyEvent): void {
    const m = toStreamMessage(e);
    if (m) this.publish(e.tenantid, m);
  }

  subscribe(tenantId: string, l: Listener): () => void {
    const c = this.channel(tenantId);
    c.listeners.add(l);
    return () => c.listeners.delete(l);
  }

  /** Messages after `lastId`, or null when `lastId` is no longer (or never was) in the buffer. */
  since(tenantId: string, lastId: string): StreamMessage[] | null {
    const ring = this.channels.get(tenantId)?.ring;
    if (!ring?.has(lastId)) return null;
    const out: StreamMessage[] = [];
    let after = false;
    for (const [id, m] of ring) {
      if (after) out.push(m);
      else after = id === lastId;
    }
    return out;
  }
}

export function toStreamMessage(e: AnyEvent): StreamMessage | null {
  switch (e.type) {
    case "integration.status_changed":
      return {
        id: e.id,
        event: {
          type: "status",
          eventId: e.id,
          integrationId: e.subject,
          from: e.data.from,
          to: e.data.to,
          reason: e.data.reason,
          lastError: e.data.lastError,
          at: new Date(e.time).toISOString(),
        },
      };
    case "integration.probe_completed":
      return {
        id: e.id,
        event: {
          type: "probe",
          eventId: e.id,
          integrationId: e.subject,
          integrationType: e.data.integrationType,
          success: e.data.success,
          latencyMs: e.data.latencyMs,
          trigger: e.data.trigger,
          errorCode: e.data.error?.code ?? null,
          errorMessage: e.data.error?.message ?? null,
          checkedAt: new Date(e.data.checkedAt).toISOString(),
        },
      };
    case "integration.created":
    case "integration.updated":
      return {
        id: e.id,
        event: {
          type: "integration",
          eventId: e.id,
          integrationId: e.subject,
          action: e.type === "integration.created" ? "created" : "updated",
          name: e.data.integration.name,
          integrationType: e.data.integration.type,
          status: e.data.integration.status,
          at: new Date(e.time).toISOString(),
        },
      };
    case "integration.deleted":
      return {
        id: e.id,
        event: {
          type: "integration",
          eventId: e.id,
          integrationId: e.subject,
          action: "deleted",
          name: e.data.name,
          integrationType: e.data.integrationType,
          status: null,
          at: new Date(e.time).toISOString(),
        },
      };
    default:
      return null;
  }
}
