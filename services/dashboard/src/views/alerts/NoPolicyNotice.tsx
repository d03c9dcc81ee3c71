import { Alert, Text } from "@mantine/core";
import { IconBellOff } from "@tabler/icons-react";
import type { PolicyView } from "@hip/contracts";
import { Link } from "../../components/Link.tsx";
import { href } from "../../lib/router.ts";
import { notificationCoverage } from "./policy-form.ts";

/** Says plainly when nobody will be notified: no policy at all, or only disabled ones. */
export function NoPolicyNotice({
  policies,
  linkToPolicies = true,
}: {
  policies: readonly PolicyView[];
  linkToPolicies?: boolean;
}) {
  const coverage = notificationCoverage(policies);
  if (coverage === "some") return null;
  return (
    <Alert
      color={coverage === "none" ? "red" : "yellow"}
      icon={<IconBellOff aria-hidden />}
      title="Nobody will be notified"
      role="status"
      data-testid="no-policy-notice"
    >
      <Text size="sm">
        {coverage === "none"
          ? "This tenant has no alert policy. Incidents are still opened and listed here, but no channel is told when an integration fails."
          : "Every alert policy of this tenant is disabled. Incidents are still opened and listed here, but no channel is told."}{" "}
        {linkToPolicies && <Link to={href({ name: "policies" })}>Set up a policy</Link>}
      </Text>
    </Alert>
  );
}
