import { Card, Code, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import type { IntegrationView } from "@hip/contracts";
import type { ReactNode } from "react";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { AUTH_LABELS } from "../../lib/palette.ts";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w="38%">
        <Text size="sm">{label}</Text>
      </Table.Th>
      <Table.Td>
        <Text size="sm" component="div" style={{ wordBreak: "break-word" }}>
          {children}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

/** Secrets arrive masked from the API ("****1234"); this view never has the clear value to show. */
function Secret({ value, set }: { value: string | null; set: boolean }) {
  if (!set)
    return (
      <Text span c="dimmed" size="sm">
        not set
      </Text>
    );
  return (
    <Code aria-label="masked secret" data-testid="masked-secret">
      {value ?? "****"}
    </Code>
  );
}

export function ConfigPanel({ integration: i }: { integration: IntegrationView }) {
  const headers = Object.entries(i.headers ?? {});
  const auth = i.authType;
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          Connection
        </Title>
        <Table verticalSpacing={4} aria-label="Connection settings">
          <Table.Tbody>
            <Row label="Endpoint">{i.endpoint ?? "—"}</Row>
            {i.webhookUrl && <Row label="Webhook URL">{i.webhookUrl}</Row>}
            <Row label="Description">{i.description ?? "—"}</Row>
            <Row label="Timeout">{i.timeout} ms</Row>
            <Row label="Retry attempts">{i.retryAttempts}</Row>
            <Row label="Health check">
              {i.healthCheck.enabled ? `every ${i.healthCheck.intervalSeconds} s` : "disabled"}
            </Row>
            <Row label="Failure threshold">
              {i.failureThreshold} consecutive failure{i.failureThreshold === 1 ? "" : "s"} (now{" "}
              {i.consecutiveFailures})
              {i.failureWindow && ` or ${i.failureWindow.failures} of the last ${i.failureWindow.of} checks`}
            </Row>
            <Row label="Recovery threshold">
              {i.recoveryThreshold} consecutive success{i.recoveryThreshold === 1 ? "" : "es"} (now{" "}
              {i.consecutiveSuccesses})
            </Row>
            <Row label="Last successful sync">
              {i.lastSyncedAt
                ? `${formatRelative(i.lastSyncedAt)} (${formatDateTime(i.lastSyncedAt)})`
                : "never"}
            </Row>
            <Row label="Version">
              {i.version} · updated {formatRelative(i.updatedAt)}
            </Row>
          </Table.Tbody>
        </Table>
      </Card>
      <Stack>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Authentication
          </Title>
          <Table verticalSpacing={4} aria-label="Authentication settings">
            <Table.Tbody>
              <Row label="Method">{AUTH_LABELS[auth]}</Row>
              {auth === "API_KEY" && (
                <>
                  <Row label="API key">
                    <Secret value={i.apiKey} set={i.credentialsSet.apiKey} />
                  </Row>
                  <Row label="API secret">
                    <Secret value={i.apiSecret} set={i.credentialsSet.apiSecret} />
                  </Row>
                </>
              )}
              {auth === "BASIC_AUTH" && (
                <>
                  <Row label="Username">{i.username ?? "—"}</Row>
                  <Row label="Password">
                    <Secret value={i.password} set={i.credentialsSet.password} />
                  </Row>
                </>
              )}
              {auth === "TOKEN" && (
                <Row label="Token">
                  <Secret value={i.token} set={i.credentialsSet.token} />
                </Row>
              )}
              {auth === "OAUTH" && (
                <>
                  <Row label="Token URL">{i.tokenUrl ?? "—"}</Row>
                  <Row label="Client ID">{i.clientId ?? "—"}</Row>
                  <Row label="Client secret">
                    <Secret value={i.clientSecret} set={i.credentialsSet.clientSecret} />
                  </Row>
                  <Row label="Scope">{i.scope ?? "—"}</Row>
                </>
              )}
            </Table.Tbody>
          </Table>
        </Card>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Headers
          </Title>
          {headers.length === 0 ? (
            <Text size="sm" c="dimmed">
              No custom headers.
            </Text>
          ) : (
            <Table verticalSpacing={4} aria-label="Custom headers">
              <Table.Tbody>
                {headers.map(([k, v]) => (
                  <Row key={k} label={k}>
                    <Code>{v}</Code>
                  </Row>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Custom configuration
          </Title>
          <Code block aria-label="Custom configuration JSON">
            {JSON.stringify(i.config ?? {}, null, 2)}
          </Code>
        </Card>
      </Stack>
    </SimpleGrid>
  );
}
