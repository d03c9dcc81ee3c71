import { API_BASE_PATH, ErrorEnvelope, type FieldIssue } from "@hip/contracts";

/** Every failed call: the API's envelope when there is one, else a network/HTTP summary. */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly details: FieldIssue[];
  readonly requestId: string | undefined;
  constructor(status: number, code: string, message: string, details: FieldIssue[] = [], requestId?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
  }
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  etag: string | null;
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** The app signs out when any call answers 401 (expired or revoked token). */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

let currentToken: string | null = null;
export function setApiToken(token: string | null): void {
  currentToken = token;
}
export function getApiToken(): string | null {
  return currentToken;
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  body?: unknown;
  ifMatch?: string | null;
  signal?: AbortSignal;
}

export async function apiRequest<T>(path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (currentToken) headers.authorization = `Bearer ${currentToken}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (opts.ifMatch) headers["if-match"] = opts.ifMatch;
  let res: Response;
  try {
    res = await fetch(`${API_BASE_PATH}${path}`, {
      method: opts.method ?? "GET",
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal: opts.signal ?? null,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "NETWORK", "The server could not be reached. Check your connection and try again.");
  }
  const text = await res.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const env = ErrorEnvelope.safeParse(json);
    if (res.status === 401) for (const fn of unauthorizedListeners) fn();
    if (env.success) {
      const e = env.data.error;
      throw new ApiError(res.status, e.code, e.message, e.details ?? [], e.requestId);
    }
    throw new ApiError(res.status, "HTTP", `Request failed with HTTP ${res.status}`);
  }
  return { status: res.status, data: json as T, etag: res.headers.get("etag") };
}

/** ETag for a record version, as the config service sends it (`"<version>"`). */
export const versionTag = (version: number): string => `"${version}"`;

export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const first = err.details[0];
    return first && err.details.length === 1 ? `${err.message}` : err.message;
  }
  return err instanceof Error ? err.message : "Something went wrong";
}

/** Lists may come as an array or as `{ data: [...] }`. */
export function listOf<T>(payload: unknown): T[] {
  if (Array.isArray(payload)) return payload as T[];
  if (payload && typeof payload === "object" && Array.isArray((payload as { data?: unknown }).data)) {
    return (payload as { data: T[] }).data;
  }
  return [];
}
