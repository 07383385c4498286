/**
 * The load generator for the intake figure, run as its own process so it does not share the
 * measured server's event loop: autocannon POSTs `amount` Alertmanager payloads (50 owners, a
 * new alert each) and prints `{rate, ok, failed}` as JSON.
 *
 *   node --import tsx bench/load.ts <url> <token> <amount> <connections>
 */
import autocannon from 'autocannon';

export function alertPayload(owner: number, i: number): string {
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="KubePodCrashLooping",deployment="app-${owner}"}`,
    status: 'firing',
    receiver: 'salve',
    groupLabels: { alertname: 'KubePodCrashLooping' },
    commonLabels: { alertname: 'KubePodCrashLooping' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status: 'firing',
        labels: {
          alertname: 'KubePodCrashLooping',
          namespace: 'shop',
          deployment: `app-${owner}`,
          pod: `app-${owner}-${i}`,
          container: 'app',
        },
        annotations: { summary: 'Pod is crash looping.' },
        startsAt: '2025-03-04T09:58:00Z',
        fingerprint: `${owner}-${i}`,
      },
    ],
  });
}

async function main(argv: string[]): Promise<void> {
  const [url = '', token = '', amount = '5000', connections = '16'] = argv;
  let i = 0;
  const result = await autocannon({
    url,
    amount: Number(amount),
    connections: Number(connections),
    pipelining: 1,
    // A run ends at autocannon's next sample tick (every second by default): 10 ms keeps that
    // wait under 1% of a run.
    sampleInt: 10,
    requests: [
      {
        method: 'POST',
        path: '/intake/alertmanager/acme/config',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        setupRequest: (req) => {
          const n = i++;
          return { ...req, body: alertPayload(n % 50, n) };
        },
      },
    ],
  });
  const ok = result['2xx'];
  const failed = result.non2xx + result.errors + result.timeouts;
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  process.stdout.write(`${JSON.stringify({ rate: ok / (seconds || 1), ok, failed, duration: seconds })}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1])) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
