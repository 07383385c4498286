/**
 * nock for tests: every request must match a mock and every mock must be used. `calls` records
 * the requests in the order they reached the mocks.
 */
import nock from 'nock';

export interface HttpMock {
  scope: nock.Scope;
  calls: string[];
  /** Throws when a request went unmatched or a mock went unused; then clears all mocks. */
  verify(): void;
  /** Clears mocks without checking (for afterEach after a failed test). */
  reset(): void;
}

export function httpMock(baseUrl = 'https://api.github.com'): HttpMock {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const unmatched: string[] = [];
  const onNoMatch = (req: {
    method?: string;
    path?: string;
    href?: string;
    host?: string;
    hostname?: string;
    options?: { method?: string; path?: string; host?: string; hostname?: string };
  }) => {
    const host = req.hostname ?? req.host ?? req.options?.hostname ?? req.options?.host ?? req.href ?? '';
    if (/127\.0\.0\.1|localhost/.test(host)) return; // local servers under test are allowed through
    unmatched.push(`${req.method ?? req.options?.method ?? '?'} ${req.path ?? req.href ?? req.options?.path ?? '?'}`);
  };
  nock.emitter.on('no match', onNoMatch);
  const calls: string[] = [];
  const scope = nock(baseUrl);
  scope.on('request', (req: { method: string; path: string }) => {
    calls.push(`${req.method} ${decodeURIComponent(req.path)}`);
  });
  const reset = () => {
    nock.emitter.removeListener('no match', onNoMatch);
    nock.cleanAll();
  };
  return {
    scope,
    calls,
    reset,
    verify() {
      const pending = scope.pendingMocks();
      reset();
      const problems = [...unmatched.map((u) => `unmatched request: ${u}`), ...pending.map((p) => `unused mock: ${p}`)];
      if (problems.length > 0) throw new Error(`http mock:\n  ${problems.join('\n  ')}`);
    },
  };
}
