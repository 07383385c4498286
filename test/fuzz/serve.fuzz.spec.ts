/**
 * Fuzzing salve serve over real HTTP on 127.0.0.1: generated webhook requests (event names,
 * delivery ids, signatures good and bad, bodies of any shape) and Alertmanager payloads with
 * arbitrary text. Properties: no 5xx, no stack trace, no secret in any response or log line,
 * metric series and memory bounded.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupingPlanner } from '../../engine/app/__fixtures__/requests.ts';
import { loadServeConfig } from '../../engine/app/config.ts';
import { createServer, type SalveServer } from '../../engine/app/server.ts';
import { type HttpMock, httpMock } from '../app/http-mock.ts';
import { removeStateDirs, stateDir } from '../app/state-dir.ts';

const WEBHOOK_SECRET = 'fuzz-webhook-secret-0123456789abcdef';
const INTAKE_TOKEN = 'fuzz-intake-token-0123456789abcdef';
const HMAC_SECRET = 'fuzz-intake-hmac-0123456789abcdef';
const RUNS = { webhooks: 400, intake: 300 };

const logged: string[] = [];
const record =
  () =>
  (...args: unknown[]) =>
    logged.push(JSON.stringify(args, (_k, v) => (v instanceof Error ? { message: v.message, stack: v.stack } : v)));
const logger = { debug: record(), info: record(), warn: record(), error: record(), child: () => logger };

let server: SalveServer;
let url: string;
let mock: HttpMock;
let privateKey: string;

beforeAll(async () => {
  privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  mock = httpMock();
  mock.scope.get('/app').optionally().reply(200, { id: 1, slug: 'salve-app' });
  const config = loadServeConfig(
    ['--port', '0', '--host', '127.0.0.1', '--max-body-bytes', '65536', '--state-dir', stateDir()],
    {
      SALVE_APP_ID: '1',
      SALVE_PRIVATE_KEY: privateKey,
      SALVE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SALVE_ALERTMANAGER_TOKEN: INTAKE_TOKEN,
      SALVE_ALERTMANAGER_HMAC_SECRET: HMAC_SECRET,
      SALVE_REPO: 'acme/platform-config',
    },
  );
  server = createServer(config, {
    planner: groupingPlanner(),
    logger,
    github: { retries: 0, throttle: false },
    repoRunner: async () => {},
  });
  url = await server.listen();
});

afterAll(async () => {
  await server?.close();
  removeStateDirs();
  mock?.reset();
});

const SECRETS = () => [WEBHOOK_SECRET, INTAKE_TOKEN, HMAC_SECRET, privateKey.split('\n')[1] as string];

function expectClean(status: number, body: string) {
  expect(status).toBeLessThan(500);
  expect(body).not.toMatch(/\n\s+at .+:\d+:\d+/);
  for (const s of SECRETS()) expect(body).not.toContain(s);
}

/** Header values fetch accepts: visible ASCII and spaces. */
const headerText = fc.string({
  unit: fc.constantFrom(...' !#$%&()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~'),
  maxLength: 80,
});
const anyBody = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.string({ unit: 'binary', maxLength: 2000 }),
  fc.constant('{"zen":"ok","hook_id":1}'),
);

describe('fuzz: salve serve', () => {
  it('answers every generated webhook request without a 5xx, a stack trace or a secret', async () => {
    const rssBefore = process.memoryUsage().rss;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          event: fc.oneof(fc.constantFrom('ping', 'pull_request', 'installation', 'push'), headerText),
          delivery: fc.oneof(fc.uuid(), headerText),
          sign: fc.constantFrom('valid', 'wrong', 'garbage', 'none'),
          body: anyBody,
        }),
        async ({ event, delivery, sign, body }) => {
          const signature =
            sign === 'valid'
              ? `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`
              : sign === 'wrong'
                ? `sha256=${createHmac('sha256', 'not-the-secret').update(body).digest('hex')}`
                : sign === 'garbage'
                  ? 'sha1=abc'
                  : undefined;
          const res = await fetch(`${url}/webhooks/github`, {
            method: 'POST',
            headers: {
              'x-github-event': event,
              'x-github-delivery': delivery,
              ...(signature ? { 'x-hub-signature-256': signature } : {}),
            },
            body,
          });
          const text = await res.text();
          expectClean(res.status, text);
          if (sign !== 'valid') expect(res.status).toBe(401);
        },
      ),
      { numRuns: RUNS.webhooks },
    );
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const series = metrics.split('\n').filter((l) => l.startsWith('salve_webhooks_total{'));
    expect(series.length).toBeLessThanOrEqual(5 * 4);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  });

  it('answers every generated Alertmanager payload with 202 or a clean 400', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 300 });
    const alert = fc.record({
      status: fc.constantFrom('firing', 'resolved', 'bogus'),
      labels: fc.dictionary(fc.oneof(fc.constantFrom('alertname', 'namespace', 'pod', 'cluster'), text), text, {
        maxKeys: 8,
      }),
      annotations: fc.dictionary(fc.constantFrom('description', 'summary', 'runbook_url'), text, { maxKeys: 3 }),
      startsAt: fc.oneof(fc.constant('2025-03-04T09:58:00Z'), text),
      fingerprint: text,
    });
    const payload = fc.oneof(
      fc.record({
        version: fc.constantFrom('4', '3', 4),
        groupKey: text,
        status: fc.constantFrom('firing', 'resolved'),
        receiver: text,
        groupLabels: fc.dictionary(text, text, { maxKeys: 3 }),
        commonLabels: fc.dictionary(text, text, { maxKeys: 3 }),
        externalURL: text,
        alerts: fc.array(alert, { maxLength: 5 }),
      }),
      fc.json({ maxDepth: 3 }).map((j) => JSON.parse(j) as unknown),
    );
    await fc.assert(
      fc.asyncProperty(payload, fc.constantFrom('token', 'hmac', 'none'), async (p, auth) => {
        const body = JSON.stringify(p) ?? 'null';
        const headers: Record<string, string> =
          auth === 'token'
            ? { authorization: `Bearer ${INTAKE_TOKEN}` }
            : auth === 'hmac'
              ? { 'x-salve-signature': `sha256=${createHmac('sha256', HMAC_SECRET).update(body).digest('hex')}` }
              : {};
        const res = await fetch(`${url}/intake/alertmanager`, { method: 'POST', headers, body });
        const out = await res.text();
        expectClean(res.status, out);
        expect([202, 400, 401]).toContain(res.status);
        if (auth === 'none') expect(res.status).toBe(401);
      }),
      { numRuns: RUNS.intake },
    );
    await server.idle();
    for (const line of logged) for (const s of SECRETS()) expect(line).not.toContain(s);
  });
});
