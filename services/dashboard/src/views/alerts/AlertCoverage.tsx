import { Alert, Text } from "@mantine/core";
import { IconBellOff } from "@tabler/icons-react";
import type { IntegrationType, PolicyView } from "@hip/contracts";
import { Link } from "../../components/Link.tsx";
import { listPolicies } from "../../lib/alerts-api.ts";
import { href } from "../../lib/router.ts";
import { useAsync } from "../../lib/use-async.ts";
import { policiesCovering } from "./policy-form.ts";

/** Who hears about this integration's outages: the covering policies, or plainly nobody. */
export function AlertCoverageNotice({
  policies,
  integration,
}: {
  policies: readonly PolicyView[];
  integration: { id: string; type: IntegrationType };
}) {
  const covering = policiesCovering(policies, integration);
  if (covering.length > 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="alert-coverage">
        Outages notify through {covering.length === 1 ? "policy" : "policies"}{" "}
        {covering.map((p) => p.name).join(", ")} (<Link to={href({ name: "policies" })}>alert policies</Link>
        ).
      </Text>
    );
  }
  return (
    <Alert
      color="yellow"
      icon={<IconBellOff aria-hidden />}
      title="Nobody is notified when this integration fails"
      role="status"
      data-testid="alert-coverage"
      py="xs"
    >
      <Text size="sm">
        No enabled alert policy covers it: incidents are recorded, but no channel is told.{" "}
        <Link to={href({ name: "policies" })}>Alert policies</Link>
      </Text>
    </Alert>
  );
}

/** Loads the tenant's policies; an unreachable alert service shows nothing rather than a wrong warning. */
export function AlertCoverage({ integration }: { integration: { id: string; type: IntegrationType } }) {
  const policies = useAsync((signal) => listPolicies(signal).catch(() => null), []);
  if (!policies.data) return null;
  return <AlertCoverageNotice policies={policies.data} integration={integration} />;
}
