/** `.salve.yaml` at the root of the config repo: absent means every default (zero config). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { SalveConfig } from '../config/schema.ts';
import { ConfigError } from '../model/errors.ts';

const NAMES = ['.salve.yaml', '.salve.yml'];

async function readFirst(repoDir: string): Promise<{ file: string; text: string } | null> {
  for (const file of NAMES) {
    try {
      return { file, text: await readFile(join(repoDir, file), 'utf8') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return null;
}

/** The offset a zod issue points at: the deepest node on its path, or the offending key for unknown keys. */
function offsetOf(doc: Document, issue: z.core.$ZodIssue): number {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0] ?? 0;
  for (const key of path) {
    const next =
      isNode(node) && 'get' in node ? (node as { get(k: unknown, keep: true): unknown }).get(key, true) : undefined;
    if (!isNode(next)) break;
    node = next;
    offset = next.range?.[0] ?? offset;
  }
  if (issue.code === 'unrecognized_keys' && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && issue.keys.includes(String(p.key.value)));
    if (pair && isNode(pair.key)) offset = pair.key.range?.[0] ?? offset;
  }
  return offset;
}

function fieldName(issue: z.core.$ZodIssue): string {
  return issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
}

/** Loads and validates `.salve.yaml` (or `.salve.yml`); errors name the file, field and line:column. */
export async function loadConfig(repoDir: string): Promise<{ config: SalveConfig; file: string | null }> {
  const found = await readFirst(repoDir);
  if (!found) return { config: SalveConfig.parse({}), file: null };
  const { file, text } = found;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const lines = doc.errors.map(
      (e) => `${at(e.pos[0])}: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
    );
    throw new ConfigError(`invalid YAML in ${file}:\n${lines.join('\n')}`);
  }
  const result = SalveConfig.safeParse(doc.toJS() ?? {});
  if (result.success) return { config: result.data, file };
  const lines = result.error.issues.map(
    (issue) => `${at(offsetOf(doc, issue))}: ${fieldName(issue)}: ${issue.message}`,
  );
  throw new ConfigError(`invalid ${file}:\n${lines.join('\n')}`, { cause: result.error });
}
