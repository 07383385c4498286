/**
 * A real test bed (`../shared/testbeds/<name>`) as a config repo, and one case planned, published
 * and held to every corpus invariant (salve verify included), with the plan result kept for the
 * test to look at.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CaseResult, runCase, type SkipResult } from '../../engine/corpus/case.ts';
import { type Case, type CorpusAction, casesFor, containersOf, pinsFor } from '../../engine/corpus/cases.ts';
import { DEFAULT_TESTBEDS } from '../../engine/corpus/paths.ts';
import { BASE_TIME, caseContext, clusterFor, corpusKeys, renderOverlay } from '../../engine/corpus/run.ts';
import { readTestbed } from '../../engine/corpus/testbeds.ts';
import { commitAll, createWorkspace, type Workspace } from '../../engine/corpus/workspace.ts';
import type { K8sObject, PlanResult, Remediation } from '../../engine/model/remediation.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';

export interface Planned {
  result: CaseResult | SkipResult;
  planned: PlanResult | null;
  remediation: Remediation | null;
  /** `after` of the file at this repo-relative path in the commit (throws when absent). */
  file(path: string): string;
  /** Invariants that failed, as `invariant: detail`. */
  violations: string[];
}

export interface Bed {
  ws: Workspace;
  /**
   * Plans the corpus case of this workload, container and action. With `anyway`, a case the corpus
   * would skip (say, an image whose pin does not render) is planned too, to see what salve says.
   * `runs`: the image the failing pods report (default: the one git renders).
   */
  plan(
    overlay: string,
    workload: string,
    container: string,
    action: CorpusAction,
    opts?: { anyway?: boolean; runs?: string },
  ): Promise<Planned>;
  /** Edits files (repo-relative path → new text, or a function of the old text) and commits them on main. */
  commit(message: string, edits: Record<string, string | ((text: string) => string)>, when?: Date): Promise<void>;
  cleanup(): Promise<void>;
}

/** The case of a rendered workload's container, whether or not the corpus would run it. */
function anyCase(
  overlay: string,
  objects: readonly K8sObject[],
  workload: string,
  container: string,
  action: CorpusAction,
): Case | undefined {
  const w = objects.find((o) => `${o.kind}/${o.metadata.name}` === workload);
  const ref = w ? containersOf(w).find((c) => c.name === container) : undefined;
  if (!w || !ref) return undefined;
  const ns = w.metadata.namespace ?? '';
  return {
    overlay,
    workload: { apiVersion: w.apiVersion, kind: w.kind, name: w.metadata.name, namespace: ns },
    container: ref,
    action,
  };
}

export async function openTestbed(name: string, overlays: string[]): Promise<Bed> {
  const testbed = await readTestbed(join(DEFAULT_TESTBEDS, name), name);
  const ws = await createWorkspace(testbed, BASE_TIME, overlays);
  const keys = await corpusKeys();
  let shared = await caseContext(ws, keys, silentLogger());
  return {
    ws,
    async commit(message, edits, when = BASE_TIME) {
      for (const [path, edit] of Object.entries(edits)) {
        const file = join(ws.dir, path);
        const old = await readFile(file, 'utf8').catch(() => '');
        await writeFile(file, typeof edit === 'string' ? edit : edit(old));
      }
      await commitAll(ws.dir, message, when);
      shared = await caseContext(ws, keys, silentLogger());
    },
    async plan(overlay, workload, container, action, opts = {}) {
      const root = ws.roots.find((r) => r.overlay === overlay);
      if (!root) throw new Error(`${overlay} is not a root of this bed`);
      const objects = await renderOverlay(ws.dir, overlay);
      const { cases } = casesFor(overlay, objects, await pinsFor(ws.dir, overlay, objects));
      const c =
        cases.find(
          (x: Case) =>
            `${x.workload.kind}/${x.workload.name}` === workload &&
            x.container.name === container &&
            x.action === action,
        ) ?? (opts.anyway ? anyCase(overlay, objects, workload, container, action) : undefined);
      if (!c) throw new Error(`no ${action} case for ${workload} container ${container} in ${overlay}`);
      let planned: PlanResult | null = null;
      const result = await runCase(
        {
          ...shared,
          cluster: clusterFor(root, c),
          inspect: (p) => {
            planned = p;
          },
        },
        c,
        opts.runs ?? c.container.image,
      );
      const got = planned as PlanResult | null;
      const remediation = got && got.kind !== 'none' && got.kind !== 'drift' ? got.remediation : null;
      return {
        result,
        planned: got,
        remediation,
        file(path) {
          const files = got?.kind === 'publish' ? got.request.files : (remediation?.files ?? []);
          const change = files.find((f) => f.path === path);
          if (!change) throw new Error(`the change has no ${path}: ${files.map((f) => f.path).join(', ')}`);
          if (change.after === null) throw new Error(`the change deletes ${path}`);
          return change.after;
        },
        violations:
          'checks' in result ? result.checks.filter((k) => !k.ok).map((k) => `${k.invariant}: ${k.detail}`) : [],
      };
    },
    cleanup: () => ws.cleanup(),
  };
}
