/**
 * kustomize features salve chooses not to use, recognised in a failed build's message and named
 * in a sentence (with the flag Argo CD would need), so an operator reads why and not just what.
 */

interface Known {
  test: RegExp;
  code: string;
  why: string;
}

const KNOWN: readonly Known[] = [
  {
    test: /security; file '[^']*' is not in or below '[^']*'/,
    code: 'unsupported-load-restrictor',
    why: 'the overlay reads a file outside its own directory, which kustomize allows only with --load-restrictor LoadRestrictionsNone (Argo CD: kustomize.buildOptions); salve builds with the default restrictor, so a config repo cannot read other files of the machine it runs on',
  },
  {
    test: /must specify --enable-helm/,
    code: 'unsupported-helm',
    why: 'the overlay inflates Helm charts (helmCharts:), which needs kustomize --enable-helm and a helm binary fetching charts; salve renders only what the commit holds',
  },
  {
    test: /external plugins disabled|unable to load external plugin/,
    code: 'unsupported-plugin',
    why: 'the overlay runs a transformer or generator plugin (exec or container function), which needs kustomize --enable-alpha-plugins and runs code from the repo; salve does not run it',
  },
];

/** The unsupported feature a kustomize failure message shows, or null when it is an ordinary failure. */
export function unsupportedFeature(message: string): { code: string; why: string } | null {
  const known = KNOWN.find((k) => k.test.test(message));
  return known ? { code: known.code, why: known.why } : null;
}
