import { Alert, Badge, Group, SimpleGrid, Stack, Table, Text } from "@mantine/core";
import { IconCircleCheck, IconCircleX } from "@tabler/icons-react";
import type { ConnectionTestView, ProbeResult } from "@hip/contracts";
import { formatDateTime, formatLatency } from "../../lib/format.ts";

const PHASES: Array<{ key: keyof ProbeResult["timings"]; label: string }> = [
  { key: "dnsMs", label: "DNS" },
  { key: "connectMs", label: "Connect" },
  { key: "tlsMs", label: "TLS" },
  { key: "firstByteMs", label: "First byte" },
  { key: "totalMs", label: "Total" },
];

/** Known diagnostics get friendly labels (HL7 ACK, FHIR version, HTTP status); others show as-is. */
const DIAGNOSTIC_LABELS: Record<string, string> = {
  ackCode: "HL7 ACK code",
  ackText: "HL7 ACK text",
  ackControlId: "ACK control ID",
  ackMessageType: "ACK message type",
  ackVersion: "HL7 version",
  controlId: "Message control ID",
  fhirVersion: "FHIR version",
  software: "Server software",
  softwareName: "Server software",
  httpStatus: "HTTP status",
  statusCode: "HTTP status",
  association: "DICOM association",
  associateMs: "Association time (ms)",
  implementationVersionName: "DICOM implementation",
  contentType: "Content type",
  bodyBytes: "Body size (bytes)",
  tokenStatus: "Token endpoint status",
  resourceType: "Resource type",
  smart: "SMART configuration",
  remoteAddress: "Remote address",
  redirectedTo: "Redirected to",
};

function diagnosticValue(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export function ProbeResultView({ result }: { result: ProbeResult }) {
  const diagnostics = Object.entries(result.diagnostics ?? {});
  return (
    <Stack gap="sm">
      <Group gap="sm">
        {result.success ? (
          <Badge color="green" leftSection={<IconCircleCheck size={14} aria-hidden />} size="lg">
            Connected
          </Badge>
        ) : (
          <Badge color="red" leftSection={<IconCircleX size={14} aria-hidden />} size="lg">
            Failed
          </Badge>
        )}
        <Text size="sm">
          Latency <b data-testid="test-latency">{formatLatency(result.latencyMs)}</b> · {result.probe} probe ·{" "}
          {result.attempts} attempt{result.attempts === 1 ? "" : "s"} · {formatDateTime(result.checkedAt)}
        </Text>
      </Group>
      {result.error && (
        <Alert color="red" title={`Failed at stage: ${result.error.stage}`} data-testid="test-error">
          <Text size="sm">
            <b>{result.error.code}</b>: {result.error.message}
          </Text>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 3, sm: 5 }} spacing="xs" aria-label="Timing phases">
        {PHASES.map((p) => (
          <div key={p.key}>
            <Text size="xs" c="dimmed">
              {p.label}
            </Text>
            <Text size="sm" fw={600}>
              {formatLatency(result.timings[p.key])}
            </Text>
          </div>
        ))}
      </SimpleGrid>
      {(diagnostics.length > 0 || result.tls) && (
        <Table withTableBorder={false} verticalSpacing={4} aria-label="Diagnostics">
          <Table.Tbody>
            {diagnostics.map(([k, v]) => (
              <Table.Tr key={k}>
                <Table.Th w="40%">
                  <Text size="sm">{DIAGNOSTIC_LABELS[k] ?? k}</Text>
                </Table.Th>
                <Table.Td>
                  <Text size="sm" style={{ wordBreak: "break-word" }}>
                    {diagnosticValue(v)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
            {result.tls && (
              <>
                <Table.Tr>
                  <Table.Th>
                    <Text size="sm">TLS certificate expires</Text>
                  </Table.Th>
                  <Table.Td>
                    <Text size="sm" c={result.tls.daysRemaining < 14 ? "red.8" : undefined}>
                      {formatDateTime(result.tls.validTo)} ({result.tls.daysRemaining} days)
                    </Text>
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>
                    <Text size="sm">TLS</Text>
                  </Table.Th>
                  <Table.Td>
                    <Text size="sm">
                      {result.tls.protocol ?? "?"} · {result.tls.subject} · issuer {result.tls.issuer}
                      {result.tls.authorized ? "" : " · NOT trusted"}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              </>
            )}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

export function ConnectionTestSummary({ test }: { test: ConnectionTestView }) {
  if (!test.result) {
    return (
      <Text size="sm" c="dimmed">
        {test.status === "PENDING" ? "Running…" : `No result recorded (${test.status.toLowerCase()})`}
      </Text>
    );
  }
  return <ProbeResultView result={test.result} />;
}
