/**
 * Builds salve's command line into lib/: engine/cli/main.ts and the git server's child process as
 * ESM bundles (esbuild), split into shared chunks so a command loads only the code it runs. Pure
 * JavaScript dependencies are bundled into those chunks: Node then reads a few large files instead
 * of resolving and compiling some 450 small ones on every `salve plan`. Packages that read their own
 * files, start workers or load plugins at run time (EXTERNAL) stay installed beside the package;
 * policies, templates and schemas are read from the package root at run time, never copied.
 *
 * The command line itself is also built as one CommonJS file (CLI_BUNDLE, named by its digest in
 * CLI_POINTER): Node 20 keeps no code cache for ES modules, but bin/code-cache.js can load a
 * CommonJS file through vm.Script with V8's cached code, which spares each `salve` call the parse
 * and compile of megabytes of JavaScript. The ESM build stays for the git server's child process
 * and for a Node that cannot require() the ES-only dependencies.
 *
 *   node scripts/build-cli.mjs          build now
 *   ensureBuilt()                       build only when a source is newer than lib/ (bin/salve asks
 *                                       bin/stale.js itself, and loads this file only to rebuild)
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import stale from '../bin/stale.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LIB = join(ROOT, 'lib');
const STAMP = join(LIB, '.built');
const ENTRIES = ['engine/cli/main.ts', 'engine/publish/git-server-main.ts'];
/**
 * Dependencies loaded from node_modules at run time rather than bundled: bullmq reads its Lua
 * scripts from its own directory, pino starts transports as worker files, the OpenTelemetry SDK
 * and the Kubernetes client load modules by name, esbuild is a native binary.
 */
const EXTERNAL = ['bullmq', 'ioredis', 'pino', '@opentelemetry/sdk-node', '@kubernetes/client-node', 'esbuild'];
/**
 * The CommonJS build bundles pino all the same: salve's logger writes to a file descriptor and
 * starts no transport, so the worker files are never looked for, and every command logs. Loaded
 * from node_modules it was 29 files resolved and compiled without the code cache on each call.
 */
const CJS_EXTERNAL = EXTERNAL.filter((name) => name !== 'pino');
/** Bundled CommonJS dependencies call require() for Node built-ins: each ESM chunk gets one. */
const REQUIRE_BANNER =
  "import { createRequire as __salveCreateRequire } from 'node:module'; const require = __salveCreateRequire(import.meta.url);";
/**
 * The CLI as one CommonJS file (salve-cli-<digest>.cjs once built), and the small file naming it
 * with its sha256 (read by bin/salve).
 */
const CLI_BUNDLE = 'salve-cli.cjs';
const CLI_POINTER = 'salve-cli.json';
/**
 * import.meta.url in the CommonJS build: the URL of a module in lib/, as in the ESM build (code finds
 * the package root, the schemas and git-server-main.js from it).
 */
const CJS_BANNER =
  "const __salveModuleUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, 'main.js')).href;";
/**
 * Globals the bundled code is built without. isomorphic-git compresses each object it writes
 * through CompressionStream when the global exists (Node 20 has it): a web stream, a Blob and a
 * Response per object, and the first one loads Node's whole fetch implementation (undici), some
 * 50 ms and megabytes of heap in a `salve plan` that fetches nothing. Without the global it uses
 * pako, which it bundles anyway and already uses for inflating (it turned DecompressionStream off
 * itself). The objects are the same; only the zlib stream may differ byte for byte, as git's own does.
 */
const BUILT_WITHOUT = { CompressionStream: 'undefined' };
/**
 * The CommonJS wrapper Node puts around a module (Module.wrap), written into the bundle itself:
 * bin/code-cache.js then compiles the file's text as it was read, with no concatenated copy.
 */
const CJS_WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n});'];

/**
 * Every character of the CommonJS bundle escaped to ASCII (esbuild leaves some in regular
 * expressions): one non-ASCII character makes V8 hold the whole 4 MB source as a two-byte string,
 * and only ASCII can be read as latin1 into a one-byte string outside V8's heap. `\uXXXX` means
 * the same character in strings, templates, regular expressions and identifiers; the bundle has no
 * String.raw over such text (checked by the build: it fails on a raw template with one).
 */
