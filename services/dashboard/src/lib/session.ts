import { JwtClaims } from "@hip/contracts";

export interface Session {
  token: string;
  sub: string;
  tenantId: string;
  roles: string[];
  isAdmin: boolean;
  expiresAt: number | null;
}

const KEY = "hip.dashboard.token";

function decodeSegment(segment: string): unknown {
  const b64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * Reads a token's claims for display and to hide write controls. The signature is NOT checked here: the APIs
 * verify every request, so a forged token only changes what this tab renders, never what it can do.
 */
export function parseToken(
  token: string,
  now = Date.now(),
): { ok: true; session: Session } | { ok: false; error: string } {
  const trimmed = token.trim().replace(/^Bearer\s+/i, "");
  const parts = trimmed.split(".");
  if (parts.length !== 3 || !parts[1])
    return { ok: false, error: "This is not a JWT (expected three dot-separated parts)" };
  let payload: unknown;
  try {
    payload = decodeSegment(parts[1]);
  } catch {
    return { ok: false, error: "The token payload is not readable JSON" };
  }
  const claims = JwtClaims.safeParse(payload);
  if (!claims.success) return { ok: false, error: "The token lacks sub, tenantId or roles claims" };
  const { sub, tenantId, roles, exp } = claims.data;
  if (!tenantId || roles.includes("service")) {
    return { ok: false, error: "Use a tenant user token (admin or viewer), not a service token" };
  }
  if (exp !== undefined && exp * 1000 <= now) return { ok: false, error: "The token has expired" };
  return {
    ok: true,
    session: {
      token: trimmed,
      sub,
      tenantId,
      roles,
      isAdmin: roles.includes("admin"),
      expiresAt: exp !== undefined ? exp * 1000 : null,
    },
  };
}

/** Tokens live in sessionStorage: gone when the tab closes, not shared across tabs. */
export function loadSession(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  const parsed = parseToken(raw);
  if (!parsed.ok) {
    sessionStorage.removeItem(KEY);
    return null;
  }
  return parsed.session;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, session.token);
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
