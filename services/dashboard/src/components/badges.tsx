import { Badge } from "@mantine/core";
import type { IntegrationStatus, IntegrationType } from "@hip/contracts";
import { badgeTextColor, STATUS_COLORS, STATUS_LABELS, TYPE_COLORS, TYPE_LABELS } from "../lib/palette.ts";

export function StatusBadge({
  status,
  size = "md",
}: {
  status: IntegrationStatus;
  size?: "sm" | "md" | "lg";
}) {
  const bg = STATUS_COLORS[status];
  return (
    <Badge
      size={size}
      variant="filled"
      styles={{
        root: { backgroundColor: bg, color: badgeTextColor(bg), flexShrink: 0, overflow: "visible" },
      }}
      data-status={status}
      aria-label={`Status: ${STATUS_LABELS[status]}`}
    >
      {STATUS_LABELS[status]}
    </Badge>
  );
}

export function TypeBadge({ type, size = "md" }: { type: IntegrationType; size?: "sm" | "md" | "lg" }) {
  const color = TYPE_COLORS[type];
  return (
    <Badge
      size={size}
      variant="light"
      styles={{
        root: { color, backgroundColor: `${color}1f`, border: `1px solid ${color}66`, flexShrink: 0 },
      }}
      data-type={type}
      aria-label={`Type: ${TYPE_LABELS[type]}`}
    >
      {TYPE_LABELS[type]}
    </Badge>
  );
}
