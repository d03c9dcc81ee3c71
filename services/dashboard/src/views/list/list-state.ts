import type { IntegrationStatus, IntegrationType } from "@hip/contracts";
import { INTEGRATION_STATUSES, INTEGRATION_TYPES } from "../../lib/palette.ts";

export const SORT_FIELDS = ["name", "createdAt", "updatedAt", "type", "status"] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export const PAGE_SIZES = [10, 25, 50, 100] as const;

export interface ListState {
  type: IntegrationType | null;
  status: IntegrationStatus | null;
  q: string;
  sort: SortField;
  order: "asc" | "desc";
  limit: number;
}

export const DEFAULT_LIST_STATE: ListState = {
  type: null,
  status: null,
  q: "",
  sort: "createdAt",
  order: "desc",
  limit: 25,
};

/** Filters live in the URL so a filtered view can be shared and survives reload/back. */
export function listStateFromSearch(search: string): ListState {
  const p = new URLSearchParams(search);
  const type = p.get("type");
  const status = p.get("status");
  const sort = p.get("sort");
  const limit = Number(p.get("limit"));
  return {
    type: INTEGRATION_TYPES.find((t) => t === type) ?? null,
    status: INTEGRATION_STATUSES.find((s) => s === status) ?? null,
    q: p.get("q") ?? "",
    sort: SORT_FIELDS.find((s) => s === sort) ?? DEFAULT_LIST_STATE.sort,
    order: p.get("order") === "asc" ? "asc" : "desc",
    limit: PAGE_SIZES.find((n) => n === limit) ?? DEFAULT_LIST_STATE.limit,
  };
}

export function listStateToSearch(s: ListState): string {
  const p = new URLSearchParams();
  if (s.type) p.set("type", s.type);
  if (s.status) p.set("status", s.status);
  if (s.q.trim()) p.set("q", s.q.trim());
  if (s.sort !== DEFAULT_LIST_STATE.sort) p.set("sort", s.sort);
  if (s.order !== DEFAULT_LIST_STATE.order) p.set("order", s.order);
  if (s.limit !== DEFAULT_LIST_STATE.limit) p.set("limit", String(s.limit));
  const str = p.toString();
  return str ? `?${str}` : "";
}
