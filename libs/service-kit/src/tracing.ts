import {
  type Attributes,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanContext,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { FastifyInstance } from "fastify";

/**
 * Distributed tracing (decision 0024). A W3C `traceparent` travels with the work: HTTP request -> the events its
 * change writes to the outbox (CloudEvents distributed-tracing extension) -> the probe job -> the result event ->
 * the consumers that apply it. Spans are exported over OTLP/HTTP only when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; otherwise the tracer is OpenTelemetry's no-op one: spans cost an
 * object, nothing is recorded, and an incoming traceparent is still passed on unchanged.
 *
 * Contexts are passed explicitly (as traceparent strings on requests, jobs and events), not through an async
 * context manager: every hop in this platform already crosses a queue or a broker.
 */
export type Traceparent = string;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

let provider: TracerProvider | null = null;

/** Starts exporting spans for this process when an OTLP endpoint is configured. Idempotent. */
export function initTracing(
  serviceName: string,
  env: Record<string, string | undefined> = process.env,
): { enabled: boolean; shutdown(): Promise<void> } {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED === "true") return { enabled: false, shutdown: async () => {} };
  if (!provider) {
    provider = new TracerProvider({
      resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME || serviceName }),
      // The exporter reads the endpoint, headers and timeout from the standard OTEL_EXPORTER_OTLP_* variables.
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter(),
          scheduledDelayMillis: Number(env.OTEL_BSP_SCHEDULE_DELAY) || 1000,
        }),
      ],
    });
    trace.setGlobalTracerProvider(provider);
  }
  const p = provider;
  return { enabled: true, shutdown: () => p.shutdown() };
}

/** The process tracer: the SDK's when initTracing enabled it, the API's no-op tracer otherwise. */
export function tracer(): Tracer {
  return trace.getTracer("@hip/platform");
}

export function parseTraceparent(value: unknown): SpanContext | null {
  if (typeof value !== "string") return null;
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m?.[1] || !m[2] || !m[3]) return null;
  const ctx: SpanContext = {
    traceId: m[1],
    spanId: m[2],
    traceFlags: Number.parseInt(m[3], 16),
    isRemote: true,
  };
  return isSpanContextValid(ctx) ? ctx : null;
}

/** The traceparent naming `span` as the parent, or undefined when there is no valid trace (tracing off, no parent). */
export function traceparentOf(span: Span): Traceparent | undefined {
  const c = span.spanContext();
  if (!isSpanContextValid(c)) return undefined;
  return `00-${c.traceId}-${c.spanId}-${(c.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/** Starts a span whose parent is the given traceparent (a new trace when absent or malformed). */
export function startSpan(
  name: string,
  opts: { parent?: string | null | undefined; kind?: SpanKind; attributes?: Attributes } = {},
): Span {
  const parent = parseTraceparent(opts.parent);
  const ctx = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
  return tracer().startSpan(
    name,
    { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes ?? {} },
    ctx,
  );
}

/** Runs `fn` in a span that ends when it settles (an exception marks the span as an error and is rethrown). */
export async function inSpan<T>(
  name: string,
  opts: { parent?: string | null | undefined; kind?: SpanKind; attributes?: Attributes },
  fn: (span: Span, traceparent: Traceparent | undefined) => Promise<T>,
): Promise<T> {
  const span = startSpan(name, opts);
  try {
    return await fn(span, traceparentOf(span));
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}

declare module "fastify" {
  interface FastifyRequest {
    /** This request's server span as a traceparent (undefined while tracing is off and no caller sent one). */
    traceparent: Traceparent | undefined;
  }
}

/**
 * A SERVER span per request, child of the caller's `traceparent` header; `req.traceparent` names it, so the
 * events a request writes continue its trace. Routes are named by template (bounded, no ids).
 */
export function registerRequestTracing(app: FastifyInstance): void {
  const spans = new WeakMap<object, Span>();
  app.decorateRequest("traceparent", undefined);
  app.addHook("onRequest", async (req) => {
    const route = req.routeOptions.url ?? "unmatched";
    const span = startSpan(`${req.method} ${route}`, {
      parent: typeof req.headers.traceparent === "string" ? req.headers.traceparent : undefined,
      kind: SpanKind.SERVER,
      attributes: { "http.request.method": req.method, "http.route": route },
    });
    spans.set(req, span);
    req.traceparent = traceparentOf(span);
  });
  app.addHook("onResponse", async (req, reply) => {
    const span = spans.get(req);
    if (!span) return;
    span.setAttribute("http.response.status_code", reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

export { SpanKind, SpanStatusCode };
