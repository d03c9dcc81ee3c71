import { DomainError, serviceOnly } from "@hip/service-kit";
import type { FastifyPluginAsync } from "fastify";
import { ConfigServiceError } from "../config-client/config-client.ts";
import type { ResyncSummary } from "../domain/resync.ts";

/** Operator endpoints (registered under /admin), service token only (a tenant token gets 404: no leak). */
export const adminRoutes: FastifyPluginAsync<{
  resync: (reason: string) => Promise<ResyncSummary | null>;
}> = async (app, opts) => {
  app.post("/resync", { onRequest: serviceOnly }, async (req) => {
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
};
