import { Alert, Button, Card, Group, Loader, Text, Title } from "@mantine/core";
import { IconPlugConnected } from "@tabler/icons-react";
import type { ConnectionTestView } from "@hip/contracts";
import { useEffect, useRef, useState } from "react";
import { describeError } from "../../lib/api.ts";
import { runConnectionTest } from "../../lib/integration-api.ts";
import { notifyError } from "../../lib/notify.ts";
import { ConnectionTestSummary } from "./TestResult.tsx";

type State =
  | { phase: "idle" }
  | { phase: "running"; testId: string | null }
  | { phase: "done"; test: ConnectionTestView }
  | { phase: "error"; message: string };

/** The "Test connection" action with its live result (latency, phases, failing stage). */
export function TestConnectionPanel({
  integrationId,
  canRun,
  onFinished,
}: {
  integrationId: string;
  canRun: boolean;
  onFinished: () => void;
}) {
  const [state, setState] = useState<State>({ phase: "idle" });
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const run = async () => {
    abort.current?.abort();
    const ctrl = new AbortController();
    abort.current = ctrl;
    setState({ phase: "running", testId: null });
    try {
      const test = await runConnectionTest(
        integrationId,
        (testId) => setState({ phase: "running", testId }),
        ctrl.signal,
      );
      setState({ phase: "done", test });
      onFinished();
    } catch (err) {
      if (ctrl.signal.aborted) return;
      setState({ phase: "error", message: describeError(err) });
      notifyError("Connection test failed", err);
    }
  };

  return (
    <Card withBorder>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          Connection test
        </Title>
        {canRun && (
          <Button
            onClick={run}
            loading={state.phase === "running"}
            leftSection={<IconPlugConnected size={16} aria-hidden />}
            data-testid="run-test"
          >
            Test connection
          </Button>
        )}
      </Group>
      <div aria-live="polite" data-testid="test-result">
        {state.phase === "idle" && (
          <Text size="sm" c="dimmed">
            {canRun ? "Run a test to probe the endpoint now." : "Only admins can run connection tests."}
          </Text>
        )}
        {state.phase === "running" && (
          <Group gap="xs">
            <Loader size="sm" aria-hidden />
            <Text size="sm">
              Testing the connection{state.testId ? " (waiting for the probe result)" : ""}…
            </Text>
          </Group>
        )}
        {state.phase === "done" && <ConnectionTestSummary test={state.test} />}
        {state.phase === "error" && (
          <Alert color="red" role="alert">
            {state.message}
          </Alert>
        )}
      </div>
    </Card>
  );
}
