/**
 * Per-tenant share of this process's probe slots (issue 13 fairness). A tenant whose checks hang (a dead VPN, a
 * port that accepts and never answers) may hold at most `cap` slots at once; its further scheduled checks are put
 * back for a moment instead of taking the slots other tenants' checks need. Manual connection tests always run
 * (they count towards the tenant's in-flight number but are never refused).
 */
export class TenantSlots {
  readonly cap: number;
  private readonly inFlight = new Map<string, number>();

  constructor(cap: number) {
    this.cap = cap;
  }

  /** Takes a slot for `tenantId`; false (nothing taken) when the tenant is at its cap and `force` is not set. */
  tryTake(tenantId: string, force = false): boolean {
    const n = this.inFlight.get(tenantId) ?? 0;
    if (!force && n >= this.cap) return false;
    this.inFlight.set(tenantId, n + 1);
    return true;
  }

  release(tenantId: string): void {
    const n = (this.inFlight.get(tenantId) ?? 0) - 1;
    if (n <= 0) this.inFlight.delete(tenantId);
    else this.inFlight.set(tenantId, n);
  }

  of(tenantId: string): number {
    return this.inFlight.get(tenantId) ?? 0;
  }
}

/** The default cap: a quarter of the process's slots, at least 2. */
export function defaultTenantCap(concurrency: number): number {
  return Math.max(2, Math.ceil(concurrency / 4));
}
