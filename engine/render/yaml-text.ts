/**
 * Text-level YAML editing: parse with the `yaml` Document API for structure and positions, then splice
 * the few bytes that change, so comments, key order, indentation and quoting elsewhere stay byte-identical.
 */
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Pair,
  parseDocument,
  type Scalar,
  stringify,
  type YAMLMap,
} from 'yaml';
import { ConfigError } from '../model/errors.ts';

export interface YamlText {
  text: string;
  root: YAMLMap<unknown, unknown>;
  lineCounter: LineCounter;
  newline: string;
}

/** Parses a kustomization; YAML errors and a non-mapping document become ConfigError naming `file`. */
export function parseMapping(text: string, file: string): YamlText {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false });
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new ConfigError(
      `${file}:${line}:${col}: invalid YAML: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  if (!isMap(doc.contents)) throw new ConfigError(`${file}: a kustomization must be a YAML mapping`);
  return { text, root: doc.contents, lineCounter, newline: text.includes('\r\n') ? '\r\n' : '\n' };
}

export function findPair(map: YAMLMap<unknown, unknown>, key: string): Pair<unknown, unknown> | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key);
}

export function scalarValue(map: unknown, key: string): unknown {
  if (!isMap(map)) return undefined;
  const value = findPair(map, key)?.value;
  return isScalar(value) ? value.value : undefined;
}

/** 0-based column of an offset. */
export function columnOf(y: YamlText, offset: number): number {
  return y.lineCounter.linePos(offset).col - 1;
}

/** Offset of the end of the line holding `offset` (before its newline), so inline comments stay put. */
export function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  if (nl < 0) return text.length;
  return text[nl - 1] === '\r' ? nl - 1 : nl;
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** End offset of a node's value (range[1]); 0 when the node has no range. */
export function valueEnd(node: unknown): number {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[1] : 0;
}

export function rangeOf(node: unknown): [number, number, number] | null {
  return (node as { range?: [number, number, number] } | null)?.range ?? null;
}

/** How far block sequences are indented under their key in this file (2 when it has none). */
export function sequenceIndent(y: YamlText): number {
  for (const pair of y.root.items) {
    const seq = pair.value;
    const keyRange = rangeOf(pair.key);
    const seqRange = rangeOf(seq);
    if (isSeq(seq) && !seq.flow && seq.items.length > 0 && keyRange && seqRange) {
      return Math.max(0, columnOf(y, seqRange[0]) - columnOf(y, keyRange[0]));
    }
  }
  return 2;
}

/** A scalar as YAML text, keeping the quoting style of the value it replaces when it can. */
export function scalarText(value: string, like?: Scalar): string {
  const type = like?.type;
  const quoted = type === 'QUOTE_SINGLE' || type === 'QUOTE_DOUBLE' ? type : 'PLAIN';
  return stringify(value, { defaultStringType: quoted, lineWidth: 0 }).trimEnd();
}

export interface Splice {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping splices; ties keep their given order. */
export function applySplices(text: string, splices: readonly Splice[]): string {
  const ordered = splices.map((s, i) => ({ s, i })).sort((a, b) => b.s.start - a.s.start || b.i - a.i);
  let out = text;
  for (const { s } of ordered) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

/**
 * The end of the last line a node's content is on (trailing inline comment included, following blank
 * lines and comments excluded): where a line added after it goes.
 */
export function lastLineEnd(y: YamlText, node: unknown): number {
  let end = valueEnd(node);
  while (end > 0 && /\s/.test(y.text.charAt(end - 1))) end--;
  return lineEnd(y.text, end);
}

/** The end of the pair's last content line (its trailing comments excluded). */
export function afterPair(y: YamlText, pair: Pair<unknown, unknown>): number {
  return lastLineEnd(y, pair.value ?? pair.key);
}

const ENTRY_LIKE = /^\s*#\s*-(\s|$)/;

/**
 * Where a new top-level key goes after `pair`: past the comments that belong to the pair, so
 * they never end up under the new key. A run of comment lines after the pair belongs to it unless
 * it sits at column 0 right above the next key (no blank line between) and holds no commented-out
 * entry (`# - x`): such a run introduces that key and stays with it. `blank`: the key follows a
 * comment, so it needs a blank line, or the comment would read as introducing the new key.
 */
export function newKeyOffset(y: YamlText, pair: Pair<unknown, unknown>): { offset: number; blank: boolean } {
  const start = afterPair(y, pair);
  const lines = linesAfter(y.text, start);
  let offset = start;
  let i = 0;
  while (i < lines.length) {
    while (i < lines.length && lines[i]?.text.trim() === '') i++;
    const first = i;
    while (i < lines.length && /^\s*#/.test(lines[i]?.text ?? '')) i++;
    if (i === first) break;
    const run = lines.slice(first, i).map((l) => l.text);
    const next = lines[i];
    const introducesNext =
      next !== undefined &&
      next.text.trim() !== '' &&
      run.every((l) => l.startsWith('#')) &&
      !run.some((l) => ENTRY_LIKE.test(l));
    if (introducesNext) break;
    offset = lines[i - 1]?.end ?? offset;
  }
  return { offset, blank: offset !== start };
}

/** The whole lines after `offset` (a line end): their text without line break, and where each ends. */
function linesAfter(text: string, offset: number): Array<{ text: string; end: number }> {
  const out: Array<{ text: string; end: number }> = [];
  let pos = text.indexOf('\n', offset);
  while (pos >= 0 && pos < text.length - 1) {
    const lineStart = pos + 1;
    const nl = text.indexOf('\n', lineStart);
    const raw = text.slice(lineStart, nl < 0 ? text.length : nl);
    const body = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    out.push({ text: body, end: lineStart + body.length });
    pos = nl;
  }
  return out;
}

/** Appends a block of lines after `offset` (a line end), adding a final newline if the file lacked one. */
export function insertLines(y: YamlText, offset: number, lines: readonly string[], blank = false): Splice {
  const block = `${blank ? y.newline : ''}${lines.map((line) => `${y.newline}${line}`).join('')}`;
  if (offset === y.text.length && y.text.length > 0 && !y.text.endsWith('\n')) {
    return { start: offset, end: offset, text: `${block}${y.newline}` };
  }
  if (y.text.length === 0) return { start: 0, end: 0, text: `${lines.join(y.newline)}${y.newline}` };
  return { start: offset, end: offset, text: block };
}

/**
 * Appends an item (given as its lines, each starting at the item's own indentation: `- x`,
 * `  key: y`) to the block list under a top-level `key`, creating the key after the last of
 * `anchors` present (else at the end). Returns null for layouts this does not splice (flow
 * mappings or lists, an empty value): the caller decides how to handle those.
 */
export function appendListItem(
  y: YamlText,
  key: string,
  item: readonly string[],
  anchors: readonly string[],
): string | null {
  if (y.root.flow) return null;
  const pair = findPair(y.root, key);
  if (!pair) {
    const anchor = anchors
      .map((k) => findPair(y.root, k))
      .filter((p) => p !== undefined)
      .pop();
    const after = anchor ?? y.root.items[y.root.items.length - 1];
    const { offset, blank } = after ? newKeyOffset(y, after) : { offset: y.text.length, blank: false };
    const indent = ' '.repeat(sequenceIndent(y));
    return applySplices(y.text, [insertLines(y, offset, [`${key}:`, ...item.map((l) => `${indent}${l}`)], blank)]);
  }
  const seq = pair.value;
  const range = rangeOf(seq);
  if (isSeq(seq) && !seq.flow && seq.items.length > 0 && range) {
    const column = ' '.repeat(columnOf(y, range[0]));
    const last = seq.items[seq.items.length - 1];
    return applySplices(y.text, [
      insertLines(
        y,
        lastLineEnd(y, last),
        item.map((l) => `${column}${l}`),
      ),
    ]);
  }
  return null;
}

/** Comments that say where a value comes from, not what it is: still true after the value changes. */
const TOOL_MARKER = /\$imagepolicy|\$kpt-set|x-release-please|renovate:|yaml-language-server|\{"\$/;

/** Where a `#` comment starts in `line` from `from` on: after whitespace and outside quotes; -1 when none. */
export function commentStart(line: string, from = 0): number {
  let quote: string | null = null;
  for (let i = from; i < line.length; i++) {
    const c = line.charAt(i);
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line.charAt(i - 1)))) return i;
  }
  return -1;
}

/**
 * Splices that set the scalar at `[start, end)` of `text` to `value`, and drop the comment after
 * it on its line: a line comment on a rewritten value describes the value it replaces ("bumped for
 * the CVE fix"), so it is no longer true; tool markers (`$imagepolicy`, `renovate:`) stay. `dropped`
 * hears each comment dropped, with the line it was on.
 */
export function setScalar(
  text: string,
  range: { start: number; end: number },
  value: string,
  dropped?: (comment: string, line: string) => void,
): Splice[] {
  const splices: Splice[] = [{ start: range.start, end: range.end, text: value }];
  const end = lineEnd(text, range.end);
  const rest = text.slice(range.end, end);
  const at = commentStart(rest);
  if (at >= 0) {
    const comment = rest.slice(at).trim();
    if (!TOOL_MARKER.test(comment)) {
      let cut = at;
      while (cut > 0 && /[ \t]/.test(rest.charAt(cut - 1))) cut--;
      splices.push({ start: range.end + cut, end, text: '' });
      dropped?.(comment, text.slice(lineStart(text, range.start), end).trim());
    }
  }
  return splices;
}
