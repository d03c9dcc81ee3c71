// Fails when relative imports form a cycle inside any package (type-only imports count: a cycle of types is still
// a knot a reader must untie). Run by `pnpm run lint`. Usage: node --experimental-strip-types scripts/check-cycles.ts
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const ROOTS = ["libs", "services", "demo", "tests", "bench", "examples"];
const SKIP = new Set(["node_modules", "dist", "test-artifacts", ".git"]);
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

function files(dir: string, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

const all = ROOTS.flatMap((r) => files(join(ROOT, r)));
const known = new Set(all);
const graph = new Map<string, string[]>();
for (const file of all) {
  const text = readFileSync(file, "utf8");
  const deps: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (!spec) continue;
    const target = resolve(dirname(file), spec);
    if (known.has(target)) deps.push(target);
  }
  graph.set(file, deps);
}

// Tarjan's strongly connected components; any component with more than one file (or a self-import) is a cycle.
let index = 0;
const idx = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
const cycles: string[][] = [];
function visit(v: string): void {
  idx.set(v, index);
  low.set(v, index);
  index++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
  }
  if (low.get(v) === idx.get(v)) {
    const comp: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(comp);
  }
}
for (const v of graph.keys()) if (!idx.has(v)) visit(v);

if (cycles.length > 0) {
  console.error(`import cycles (${cycles.length}): move the shared piece down into its own module`);
  for (const c of cycles)
    console.error(
      `  - ${c
        .map((f) => relative(ROOT, f))
        .sort()
        .join("\n    ")}`,
    );
  process.exit(1);
}
console.log(`no import cycles in ${graph.size} files`);
