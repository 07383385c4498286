/** Waiting for a server to answer: bounded attempts, and an early, explained failure if it died. */
import type { ServerProcess } from './processes.ts';

export interface WaitOptions {
  what: string;
  proc?: ServerProcess;
  attempts?: number;
  intervalMs?: number;
}

/** Calls `probe` until it returns a value other than undefined; fails with the server's log tail. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, opts: WaitOptions): Promise<T> {
  const attempts = opts.attempts ?? 600;
  const interval = opts.intervalMs ?? 100;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    if (opts.proc?.hasExited()) {
      throw new Error(`${opts.what}: ${opts.proc.name} exited while starting; its log ends:\n${opts.proc.logTail()}`);
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  const tail = opts.proc ? `; its log ends:\n${opts.proc.logTail()}` : '';
  throw new Error(`${opts.what}: not ready after ${attempts} attempts (last error: ${String(last)})${tail}`);
}

/** GET over plain HTTP; the body when the status is 2xx, else undefined. */
export async function httpOk(url: string): Promise<string | undefined> {
  const res = await fetch(url);
  const body = await res.text();
  return res.ok ? body : undefined;
}
