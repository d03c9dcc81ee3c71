// Baseline for the config-service bench: a bare Fastify route running the same SQL as the service's
// GET /configs/:id and GET /configs?limit=50 (tenant transaction with RLS settings, same SELECT), no auth,
// no validation, no mapping. Usage: DATABASE_URL=... PORT=... node bench/config-service/bare-server.ts
import Fastify from "fastify";
import pg from "pg";
import { withTenantClient } from "../../services/config-service/src/db/client.ts";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify({ logger: false });
const TENANT = "bench";

// The service's own tenant transaction (role + app.tenant_id for RLS), so only the route layer differs.
const inTenantTx = <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> =>
  withTenantClient(pool, TENANT, fn);

app.get<{ Params: { id: string } }>("/bare/:id", async (req, reply) => {
  const rows = await inTenantTx(
    async (c) =>
      (
        await c.query("select * from config.integrations where id = $1 and tenant_id = $2", [
          req.params.id,
          TENANT,
        ])
      ).rows,
  );
  if (rows.length === 0) return reply.status(404).send({ error: "not found" });
  return rows[0];
});

app.get("/bare-list", async () => {
  const rows = await inTenantTx(
    async (c) =>
      (
        await c.query(
          "select * from config.integrations where tenant_id = $1 order by created_at desc, id desc limit 51",
          [TENANT],
        )
      ).rows,
  );
  return { data: rows.slice(0, 50), nextCursor: rows.length > 50 ? "x" : null };
});

await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? 3999) });
process.on("SIGTERM", () => {
  void app.close().then(() => pool.end().then(() => process.exit(0)));
});
