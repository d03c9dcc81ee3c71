// A consumer-group member in a process of its own, for the kill -9 measurement of faults.bench.ts.
// Usage: BROKERS=... GROUP=... TOPIC=... DLQ=... node bench/resilience/member.ts
// Prints one JSON line per second with its state and assignment; the bench kills it with SIGKILL.
import { AnyEvent } from "@hip/contracts";
import { EventBus, kafkaTuningFromEnv } from "@hip/events";
import { createLogger } from "@hip/service-kit";

const num = (v: string | undefined) => (v ? Number(v) : undefined);
const bus = new EventBus({
  brokers: (process.env.BROKERS ?? "").split(","),
  clientId: "bench-member",
  logger: createLogger({ name: "bench-member", level: "silent" }),
  tuning: kafkaTuningFromEnv({
    KAFKA_SESSION_TIMEOUT_MS: num(process.env.KAFKA_SESSION_TIMEOUT_MS),
    KAFKA_HEARTBEAT_INTERVAL_MS: num(process.env.KAFKA_HEARTBEAT_INTERVAL_MS),
  }),
});
const consumer = await bus.consumer({
  groupId: process.env.GROUP ?? "",
  topics: [process.env.TOPIC ?? ""],
  schema: AnyEvent,
  deadLetterTopic: process.env.DLQ ?? "",
  handle: async () => {},
});
setInterval(() => {
  const s = consumer.status();
  process.stdout.write(`${JSON.stringify({ state: s.state, assigned: s.assigned })}\n`);
}, 200);
await consumer.start();
