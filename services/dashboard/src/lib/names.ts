/** Integration names seen by this tab, so live notifications can say which integration changed. */
const names = new Map<string, string>();

export function rememberName(id: string, name: string): void {
  names.set(id, name);
}

export function nameOf(id: string): string {
  return names.get(id) ?? `Integration ${id.slice(0, 8)}`;
}
