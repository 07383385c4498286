/**
 * The bundles give isomorphic-git scripts/pako-zlib.cjs for `pako`: one-shot deflate and inflate on
 * Node's zlib, pako's own streaming Inflate. What isomorphic-git relies on must hold as with pako.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

interface Pako {
  deflate(data: Uint8Array): Uint8Array;
  inflate(data: Uint8Array): Uint8Array;
  Inflate: new () => { push(data: Uint8Array, end: boolean): boolean; result: Uint8Array | undefined };
}
const require = createRequire(import.meta.url);
const shim = require('../../scripts/pako-zlib.cjs') as Pako;
// pako as isomorphic-git has it installed (not a dependency of salve's own).
const pako = require(require.resolve('pako', { paths: [join(ROOT, 'node_modules', 'isomorphic-git')] })) as Pako;

const object = Buffer.concat([Buffer.from('blob 4096\0'), Buffer.alloc(4096, 'apiVersion: v1\n')]);

describe('pako on zlib', () => {
  it('deflates what pako inflates, and inflates what pako deflates', () => {
    expect(Buffer.from(pako.inflate(shim.deflate(object))).equals(object)).toBe(true);
    expect(Buffer.from(shim.inflate(pako.deflate(object))).equals(object)).toBe(true);
    const stream = new shim.Inflate();
    stream.push(shim.deflate(object), true);
    expect(Buffer.from(stream.result as Uint8Array).equals(object)).toBe(true);
  });

  it('throws a string on corrupt data, as pako does (isomorphic-git makes that its DecompressionError)', () => {
    const corrupt = Buffer.from('not zlib at all');
    let fromPako: unknown;
    let fromShim: unknown;
    try {
      pako.inflate(corrupt);
    } catch (e) {
      fromPako = e;
    }
    try {
      shim.inflate(corrupt);
    } catch (e) {
      fromShim = e;
    }
    expect(typeof fromPako).toBe('string');
    expect(typeof fromShim).toBe('string');
    expect(fromShim).toBe('incorrect header check');
  });

  it('is what the built CLI bundle gives isomorphic-git', async () => {
    const pointer = JSON.parse(await readFile(join(ROOT, 'lib', 'salve-cli.json'), 'utf8')) as { file: string };
    const bundle = await readFile(join(ROOT, 'lib', pointer.file), 'latin1');
    expect(bundle).toContain('"scripts/pako-zlib.cjs"');
    // pako's deflate is not in it: nothing else asked for it.
    expect(bundle).not.toContain('function deflate_slow(');
  });
});
