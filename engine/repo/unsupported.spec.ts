import { describe, expect, it } from 'vitest';
import { unsupportedFeature } from './unsupported.ts';

describe('repo/unsupported', () => {
  it("names the feature behind kustomize 5.8's own messages", () => {
    expect(
      unsupportedFeature("Error: security; file '/r/docs/rollout-transform.yaml' is not in or below '/r/docs/example'")
        ?.code,
    ).toBe('unsupported-load-restrictor');
    expect(unsupportedFeature('repo: https://charts.example.com\n`: must specify --enable-helm')?.code).toBe(
      'unsupported-helm',
    );
    expect(unsupportedFeature("Error: external plugins disabled; unable to load external plugin 'Foo'")?.why).toMatch(
      /--enable-alpha-plugins/,
    );
    expect(unsupportedFeature('Error: no matches for Id Deployment.v1.apps/x.[noNs]')).toBeNull();
  });
});
