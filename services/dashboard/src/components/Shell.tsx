import {
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import {
  IconAlertTriangle,
  IconBell,
  IconGauge,
  IconList,
  IconLogout,
  IconPlus,
  IconPlugConnected,
  IconRoute,
} from "@tabler/icons-react";
import type { ReactNode } from "react";
import { type LiveState, useLiveState } from "../lib/live.tsx";
import { href, linkClick, useRoute } from "../lib/router.ts";
import type { Session } from "../lib/session.ts";
import { useUnresolvedIncidents } from "../views/alerts/use-incidents.tsx";

const LIVE_LABEL: Record<LiveState, { text: string; color: string }> = {
  open: { text: "Live", color: "green" },
  connecting: { text: "Connecting", color: "gray" },
  reconnecting: { text: "Reconnecting", color: "yellow" },
  off: { text: "Offline", color: "red" },
};

export function Shell({
  session,
  onSignOut,
  children,
}: {
  session: Session;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const route = useRoute();
  const live = LIVE_LABEL[useLiveState()];
  const unresolved = useUnresolvedIncidents().byIntegration?.size ?? 0;
  const nav = [
    { label: "Overview", to: href({ name: "overview" }), icon: IconGauge, active: route.name === "overview" },
    {
      label: "Integrations",
      to: href({ name: "list" }),
      icon: IconList,
      active: route.name === "list" || route.name === "detail" || route.name === "edit",
    },
    ...(session.isAdmin
      ? [
          {
            label: "New integration",
            to: href({ name: "create" }),
            icon: IconPlus,
            active: route.name === "create",
          },
        ]
      : []),
    {
      label: "Incidents",
      to: href({ name: "incidents" }),
      icon: IconAlertTriangle,
      active: route.name === "incidents" || route.name === "incident",
      count: unresolved,
    },
    {
      label: "Alert channels",
      to: href({ name: "channels" }),
      icon: IconBell,
      active: route.name === "channels",
    },
    {
      label: "Alert policies",
      to: href({ name: "policies" }),
      icon: IconRoute,
      active: route.name === "policies",
    },
  ];
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding={{ base: "sm", sm: "md" }}
    >
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <IconPlugConnected aria-hidden size={22} />
            <Title order={2} size="h4" style={{ whiteSpace: "nowrap" }}>
              Integrations
            </Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Tooltip label="Live updates from the stats stream">
              <Badge color={live.color} variant="dot" data-testid="live-state" aria-live="polite">
                {live.text}
              </Badge>
            </Tooltip>
            <Text size="sm" visibleFrom="sm" data-testid="whoami">
              {session.tenantId} · {session.isAdmin ? "admin" : "viewer"}
            </Text>
            <Button
              variant="subtle"
              size="compact-sm"
              leftSection={<IconLogout size={16} aria-hidden />}
              onClick={onSignOut}
            >
              <Text span visibleFrom="xs" size="sm">
                Sign out
              </Text>
              <VisuallyHidden> (Sign out)</VisuallyHidden>
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <nav>
          {nav.map((item) => (
            <NavLink
              key={item.to}
              href={item.to}
              label={item.label}
              active={item.active}
              leftSection={<item.icon size={18} aria-hidden />}
              rightSection={
                "count" in item && item.count ? (
                  <Badge size="sm" color="red" circle data-testid="nav-incident-count">
                    {item.count}
                    <VisuallyHidden> unresolved</VisuallyHidden>
                  </Badge>
                ) : undefined
              }
              aria-current={item.active ? "page" : undefined}
              onClick={(e: React.MouseEvent<HTMLAnchorElement>) => {
                linkClick(item.to)(e);
                close();
              }}
            />
          ))}
        </nav>
        <Text size="xs" c="dimmed" mt="auto" p="xs" hiddenFrom="sm">
          {session.tenantId} · {session.isAdmin ? "admin" : "viewer"}
        </Text>
      </AppShell.Navbar>
      <AppShell.Main id="main">{children}</AppShell.Main>
    </AppShell>
  );
}
