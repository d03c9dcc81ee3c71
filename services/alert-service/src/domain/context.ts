import type { TopicNames } from "@hip/contracts";
import type { KeyRing } from "@hip/secrets";
import type { Db } from "../db/client.ts";
import type { SendContext } from "../channels/model.ts";

/** What every use case needs from the process. */
export interface DomainDeps {
  db: Db;
  ring: KeyRing;
  topics: TopicNames;
  /** Base of dashboard links in notifications. */
  dashboardUrl: string;
  /** How channels send (SSRF allowlist, timeouts, SMTP); used by deliveries and channel tests. */
  send: SendContext;
  /**
   * Status changes older than this when first applied open (and later resolve) their incident without notifying
   * anyone: the first start against existing topics reads history, and an outage long over must not page.
   */
  notifyMaxEventAgeMs: number;
  /** Now. Injectable so tests run an hour of flapping in a second; rules read event times, not this. */
  clock: () => Date;
  /**
   * ALERT_DEPENDENCY_HOLD_SECONDS in ms (default 30 s when absent): the wait for dependent failures before a
   * parent's digest, and for a parent's incident before a dependent's page (docs/decisions/0514). Optional so the
   * many narrow `Pick<DomainDeps, ...>` signatures need not all carry it; read with `holdMs(deps)`.
   */
  dependencyHoldMs?: number;
}

/** The dependency hold of deps (the runtime passes its whole DomainDeps down even where the type is narrowed). */
export const holdMs = (deps: object): number =>
  (deps as Pick<DomainDeps, "dependencyHoldMs">).dependencyHoldMs ?? 30_000;

/** Who asked, for tenancy and audit. */
export interface Actor {
  tenantId: string;
  sub: string;
  requestId: string | null;
  ip: string | null;
}

export const incidentLink = (dashboardUrl: string, incidentId: string): string =>
  `${dashboardUrl.replace(/\/$/, "")}/incidents/${incidentId}`;
