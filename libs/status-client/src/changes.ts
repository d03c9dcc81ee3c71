import { ChangeBufferOverflowError } from "./errors.ts";
import type { IntegrationHealth } from "./health.ts";

/** One visible change: `before` undefined = appeared, `after` undefined = deleted. */
export interface StatusChange {
  integrationId: string;
  tenantId: string;
  before: IntegrationHealth | undefined;
  after: IntegrationHealth | undefined;
  /** `before.available !== after.available` (an appearing or disappearing integration counts as a change). */
  availabilityChanged: boolean;
  /** The event that caused it. */
  event: { id: string; type: string; time: string };
}

/**
 * A bounded queue feeding one `for await` loop. Overflow closes it with ChangeBufferOverflowError rather than
 * dropping changes silently or growing without bound.
 */
export class ChangeQueue implements AsyncIterableIterator<StatusChange> {
  private readonly buffer: StatusChange[] = [];
  private waiting: ((r: IteratorResult<StatusChange>) => void) | null = null;
  private failWaiting: ((err: unknown) => void) | null = null;
  private done = false;
  private error: Error | null = null;
  private readonly max: number;
  private readonly onClose: () => void;

  constructor(max: number, onClose: () => void) {
    this.max = max;
    this.onClose = onClose;
  }

  push(c: StatusChange): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      this.failWaiting = null;
      resolve({ value: c, done: false });
      return;
    }
    if (this.buffer.length >= this.max) {
      this.fail(new ChangeBufferOverflowError(this.max));
      return;
    }
    this.buffer.push(c);
  }

  fail(err: Error): void {
    if (this.done) return;
    this.error = err;
    this.buffer.length = 0;
    this.close();
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.onClose();
    if (this.waiting) {
      const resolve = this.waiting;
      const reject = this.failWaiting;
      this.waiting = null;
      this.failWaiting = null;
      if (this.error && reject) reject(this.error);
      else resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<StatusChange>> {
    const c = this.buffer.shift();
    if (c) return Promise.resolve({ value: c, done: false });
    if (this.error) {
      const err = this.error;
      this.error = null;
      return Promise.reject(err);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<StatusChange>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StatusChange> {
    return this;
  }
}
