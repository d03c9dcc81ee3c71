import { DomainError } from "@hip/service-kit";
import type { FastifyPluginAsync } from "fastify";
import { DevTokenBody, mintDevToken } from "../dev-token.ts";

export interface SessionRouteOptions {
  nodeEnv: string;
  /** The HS256 key dev tokens are signed with; null when the dev sign-in helper is off. */
  devLoginSecret: string | null;
}

/** What the SPA asks before signing in (registered under /dashboard). */
export const sessionRoutes: FastifyPluginAsync<SessionRouteOptions> = async (app, opts) => {
  app.get("/integration/runtime-config.json", async (_req, reply) => {
    reply.header("cache-control", "no-store");
    return { devLogin: opts.devLoginSecret !== null, environment: opts.nodeEnv };
  });

  app.post("/dev-token", async (req, reply) => {
    if (!opts.devLoginSecret) throw DomainError.notFound("Route");
    const body = DevTokenBody.parse(req.body);
    reply.header("cache-control", "no-store");
    return mintDevToken(opts.devLoginSecret, body);
  });
};
