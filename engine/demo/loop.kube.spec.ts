/**
 * The demo's closed loop against the test kube-apiserver: the example repo's two OOM fixes are
 * planned and pushed as `salve demo` does, merged into the bare remote, followed to their
 * outcomes, and the harmful one's revert is planned with its proof.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOOLS_DIR } from '../../test/servers/kube.ts';
import { runPlan } from '../pipeline/run.ts';
import { silentLogger } from '../telemetry/logger.ts';
import { locateGit, runTool } from '../tools/index.ts';
import { type Published, runLoop } from './loop.ts';
import { createDemoWorld, DEMO_NOW, type DemoWorld, EXAMPLE_SIGNALS } from './setup.ts';

const kube = inject('kube');
const SIGNALS = ['oomkilled-checkout-production.json', 'oomkilled-storefront-production.json'];

describe('salve demo: the loop (real kube-apiserver, git remote, policy)', () => {
  let world: DemoWorld;
  const published: Published[] = [];

  beforeAll(async () => {
    world = await createDemoWorld();
    for (const file of SIGNALS) {
      const outcomes = await runPlan({
        repoDir: world.work,
        signalFiles: [join(EXAMPLE_SIGNALS, file)],
        signingKey: world.signingKey,
        pgp: world.pgp,
        author: { name: 'salve', email: 'salve-demo@example.org' },
        now: DEMO_NOW,
        log: silentLogger(),
      });
      for (const o of outcomes)
        if (o.result.kind === 'publish' && o.branch)
          published.push({ remediation: o.result.remediation, branch: o.branch });
    }
  }, 120_000);
  afterAll(() => world?.close());

  it('merges, plays Argo CD and the kubelet, scores effective, then harmful, and plans the revert', async () => {
    expect(published.map((p) => `${p.remediation.target.kind}/${p.remediation.target.name}`)).toEqual([
      'Deployment/checkout',
      'Rollout/storefront',
    ]);
    const lines: string[] = [];
    let stopped = false;
    const failures = await runLoop({
      world,
      published,
      out: (line = '') => lines.push(line),
      log: silentLogger(),
      now: DEMO_NOW,
      tools: TOOLS_DIR,
      // The test cluster is shared: other specs' Applications of the same overlays live in argocd.
      applicationNamespace: 'demo-loop-argocd',
      workloadNamespacePrefix: 'demo-loop-',
      startKube: async () => ({
        info: kube,
        async stop() {
          stopped = true;
        },
      }),
    });
    const text = lines.join('\n');
    expect(failures).toBe(0);
    expect(stopped).toBe(true);
    expect(text).toContain('the demo plays Argo CD, the kubelet and Argo Rollouts');

    // Both merges are real merge commits on the bare remote's main, in order.
    const git = (args: string[]) => runTool(locateGit(), ['-C', world.bare, ...args]).then((r) => r.stdout.trim());
    const merges = (await git(['rev-list', '--merges', '--first-parent', 'main'])).split('\n');
    expect(merges).toHaveLength(2);
    const [second, first] = merges as [string, string];
    expect(await git(['log', '-1', '--format=%s', first])).toBe(`Merge pull request #101 from ${published[0]?.branch}`);

    const at = (prefix: string) => lines.filter((l) => l.startsWith(prefix));
    expect(at('merged ')).toEqual([
      `merged    #101 ${published[0]?.branch} → main @ ${first.slice(0, 12)} (a merge commit, pushed to the demo's bare remote)`,
      `merged    #102 ${published[1]?.branch} → main @ ${second.slice(0, 12)} (a merge commit, pushed to the demo's bare remote)`,
    ]);
    expect(at('argo cd ')).toEqual([
      `argo cd   checkout-production synced ${first.slice(0, 12)}, Healthy (played by the demo)`,
      `argo cd   storefront-production synced ${second.slice(0, 12)}, Healthy (played by the demo)`,
    ]);
    expect(at('pods ')[0]).toMatch(/^pods {6}2\/2 ready in demo-loop-checkout \(the kubelet, played by the demo\)/);
    expect(at('outcome ')).toEqual([
      'outcome   effective (score 1.00: health 1.00, alerts n/a, 0 SLO queries): health 1',
      'outcome   harmful: AnalysisRun storefront-demo-canary-1 Failed: Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0) (the harm overrides the score 1.00: health 1.00, alerts n/a, 0 SLO queries)',
    ]);
    expect(at('revert pr')).toEqual([
      'revert pr salve: revert pull request 102 (raise-memory-limit on Rollout/storefront), harmful (production)',
    ]);
    expect(at('restores ')).toEqual([
      `restores  apps/storefront/overlays/production/kustomization.yaml (to its bytes at ${first.slice(0, 12)}, before #102)`,
    ]);
    expect(at('deletes ')).toEqual([
      'deletes   apps/storefront/overlays/production/salve/raise-memory-limit-rollout-storefront.yaml (added by #102)',
    ]);
    expect(text).toContain('revert    decision approve');
    expect(text).toContain('not published: the demo has no GitHub; this is the pull request salve would open');
  }, 180_000);

  it('says in one line when the servers are not built, and fails nothing', async () => {
    const lines: string[] = [];
    const failures = await runLoop({
      world,
      published,
      out: (l = '') => lines.push(l),
      log: silentLogger(),
      now: DEMO_NOW,
      tools: join(world.root, 'no-tools'),
    });
    expect(failures).toBe(0);
    expect(lines.filter((l) => l.startsWith('skipped'))).toEqual([
      expect.stringMatching(
        /^skipped {3}the local kube-apiserver and etcd are needed: kube-apiserver v1\.34\.3 is not built \(.*no-tools.*\) \(build them with `salve setup --servers`, or see its output for release binaries\)$/,
      ),
    ]);
  });
});
