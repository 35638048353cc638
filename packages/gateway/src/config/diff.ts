// Key-path diff between two configuration objects: what an auditor wants to read
// ("api.port: 8025 -> 8026"), not a text diff of YAML lines.

export interface ConfigChange {
  path: string;
  from?: unknown;
  to?: unknown;
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, value);
  }
}

/** Changes from `before` to `after`, sorted by key path; arrays compare as whole values. */
export function diffConfig(before: unknown, after: unknown): ConfigChange[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(before, '', a);
  flatten(after, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: ConfigChange[] = [];
  for (const path of paths) {
    const from = a.get(path);
    const to = b.get(path);
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    changes.push({ path, ...(a.has(path) ? { from } : {}), ...(b.has(path) ? { to } : {}) });
  }
  return changes;
}

export function formatChange(c: ConfigChange): string {
  const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
  return `${c.path}: ${show(c.from)} -> ${show(c.to)}`;
}
