import { execFileSync } from "node:child_process";

/** Where the real PostgreSQL, Redis and Kafka for tests are. */
export interface TestStack {
  /** A superuser URL for creating per-test databases. */
  postgresUrl: string;
  redisUrl: string;
  kafkaBrokers: string[];
  source: "env" | "testcontainers";
}

let stackPromise: Promise<TestStack> | null = null;

/**
 * Env first (TEST_POSTGRES_URL, TEST_REDIS_URL, TEST_KAFKA_BROKERS: set by `./dev test` and CI on machines
 * without Docker), else testcontainers when a Docker engine answers. Never an in-memory stand-in.
 */
export function getTestStack(): Promise<TestStack> {
  if (!stackPromise) stackPromise = resolveStack();
  return stackPromise;
}

async function resolveStack(): Promise<TestStack> {
  const pg = process.env.TEST_POSTGRES_URL;
  const redis = process.env.TEST_REDIS_URL;
  const kafka = process.env.TEST_KAFKA_BROKERS;
  if (pg && redis && kafka) {
    return {
      postgresUrl: pg,
      redisUrl: redis,
      kafkaBrokers: kafka.split(",").map((s) => s.trim()),
      source: "env",
    };
  }
  if (!dockerAvailable()) {
    throw new Error(
      "No test stack: set TEST_POSTGRES_URL, TEST_REDIS_URL and TEST_KAFKA_BROKERS (./dev test does), " +
        "or run where a Docker engine is available for testcontainers.",
    );
  }
  return startContainers();
}

function dockerAvailable(): boolean {
  try {
    execFileSync("docker", ["info", "--format", "{{.ServerVersion}}"], { stdio: "pipe", timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<TestStack> {
  const [{ PostgreSqlContainer }, { RedisContainer }, { KafkaContainer }] = await Promise.all([
    import("@testcontainers/postgresql"),
    import("@testcontainers/redis"),
    import("@testcontainers/kafka"),
  ]);
  const [pg, redis, kafka] = await Promise.all([
    new PostgreSqlContainer("postgres:16-alpine").withUsername("postgres").withPassword("postgres").start(),
    new RedisContainer("redis:7-alpine").start(),
    new KafkaContainer("apache/kafka:4.1.1").withKraft().start(),
  ]);
  return {
    postgresUrl: pg.getConnectionUri(),
    redisUrl: redis.getConnectionUrl(),
    kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
    source: "testcontainers",
  };
}
