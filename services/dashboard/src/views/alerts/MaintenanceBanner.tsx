import { Alert, Text } from "@mantine/core";
import { IconTool } from "@tabler/icons-react";
import type { IntegrationType, MaintenanceView } from "@hip/contracts";
import { Link } from "../../components/Link.tsx";
import { listMaintenance } from "../../lib/alerts-api.ts";
import { href } from "../../lib/router.ts";
import { useAsync } from "../../lib/use-async.ts";

/** The active windows that cover this integration (same scope rule as the alert service). */
export function coveringWindows(
  windows: readonly MaintenanceView[],
  integration: { id: string; type: IntegrationType },
): MaintenanceView[] {
  return windows.filter((w) => {
    if (!w.current) return false;
    if (w.scope.scope === "tenant") return true;
    if (w.scope.scope === "types") return w.scope.types.includes(integration.type);
    return w.scope.ids.includes(integration.id);
  });
}

/** "In maintenance until …" on an integration an active window covers. */
export function MaintenanceBanner({ integration }: { integration: { id: string; type: IntegrationType } }) {
  const windows = useAsync((signal) => listMaintenance(signal), []);
  const covering = coveringWindows(windows.data ?? [], integration);
  const first = covering[0];
  if (!first?.current) return null;
  return (
    <Alert
      color="grape"
      icon={<IconTool aria-hidden />}
      title="In maintenance"
      role="status"
      py="xs"
      data-testid="maintenance-banner"
    >
      <Text size="sm">
        {first.name} until {new Date(first.current.endsAt).toLocaleString()}: outages open silently, one
        notice at the end if still failing.{" "}
        <Link to={href({ name: "maintenance" })}>Maintenance windows</Link>
      </Text>
    </Alert>
  );
}
