/**
 * Server processes started by the tests and `salve demo`. Each runs under a watchdog in its own process group,
 * with its output in a log file; stopping sends SIGTERM to the group, then SIGKILL after a grace
 * period. Whatever is still running when this process exits, or is interrupted, is killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/**
 * Runs one server and stops it when the process that started it goes away: that process holds
 * the watchdog's stdin open, so EOF on stdin means it exited, even when it was killed with SIGKILL
 * and could not clean up. SIGTERM/SIGINT are passed on to the server. Inline (bash -c), so a
 * bundled salve needs no script file beside it.
 */
const WATCHDOG = `exec 3<&0
"$@" </dev/null &
child=$!
stop() { kill -TERM "$child" 2>/dev/null; }
trap stop TERM INT HUP
{ cat <&3 >/dev/null; stop; } &
watcher=$!
status=0
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  status=$?
done
kill "$watcher" 2>/dev/null
exit "$status"`;
const STOP_GRACE_MS = 10_000;

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let hooked = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of running) killGroup(child, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      for (const child of running) killGroup(child, 'SIGKILL');
      running.clear();
      // Keep the default behaviour (exit) unless someone else handles the signal.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

export function startProcess(name: string, bin: string, args: string[], logFile: string, cwd?: string): ServerProcess {
  hookExit();
  const fd = openSync(logFile, 'a');
  const child = spawn('bash', ['-c', WATCHDOG, 'watchdog', bin, ...args], {
    detached: true,
    stdio: ['pipe', fd, fd],
    ...(cwd ? { cwd } : {}),
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${bin}`);
  running.add(child);
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const pid = child.pid;
  return {
    name,
    pid,
    logFile,
    exited,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
    logTail: (lines = 20) => {
      try {
        return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
