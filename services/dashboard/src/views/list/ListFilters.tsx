import { Group, Select, TextInput } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import { INTEGRATION_STATUSES, INTEGRATION_TYPES, STATUS_LABELS, TYPE_LABELS } from "../../lib/palette.ts";
import { type ListState, PAGE_SIZES, SORT_FIELDS, type SortField } from "./list-state.ts";

const SORT_LABELS: Record<SortField, string> = {
  name: "Name",
  createdAt: "Created",
  updatedAt: "Updated",
  type: "Type",
  status: "Status",
};

export function ListFilters({
  state,
  query,
  onQuery,
  onChange,
}: {
  state: ListState;
  query: string;
  onQuery: (q: string) => void;
  onChange: (patch: Partial<ListState>) => void;
}) {
  return (
    <Group gap="sm" align="flex-end" role="search" aria-label="Filter integrations" wrap="wrap">
      <TextInput
        label="Search"
        placeholder="Name, provider or description"
        leftSection={<IconSearch size={16} aria-hidden />}
        value={query}
        onChange={(e) => onQuery(e.currentTarget.value)}
        style={{ flex: "1 1 220px" }}
        type="search"
      />
      <Select
        label="Type"
        placeholder="All types"
        clearable
        data={INTEGRATION_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
        value={state.type}
        onChange={(v) => onChange({ type: INTEGRATION_TYPES.find((t) => t === v) ?? null })}
        style={{ flex: "1 1 140px" }}
      />
      <Select
        label="Status"
        placeholder="All statuses"
        clearable
        data={INTEGRATION_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
        value={state.status}
        onChange={(v) => onChange({ status: INTEGRATION_STATUSES.find((s) => s === v) ?? null })}
        style={{ flex: "1 1 140px" }}
      />
      <Select
        label="Sort by"
        data={SORT_FIELDS.map((s) => ({ value: s, label: SORT_LABELS[s] }))}
        value={state.sort}
        allowDeselect={false}
        onChange={(v) => onChange({ sort: SORT_FIELDS.find((s) => s === v) ?? "createdAt" })}
        style={{ flex: "1 1 140px" }}
      />
      <Select
        label="Order"
        data={[
          { value: "asc", label: "Ascending" },
          { value: "desc", label: "Descending" },
        ]}
        value={state.order}
        allowDeselect={false}
        onChange={(v) => onChange({ order: v === "asc" ? "asc" : "desc" })}
        style={{ flex: "1 1 140px" }}
      />
      <Select
        label="Per page"
        data={PAGE_SIZES.map((n) => String(n))}
        value={String(state.limit)}
        allowDeselect={false}
        onChange={(v) => onChange({ limit: Number(v) || 25 })}
        style={{ flex: "0 1 90px" }}
      />
    </Group>
  );
}
