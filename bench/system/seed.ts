import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import type { KeyRing } from "../../libs/secrets/src/index.ts";
import { sealSecrets } from "../../services/config-service/src/domain/secrets/seal.ts";

/**
 * Seeds config.integrations the way POST /configs would leave a fresh record (create-integration.ts with the
 * API's defaults: timeout 30 s, 3 retries, failure threshold 3, recovery 1, version 1, event_seq 1, empty masks),
 * type API with an http endpoint on the loopback peer (the HTTP probe), health checks every `intervalSeconds`,
 * status ACTIVE. Every `secretEvery`-th record is BASIC_AUTH with a password and a secret-looking header, both
 * sealed with the config-service's own sealSecrets() and key ring, so its spec fetches decrypt two ciphertexts.
 * No outbox or audit rows: the records exist before the services start, the workers take them from the internal
 * schedule listing (resync), and the stats read model creates a row on a record's first probe result.
 */
export interface SeedOptions {
  url: string;
  ring: KeyRing;
  count: number;
  tenants: number;
  intervalSeconds: number;
  peerUrl: string;
  /** 10 = every 10th record carries encrypted credentials; 0 = none. */
  secretEvery: number;
  /** The fairness run's tenant: `count` records on the black hole, timeout 10 s, 2 retries. */
  blackhole?: { tenantId: string; count: number; url: string; timeoutMs: number; retries: number };
}

const COLUMNS = `id, tenant_id, name, type, provider, description, endpoint, webhook_url, auth_type, username,
  token_url, client_id, scope, api_key_enc, api_secret_enc, password_enc, token_enc, client_secret_enc, headers,
  secret_headers_enc, secret_masks, status, config, timeout, retry_attempts, health_enabled,
  health_interval_seconds, failure_threshold, recovery_threshold, failure_window, credentials_expire_at,
  traffic_expectations, depends_on, version, event_seq, created_by, updated_by, created_at, updated_at`;

export const tenantIdOf = (i: number, tenants: number): string =>
  `bench-t${String(i % tenants).padStart(String(tenants - 1).length, "0")}`;

export async function seedSystem(
  o: SeedOptions,
): Promise<{ plain: number; sealed: number; blackhole: number }> {
  const client = new pg.Client({ connectionString: o.url });
  await client.connect();
  const width = String(o.tenants - 1).length;
  try {
    // Records 1..count; the sealed ones (g % secretEvery = 0) are inserted below with their ciphertexts.
    const plain = await client.query(
      `insert into config.integrations (${COLUMNS})
       select gen_random_uuid(), 'bench-t' || lpad(((g - 1) % $2)::text, $3, '0'), 'Bench integration ' || g,
         'API', null, null, $4 || '/health/' || g, null, 'NONE', null,
         null, null, null, null, null, null, null, null, null,
         null, '{"fields":{},"headers":{}}'::jsonb, 'ACTIVE', null, 30000, 3, true,
         $5, 3, 1, null, null,
         null, '{}'::uuid[], 1, 1, 'bench', 'bench', date_trunc('milliseconds', now()), date_trunc('milliseconds', now())
       from generate_series(1, $1::int) g
       where $6::int = 0 or g % $6::int <> 0`,
      [o.count, o.tenants, width, o.peerUrl, o.intervalSeconds, o.secretEvery],
    );
    let sealed = 0;
    if (o.secretEvery > 0) {
      const rows = { id: [] as string[], tenant: [] as string[], g: [] as number[] };
      const enc = { password: [] as string[], headers: [] as string[], masks: [] as string[] };
      for (let g = o.secretEvery; g <= o.count; g += o.secretEvery) {
        const id = randomUUID();
        const tenantId = tenantIdOf(g - 1, o.tenants);
        const s = sealSecrets({
          ring: o.ring,
          tenantId,
          id,
          masks: { fields: {}, headers: {} },
          fields: {
            apiKey: null,
            apiSecret: null,
            password: randomBytes(12).toString("base64url"),
            token: null,
            clientSecret: null,
          },
          headers: { "X-Bench-Token": randomBytes(16).toString("base64url") },
        });
        rows.id.push(id);
        rows.tenant.push(tenantId);
        rows.g.push(g);
        enc.password.push(s.columns.passwordEnc ?? "");
        enc.headers.push(s.columns.secretHeadersEnc ?? "");
        enc.masks.push(JSON.stringify(s.masks));
      }
      const r = await client.query(
        `insert into config.integrations (${COLUMNS})
         select u.id, u.tenant, 'Bench integration ' || u.g, 'API', null, null, $4 || '/health/' || u.g, null,
           'BASIC_AUTH', 'bench-user', null, null, null, null, null, u.pw, null, null, '{}'::jsonb,
           u.hdr, u.masks::jsonb, 'ACTIVE', null, 30000, 3, true,
           $5, 3, 1, null, null,
           null, '{}'::uuid[], 1, 1, 'bench', 'bench', date_trunc('milliseconds', now()), date_trunc('milliseconds', now())
         from unnest($1::uuid[], $2::text[], $3::int[], $6::text[], $7::text[], $8::text[])
           as u(id, tenant, g, pw, hdr, masks)`,
        [rows.id, rows.tenant, rows.g, o.peerUrl, o.intervalSeconds, enc.password, enc.headers, enc.masks],
      );
      sealed = r.rowCount ?? 0;
    }
    let blackhole = 0;
    if (o.blackhole && o.blackhole.count > 0) {
      const b = o.blackhole;
      const r = await client.query(
        `insert into config.integrations (${COLUMNS})
         select gen_random_uuid(), $2, 'Dead VPN ' || g, 'API', null, null, $3 || '/health/' || g, null, 'NONE', null,
           null, null, null, null, null, null, null, null, null,
           null, '{"fields":{},"headers":{}}'::jsonb, 'ACTIVE', null, $4, $5, true,
           $6, 3, 1, null, null,
           null, '{}'::uuid[], 1, 1, 'bench', 'bench', date_trunc('milliseconds', now()), date_trunc('milliseconds', now())
         from generate_series(1, $1::int) g`,
        [b.count, b.tenantId, b.url, b.timeoutMs, b.retries, o.intervalSeconds],
      );
      blackhole = r.rowCount ?? 0;
    }
    await client.query("analyze config.integrations");
    return { plain: plain.rowCount ?? 0, sealed, blackhole };
  } finally {
    await client.end();
  }
}

/** A random sample of records (id, tenant) outside the black-hole tenant, for API calls and manual tests. */
export async function sampleIntegrations(
  url: string,
  n: number,
  excludeTenant: string,
): Promise<Array<{ id: string; tenantId: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ id: string; tenant_id: string }>(
      "select id, tenant_id from config.integrations where tenant_id <> $1 order by random() limit $2",
      [excludeTenant, n],
    );
    return r.rows.map((row) => ({ id: row.id, tenantId: row.tenant_id }));
  } finally {
    await client.end();
  }
}
