import {
  Alert,
  Button,
  Card,
  Center,
  Divider,
  PasswordInput,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { IconKey } from "@tabler/icons-react";
import { type FormEvent, useState } from "react";
import { parseToken, type Session } from "../lib/session.ts";

export function SignIn({ devLogin, onSignIn }: { devLogin: boolean; onSignIn: (s: Session) => void }) {
  const [token, setToken] = useState("");
  const [tokenError, setTokenError] = useState<string | null>(null);
  const [tenantId, setTenantId] = useState("t1");
  const [role, setRole] = useState<"admin" | "viewer">("admin");
  const [devError, setDevError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submitToken = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseToken(token);
    if (!parsed.ok) return setTokenError(parsed.error);
    onSignIn(parsed.session);
  };

  const submitDev = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setDevError(null);
    try {
      const res = await fetch("/dashboard/dev-token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tenantId: tenantId.trim(), role }),
      });
      const body = (await res.json()) as { token?: string; error?: { message?: string } };
      if (!res.ok || !body.token) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
      const parsed = parseToken(body.token);
      if (!parsed.ok) throw new Error(parsed.error);
      onSignIn(parsed.session);
    } catch (err) {
      setDevError(err instanceof Error ? err.message : "Sign-in failed");
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md" bg="gray.0" component="main">
      <Card withBorder shadow="sm" padding="lg" w="100%" maw={440}>
        <Stack>
          <Title order={1} size="h2">
            Sign in
          </Title>
          <Text size="sm" c="dimmed">
            Integration health dashboard. Paste a JWT issued for your tenant.
          </Text>
          <form onSubmit={submitToken} aria-label="Sign in with a token">
            <Stack gap="sm">
              <PasswordInput
                label="Access token"
                description="A JWT with sub, tenantId and roles (admin or viewer)"
                value={token}
                onChange={(e) => {
                  setToken(e.currentTarget.value);
                  setTokenError(null);
                }}
                error={tokenError}
                autoComplete="off"
                required
              />
              <Button type="submit" leftSection={<IconKey size={16} aria-hidden />}>
                Sign in with token
              </Button>
            </Stack>
          </form>
          {devLogin && (
            <>
              <Divider label="Development only" labelPosition="center" />
              <form onSubmit={submitDev} aria-label="Development sign-in">
                <Stack gap="sm">
                  <TextInput
                    label="Tenant"
                    value={tenantId}
                    onChange={(e) => setTenantId(e.currentTarget.value)}
                    required
                  />
                  <div>
                    <Text size="sm" fw={500} id="dev-role-label" mb={4}>
                      Role
                    </Text>
                    <SegmentedControl
                      fullWidth
                      aria-labelledby="dev-role-label"
                      value={role}
                      onChange={(v) => setRole(v === "viewer" ? "viewer" : "admin")}
                      data={[
                        { label: "Admin", value: "admin" },
                        { label: "Viewer", value: "viewer" },
                      ]}
                    />
                  </div>
                  {devError && (
                    <Alert color="red" role="alert">
                      {devError}
                    </Alert>
                  )}
                  <Button type="submit" variant="light" loading={busy}>
                    Sign in as dev user
                  </Button>
                </Stack>
              </form>
            </>
          )}
        </Stack>
      </Card>
    </Center>
  );
}
