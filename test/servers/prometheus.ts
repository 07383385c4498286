/**
 * A real Prometheus on 127.0.0.1. History goes in before start (OpenMetrics text backfilled with
 * promtool into its TSDB); live samples come from scrape targets the test serves, or through the
 * remote-write receiver, which is on.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { freePort } from '../../engine/demo/servers/ports.ts';
import { type ServerProcess, startProcess } from '../../engine/demo/servers/processes.ts';
import { httpOk, waitFor } from '../../engine/demo/servers/wait.ts';
import { serverBinary } from './kube.ts';

const run = promisify(execFile);

export interface PrometheusOptions {
  /** OpenMetrics text (ending in `# EOF`) written into the TSDB with promtool before start. */
  openMetrics?: string;
  /** host:port targets scraped at `scrapeInterval` (default 1s). */
  scrapeTargets?: string[];
  scrapeInterval?: string;
  /** A rule file's YAML (groups: [...]), evaluated every `evaluationInterval` (default 1s). */
  rules?: string;
  evaluationInterval?: string;
  /** Where firing alerts go, e.g. startAlertmanager()'s url. */
  alertmanagerUrl?: string;
}

export interface PrometheusServer {
  url: string;
  dir: string;
  proc: ServerProcess;
  stop(): Promise<void>;
}

export async function backfill(openMetrics: string, dataDir: string, scratch: string): Promise<void> {
  const file = join(scratch, 'backfill.om');
  writeFileSync(file, openMetrics.endsWith('# EOF\n') ? openMetrics : `${openMetrics.trimEnd()}\n# EOF\n`);
  await run(serverBinary('promtool'), ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir], {
    maxBuffer: 16 * 1024 * 1024,
  });
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'salve-prometheus-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  let proc: ServerProcess | undefined;
  const stop = async () => {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (options.openMetrics) await backfill(options.openMetrics, dataDir, dir);
    const config: Record<string, unknown> = {
      global: {
        scrape_interval: options.scrapeInterval ?? '1s',
        evaluation_interval: options.evaluationInterval ?? '1s',
      },
      scrape_configs: options.scrapeTargets?.length
        ? [{ job_name: 'test', static_configs: [{ targets: options.scrapeTargets }] }]
        : [],
    };
    if (options.rules) {
      writeFileSync(join(dir, 'rules.yaml'), options.rules);
      config.rule_files = [join(dir, 'rules.yaml')];
    }
    if (options.alertmanagerUrl) {
      const am = new URL(options.alertmanagerUrl);
      config.alerting = {
        alertmanagers: [{ scheme: am.protocol.replace(':', ''), static_configs: [{ targets: [am.host] }] }],
      };
    }
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    proc = startProcess(
      'prometheus',
      serverBinary('prometheus'),
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver',
        // Backfilled history may be weeks old: keep it.
        '--storage.tsdb.retention.time=3650d',
        '--log.level=warn',
      ],
      join(dir, 'prometheus.log'),
    );
    await waitFor(async () => ((await httpOk(`${url}/-/ready`)) !== undefined ? true : undefined), {
      what: 'prometheus /-/ready',
      proc,
    });
    return { url, dir, proc, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
