/**
 * Flattens a JSON value into leaf paths. Paths are JSON pointers whose list items that are objects
 * with a string `name` are addressed `[name=<name>]` (`/spec/containers[name=app]/image`), others by index.
 * A list addressed by name also has an `[order]` leaf, its names in order: position is part of the
 * object (the first container is the default one; env vars see the ones before them).
 * Empty objects and lists are leaves, so adding `pause: {}` is visible.
 */

function escapeSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Item addresses of a list: `[name=x]` when every object item has a distinct name, else the index. */
function itemAddresses(list: readonly unknown[]): string[] {
  const names = list.map((item) => (isRecord(item) && typeof item.name === 'string' ? item.name : null));
  const seen = new Set<string>();
  for (const name of names) {
    if (name === null) continue;
    if (seen.has(name)) return list.map((_, i) => `/${i}`);
    seen.add(name);
  }
  return names.map((name, i) => (name === null ? `/${i}` : `[name=${escapeSegment(name)}]`));
}

/** The suffix of a named list's order leaf. */
export const ORDER = '[order]';

export function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, []);
    const addresses = itemAddresses(value);
    if (addresses.some((a) => a.startsWith('[name=')))
      out.set(
        `${prefix}${ORDER}`,
        addresses.map((a) => (a.startsWith('[name=') ? a.slice('[name='.length, -1) : a)),
      );
    value.forEach((item, i) => {
      flatten(item, `${prefix}${addresses[i]}`, out);
    });
  } else if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) out.set(prefix, {});
    for (const key of keys) flatten(value[key], `${prefix}/${escapeSegment(key)}`, out);
  } else {
    out.set(prefix, value === undefined ? null : value);
  }
  return out;
}

/** Splits a path into comparable segments: `/a/b[name=x]/0` → ['a', 'b', '[name=x]', 0]. */
function segments(path: string): Array<string | number> {
  const parts: Array<string | number> = [];
  for (const match of path.matchAll(/\/([^/[]*)|(\[[^\]]*\])/g)) {
    const key = match[1];
    if (key !== undefined) parts.push(/^\d+$/.test(key) ? Number(key) : key);
    else if (match[2] !== undefined) parts.push(match[2]);
  }
  return parts;
}

/** Orders paths segment by segment, list indexes numerically, so `/2` sorts before `/10`. */
export function comparePaths(a: string, b: string): number {
  const sa = segments(a);
  const sb = segments(b);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i] as string | number;
    const y = sb[i] as string | number;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return sa.length - sb.length;
}
