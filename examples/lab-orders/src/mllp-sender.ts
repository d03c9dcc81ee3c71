import { connect } from "node:net";

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;

/** Thrown when the LIS could not be reached or did not accept the message (anything but AA). */
export class LisSendError extends Error {
  override name = "LisSendError";
}

/**
 * Sends one HL7 v2 message over MLLP (<VT> msg <FS><CR>) and waits for its ACK. Resolves on MSA-1 = AA; anything
 * else (AE/AR, timeout, connection refused) is a LisSendError.
 */
export function sendHl7(endpoint: string, message: string, timeoutMs = 5000): Promise<void> {
  const url = new URL(endpoint);
  if (url.protocol !== "mllp:") throw new LisSendError(`not an mllp:// endpoint: ${endpoint}`);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let buf = Buffer.alloc(0);
    const fail = (why: string) => {
      socket.destroy();
      reject(new LisSendError(why));
    };
    socket.setTimeout(timeoutMs, () => fail(`no ACK within ${timeoutMs} ms`));
    socket.on("error", (err) => fail(`LIS unreachable: ${err.message}`));
    socket.on("connect", () => {
      socket.write(Buffer.concat([Buffer.from([VT]), Buffer.from(message, "utf8"), Buffer.from([FS, CR])]));
    });
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const start = buf.indexOf(VT);
      const end = buf.indexOf(FS, start);
      if (start < 0 || end < 0) return;
      const ack = buf.subarray(start + 1, end).toString("utf8");
      socket.end();
      const msa = ack.split("\r").find((s) => s.startsWith("MSA|"));
      const code = msa?.split("|")[1];
      if (code === "AA" || code === "CA") resolve();
      else reject(new LisSendError(`LIS answered ${code ?? "no MSA"}`));
    });
  });
}

/** An ORM^O01 new-order message for one lab test. */
export function ormMessage(order: { id: string; patientId: string; test: string }, at = new Date()): string {
  const ts = at.toISOString().replace(/\D/g, "").slice(0, 14);
  return [
    `MSH|^~\\&|LAB-ORDERS|HOSP|LIS|LAB|${ts}||ORM^O01^ORM_O01|${order.id.slice(0, 20)}|P|2.5.1`,
    `PID|1||${order.patientId}^^^HOSP^MR`,
    `ORC|NW|${order.id}`,
    `OBR|1|${order.id}||${order.test}`,
  ].join("\r");
}
