import pg from "pg";

/**
 * Seeds `count` integrations for one tenant in a single INSERT ... SELECT over generate_series (server-side,
 * seconds for 100,000 rows), with varied types, providers, statuses and timestamps so indexes matter.
 */
export async function seedIntegrations(url: string, tenantId: string, count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `insert into config.integrations (id, tenant_id, name, type, provider, description, endpoint, auth_type,
         status, timeout, retry_attempts, health_enabled, health_interval_seconds, failure_threshold,
         created_by, updated_by, created_at, updated_at, event_seq)
       select gen_random_uuid(), $1, 'Integration ' || g,
         (array['FHIR','PAYMENT_GATEWAY','LAB_SYSTEM','PHARMACY_SYSTEM','EHR_SYSTEM','INSURANCE','API'])[1 + g % 7],
         (array['Epic','Cerner','Quest','LabCorp','Stripe','Surescripts','Allscripts'])[1 + g % 7],
         'Seeded integration number ' || g,
         'https://svc' || g || '.example.org/api', 'NONE',
         (array['ACTIVE','ACTIVE','ACTIVE','INACTIVE','ERROR'])[1 + g % 5],
         30000, 3, true, 300, 3, 'bench', 'bench',
         date_trunc('milliseconds', now() - g * interval '1 second'),
         date_trunc('milliseconds', now() - g * interval '1 second'), 0
       from generate_series(1, $2::int) g`,
      [tenantId, count],
    );
    await client.query("analyze config.integrations");
    const ids = await client.query<{ id: string }>(
      "select id from config.integrations where tenant_id = $1 order by random() limit 1000",
      [tenantId],
    );
    return ids.rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}
