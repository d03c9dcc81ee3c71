import type { TopicNames } from "@hip/contracts";
import type pg from "pg";
import type { Db } from "../db/client.ts";
import type { KeyRing } from "@hip/secrets";

/** What every use case needs from the process: the database, the key ring and the topic names. */
export interface DomainDeps {
  db: Db;
  /** The pool behind `db`, for the few hot-path reads that bypass the query builder (db/fast-read.ts). */
  pool: pg.Pool;
  ring: KeyRing;
  topics: TopicNames;
}

/** Who asked, for tenancy, audit and events. */
export interface Actor {
  tenantId: string;
  sub: string;
  requestId: string | null;
  ip: string | null;
  /** W3C trace context of the request (its server span); the events of its change carry it. */
  traceparent?: string | undefined;
}
