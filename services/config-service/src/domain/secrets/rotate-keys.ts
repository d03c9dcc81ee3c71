import { SECRET_FIELDS } from "@hip/contracts";
import { asc, eq, gt } from "drizzle-orm";
import { type Db, withSystem } from "../../db/client.ts";
import { type IntegrationRow, integrations } from "../../db/schema.ts";
import { appendAudit } from "../audit/append.ts";
import type { KeyRing } from "@hip/secrets";
import { aadFor, SECRET_COLUMNS } from "./seal.ts";

export interface RotationReport {
  scanned: number;
  rotated: number;
}

/**
 * Re-encrypts every ciphertext not under the newest key, one row lock at a time (batches of `batchSize` per
 * transaction), and audits each rotated record (`credential_rotation`, no values). Safe to re-run and to run
 * while the service serves traffic: rows already under the newest key are skipped.
 */
export async function rotateKeys(
  db: Db,
  ring: KeyRing,
  opts: { batchSize?: number; actor?: string } = {},
): Promise<RotationReport> {
  const report: RotationReport = { scanned: 0, rotated: 0 };
  const actor = opts.actor ?? "system:rotate-keys";
  let after: string | null = null;
  for (;;) {
    const cursor: string | null = after;
    const batch: IntegrationRow[] = await withSystem(db, async (tx): Promise<IntegrationRow[]> => {
      const rows: IntegrationRow[] = await tx
        .select()
        .from(integrations)
        .where(cursor ? gt(integrations.id, cursor) : undefined)
        .orderBy(asc(integrations.id))
        .limit(opts.batchSize ?? 200)
        .for("update");
      for (const row of rows) {
        report.scanned++;
        const set: Record<string, string> = {};
        const fromKeys = new Set<string>();
        for (const field of SECRET_FIELDS) {
          const column = SECRET_COLUMNS[field];
          const ct = row[column];
          if (!ct || ring.keyIdOf(ct) === ring.currentKeyId) continue;
          fromKeys.add(ring.keyIdOf(ct));
          const aad = aadFor(row.tenantId, row.id, field);
          set[column] = ring.encrypt(ring.decrypt(ct, aad), aad);
        }
        if (row.secretHeadersEnc && ring.keyIdOf(row.secretHeadersEnc) !== ring.currentKeyId) {
          fromKeys.add(ring.keyIdOf(row.secretHeadersEnc));
          const aad = aadFor(row.tenantId, row.id, "headers");
          set.secretHeadersEnc = ring.encrypt(ring.decrypt(row.secretHeadersEnc, aad), aad);
        }
        const fields = Object.keys(set);
        if (fields.length === 0) continue;
        await tx.update(integrations).set(set).where(eq(integrations.id, row.id));
        await appendAudit(tx, {
          tenantId: row.tenantId,
          entityId: row.id,
          action: "credential_rotation",
          actor,
          before: { keyIds: [...fromKeys] },
          after: { keyId: ring.currentKeyId, fields },
          requestId: null,
          clientIp: null,
        });
        report.rotated++;
      }
      return rows;
    });
    const last = batch.at(-1);
    if (!last) return report;
    after = last.id;
  }
}
