import { describe, expect, it } from 'vitest';
import { CheckError } from '../model/errors.ts';
import { checkNoDeletion } from './file-writes.ts';

describe('check/file-writes', () => {
  it('lets additions and edits through', () => {
    expect(() =>
      checkNoDeletion('raise-memory-limit', [
        { path: 'o/kustomization.yaml', before: 'a\n', after: 'b\n' },
        { path: 'o/salve/patch.yaml', before: null, after: 'p\n' },
      ]),
    ).not.toThrow();
  });

  it('refuses a deletion, naming the action and the files', () => {
    const run = () =>
      checkNoDeletion('raise-memory-limit', [
        { path: 'o/kustomization.yaml', before: 'a\n', after: 'b\n' },
        { path: 'o/base.yaml', before: 'x\n', after: null },
      ]);
    expect(run).toThrow(CheckError);
    expect(run).toThrow(
      /^raise-memory-limit deletes 1 file \(o\/base\.yaml\): a remediation only adds and edits files/,
    );
  });
});
