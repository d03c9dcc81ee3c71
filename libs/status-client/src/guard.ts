import { IntegrationUnavailableError, IntegrationUnknownError } from "./errors.ts";
import type { IntegrationHealth } from "./health.ts";

export interface GuardOptions {
  /**
   * Half-open: while unavailable, let ONE call through at a time, at most once per `trialIntervalMs`. If it
   * succeeds, calls flow again until the next status or incident change of that integration, or until a guarded
   * call fails. Default: the client's `trial` option (false).
   */
  trial?: boolean;
}

interface Trial {
  inFlight: boolean;
  lastAt: number;
  /** A trial succeeded: calls pass until the next change or a failure. */
  passing: boolean;
}

/**
 * Fail-fast gate per integration. Trial state exists only for integrations that were guarded while unavailable,
 * so it costs nothing for the healthy majority.
 */
export class Guard {
  private readonly trials = new Map<string, Trial>();
  private readonly trialIntervalMs: number;
  private readonly now: () => number;

  constructor(trialIntervalMs: number, now: () => number = Date.now) {
    this.trialIntervalMs = trialIntervalMs;
    this.now = now;
  }

  /** A new status or incident event for `id` supersedes whatever a trial concluded. */
  reset(id: string): void {
    const t = this.trials.get(id);
    if (t && !t.inFlight) this.trials.delete(id);
    else if (t) t.passing = false;
  }

  async run<T>(
    id: string,
    health: IntegrationHealth | undefined,
    fn: () => Promise<T> | T,
    trial: boolean,
  ): Promise<T> {
    if (!health) throw new IntegrationUnknownError(id);
    if (health.available) return fn();
    const t = this.trials.get(id);
    if (t?.passing) return this.observe(id, t, fn);
    if (!trial) throw new IntegrationUnavailableError(health);
    const state = t ?? { inFlight: false, lastAt: Number.NEGATIVE_INFINITY, passing: false };
    if (state.inFlight || this.now() - state.lastAt < this.trialIntervalMs) {
      throw new IntegrationUnavailableError(health);
    }
    this.trials.set(id, state);
    state.inFlight = true;
    state.lastAt = this.now();
    try {
      const out = await fn();
      state.passing = true;
      return out;
    } finally {
      state.inFlight = false;
    }
  }

  /** While passing after a trial: a failing call closes the gate again (the next trial waits its interval). */
  private async observe<T>(id: string, t: Trial, fn: () => Promise<T> | T): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (this.trials.get(id) === t) {
        t.passing = false;
        t.lastAt = this.now();
      }
      throw err;
    }
  }
}