export function toAscii(code) {
  if (/String\.raw`[^`]*[^\x00-\x7f]/.test(code)) throw new Error('build-cli: String.raw template with non-ASCII text');
  return code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** isomorphic-git's `pako` resolves to scripts/pako-zlib.cjs (why: there). */
const pakoOnZlib = {
  name: 'pako-on-zlib',
  setup(build) {
    build.onResolve({ filter: /^pako$/ }, (args) =>
      /[\\/]isomorphic-git[\\/]/.test(args.importer) ? { path: join(ROOT, 'scripts', 'pako-zlib.cjs') } : undefined,
    );
  },
};

/** True when lib/ is missing or older than any source (bin/stale.js, which bin/salve asks first). */
export async function isStale() {
  return stale.isStale(ROOT);
}

/**
 * Builds into a temp dir, then moves each file into lib/ (a rename replaces a file atomically, so a
 * salve started meanwhile loads either the old or the new build) and drops files of older builds.
 */
export async function buildCli() {
  const { build } = await import('esbuild');
  await mkdir(LIB, { recursive: true });
  const tmp = await mkdtemp(join(ROOT, '.lib-'));
  try {
    const common = {
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      target: 'node20',
      external: EXTERNAL,
      define: BUILT_WITHOUT,
      plugins: [pakoOnZlib],
      legalComments: 'external',
      metafile: true,
      logLevel: 'warning',
    };
    const cjs = build({
      ...common,
      entryPoints: ['engine/cli/main.ts'],
      outfile: join(tmp, CLI_BUNDLE),
      format: 'cjs',
      external: CJS_EXTERNAL,
      define: { ...BUILT_WITHOUT, 'import.meta.url': '__salveModuleUrl' },
      minifyWhitespace: true,
      minifySyntax: true,
      banner: { js: CJS_BANNER },
    });
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ENTRIES,
      outdir: tmp,
      entryNames: '[name]',
      chunkNames: 'chunk-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: EXTERNAL,
      define: BUILT_WITHOUT,
      plugins: [pakoOnZlib],
      banner: { js: REQUIRE_BANNER },
      legalComments: 'external',
      metafile: true,
      logLevel: 'warning',
    });
    const cjsResult = await cjs;
    const cjsText = await readFile(join(tmp, CLI_BUNDLE), 'utf8');
    await writeFile(join(tmp, CLI_BUNDLE), `${CJS_WRAPPER[0]}${toAscii(cjsText)}${CJS_WRAPPER[1]}`, 'latin1');
    const outputs = [...Object.keys(result.metafile.outputs), ...Object.keys(cjsResult.metafile.outputs)]
      .map((p) => relative(tmp, join(ROOT, p)))
      .filter((p) => p !== CLI_BUNDLE);
    // Named by its digest: a salve started during a rebuild reads the pointer and a bundle that agree.
    const sha256 = createHash('sha256')
      .update(await readFile(join(tmp, CLI_BUNDLE)))
      .digest('hex');
    const bundle = `salve-cli-${sha256.slice(0, 16)}.cjs`;
    await rename(join(tmp, CLI_BUNDLE), join(tmp, bundle));
    await writeFile(join(tmp, CLI_POINTER), `${JSON.stringify({ file: bundle, sha256 })}\n`);
    outputs.push(bundle);
    // The pointer last: it never names a bundle that is not there yet.
    outputs.push(CLI_POINTER);
    // Chunks before entries: an entry never points at a chunk that is not there yet.
    outputs.sort((a, b) => rank(a) - rank(b));
    for (const file of outputs) await rename(join(tmp, file), join(LIB, file));
    const keep = new Set(outputs);
    for (const name of await readdir(LIB)) if (!keep.has(name) && name !== '.built') await rm(join(LIB, name));
    await writeFile(STAMP, `${new Date().toISOString()}\n`);
    return outputs;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Chunks before entries, the CLI pointer last. */
function rank(file) {
  if (file.startsWith('chunk-')) return 0;
  return file === CLI_POINTER ? 2 : 1;
}

export async function ensureBuilt() {
  if (await isStale()) await buildCli();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outputs = await buildCli();
  process.stderr.write(`build-cli: ${outputs.length} files in lib/\n`);
}
