import { Anchor, type AnchorProps } from "@mantine/core";
import type { ReactNode } from "react";
import { linkClick } from "../lib/router.ts";

export function Link({ to, children, ...rest }: { to: string; children: ReactNode } & AnchorProps) {
  return (
    <Anchor href={to} onClick={linkClick(to)} {...rest}>
      {children}
    </Anchor>
  );
}
