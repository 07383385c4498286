/**
 * A crashing container's previous log (`pods/log?previous=true`), tail bounded at the API server
 * (`tailLines`, `limitBytes`) and again while it streams in (reading stops at `maxBytes` whatever the
 * server sends), then redacted and bounded as text. A log the API server cannot give (no node, no
 * kubelet reachable, no previous container, no permission) is reported as unavailable.
 */
import { Writable } from 'node:stream';
import { type KubeConfig, Log } from '@kubernetes/client-node';
import type { Evidence } from '../../model/index.ts';
import { describeApiError, statusOf } from '../errors.ts';
import { boundText, type TextBounds } from './bound.ts';
import { redactLog } from './redact.ts';

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
}

/** Streams the previous log into memory, at most `maxBytes`, for at most `timeoutMs`. */
async function readPreviousLog(
  kc: KubeConfig,
  req: LogRequest,
  bounds: TextBounds,
  timeoutMs: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  let controller: AbortController | undefined;
  let finish: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const room = bounds.maxBytes - size;
      if (room > 0) {
        chunks.push(chunk.subarray(0, room));
        size += Math.min(room, chunk.length);
      }
      if (size >= bounds.maxBytes) {
        controller?.abort();
        finish();
      }
      callback();
    },
  });
  sink.on('finish', finish);
  const timer = setTimeout(() => {
    controller?.abort();
    finish();
  }, timeoutMs);
  try {
    controller = await new Log(kc).log(req.namespace, req.pod, req.container, sink, {
      previous: true,
      tailLines: bounds.maxLines,
      limitBytes: bounds.maxBytes,
      timestamps: true,
    });
    await ended;
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function previousLog(
  kc: KubeConfig,
  req: LogRequest,
  bounds: TextBounds,
  timeoutMs: number,
): Promise<Evidence> {
  const source = `previous log of ${req.namespace}/${req.pod} container ${req.container}`;
  try {
    return logEvidence(source, await readPreviousLog(kc, req, bounds, timeoutMs), bounds);
  } catch (err) {
    // The API server answers 204 No Content for a pod that never ran on a node.
    if (statusOf(err) === 204) return { source, summary: 'unavailable: the pod has not run on a node' };
    return { source, summary: `unavailable: ${describeApiError(err)}` };
  }
}

/** Log text as evidence: inert, bounded, redacted, with a summary saying how much is shown. */
export function logEvidence(source: string, raw: string, bounds: TextBounds): Evidence {
  const bounded = boundText(redactLog(raw), bounds);
  if (!bounded.text.trim()) return { source, summary: 'empty: the previous container wrote nothing' };
  const lines = bounded.text.split('\n').length;
  return {
    source,
    summary: `last ${lines} line${lines === 1 ? '' : 's'}${bounded.note ? ` (${bounded.note})` : ''}, secrets redacted`,
    text: bounded.text,
  };
}
