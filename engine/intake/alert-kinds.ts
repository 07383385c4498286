/**
 * Which alerts salve recognises, and what each means.
 *
 * | alert                | kind                                            | target                          |
 * |----------------------|-------------------------------------------------|---------------------------------|
 * | any, reason=OOMKilled | OOMKilled                                      | owner of `pod`                  |
 * | KubePodCrashLooping  | CrashLoopBackOff                                | owner of `pod`                  |
 * | KubeContainerWaiting | by `reason`: CrashLoopBackOff, ImagePullBackOff/ErrImagePull (others skipped) | owner of `pod` |
 * | KubePodNotReady      | PodNotReady                                     | owner of `pod`                  |
 * | CPUThrottlingHigh    | CPUThrottling                                   | owner of `pod`                  |
 * | KubeHpaMaxedOut      | HPAMaxedOut                                     | HorizontalPodAutoscaler `horizontalpodautoscaler` |
 *
 * An HPA signal keeps the HPA as its target: by convention the HPA and the workload it scales share
 * a name, and the action that tunes the HPA resolves the scale target from the rendered HPA.
 */
import type { SignalKind } from '../model/index.ts';

export type AlertClass = { kind: SignalKind } | { skip: string };

const WAITING: Record<string, SignalKind> = {
  CrashLoopBackOff: 'CrashLoopBackOff',
  ImagePullBackOff: 'ImagePullBackOff',
  ErrImagePull: 'ImagePullBackOff',
  InvalidImageName: 'ImagePullBackOff',
};

export function classifyAlert(labels: Record<string, string>): AlertClass {
  const name = labels.alertname ?? '';
  const reason = labels.reason;
  if (reason === 'OOMKilled') return { kind: 'OOMKilled' };
  switch (name) {
    case 'KubePodCrashLooping':
      return { kind: 'CrashLoopBackOff' };
    case 'KubeContainerWaiting': {
      const kind = reason && Object.hasOwn(WAITING, reason) ? WAITING[reason] : undefined;
      return kind ? { kind } : { skip: `waiting reason ${reason ?? '(none)'} is not actionable` };
    }
    case 'KubePodNotReady':
      return { kind: 'PodNotReady' };
    case 'CPUThrottlingHigh':
      return { kind: 'CPUThrottling' };
    case 'KubeHpaMaxedOut':
      return { kind: 'HPAMaxedOut' };
    default:
      return { skip: 'unrecognised alert' };
  }
}
