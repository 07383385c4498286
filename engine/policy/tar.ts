/** Reads the members of a .tar.gz held in memory. */
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';

/** Member name (as stored, e.g. `/policy.wasm`) to its bytes; directories are skipped. */
export async function readTarGz(archive: Buffer): Promise<Map<string, Buffer>> {
  const members = new Map<string, Buffer>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        if (header.type === 'file') members.set(header.name, Buffer.concat(chunks));
        next();
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(gunzipSync(archive));
  await done;
  return members;
}
