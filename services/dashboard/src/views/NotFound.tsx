import { Button, Stack, Text, Title } from "@mantine/core";
import { href, navigate } from "../lib/router.ts";

export function NotFound({ forbidden = false }: { forbidden?: boolean }) {
  return (
    <Stack align="flex-start">
      <Title order={1}>{forbidden ? "Admins only" : "Page not found"}</Title>
      <Text c="dimmed">
        {forbidden
          ? "Your role can view integrations but not change them."
          : "There is nothing at this address."}
      </Text>
      <Button variant="light" onClick={() => navigate(href({ name: "list" }))}>
        Go to integrations
      </Button>
    </Stack>
  );
}
