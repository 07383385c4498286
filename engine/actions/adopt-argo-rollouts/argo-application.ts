/**
 * What Argo CD needs once a Rollout takes over a Deployment: self-heal must not restore the
 * replicas Argo Rollouts scales the Deployment down to. The Application ignores the Deployment's
 * `spec.replicas` and syncs with `RespectIgnoreDifferences=true`. Edited in place as text, so every
 * other byte of the file (comments, flow maps, other documents) stays as the user wrote it.
 */
import { isMap, isScalar, isSeq, LineCounter, type Pair, parseAllDocuments, type YAMLMap } from 'yaml';

export const RESPECT_IGNORE = 'RespectIgnoreDifferences=true';

export interface IgnoredReplicas {
  application: string;
  deployment: string;
  namespace?: string | undefined;
}

type Range = [number, number, number];

function pairOf(map: YAMLMap<unknown, unknown>, key: string): Pair<unknown, unknown> | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

function rangeOf(node: unknown): Range | null {
  return (node as { range?: Range } | null)?.range ?? null;
}

/** The YAML lines of the ignoreDifferences entry, each relative to the item's own indentation. */
export function ignoreEntry(ref: IgnoredReplicas): string[] {
  return [
    '- group: apps',
    '  kind: Deployment',
    `  name: ${ref.deployment}`,
    ...(ref.namespace ? [`  namespace: ${ref.namespace}`] : []),
    '  jsonPointers:',
    '    - /spec/replicas',
  ];
}

/** What to add by hand when salve cannot edit the Application, on one line (flow YAML). */
export function applicationSnippet(ref: IgnoredReplicas): string {
  const ns = ref.namespace ? `, namespace: ${ref.namespace}` : '';
  return `spec.ignoreDifferences: [{group: apps, kind: Deployment, name: ${ref.deployment}${ns}, jsonPointers: [/spec/replicas]}] and spec.syncPolicy.syncOptions: [${RESPECT_IGNORE}]`;
}

interface Insert {
  at: number;
  lines: string[];
}

function lineEndAfter(text: string, offset: number): number {
  let end = offset;
  while (end > 0 && /\s/.test(text.charAt(end - 1))) end--;
  const nl = text.indexOf('\n', end);
  return nl < 0 ? text.length : text[nl - 1] === '\r' ? nl - 1 : nl;
}

/** Lines to add to a block map at `column`: after its last pair. */
function appendToMap(text: string, map: YAMLMap<unknown, unknown>, lines: string[]): Insert | null {
  const last = map.items[map.items.length - 1];
  const range = rangeOf(map);
  if (!last || map.flow || !range) return null;
  const keyStart = rangeOf(last.key)?.[0] ?? range[0];
  const column = keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1);
  const end = rangeOf(last.value)?.[1] ?? rangeOf(last.key)?.[1] ?? range[1];
  return { at: lineEndAfter(text, end), lines: lines.map((l) => `${' '.repeat(column)}${l}`) };
}

function appendToSeq(text: string, seq: unknown, item: string[]): Insert | null {
  if (!isSeq(seq) || seq.flow || seq.items.length === 0) return null;
  const range = rangeOf(seq);
  if (!range) return null;
  const column = range[0] - (text.lastIndexOf('\n', range[0] - 1) + 1);
  const last = seq.items[seq.items.length - 1];
  return {
    at: lineEndAfter(text, rangeOf(last)?.[1] ?? range[1]),
    lines: item.map((l) => `${' '.repeat(column)}${l}`),
  };
}

/**
 * The file with the Application ignoring the Deployment's replicas; the text unchanged when it
 * already does; null when the Application is not in the file or its layout (flow style) is not
 * one salve edits as text.
 */
export function ignoreDeploymentReplicas(text: string, ref: IgnoredReplicas): string | null {
  const lineCounter = new LineCounter();
  const doc = parseAllDocuments(text, { lineCounter }).find((d) => {
    const js = d.errors.length === 0 ? (d.toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null) : null;
    return js?.kind === 'Application' && js?.metadata?.name === ref.application;
  });
  if (!doc || !isMap(doc.contents)) return null;
  const spec = pairOf(doc.contents, 'spec')?.value;
  if (!isMap(spec)) return null;
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const inserts: Insert[] = [];
  const ignores = pairOf(spec, 'ignoreDifferences')?.value;
  const already = (doc.toJS() as { spec?: { ignoreDifferences?: Array<Record<string, unknown>> } }).spec
    ?.ignoreDifferences;
  const covered = (already ?? []).some(
    (e) =>
      e.kind === 'Deployment' &&
      e.name === ref.deployment &&
      (e.group ?? 'apps') === 'apps' &&
      ((e.jsonPointers as unknown[] | undefined) ?? []).includes('/spec/replicas'),
  );
  if (!covered) {
    const add = ignores
      ? appendToSeq(text, ignores, ignoreEntry(ref))
      : appendToMap(text, spec, ['ignoreDifferences:', ...ignoreEntry(ref).map((l) => `  ${l}`)]);
    if (!add) return null;
    inserts.push(add);
  }
  const syncPolicy = pairOf(spec, 'syncPolicy')?.value;
  const options = isMap(syncPolicy) ? pairOf(syncPolicy, 'syncOptions')?.value : undefined;
  const hasOption = isSeq(options) && options.items.some((i) => isScalar(i) && i.value === RESPECT_IGNORE);
  if (!hasOption) {
    const add = options
      ? appendToSeq(text, options, [`- ${RESPECT_IGNORE}`])
      : isMap(syncPolicy)
        ? appendToMap(text, syncPolicy, ['syncOptions:', `  - ${RESPECT_IGNORE}`])
        : syncPolicy === undefined || syncPolicy === null
          ? appendToMap(text, spec, ['syncPolicy:', '  syncOptions:', `    - ${RESPECT_IGNORE}`])
          : null;
    if (!add) return null;
    inserts.push(add);
  }
  let out = text;
  for (const ins of inserts.sort((a, b) => b.at - a.at)) {
    const block = ins.lines.map((l) => `${newline}${l}`).join('');
    out = out.slice(0, ins.at) + block + out.slice(ins.at);
  }
  return out;
}
