import { createHmac, timingSafeEqual } from "node:crypto";
import type { ConnectionSpec, ScheduleEntry, ScheduleList } from "@hip/contracts";
import { DEV_JWT_SECRET } from "@hip/service-kit";
import Fastify, { type FastifyInstance } from "fastify";

/** Verifies an HS256 service token the way the config service does (signature, expiry, role "service"). */
function isServiceToken(header: string | undefined, secret: string): boolean {
  const token = header?.match(/^Bearer (\S+)$/)?.[1];
  const [head, body, sig] = token?.split(".") ?? [];
  if (!head || !body || !sig) return false;
  const expected = createHmac("sha256", secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as {
    roles?: string[];
    exp?: number;
    tenantId?: string;
  };
  return (
    Boolean(claims.roles?.includes("service")) && !claims.tenantId && (claims.exp ?? 0) > Date.now() / 1000
  );
}

/**
 * Test stand-in for the config service's internal endpoints (single and batched specs, schedules), implementing their documented contract
 * (ConnectionSpec; ScheduleList in id order, the cursor being the last id of the page). The real service is exercised end to end by the lead.
 */
export class FakeConfigService {
  readonly specs = new Map<string, ConnectionSpec>();
  readonly specRequests = new Map<string, number>();
  scheduleRequests = 0;
  batchRequests = 0;
  private app: FastifyInstance | null = null;
  private readonly secret: string;

  constructor(secret = DEV_JWT_SECRET) {
    this.secret = secret;
  }

  async start(): Promise<string> {
    const app = Fastify({ logger: false });
    app.addHook("onRequest", async (req, reply) => {
      if (!isServiceToken(req.headers.authorization, this.secret)) {
        return reply
          .status(401)
          .send({ error: { code: "UNAUTHORIZED", message: "bad token", statusCode: 401 } });
      }
    });
    app.get<{ Params: { id: string } }>("/internal/integrations/:id/connection-spec", async (req, reply) => {
      this.specRequests.set(req.params.id, (this.specRequests.get(req.params.id) ?? 0) + 1);
      const spec = this.specs.get(req.params.id);
      if (!spec)
        return reply.status(404).send({ error: { code: "NOT_FOUND", message: "no", statusCode: 404 } });
      return spec;
    });
    app.post<{ Body: { ids: string[] } }>("/internal/integrations/connection-specs", async (req) => {
      this.batchRequests++;
      const ids = [...new Set(req.body.ids)];
      for (const id of ids) this.specRequests.set(id, (this.specRequests.get(id) ?? 0) + 1);
      return {
        data: ids.flatMap((id) => {
          const spec = this.specs.get(id);
          return spec ? [spec] : [];
        }),
        missing: ids.filter((id) => !this.specs.has(id)),
      };
    });
    app.get<{ Querystring: { cursor?: string; limit?: string } }>(
      "/internal/integrations/schedules",
      async (req): Promise<ScheduleList> => {
        this.scheduleRequests++;
        const limit = Number(req.query.limit ?? 100);
        const after = req.query.cursor ?? "";
        const sorted = [...this.specs.values()]
          .filter((s) => s.id > after)
          .sort((a, b) => a.id.localeCompare(b.id));
        const page = sorted.slice(0, limit);
        const last = page.at(-1);
        return {
          data: page.map(toEntry),
          nextCursor: sorted.length > limit && last ? last.id : null,
        };
      },
    );
    await app.listen({ host: "127.0.0.1", port: 0 });
    this.app = app;
    const address = app.server.address();
    if (!address || typeof address === "string") throw new Error("no address");
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    await this.app?.close();
  }
}

function toEntry(s: ConnectionSpec): ScheduleEntry {
  return {
    id: s.id,
    tenantId: s.tenantId,
    type: s.type,
    status: s.status,
    healthCheck: s.healthCheck,
    version: s.version,
  };
}
