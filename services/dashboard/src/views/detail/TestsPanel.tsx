import { Accordion, Badge, Group, Skeleton, Text } from "@mantine/core";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { formatDateTime, formatLatency } from "../../lib/format.ts";
import { listTests } from "../../lib/integration-api.ts";
import { useAsync } from "../../lib/use-async.ts";
import { ConnectionTestSummary } from "./TestResult.tsx";

const STATUS_COLOR = { PENDING: "yellow", SUCCEEDED: "green", FAILED: "red" } as const;

/** Recent manual connection tests with their diagnostics (HL7 ACK code, FHIR version, TLS expiry, ...). */
export function TestsPanel({ id, tick }: { id: string; tick: number }) {
  const tests = useAsync((signal) => listTests(id, signal), [id, tick]);
  if (tests.error)
    return <ErrorAlert error={tests.error} onRetry={tests.reload} title="Error loading connection tests" />;
  if (!tests.data) return <Skeleton h={80} />;
  if (tests.data.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No connection tests yet.
      </Text>
    );
  }
  return (
    <Accordion variant="separated" data-testid="tests-list">
      {tests.data.map((t) => (
        <Accordion.Item key={t.id} value={t.id}>
          <Accordion.Control>
            <Group gap="sm" wrap="wrap">
              <Badge color={STATUS_COLOR[t.status]}>{t.status.toLowerCase()}</Badge>
              <Text size="sm">{formatDateTime(t.requestedAt)}</Text>
              {t.result && <Text size="sm">{formatLatency(t.result.latencyMs)}</Text>}
              {t.result?.error && (
                <Text size="sm" c="red.8">
                  {t.result.error.stage}: {t.result.error.code}
                </Text>
              )}
              <Text size="xs" c="dimmed">
                by {t.requestedBy}
              </Text>
            </Group>
          </Accordion.Control>
          <Accordion.Panel>
            <ConnectionTestSummary test={t} />
          </Accordion.Panel>
        </Accordion.Item>
      ))}
    </Accordion>
  );
}
