/**
 * Kustomize inputs salve reads and keeps as they are, where they matter to an edit, on real trees:
 * a multi-document legacy patchesStrategicMerge file that already sets the limit (flagger istio),
 * an inline patchesJson6902 (flagger linkerd), a patch whose labelSelector target sets the limit of
 * every app Deployment (eks-workshop cluster-autoscaler), a kustomization with no final newline
 * (gke-samples whereami) and one with CRLF line endings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type Bed, openTestbed } from './testbed.ts';

const beds: Bed[] = [];
afterAll(() => Promise.all(beds.map((b) => b.cleanup())));

async function bed(name: string, overlays: string[]): Promise<Bed> {
  const b = await openTestbed(name, overlays);
  beds.push(b);
  return b;
}

describe('recognised inputs', () => {
  it('edits the limit in a multi-document patchesStrategicMerge file, and writes patches: only when it adds one (flagger)', async () => {
    const istio = 'kustomize/istio';
    const linkerd = 'kustomize/linkerd';
    const b = await bed('flagger', [istio, linkerd]);
    await b.commit('flagger needs more memory under istio', {
      [`${istio}/patch.yaml`]: (text) =>
        text.replace(
          '            - -metrics-server=http://prometheus:9090\n',
          '            - -metrics-server=http://prometheus:9090\n          resources:\n            limits:\n              memory: 1Gi\n',
        ),
    });
    const got = await b.plan(istio, 'Deployment/flagger', 'flagger', 'raise-memory-limit');
    expect(got.violations).toEqual([]);
    const patch = got.remediation?.files.find((f) => f.path === `${istio}/patch.yaml`);
    expect(patch?.after).toBe(patch?.before?.replace('memory: 1Gi', 'memory: 1536Mi'));
    // No second patch of the limit, so nothing for it in the kustomization either.
    expect(got.remediation?.files.map((f) => f.path).filter((p) => p.includes('raise-memory-limit'))).toEqual([]);
    const istioK = got.remediation?.files.find((f) => f.path === `${istio}/kustomization.yaml`);
    expect(istioK?.after ?? '').not.toContain('patches:');

    const kept = await b.plan(linkerd, 'Deployment/flagger', 'flagger', 'raise-cpu-limit');
    expect(kept.violations).toEqual([]);
    const k = kept.remediation?.files.find((f) => f.path === `${linkerd}/kustomization.yaml`);
    // The legacy entries stay as they are, comments included; salve's own goes under patches:.
    for (const line of (k?.before ?? '').split('\n')) expect(k?.after?.split('\n')).toContain(line);
    expect(k?.after).toContain('patches:\n  - path: salve/raise-cpu-limit-deployment-flagger.yaml\n');
    expect(k?.after?.indexOf('# restore overridden namespace field')).toBeLessThan(
      k?.after?.indexOf('patchesJson6902:') ?? 0,
    );
  });

  it('adds its own patch when the overlay sets the limit through a labelSelector target shared by every app (eks-workshop)', async () => {
    const overlay = 'manifests/modules/autoscaling/compute/cluster-autoscaler';
    const b = await bed('eks-workshop', [overlay]);
    await b.commit('size every app Deployment', {
      [`${overlay}/kustomization.yaml`]: (text) =>
        `${text}  - target:\n      kind: Deployment\n      labelSelector: app.kubernetes.io/type=app\n    patch: |-\n      - op: replace\n        path: /spec/template/spec/containers/0/resources/limits/memory\n        value: 1Gi\n`,
    });
    const got = await b.plan(overlay, 'Deployment/ui', 'ui', 'raise-memory-limit');
    expect(got.violations).toEqual([]);
    expect(got.remediation?.files.map((f) => f.path)).toContain(
      `${overlay}/salve/raise-memory-limit-deployment-ui.yaml`,
    );
    // The shared value stays; only ui's limit changes.
    expect(got.file(`${overlay}/kustomization.yaml`)).toContain('        value: 1Gi\n');
    expect(got.remediation?.diff.fields.map((f) => `${f.name} ${f.after}`)).toEqual(['ui 1536Mi']);
  });

  it('keeps a kustomization without a final newline, and one with CRLF line endings, line for line (gke-samples)', async () => {
    const overlay = 'quickstarts/whereami/k8s-backend-overlay-example';
    const b = await bed('gke-samples', [overlay]);
    const first = await b.plan(overlay, 'Deployment/whereami-backend', 'whereami', 'raise-cpu-limit');
    expect(first.violations).toEqual([]);
    const k = first.remediation?.files.find((f) => f.path === `${overlay}/kustomization.yaml`);
    const entry = '- path: salve/raise-cpu-limit-deployment-whereami-backend.yaml';
    expect(k?.before?.endsWith('    kind: Service')).toBe(true);
    // The entry goes on a line of its own after the unterminated last line, and the file ends in a newline.
    expect(k?.after).toContain(`    kind: Service\n${entry}\n`);
    expect(k?.after?.endsWith('\n')).toBe(true);
    for (const line of (k?.before ?? '').split('\n')) expect(k?.after?.split('\n')).toContain(line);

    await b.commit('saved on Windows', {
      [`${overlay}/kustomization.yaml`]: (text) => `${text.replace(/\n/g, '\r\n')}\r\n`,
    });
    const crlf = await b.plan(overlay, 'Deployment/whereami-backend', 'whereami', 'raise-cpu-limit');
    expect(crlf.violations).toEqual([]);
    const c = crlf.remediation?.files.find((f) => f.path === `${overlay}/kustomization.yaml`);
    expect(c?.after).toContain(`    kind: Service\r\n${entry}\r\n`);
    // Every line of the file still ends in CRLF, salve's included.
    expect(/[^\r]\n/.test(c?.after ?? '')).toBe(false);
    for (const line of (c?.before ?? '').split('\r\n')) expect(c?.after?.split('\r\n')).toContain(line);
  });
});
