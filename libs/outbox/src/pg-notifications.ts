import { EventEmitter } from "node:events";
import pg from "pg";
import type { Logger } from "pino";

/**
 * One dedicated LISTEN connection per process. Emits `channel` events with the payload. On connection loss it
 * reconnects with backoff and emits `reconnected`, so listeners re-check state they may have missed (the DB
 * poll fallbacks cover the gap anyway).
 */
export class PgNotifications extends EventEmitter {
  private client: pg.Client | null = null;
  private stopped = false;
  private readonly url: string;
  private readonly channels: string[];
  private readonly logger: Logger;

  private readonly applicationName: string;

  constructor(url: string, channels: string[], logger: Logger, applicationName = "hip-listen") {
    super();
    this.applicationName = applicationName;
    this.setMaxListeners(0);
    this.url = url;
    this.channels = channels;
    this.logger = logger;
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: this.applicationName });
    client.on("notification", (msg) => this.emit(msg.channel, msg.payload ?? ""));
    client.on("error", (err) => {
      this.logger.warn({ err: err.message }, "LISTEN connection lost; reconnecting");
      void client.end().catch(() => undefined);
      if (this.client === client) this.client = null;
      this.scheduleReconnect(500);
    });
    await client.connect();
    for (const channel of this.channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    this.client = client;
  }

  private scheduleReconnect(delay: number): void {
    if (this.stopped) return;
    setTimeout(() => {
      if (this.stopped) return;
      this.connect().then(
        () => this.emit("reconnected"),
        () => this.scheduleReconnect(Math.min(delay * 2, 10_000)),
      );
    }, delay).unref();
  }

  isConnected(): boolean {
    return this.client !== null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }
}
