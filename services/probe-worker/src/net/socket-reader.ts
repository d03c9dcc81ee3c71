import type { Socket } from "node:net";
import { abortFailure, failureFromError, ProbeFailure } from "@hip/net-guard";

export type Parser<T> = (buf: Buffer) => { value: T; consumed: number } | null;

/**
 * Buffers what a socket receives and hands out whole protocol units (an MLLP frame, a DICOM PDU) on demand.
 * Fails clearly when the peer closes mid-unit, sends more than `maxBytes`, or the signal aborts.
 */
export class SocketReader {
  #buf: Buffer = Buffer.alloc(0);
  #ended = false;
  #error: unknown = null;
  #wake: (() => void) | null = null;
  /** performance.now() of the first byte received; null until then. */
  firstByteAt: number | null = null;
  readonly #signal: AbortSignal;
  readonly #maxBytes: number;

  constructor(socket: Socket, signal: AbortSignal, maxBytes = 1 << 20) {
    this.#signal = signal;
    this.#maxBytes = maxBytes;
    const wake = () => {
      const w = this.#wake;
      this.#wake = null;
      w?.();
    };
    socket.on("data", (chunk: Buffer) => {
      this.firstByteAt ??= performance.now();
      this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
      wake();
    });
    socket.once("end", () => {
      this.#ended = true;
      wake();
    });
    socket.once("close", () => {
      this.#ended = true;
      wake();
    });
    socket.once("error", (err) => {
      this.#error = err;
      wake();
    });
    signal.addEventListener("abort", wake, { once: true });
  }

  /** Bytes received but not consumed yet (for error messages). */
  get pending(): Buffer {
    return this.#buf;
  }

  async next<T>(parse: Parser<T>, during: string): Promise<T> {
    for (;;) {
      const got = parse(this.#buf);
      if (got) {
        this.#buf = this.#buf.subarray(got.consumed);
        return got.value;
      }
      if (this.#signal.aborted) throw abortFailure(this.#signal, `the read ${during}`);
      if (this.#error) throw failureFromError(this.#error, "protocol");
      if (this.#buf.length > this.#maxBytes) {
        throw new ProbeFailure(
          "RESPONSE_TOO_LARGE",
          "protocol",
          `peer sent more than ${this.#maxBytes} bytes ${during}`,
        );
      }
      if (this.#ended) {
        throw new ProbeFailure(
          "CONNECTION_CLOSED",
          "protocol",
          `peer closed the connection ${during}${this.#buf.length > 0 ? ` after ${this.#buf.length} incomplete bytes` : ""}`,
          { retryable: true },
        );
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }
}
