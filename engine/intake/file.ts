/** Reads a signal file (JSON or YAML) and detects what it holds: an Alertmanager payload, a Pod, a PodList or List. */
import { type FileHandle, open } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { InputError, type Signal } from '../model/index.ts';
import { intakeAlertmanager } from './alertmanager.ts';
import { looksLikeAlertmanager } from './alertmanager-schema.ts';
import { parsePod } from './pod.ts';
import type { IntakeOptions, IntakeResult } from './types.ts';

/** A signal is an Alertmanager payload or Pods: larger than this is not one (stdin has the same bound). */
export const MAX_SIGNAL_BYTES = 32 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/** The file's text, read in chunks and refused past MAX_SIGNAL_BYTES (a device or FIFO never ends). */
async function readSignalText(path: string): Promise<string> {
  const unreadable = (err: unknown) =>
    new InputError(`${path}: cannot read signal file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw unreadable(err);
  }
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null));
      } catch (err) {
        throw unreadable(err);
      }
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > MAX_SIGNAL_BYTES)
        throw new InputError(
          `${path}: signal file larger than ${MAX_SIGNAL_BYTES / 1024 / 1024} MiB: an Alertmanager payload or a list of Pods is smaller`,
          { code: 'signal-too-large' },
        );
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, size).toString('utf8');
  } finally {
    await handle.close();
  }
}

function parseText(text: string, path: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || path.endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new InputError(`${path}: not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  try {
    return parseYaml(text);
  } catch (err) {
    throw new InputError(`${path}: not valid YAML: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function podsOf(doc: Record<string, unknown>, path: string, opts: IntakeOptions): Signal[] {
  if (!opts.cluster) {
    throw new InputError(`${path}: Kubernetes objects do not name their cluster; pass one (--cluster)`);
  }
  const items = doc.kind === 'Pod' ? [doc] : Array.isArray(doc.items) ? doc.items : null;
  if (!items) throw new InputError(`${path}: ${String(doc.kind)} has no items array`);
  const signals: Signal[] = [];
  items.forEach((item, i) => {
    const source = doc.kind === 'Pod' ? path : `${path} items[${i}]`;
    const kind = (item as { kind?: unknown } | null)?.kind;
    if (kind !== 'Pod') throw new InputError(`${source}: expected kind Pod, got ${JSON.stringify(kind)}`);
    signals.push(
      ...parsePod(item, {
        cluster: opts.cluster ?? '',
        source,
        ...(opts.now ? { now: opts.now } : {}),
      }),
    );
  });
  return signals;
}

/** Everything one file yields, with the alerts it skipped. */
export async function intakeSignalFile(path: string, opts: Omit<IntakeOptions, 'source'> = {}): Promise<IntakeResult> {
  const text = await readSignalText(path);
  const doc = parseText(text, path);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new InputError(
      `${path}: expected an Alertmanager webhook payload, a Pod, a PodList or a List; got ${Array.isArray(doc) ? 'an array' : typeof doc}`,
    );
  }
  const options = { ...opts, source: path };
  if (looksLikeAlertmanager(doc)) return intakeAlertmanager(doc, options);
  const kind = (doc as { kind?: unknown }).kind;
  if (kind === 'Pod' || kind === 'PodList' || kind === 'List') {
    return {
      signals: podsOf(doc as Record<string, unknown>, path, options),
      skipped: [],
    };
  }
  throw new InputError(
    `${path}: expected an Alertmanager webhook payload (version "4", alerts[]), a Pod, a PodList or a List; got ${kind === undefined ? 'an object without kind' : `kind ${JSON.stringify(kind)}`}`,
  );
}

export async function parseSignalFile(path: string, opts: Omit<IntakeOptions, 'source'> = {}): Promise<Signal[]> {
  return (await intakeSignalFile(path, opts)).signals;
}
