import type { IncidentView, IntegrationView } from "@hip/contracts";

export interface DependencyLink {
  id: string;
  name: string;
  status: IntegrationView["status"] | null;
}

/**
 * Parents (what `self` depends on, in its order; an id not among `all` is shown by id) and children (integrations
 * of `all` that list `self`), by name.
 */
export function dependencyTree(
  self: Pick<IntegrationView, "id" | "dependsOn">,
  all: ReadonlyArray<Pick<IntegrationView, "id" | "name" | "status" | "dependsOn">>,
): { parents: DependencyLink[]; children: DependencyLink[] } {
  const byId = new Map(all.map((i) => [i.id, i]));
  const parents = self.dependsOn.map((id) => {
    const p = byId.get(id);
    return { id, name: p?.name ?? `Integration ${id.slice(0, 8)}`, status: p?.status ?? null };
  });
  const children = all
    .filter((i) => i.id !== self.id && i.dependsOn.includes(self.id))
    .map((i) => ({ id: i.id, name: i.name, status: i.status }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { parents, children };
}

export interface IncidentRowItem {
  incident: IncidentView;
  /** Set on a suppressed incident listed right under its parent's. */
  underParent: IncidentView | null;
  /** The parent incident when it is not on this page (the badge still says it is suppressed). */
  suppressedBy: string | null;
}

/**
 * Incidents list order with suppressed dependents grouped under their parent's incident (when the parent is on the
 * same page); everything else keeps the server's order.
 */
export function groupUnderParents(rows: readonly IncidentView[]): IncidentRowItem[] {
  const present = new Map(rows.map((r) => [r.id, r]));
  const kids = new Map<string, IncidentView[]>();
  for (const r of rows) {
    if (r.suppressedBy && present.has(r.suppressedBy)) {
      const list = kids.get(r.suppressedBy) ?? [];
      list.push(r);
      kids.set(r.suppressedBy, list);
    }
  }
  const out: IncidentRowItem[] = [];
  for (const r of rows) {
    if (r.suppressedBy && present.has(r.suppressedBy)) continue;
    out.push({ incident: r, underParent: null, suppressedBy: r.suppressedBy });
    for (const k of kids.get(r.id) ?? []) out.push({ incident: k, underParent: r, suppressedBy: r.id });
  }
  return out;
}
