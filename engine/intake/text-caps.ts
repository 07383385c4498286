/**
 * Caps on free text at intake. Anyone who can reach Alertmanager shapes annotations and labels:
 * each value is cut to a bounded size with a visible marker before it becomes part of a Signal,
 * so no later stage (perception, proof, explanation, PR) ever holds more than a few KB of it.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Signal } from '../model/index.ts';

/** Annotations and evidence summaries (descriptions are often a paragraph, rarely more). */
export const MAX_TEXT_BYTES = 4096;
/** Label values, evidence data values and other short fields. */
export const MAX_LABEL_BYTES = 1024;
const TRUNCATED_TAIL = /… \(truncated, \d+ bytes\)$/;

/** Labels kept per signal; Alertmanager alerts carry a few dozen at most. */
export const MAX_LABELS = 100;

/**
 * `text` if it fits in `maxBytes` of UTF-8, else its longest prefix that does (never splitting a
 * character) followed by `… (truncated, N bytes)`, N being the size of the whole value.
 */
export function capText(text: string, maxBytes = MAX_TEXT_BYTES): string {
  if (text.length <= maxBytes / 3) return text;
  const size = Buffer.byteLength(text);
  if (size <= maxBytes) return text;
  // Already cut (by an earlier cap of the same size): keep the first marker, which names the real size.
  if (size <= maxBytes + 64 && TRUNCATED_TAIL.test(text)) return text;
  // Encode at most maxBytes characters' worth: never the whole (possibly huge) string.
  const head = Buffer.from(text.slice(0, maxBytes)).subarray(0, maxBytes);
  const kept = new StringDecoder('utf8').write(head);
  return `${kept}… (truncated, ${size} bytes)`;
}

/** At most MAX_LABELS entries, each value capped; a `(truncated)` entry says how many were left out. */
export function capLabels(labels: Record<string, string>, maxBytes = MAX_LABEL_BYTES): Record<string, string> {
  const entries = Object.entries(labels);
  const out: Record<string, string> = {};
  for (const [k, v] of entries.slice(0, MAX_LABELS)) out[capText(k, 256)] = capText(v, maxBytes);
  if (entries.length > MAX_LABELS) out['(truncated)'] = `${entries.length - MAX_LABELS} more labels left out`;
  return out;
}

/** An alert's labels, annotations and free-form fields, capped before anything reads them. */
export function capAlert<
  A extends {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    fingerprint: string;
    generatorURL?: string | undefined;
    endsAt?: string | undefined;
  },
>(alert: A): A {
  return {
    ...alert,
    labels: capLabels(alert.labels),
    annotations: capLabels(alert.annotations, MAX_TEXT_BYTES),
    fingerprint: capText(alert.fingerprint, 256),
    ...(alert.generatorURL === undefined ? {} : { generatorURL: capText(alert.generatorURL, MAX_LABEL_BYTES * 2) }),
    ...(alert.endsAt === undefined ? {} : { endsAt: capText(alert.endsAt, 64) }),
  };
}

/** Every free-text field of a signal, capped. Target names are validated elsewhere, not cut. */
export function capSignal(signal: Signal): Signal {
  return {
    ...signal,
    id: capText(signal.id, MAX_LABEL_BYTES),
    ...(signal.pod === undefined ? {} : { pod: capText(signal.pod, MAX_LABEL_BYTES) }),
    ...(signal.container === undefined ? {} : { container: capText(signal.container, MAX_LABEL_BYTES) }),
    observedAt: capText(signal.observedAt, 64),
    labels: capLabels(signal.labels),
    evidence: signal.evidence.slice(0, 10).map((e) => ({
      ...e,
      source: capText(e.source, MAX_LABEL_BYTES),
      summary: capText(e.summary, MAX_TEXT_BYTES),
      ...(e.at === undefined ? {} : { at: capText(e.at, 64) }),
      ...(e.data === undefined
        ? {}
        : {
            data: Object.fromEntries(
              Object.entries(e.data)
                .slice(0, 32)
                .map(([k, v]) => [capText(k, 256), typeof v === 'string' ? capText(v, MAX_LABEL_BYTES * 2) : v]),
            ),
          }),
    })),
  };
}
