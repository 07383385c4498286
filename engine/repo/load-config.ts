/**
 * `.salve.yaml` at the root of the config repo: absent means every default (zero config). Read from
 * a commit (or a directory) as a regular file of at most 1 MiB, aliases bounded.
 */
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { SalveConfig } from '../config/schema.ts';
import { ConfigError, quote } from '../model/errors.ts';
import { toJsBounded } from './bounded-yaml.ts';
import { type RepoSource, treeOf } from './source.ts';
import { readFileText } from './tree.ts';

const NAMES = ['.salve.yaml', '.salve.yml'];
export const MAX_CONFIG_BYTES = 1024 * 1024;

async function readFirst(source: RepoSource): Promise<{ file: string; text: string } | null> {
  const tree = treeOf(source);
  for (const file of NAMES) {
    const text = await readFileText(tree, file, MAX_CONFIG_BYTES);
    if (text !== null) return { file, text };
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
  if (issue.path.length === 0) return '(root)';
  return issue.path.map((p) => (/^[\w-]*$/.test(String(p)) ? String(p) : quote(String(p)))).join('.');
}

/**
 * Configs already validated, by file name and text: for a caller that reads `.salve.yaml` more than
 * once (`salve plan` reads the checkout's, then the commit's, most often the same bytes). Each
 * caller gets its own copy.
 */
export type ConfigMemo = Map<string, SalveConfig>;

/** Loads and validates `.salve.yaml` (or `.salve.yml`); errors name the file, field and line:column. */
export async function loadConfig(
  source: RepoSource,
  memo?: ConfigMemo,
): Promise<{ config: SalveConfig; file: string | null }> {
  const found = await readFirst(source);
  if (!found) return { config: SalveConfig.parse({}), file: null };
  const { file, text } = found;
  const key = `${file}\0${text}`;
  const known = memo?.get(key);
  if (known) return { config: structuredClone(known), file };
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
  const result = SalveConfig.safeParse(toJsBounded(doc, file) ?? {});
  if (result.success) {
    memo?.set(key, structuredClone(result.data));
    return { config: result.data, file };
  }
  const lines = result.error.issues.map(
    (issue) => `${at(offsetOf(doc, issue))}: ${fieldName(issue)}: ${issue.message}`,
  );
  throw new ConfigError(`invalid ${file}:\n${lines.join('\n')}`, { cause: result.error });
}
