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
 *
 * Entries of `.salve.yaml` `alerts:` come first (see alert-mapping.ts): they map other rule sets'
 * alerts, and may name other labels for the namespace, pod, container, cluster or workload.
 */
import type { AlertMapping } from '../config/schema.ts';
import type { SignalKind } from '../model/index.ts';
import { findMapping, HPA_LABEL, KSM_LABELS, type LabelNames, labelNamesOf } from './alert-mapping.ts';

export type AlertClass =
  | {
      kind: SignalKind;
      /** Which labels name the target. */
      names: LabelNames;
      /** The `.salve.yaml` entry that mapped it (`alerts[2]`), when one did. */
      mappedBy?: string;
    }
  | { skip: string; code: 'unrecognised' | 'not-actionable' };

/** Why an alert no rule knows was left out, and how to make salve understand it. */
export const UNRECOGNISED =
  'unrecognised alert name: no built-in rule and no alerts: entry in .salve.yaml maps it to a signal kind';

const WAITING: Record<string, SignalKind> = {
  CrashLoopBackOff: 'CrashLoopBackOff',
  ImagePullBackOff: 'ImagePullBackOff',
  ErrImagePull: 'ImagePullBackOff',
  InvalidImageName: 'ImagePullBackOff',
};

function builtIn(kind: SignalKind): AlertClass {
  return { kind, names: kind === 'HPAMaxedOut' ? { ...KSM_LABELS, workload: HPA_LABEL } : KSM_LABELS };
}

export function classifyAlert(labels: Record<string, string>, mappings: readonly AlertMapping[] = []): AlertClass {
  const mapped = findMapping(mappings, labels);
  if (mapped)
    return { kind: mapped.mapping.kind, names: labelNamesOf(mapped.mapping), mappedBy: `alerts[${mapped.index}]` };
  const name = labels.alertname ?? '';
  const reason = labels.reason;
  if (reason === 'OOMKilled') return builtIn('OOMKilled');
  switch (name) {
    case 'KubePodCrashLooping':
      return builtIn('CrashLoopBackOff');
    case 'KubeContainerWaiting': {
      const kind = reason && Object.hasOwn(WAITING, reason) ? WAITING[reason] : undefined;
      return kind
        ? builtIn(kind)
        : { skip: `waiting reason ${reason ?? '(none)'} is not actionable`, code: 'not-actionable' };
    }
    case 'KubePodNotReady':
      return builtIn('PodNotReady');
    case 'CPUThrottlingHigh':
      return builtIn('CPUThrottling');
    case 'KubeHpaMaxedOut':
      return builtIn('HPAMaxedOut');
    default:
      return { skip: UNRECOGNISED, code: 'unrecognised' };
  }
}
