import type {
  AuditEntryView,
  ConnectionTestView,
  CreateIntegrationBody,
  IntegrationView,
  UpdateIntegrationBody,
} from "@hip/contracts";
import { apiRequest, listOf, versionTag } from "./api.ts";

const path = (id: string) => `/configs/${encodeURIComponent(id)}`;

export interface Versioned<T> {
  value: T;
  etag: string;
}

export async function getIntegration(id: string, signal?: AbortSignal): Promise<Versioned<IntegrationView>> {
  const res = await apiRequest<IntegrationView>(path(id), signal ? { signal } : {});
  return { value: res.data, etag: res.etag ?? versionTag(res.data.version) };
}

export async function createIntegration(body: CreateIntegrationBody): Promise<IntegrationView> {
  return (await apiRequest<IntegrationView>("/configs", { method: "POST", body })).data;
}

/** PATCH guarded by If-Match: a stale version answers 412 instead of overwriting someone else's change. */
export async function updateIntegration(
  id: string,
  body: UpdateIntegrationBody,
  etag: string,
): Promise<Versioned<IntegrationView>> {
  const res = await apiRequest<IntegrationView>(path(id), { method: "PATCH", body, ifMatch: etag });
  return { value: res.data, etag: res.etag ?? versionTag(res.data.version) };
}

export async function deleteIntegration(id: string, etag: string | null): Promise<void> {
  await apiRequest<unknown>(path(id), { method: "DELETE", ifMatch: etag });
}

export async function listTests(id: string, signal: AbortSignal): Promise<ConnectionTestView[]> {
  return listOf<ConnectionTestView>(
    (await apiRequest<unknown>(`${path(id)}/tests?limit=10`, { signal })).data,
  );
}

export async function listAudit(id: string, signal: AbortSignal): Promise<AuditEntryView[]> {
  return listOf<AuditEntryView>((await apiRequest<unknown>(`${path(id)}/audit?limit=50`, { signal })).data);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(new DOMException("aborted", "AbortError"));
    });
  });

/**
 * Runs a connection test: the API answers 200 with the finished test, or 202 with its id while the probe is still
 * running; then this polls `tests/:testId` until it is no longer PENDING (or `maxWaitMs` passes).
 */
export async function runConnectionTest(
  id: string,
  onPending: (testId: string) => void,
  signal?: AbortSignal,
  maxWaitMs = 120_000,
): Promise<ConnectionTestView> {
  const res = await apiRequest<ConnectionTestView | { testId?: string; id?: string }>(`${path(id)}/test`, {
    method: "POST",
    body: {},
    ...(signal ? { signal } : {}),
  });
  const data = res.data;
  if (res.status === 200 && "status" in data && data.status !== "PENDING") return data as ConnectionTestView;
  const testId = ("testId" in data && data.testId) || ("id" in data && data.id) || null;
  if (!testId) throw new Error("The API did not return a test id");
  onPending(testId);
  const deadline = Date.now() + maxWaitMs;
  let delay = 500;
  while (Date.now() < deadline) {
    await sleep(delay, signal);
    const poll = await apiRequest<ConnectionTestView>(`${path(id)}/tests/${encodeURIComponent(testId)}`, {
      ...(signal ? { signal } : {}),
    });
    if (poll.data.status !== "PENDING") return poll.data;
    delay = Math.min(delay * 1.5, 3000);
  }
  throw new Error("The test is still running; its result will appear under Connection tests.");
}
