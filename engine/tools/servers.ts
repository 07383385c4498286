/**
 * The real servers `salve demo` and the tests run (etcd, kube-apiserver, Prometheus, promtool,
 * Alertmanager): the versions pinned in assets/servers/versions.env (the one place they are
 * written; scripts/setup-servers reads it too), how each is built from its Go module, and where
 * the build lands in the tools cache.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../pipeline/assets.ts';
import { ToolError } from './tool.ts';

export type ServerName = 'etcd' | 'kube-apiserver' | 'prometheus' | 'promtool' | 'alertmanager';

/** The versions file and the Go wrapper modules, shipped with the package. */
export const SERVER_ASSETS = join(PROJECT_ROOT, 'assets', 'servers');

export interface ServerSpec {
  name: ServerName;
  version: string;
  /** Its folder in the tools cache (promtool shares Prometheus'). */
  dir: string;
  /**
   * `wrapper`: `go build` of `pkg` inside the wrapper module assets/servers/<name> (the module
   * pins what `go install` cannot resolve); `install`: `go install pkg@version`.
   */
  build: { kind: 'wrapper'; module: string; pkg: string; ldflags: string } | { kind: 'install'; pkg: string };
  /** Where to get a release binary without Go. */
  release: string;
}

export function readServerVersions(file = join(SERVER_ASSETS, 'versions.env')): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ToolError(`the pinned server versions (${file}) are not in this installation`, '', {
      cause,
      code: 'tool-missing',
    });
  }
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
    if (m?.[1] && m[2]) out[m[1]] = m[2];
  }
  return out;
}

function pinned(versions: Record<string, string>, key: string): string {
  const v = versions[key];
  if (!v) throw new ToolError(`assets/servers/versions.env names no ${key}`, '', { code: 'tool-missing' });
  return v;
}

/** Every server, in the order `salve setup --servers` builds them (the kube pair first: the demo needs it). */
export function serverSpecs(versions = readServerVersions()): ServerSpec[] {
  const kube = pinned(versions, 'KUBE_VERSION');
  const etcd = pinned(versions, 'ETCD_VERSION');
  const prom = pinned(versions, 'PROMETHEUS_VERSION');
  const am = pinned(versions, 'ALERTMANAGER_VERSION');
  const minor = kube.replace(/^v1\./, '').split('.')[0];
  // What `kube-apiserver --version` and /version report, as the release build stamps them.
  const stamp = 'k8s.io/component-base/version';
  const kubeLdflags = `-X ${stamp}.gitVersion=${kube} -X ${stamp}.gitMajor=1 -X ${stamp}.gitMinor=${minor}`;
  // The module's v0.3xx.y is the release v3.xx.y.
  const [, promMinor = '0', promPatch = '0'] = prom.split('.');
  const promRelease = `https://github.com/prometheus/prometheus/releases/tag/v3.${Number(promMinor) - 300}.${promPatch}`;
  return [
    {
      name: 'etcd',
      version: etcd,
      dir: `etcd-${etcd}`,
      build: { kind: 'wrapper', module: 'etcd', pkg: 'go.etcd.io/etcd/server/v3', ldflags: '' },
      release: `https://github.com/etcd-io/etcd/releases/tag/${etcd}`,
    },
    {
      name: 'kube-apiserver',
      version: kube,
      dir: `kube-apiserver-${kube}`,
      build: {
        kind: 'wrapper',
        module: 'kube-apiserver',
        pkg: 'k8s.io/kubernetes/cmd/kube-apiserver',
        ldflags: kubeLdflags,
      },
      release: `https://dl.k8s.io/${kube}/bin/linux/amd64/kube-apiserver (or arm64)`,
    },
    {
      name: 'prometheus',
      version: prom,
      dir: `prometheus-${prom}`,
      build: { kind: 'install', pkg: 'github.com/prometheus/prometheus/cmd/prometheus' },
      release: promRelease,
    },
    {
      name: 'promtool',
      version: prom,
      dir: `prometheus-${prom}`,
      build: { kind: 'install', pkg: 'github.com/prometheus/prometheus/cmd/promtool' },
      release: promRelease,
    },
    {
      name: 'alertmanager',
      version: am,
      dir: `alertmanager-${am}`,
      build: { kind: 'install', pkg: 'github.com/prometheus/alertmanager/cmd/alertmanager' },
      release: `https://github.com/prometheus/alertmanager/releases/tag/${am}`,
    },
  ];
}

export function serverSpec(name: ServerName, versions?: Record<string, string>): ServerSpec {
  const spec = serverSpecs(versions).find((s) => s.name === name);
  if (!spec) throw new ToolError(`no server named ${name}`, '', { code: 'tool-missing' });
  return spec;
}

/** Where the pinned build of `spec` lives in the tools cache `tools`. */
export function serverPath(spec: ServerSpec, tools: string): string {
  return join(tools, spec.dir, spec.name);
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The built binary in the tools cache `tools`, or an error that says how to build it. */
export function serverBinary(name: ServerName, tools: string): string {
  const spec = serverSpec(name);
  const bin = serverPath(spec, tools);
  if (!isExecutable(bin)) {
    throw new ToolError(`${name} ${spec.version} is not built (${bin}): run salve setup --servers`, '', {
      code: 'tool-missing',
    });
  }
  return bin;
}
