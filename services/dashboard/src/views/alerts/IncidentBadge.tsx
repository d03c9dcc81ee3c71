import { Badge } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import type { IncidentState, IncidentView } from "@hip/contracts";
import { formatRelative } from "../../lib/format.ts";
import { href, linkClick } from "../../lib/router.ts";
import { INCIDENT_STATE_LABELS } from "./incident-state.ts";

const STATE_COLORS: Record<IncidentState, string> = {
  open: "red",
  acknowledged: "orange",
  resolved: "green",
};

export function IncidentStateBadge({
  state,
  size = "md",
}: {
  state: IncidentState;
  size?: "sm" | "md" | "lg";
}) {
  return (
    <Badge
      size={size}
      color={STATE_COLORS[state]}
      variant={state === "open" ? "filled" : "light"}
      data-incident-state={state}
      aria-label={`Incident state: ${INCIDENT_STATE_LABELS[state]}`}
      style={{ flexShrink: 0 }}
    >
      {INCIDENT_STATE_LABELS[state]}
    </Badge>
  );
}

/** "Incident open" on an integration: a link to the incident (text, not only colour, says what it is). */
export function OpenIncidentBadge({
  incident,
  size = "md",
}: {
  incident: IncidentView;
  size?: "sm" | "md" | "lg";
}) {
  const to = href({ name: "incident", id: incident.id });
  const acked = incident.state === "acknowledged";
  return (
    <Badge
      component="a"
      href={to}
      onClick={linkClick(to)}
      size={size}
      color={acked ? "orange" : "red"}
      variant="outline"
      leftSection={<IconAlertTriangle size={12} aria-hidden />}
      data-testid="open-incident-badge"
      data-incident-id={incident.id}
      title={`Opened ${formatRelative(incident.openedAt)}`}
      style={{ cursor: "pointer", flexShrink: 0, textTransform: "none" }}
    >
      {acked ? "Incident acknowledged" : "Incident open"}
    </Badge>
  );
}

/** "Flapping" / "In maintenance" / "Suppressed by <parent>" / "N dependents affected" next to the state: why an incident is quiet (text, not only colour). */
export function IncidentNoiseBadges({
  incident,
  size = "sm",
  parentName,
}: {
  incident: IncidentView;
  size?: "sm" | "md";
  /** The parent integration's name, when the parent's incident is known (suppressed incidents). */
  parentName?: string | undefined;
}) {
  const f = incident.flapping;
  const m = incident.maintenance;
  const parentTo = incident.suppressedBy ? href({ name: "incident", id: incident.suppressedBy }) : null;
  return (
    <>
      {parentTo && (
        <Badge
          component="a"
          href={parentTo}
          onClick={linkClick(parentTo)}
          size={size}
          color="gray"
          variant="light"
          data-testid="suppressed-badge"
          style={{ flexShrink: 0, cursor: "pointer", textTransform: "none" }}
        >
          {parentName ? `Suppressed by ${parentName}` : "Suppressed by its parent's incident"}
        </Badge>
      )}
      {incident.childCount > 0 && (
        <Badge
          size={size}
          color="orange"
          variant="light"
          data-testid="children-badge"
          style={{ flexShrink: 0 }}
        >
          {`${incident.childCount} dependent${incident.childCount === 1 ? "" : "s"} affected`}
        </Badge>
      )}
      {f && (
        <Badge
          size={size}
          color="grape"
          variant="light"
          data-testid="flapping-badge"
          style={{ flexShrink: 0 }}
        >
          {f.settledAt
            ? `Flapped, settled ${f.settledStatus === "ERROR" ? "failing" : "working"}`
            : "Flapping"}
        </Badge>
      )}
      {m && (
        <Badge
          size={size}
          color="gray"
          variant="light"
          data-testid="maintenance-badge"
          style={{ flexShrink: 0 }}
        >
          {m.endedAt
            ? "Opened in maintenance"
            : `In maintenance until ${new Date(m.endsAt).toLocaleString()}`}
        </Badge>
      )}
    </>
  );
}
