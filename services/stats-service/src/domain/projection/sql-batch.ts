/**
 * Collects the writes of one batch as data-modifying CTEs of a single statement: one round trip instead of one
 * per table. Each table appears at most once, and no CTE depends on another's writes (they share one snapshot).
 */
export class SqlBatch {
  readonly params: unknown[] = [];
  private readonly parts: string[] = [];

  /** A bound parameter with an explicit cast, e.g. p(ids, "uuid[]"). */
  p(value: unknown, cast: string): string {
    this.params.push(value);
    return `$${this.params.length}::${cast}`;
  }

  /** Adds a CTE and returns its name (w0, w1, …). */
  add(statement: string): string {
    const name = `w${this.parts.length}`;
    this.parts.push(`${name} AS (${statement})`);
    return name;
  }

  get size(): number {
    return this.parts.length;
  }

  /** CTEs are named w0, w1, … in the order added; `final` is the main query (it may read them). */
  text(final = "SELECT 1"): string {
    return `WITH ${this.parts.join(",\n")}\n${final}`;
  }
}
