import { ERROR_STATUS, type ErrorCode, type ErrorEnvelope, type FieldIssue } from "@hip/contracts";
import type { z } from "zod";

/** The one error type domain code throws. Routes never build error responses by hand. */
export class DomainError extends Error {
  override name = "DomainError";
  readonly code: ErrorCode;
  readonly details: FieldIssue[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { details?: FieldIssue[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.code = code;
    this.details = opts.details;
    this.headers = opts.headers;
  }

  get statusCode(): number {
    return ERROR_STATUS[this.code];
  }

  static validation(details: FieldIssue[], message?: string): DomainError {
    const summary = details.map((d) => `${d.field}: ${d.message}`).join("; ");
    return new DomainError("VALIDATION", message ?? `Invalid input: ${summary}`, { details });
  }

  static notFound(what: string): DomainError {
    return new DomainError("NOT_FOUND", `${what} not found`);
  }
}

/** Maps zod issues to field issues: dotted field path plus the rule that failed. */
export function zodIssues(error: z.ZodError, prefix?: string): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    let path = issue.path.map(String);
    let rule: string = issue.code;
    let message = issue.message;
    if (issue.code === "unrecognized_keys") {
      // One issue per unknown key, each naming the field itself.
      return issue.keys.map((key) => ({
        field: [prefix, ...path, key].filter(Boolean).join("."),
        rule: "unknown_field",
        message: `unknown field "${key}"`,
      }));
    }
    // zod 4 omits `input` unless asked; its message says "received undefined" for a missing field.
    if (issue.code === "invalid_type" && /received undefined$/.test(issue.message)) {
      rule = "required";
      message = "is required";
    } else if (issue.code === "too_small") rule = "min";
    else if (issue.code === "too_big") rule = "max";
    else if (issue.code === "invalid_value") rule = "enum";
    else if (issue.code === "invalid_format") rule = issue.format;
    else if (issue.code === "custom") rule = "custom";
    if (prefix) path = [prefix, ...path];
    const field = path.join(".") || "(body)";
    return [{ field, rule, message: `${field} ${message}`.trim() }];
  });
}

export function envelope(
  code: ErrorCode,
  message: string,
  statusCode: number,
  requestId?: string,
  details?: FieldIssue[],
): ErrorEnvelope {
  return {
    error: {
      code,
      message,
      statusCode,
      ...(requestId ? { requestId } : {}),
      ...(details ? { details } : {}),
    },
  };
}
