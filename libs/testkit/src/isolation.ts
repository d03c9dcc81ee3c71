import { randomBytes } from "node:crypto";
import pg from "pg";
import { getTestStack } from "./stack.ts";

export function uniqueId(prefix = "t"): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
}

/** A Kafka topic prefix private to one test file (KAFKA_TOPIC_PREFIX). */
export function uniqueTopicPrefix(): string {
  return `${uniqueId("test")}.`;
}

/** A Redis key prefix private to one test file. */
export function uniqueRedisPrefix(): string {
  return uniqueId("test");
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates a fresh database on the real PostgreSQL server; drop() removes it (forcing other sessions out). */
export async function createTestDatabase(prefix = "hip_test"): Promise<TestDatabase> {
  const stack = await getTestStack();
  const name = uniqueId(`${prefix}_`)
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_");
  const admin = new pg.Client({ connectionString: stack.postgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(stack.postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: stack.postgresUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
