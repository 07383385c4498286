/**
 * The environment a tool runs with: only what locale, proxies, certificates and temp files need.
 * salve's own variables (signing keys, the App's key, tokens) never reach a child process, so no
 * kustomize plugin, git helper or `/proc/<pid>/environ` can read them.
 */
export type Env = Readonly<Record<string, string | undefined>>;

const PASSED =
  /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|TZ|TMPDIR|TMP|TEMP|LC_[A-Z]+|SSL_CERT_FILE|SSL_CERT_DIR|XDG_CONFIG_HOME|XDG_CACHE_HOME|HTTPS?_PROXY|NO_PROXY|ALL_PROXY|https?_proxy|no_proxy|all_proxy)$/;

export function childEnv(base: Env, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined && PASSED.test(key)) env[key] = value;
  return { ...env, ...extra };
}
