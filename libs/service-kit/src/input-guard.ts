import type { FieldIssue } from "@hip/contracts";

/** Deepest nesting of arrays/objects accepted in a body, query or params (a `config` needs a handful). */
export const MAX_INPUT_DEPTH = 32;

const NUL = "\u0000";

/** Parsed JSON and query objects only: a proxied route's body is a stream, a buffer is opaque bytes. */
function isPlainData(v: unknown): v is Record<string, unknown> | unknown[] {
  if (Array.isArray(v)) return true;
  if (v === null || typeof v !== "object" || ArrayBuffer.isView(v) || v instanceof Date) return false;
  return typeof (v as { pipe?: unknown }).pipe !== "function";
}

/**
 * The first problem of a parsed input that would otherwise end in a 500 further down: a NUL character in any
 * string or key (PostgreSQL refuses it in text and jsonb), or nesting deeper than MAX_INPUT_DEPTH (recursive
 * validation and serialization run out of stack). Walks without recursion, so the walk itself cannot overflow.
 */
export function inputProblem(input: unknown, prefix?: string): FieldIssue | null {
  if (!isPlainData(input)) {
    return typeof input === "string" && input.includes(NUL) ? nulIssue(prefix ? [prefix] : []) : null;
  }
  const stack: { value: unknown; path: string[] }[] = [{ value: input, path: prefix ? [prefix] : [] }];
  const base = stack[0]?.path.length ?? 0;
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, path } = item;
    if (typeof value === "string") {
      if (value.includes(NUL)) return nulIssue(path);
      continue;
    }
    if (!isPlainData(value)) continue;
    if (path.length - base >= MAX_INPUT_DEPTH) {
      const field = path.slice(0, base + 1).join(".") || "(body)";
      return {
        field,
        rule: "depth",
        message: `${field} is nested deeper than ${MAX_INPUT_DEPTH} levels`,
      };
    }
    for (const [key, child] of Object.entries(value)) {
      if (key.includes(NUL)) return nulIssue(path, "a key");
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return null;
}

function nulIssue(path: string[], what = "text"): FieldIssue {
  const field = path.join(".") || "(body)";
  return { field, rule: "no_nul", message: `${field} must not contain a NUL character in ${what}` };
}
