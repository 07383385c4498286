/**
 * One `git cat-file --batch` process for a snapshot's reads, in place of one process per read: a
 * read writes its object ids and takes the answers as they come, one read at a time. Each read is
 * bounded (the bytes its objects may take, git's time limit); a process that dies, stalls or answers
 * out of turn fails the read with an error naming the commit, and the next read starts a new one.
 * The process never keeps Node running: it is closed by `close()`, or after a moment without reads.
 */
import { spawn } from 'node:child_process';
import { argvOf, formatBytes, formatDuration, limitsOf, type Tool, ToolError, toolEnv } from '../tools/index.ts';

/** A process idle this long is closed (the next read starts another): a snapshot nobody closes holds none for long. */
const IDLE_MS = 500;

export interface BlobReader {
  /** The objects' contents by id (a missing object is absent); answers past `maxBytes` fail the read. */
  read(oids: readonly string[], maxBytes: number): Promise<Map<string, Buffer>>;
  /** Ends the process, if one runs; a later read starts another. */
  close(): void;
}

interface Batch {
  ask(oids: readonly string[], maxBytes: number): Promise<Map<string, Buffer>>;
  kill(): void;
}

/** `args` run git's `cat-file --batch` in the repository; `where` names the commit in errors. */
export function openBlobReader(
  git: Tool,
  args: readonly string[],
  env: Record<string, string>,
  where: string,
): BlobReader {
  let batch: Batch | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let idle: NodeJS.Timeout | undefined;
  const close = () => {
    clearTimeout(idle);
    batch?.kill();
    batch = null;
  };
  return {
    read(oids, maxBytes) {
      const answer = queue.then(async () => {
        clearTimeout(idle);
        batch ??= startBatch(git, args, env, where, () => {
          batch = null;
        });
        try {
          return await batch.ask(oids, maxBytes);
        } finally {
          idle = setTimeout(close, IDLE_MS).unref();
        }
      });
      queue = answer.catch(() => {});
      return answer;
    },
    close,
  };
}

function startBatch(
  git: Tool,
  args: readonly string[],
  env: Record<string, string>,
  where: string,
  gone: () => void,
): Batch {
  const limits = limitsOf(git);
  const [command, argv] = argvOf(git, args, limits);
  const child = spawn(command, argv, { env: toolEnv({ env }), stdio: ['pipe', 'pipe', 'pipe'] });
  // Only a pending read's timer keeps Node running: an idle process never does.
  child.unref();
  for (const pipe of [child.stdin, child.stdout, child.stderr]) (pipe as { unref?: () => void }).unref?.();
  let stderr = '';
  let dead: ToolError | null = null;
  let pending: { data(chunk: Buffer): void; fail(err: ToolError): void } | null = null;
  const die = (err: ToolError) => {
    if (dead) return;
    dead = err;
    gone();
    child.kill('SIGKILL');
    pending?.fail(err);
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  child.stdin.on('error', () => {});
  child.stdout.on('data', (chunk: Buffer) => {
    if (pending) pending.data(chunk);
    else die(new ToolError(`git cat-file for ${where} printed what no read asked for`, stderr));
  });
  child.on('error', (err) =>
    die(new ToolError(`git cat-file for ${where} could not start: ${err.message}`, '', { code: 'tool-missing' })),
  );
  child.on('close', (code, signal) => {
    const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    die(new ToolError(`git cat-file for ${where} ${why}${stderr.trim() ? `: ${stderr.trim()}` : ''}`, stderr));
  });
  return {
    kill() {
      // Closed between reads: git ends at the end of its input.
      if (!pending) {
        dead = new ToolError(`git cat-file for ${where} was closed`, '');
        gone();
        child.stdin.end();
      } else die(new ToolError(`git cat-file for ${where} was closed`, ''));
    },
    ask(oids, maxBytes) {
      if (dead) return Promise.reject(dead);
      return new Promise((resolve, reject) => {
        const parser = answers(oids);
        let total = 0;
        const timer = setTimeout(
          () =>
            die(
              new ToolError(
                `git cat-file for ${where} did not answer within ${formatDuration(limits.timeoutMs)}`,
                stderr,
                { code: 'tool-timeout' },
              ),
            ),
          limits.timeoutMs,
        );
        const done = (err: ToolError | null, out?: Map<string, Buffer>) => {
          clearTimeout(timer);
          pending = null;
          if (err) reject(err);
          else resolve(out as Map<string, Buffer>);
        };
        pending = {
          fail: (err) => done(err),
          data(chunk) {
            total += chunk.length;
            if (total > maxBytes)
              return die(
                new ToolError(`git cat-file for ${where} printed more than ${formatBytes(maxBytes)}`, stderr, {
                  code: 'tool-output',
                }),
              );
            const out = parser(chunk);
            if (out instanceof Error) return die(new ToolError(`git cat-file for ${where}: ${out.message}`, stderr));
            if (out) done(null, out);
          },
        };
        child.stdin.write(`${oids.join('\n')}\n`);
      });
    },
  };
}

/**
 * Takes the answers to `oids` (`<oid> <type> <size>\n<bytes>\n` or `<oid> missing\n`, in order) chunk
 * by chunk: the objects once all are in, null while some are not, an Error for anything else.
 */
export function answers(oids: readonly string[]): (chunk: Buffer) => Map<string, Buffer> | null | Error {
  const out = new Map<string, Buffer>();
  let next = 0;
  let chunks: Buffer[] = [];
  let have = 0;
  let need = 0;
  return (chunk) => {
    chunks.push(chunk);
    have += chunk.length;
    if (have < need) return null;
    let buf = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, have);
    while (next < oids.length) {
      const eol = buf.indexOf(0x0a);
      if (eol < 0) break;
      const [oid = '', type = '', size] = buf.subarray(0, eol).toString('latin1').split(' ');
      if (oid !== oids[next]) return new Error(`answered ${JSON.stringify(oid.slice(0, 64))} for ${oids[next]}`);
      if (type === 'missing' && size === undefined) {
        buf = buf.subarray(eol + 1);
        next++;
        continue;
      }
      const length = Number(size);
      if (!/^\d+$/.test(size ?? '') || !Number.isSafeInteger(length)) return new Error(`unreadable answer for ${oid}`);
      need = eol + 1 + length + 1;
      if (buf.length < need) break;
      out.set(oid, Buffer.from(buf.subarray(eol + 1, eol + 1 + length)));
      buf = buf.subarray(need);
      need = 0;
      next++;
    }
    chunks = buf.length > 0 ? [buf] : [];
    have = buf.length;
    if (next < oids.length) return null;
    return have === 0 ? out : new Error('printed more than was asked for');
  };
}
