import { describe, expect, it } from 'vitest';
import { restoreLines } from '../../followup/revert/held.ts';
import { revertParams } from './params.ts';

const base = {
  pull: 41,
  url: 'https://github.com/acme/config/pull/41',
  remediation: 'rem-1',
  action: 'raise-memory-limit',
  mergeCommit: 'a'.repeat(40),
  parentCommit: 'b'.repeat(40),
  outcome: 'harmful',
  inverse: { fields: [], objects: [] },
};

describe('revert-remediation params', () => {
  it('takes a merge that only added files: nothing to restore, the added files to delete', () => {
    const p = revertParams({ ...base, files: [], added: ['apps/web/salve/patch.yaml'] });
    expect(p.files).toEqual([]);
    expect(p.added).toEqual(['apps/web/salve/patch.yaml']);
    const text = restoreLines(p, 'restores').join('\n');
    expect(text).toContain('It deletes 1 file the merge added (it changed no other file):');
    expect(text).not.toContain('0 files');
    expect(restoreLines(p, 'would restore')[0]).toBe(
      'It would delete 1 file the merge added (it changed no other file):',
    );
  });

  it('refuses a revert that restores and deletes nothing, naming the field', () => {
    expect(() => revertParams({ ...base, files: [], added: [] })).toThrow(
      'revert-remediation params files: a revert restores or deletes at least one file',
    );
  });

  it('refuses paths outside the repo in either list', () => {
    expect(() => revertParams({ ...base, files: ['../etc/passwd'], added: [] })).toThrow(/params files\.0/);
    expect(() => revertParams({ ...base, files: ['a.yaml'], added: ['/abs.yaml'] })).toThrow(/params added\.0/);
  });

  it('says both when the merge edited and added files', () => {
    const text = restoreLines(
      revertParams({ ...base, files: ['k/kustomization.yaml'], added: ['k/salve/p.yaml'] }),
      'restores',
    ).join('\n');
    expect(text).toMatch(/^It restores 1 file to its bytes at `bbbbbbbbbbbb`/);
    expect(text).toContain('and deletes 1 file the merge added:');
  });
});
