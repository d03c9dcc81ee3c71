import { type HttpOptions, type HttpPeer, json, startHttp } from "./http.ts";

export interface FlappingOptions extends HttpOptions {
  /**
   * The answers in order, repeated: `U` = 200 `{"status":"UP"}`, `D` = 503 `{"status":"DOWN"}`. Default `UUUDDD`:
   * with checks every 10 s and a failure threshold of 2 the integration turns ERROR and back about once a minute.
   */
  pattern?: string;
}

export interface FlappingPeer extends HttpPeer {
  /** Answers given so far, and how many of them were failures. */
  answered: () => { total: number; failures: number };
}

/** An HTTP service that is up and down in turns, counted per request (deterministic, unlike a clock). */
export async function startFlappingApi(opts: FlappingOptions = {}): Promise<FlappingPeer> {
  const pattern = (opts.pattern ?? "UUUDDD").toUpperCase();
  if (!/^[UD]+$/.test(pattern)) throw new Error(`pattern must be made of U and D, got "${pattern}"`);
  let total = 0;
  let failures = 0;
  const peer = await startHttp((_req, res) => {
    const up = pattern[total % pattern.length] === "U";
    total++;
    if (up) return json(res, 200, { status: "UP" });
    failures++;
    res.setHeader("retry-after", "10");
    json(res, 503, { status: "DOWN", error: "service temporarily unavailable (simulated outage)" });
  }, opts);
  return Object.assign(peer, { answered: () => ({ total, failures }) });
}
