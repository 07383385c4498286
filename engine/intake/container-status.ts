/**
 * What is wrong with one container, from its status alone. One finding per container, the most
 * specific cause first: an OOM-killed container that is now in CrashLoopBackOff is OOMKilled.
 *
 * - OOMKilled: `state.terminated.reason` or `lastState.terminated.reason` is OOMKilled.
 * - ImagePullBackOff: `state.waiting.reason` is ImagePullBackOff, ErrImagePull or InvalidImageName.
 * - CrashLoopBackOff: `state.waiting.reason` is CrashLoopBackOff.
 * - ProbeFailure: the container is running (and started) but not ready, and has been running for at
 *   least PROBE_GRACE_MS. The kubelet only keeps a started, running container unready when its
 *   readiness probe fails; restarts with a last termination other than OOMKilled while running are
 *   liveness-probe kills and are kept as evidence (`restartCount`, `lastExitCode`).
 */
import type { SignalKind } from '../model/index.ts';
import type { ContainerStatus } from './pod-schema.ts';

export const PROBE_GRACE_MS = 60_000;
const IMAGE_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName']);

export interface ContainerFinding {
  kind: SignalKind;
  /** When it was seen: the termination time when there is one. */
  at: string | undefined;
  summary: string;
  data: Record<string, string | number | boolean>;
}

function base(cs: ContainerStatus): Record<string, string | number | boolean> {
  const data: Record<string, string | number | boolean> = {
    container: cs.name,
    restartCount: cs.restartCount,
    ready: cs.ready,
  };
  if (cs.image) data.image = cs.image;
  const last = cs.lastState.terminated;
  if (last?.reason) data.lastTerminationReason = last.reason;
  if (last?.exitCode !== undefined) data.lastExitCode = last.exitCode;
  if (cs.state.waiting?.reason) data.waitingReason = cs.state.waiting.reason;
  return data;
}

export function inspectContainer(cs: ContainerStatus, now: Date): ContainerFinding | null {
  const data = base(cs);
  const term = cs.state.terminated?.reason === 'OOMKilled' ? cs.state.terminated : undefined;
  const oom = term ?? (cs.lastState.terminated?.reason === 'OOMKilled' ? cs.lastState.terminated : undefined);
  if (oom) {
    return {
      kind: 'OOMKilled',
      at: oom.finishedAt ?? undefined,
      summary: `container ${cs.name} was OOMKilled (exit code ${oom.exitCode ?? 137}, ${cs.restartCount} restarts)`,
      data,
    };
  }
  const waiting = cs.state.waiting?.reason;
  if (waiting && IMAGE_REASONS.has(waiting)) {
    if (cs.state.waiting?.message) data.message = cs.state.waiting.message.slice(0, 300);
    return {
      kind: 'ImagePullBackOff',
      at: undefined,
      summary: `container ${cs.name} cannot pull its image (${waiting})`,
      data,
    };
  }
  if (waiting === 'CrashLoopBackOff') {
    const last = cs.lastState.terminated;
    return {
      kind: 'CrashLoopBackOff',
      at: last?.finishedAt ?? undefined,
      summary:
        `container ${cs.name} is crash looping (${cs.restartCount} restarts, last exit ${last?.reason ?? 'unknown'} ${last?.exitCode ?? ''})`.trim(),
      data,
    };
  }
  const running = cs.state.running;
  if (running && !cs.ready && cs.started !== false) {
    const since = running.startedAt ? Date.parse(running.startedAt) : Number.NaN;
    if (Number.isFinite(since) && now.getTime() - since < PROBE_GRACE_MS) return null;
    return {
      kind: 'ProbeFailure',
      at: undefined,
      summary: `container ${cs.name} is running but not ready${cs.restartCount > 0 ? ` and was restarted ${cs.restartCount} times` : ''}: its probes fail`,
      data,
    };
  }
  return null;
}
