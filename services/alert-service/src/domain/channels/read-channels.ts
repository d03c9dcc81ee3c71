import type { ChannelView } from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { type Db, type Tx, withTenant } from "../../db/client.ts";
import { type ChannelRow, channels, type DeliveryRow, deliveries } from "../../db/schema.ts";
import { toChannelView } from "./view.ts";

export async function findChannel(tx: Tx, tenantId: string, id: string, lock = false): Promise<ChannelRow> {
  const q = tx
    .select()
    .from(channels)
    .where(and(eq(channels.id, id), eq(channels.tenantId, tenantId)));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw DomainError.notFound("Channel");
  return row;
}

async function lastDeliveries(
  tx: Tx,
  tenantId: string,
  channelIds: string[],
): Promise<Map<string, DeliveryRow>> {
  if (channelIds.length === 0) return new Map();
  const rows = await tx
    .selectDistinctOn([deliveries.channelId])
    .from(deliveries)
    .where(and(eq(deliveries.tenantId, tenantId), sql`${deliveries.channelId} in ${channelIds}`))
    .orderBy(deliveries.channelId, desc(deliveries.createdAt));
  return new Map(rows.map((r) => [r.channelId, r]));
}

export async function listChannels(db: Db, tenantId: string): Promise<ChannelView[]> {
  return withTenant(db, tenantId, async (tx) => {
    const rows = await tx
      .select()
      .from(channels)
      .where(eq(channels.tenantId, tenantId))
      .orderBy(asc(channels.name));
    const last = await lastDeliveries(
      tx,
      tenantId,
      rows.map((r) => r.id),
    );
    return rows.map((r) => toChannelView(r, last.get(r.id) ?? null));
  });
}

export async function getChannel(db: Db, tenantId: string, id: string): Promise<ChannelView> {
  return withTenant(db, tenantId, async (tx) => {
    const row = await findChannel(tx, tenantId, id);
    const last = await lastDeliveries(tx, tenantId, [id]);
    return toChannelView(row, last.get(id) ?? null);
  });
}
