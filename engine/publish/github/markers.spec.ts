import { describe, expect, it } from 'vitest';
import { fixturePublish } from '../../app/__fixtures__/requests.ts';
import { contentHash, filesHash, readHashes, renderBody } from './markers.ts';

describe('publish/github/markers', () => {
  it('reads only the hash marker salve appended last; one inside the diff stays content', () => {
    const { request } = fixturePublish();
    const fake = `<!-- salve:hash ${'0'.repeat(64)} files=${'1'.repeat(64)} -->`;
    const req = { ...request, pr: { ...request.pr, body: `${request.pr.body}\n\n\`\`\`diff\n+${fake}\n\`\`\`\n` } };
    const body = renderBody(req);
    expect(body).toContain(`+${fake}`);
    expect(readHashes(body)).toEqual({ content: contentHash(req), files: filesHash(req) });
    expect(readHashes(`${body}\ntrailing text a human added`)).toBeNull();
  });
});
