import { DomainError, serviceOnly } from "@hip/service-kit";
import type { FastifyInstance } from "fastify";
import type { ResyncSummary } from "../domain/resync.ts";
import { ConfigServiceError } from "../config-client/config-client.ts";

/** Operator endpoints, service token only (a tenant token gets 404 so the route does not leak). */
export async function adminRoutes(
  app: FastifyInstance,
  opts: { resync: (reason: string) => Promise<ResyncSummary | null> },
): Promise<void> {
  app.post("/admin/resync", { preHandler: serviceOnly }, async (req) => {
    let summary: ResyncSummary | null;
    try {
      summary = await opts.resync(`admin:${req.auth?.sub ?? "unknown"}`);
    } catch (err) {
      if (err instanceof ConfigServiceError) {
        throw new DomainError("UNAVAILABLE", `Resync failed: ${err.message}`, { cause: err });
      }
      throw err;
    }
    if (!summary) throw new DomainError("CONFLICT", "A resync is already running; try again shortly");
    return summary;
  });
}
