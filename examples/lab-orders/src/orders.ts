import { randomUUID } from "node:crypto";
import { type StatusChange, type StatusClient, StatusClientError } from "@hip/status-client";
import type { Logger } from "pino";

export interface NewOrder {
  patientId: string;
  test: string;
}

export interface Order extends NewOrder {
  id: string;
  state: "held" | "sent";
  /** Why it is held (the status client's error code, or the LIS's answer). */
  heldBecause: string | null;
  createdAt: string;
  sentAt: string | null;
}

/**
 * Lab orders to one LIS. An order goes out at once when the platform says the LIS is available; otherwise (ERROR,
 * open incident, unknown) it is held, and held orders go out in arrival order as soon as the status client reports
 * the LIS available again. A send that fails although the platform still says "available" (the LIS broke before
 * a probe noticed) is held too. Kept in memory: a real service would keep orders in its own database.
 */
export class LabOrders {
  private readonly orders = new Map<string, Order>();
  private readonly held: string[] = [];
  private releasing: Promise<void> | null = null;
  private readonly status: Pick<StatusClient, "guard" | "on" | "off" | "get">;
  private readonly lisId: string;
  private readonly send: (order: Order) => Promise<void>;
  private readonly logger: Logger;
  private readonly onChange = (c: StatusChange) => {
    if (c.integrationId === this.lisId && c.after?.available) void this.release();
  };
  private readonly retry: NodeJS.Timeout;

  constructor(o: {
    status: Pick<StatusClient, "guard" | "on" | "off" | "get">;
    lisIntegrationId: string;
    send: (order: Order) => Promise<void>;
    logger: Logger;
    /** Held orders are also retried this often: a send can fail while the platform still says "available". */
    retryIntervalMs?: number;
  }) {
    this.status = o.status;
    this.lisId = o.lisIntegrationId;
    this.send = o.send;
    this.logger = o.logger;
    this.status.on("change", this.onChange);
    this.retry = setInterval(() => {
      if (this.held.length > 0) void this.release();
    }, o.retryIntervalMs ?? 30_000);
    this.retry.unref();
  }

  close(): void {
    clearInterval(this.retry);
    this.status.off("change", this.onChange);
  }

  async submit(input: NewOrder): Promise<Order> {
    const order: Order = {
      ...input,
      id: randomUUID(),
      state: "held",
      heldBecause: null,
      createdAt: new Date().toISOString(),
      sentAt: null,
    };
    this.orders.set(order.id, order);
    // Orders already waiting go first: never overtake them.
    if (this.held.length > 0) return this.hold(order, "EARLIER_ORDERS_HELD");
    await this.trySend(order);
    return order;
  }

  list(): Order[] {
    return [...this.orders.values()];
  }

  lis() {
    return this.status.get(this.lisId) ?? null;
  }

  /** Sends held orders in order until one fails (it stays first in line). Never runs twice at once. */
  release(): Promise<void> {
    this.releasing ??= (async () => {
      try {
        while (this.held.length > 0) {
          const id = this.held[0];
          const order = id ? this.orders.get(id) : undefined;
          if (!order) {
            this.held.shift();
            continue;
          }
          if (!(await this.trySend(order, true))) return;
          this.held.shift();
        }
      } finally {
        this.releasing = null;
      }
    })();
    return this.releasing;
  }

  /** true when sent. */
  private async trySend(order: Order, queued = false): Promise<boolean> {
    try {
      await this.status.guard(this.lisId, () => this.send(order));
      order.state = "sent";
      order.heldBecause = null;
      order.sentAt = new Date().toISOString();
      this.logger.info({ orderId: order.id }, "order sent to the LIS");
      return true;
    } catch (err) {
      const why = err instanceof StatusClientError ? err.code : "LIS_SEND_FAILED";
      if (!queued) this.hold(order, why);
      else order.heldBecause = why;
      this.logger.warn({ orderId: order.id, why }, "order held");
      return false;
    }
  }

  private hold(order: Order, why: string): Order {
    order.state = "held";
    order.heldBecause = why;
    this.held.push(order.id);
    return order;
  }
}
