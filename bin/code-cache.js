// Loads the command line built as one CommonJS file (lib/salve-cli.json names it and its sha256)
// through vm.Script with V8's code cache, kept in the user's cache directory: Node 20 caches no code
// for ES modules, and parsing and compiling the CLI's JavaScript is most of what a short `salve`
// call spends before its own work. The cache is keyed by the bundle's sha256, the V8 version and the
// architecture (V8 also rejects data made by another V8 or flags), one per command; a missing, foreign or unreadable
// cache only means a normal compile, and a fresh cache written after the command ran.
// CommonJS on purpose (bin/package.json), like bin/salve.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');
const { isAscii } = require('node:buffer');

/** Caches kept per directory (one per bundle, command and Node): the newest few. */
const KEEP = 16;
/** A code cache larger than this is not read (the CLI's is a few MiB). */
const MAX_BYTES = 64 * 1024 * 1024;

/** The bundle lib/ points at, or null when there is none or this Node cannot require() ES-only packages. */
function bundleIn(libDir) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  // require() of ES modules (the Kubernetes client) works unflagged from Node 20.19 on.
  if (major < 20 || (major === 20 && minor < 19)) return null;
  let pointer;
  try {
    pointer = JSON.parse(fs.readFileSync(path.join(libDir, 'salve-cli.json'), 'utf8'));
  } catch {
    return null;
  }
  if (typeof pointer.file !== 'string' || !/^salve-cli-[0-9a-f]{16}\.cjs$/.test(pointer.file)) return null;
  if (typeof pointer.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(pointer.sha256)) return null;
  const file = path.join(libDir, pointer.file);
  return fs.existsSync(file) ? { file, sha256: pointer.sha256 } : null;
}

/**
 * One cache per command: a cache holds the functions compiled by the run that wrote it, so a cache
 * written by `salve --version` would leave `salve plan` compiling most of its code again.
 */
function cacheFile(dir, sha256, command) {
  const name = /^[a-z][a-z-]{0,31}$/.test(command ?? '') ? command : 'other';
  return path.join(dir, `salve-cli-${sha256}-${name}-v8-${process.versions.v8}-${process.arch}.bin`);
}

function readCache(file) {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      if (fs.fstatSync(fd).size > MAX_BYTES) return undefined;
      return fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Writes atomically, then drops all but the KEEP newest caches of the directory. Never throws. */
function writeCache(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, file);
    const dir = path.dirname(file);
    const caches = fs
      .readdirSync(dir)
      .filter((name) => /^salve-cli-.*\.bin$/.test(name))
      .map((name) => ({ name, mtime: fs.statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const old of caches.slice(KEEP)) fs.rmSync(path.join(dir, old.name), { force: true });
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // The directory itself is unusable: nothing was written.
    }
  }
}

/** How scripts/build-cli.mjs begins the bundle: Node's CommonJS wrapper, already in the file. */
const WRAPPED = '(function (exports, require, module, __filename, __dirname) { ';

/**
 * The bundle's text, ready to compile. The build writes it in ASCII and wrapped, so it is read as
 * latin1: Node then makes a one-byte string outside V8's heap, which V8 compiles as it is (a UTF-8
 * read of one non-ASCII character, or wrapping the text here, would cost one or two more copies of
 * the 4 MB source). A bundle from an older build is wrapped here as Node would.
 */
function readSource(file) {
  const bytes = fs.readFileSync(file);
  const ascii = typeof isAscii === 'function' && isAscii(bytes);
  const text = bytes.toString(ascii ? 'latin1' : 'utf8');
  return text.startsWith(WRAPPED) ? text : Module.wrap(text);
}

/**
 * The CLI module's exports ({ run }), or null when lib/ has no CommonJS build for this Node.
 * `save()` writes the code cache when there was none to use: call it after the command ran, so the
 * cache also holds the functions the command compiled.
 */
function loadCli(libDir, cacheDir, command) {
  const bundle = bundleIn(libDir);
  if (!bundle) return null;
  const cache = cacheFile(cacheDir, bundle.sha256, command);
  const cachedData = readCache(cache);
  const source = readSource(bundle.file);
  const script = new vm.Script(source, {
    filename: bundle.file,
    cachedData,
    ...(vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER
      ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }
      : {}),
  });
  const mod = { exports: {}, filename: bundle.file, id: bundle.file, loaded: false };
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(bundle.file), mod, bundle.file, libDir);
  mod.loaded = true;
  const fresh = cachedData === undefined || script.cachedDataRejected === true;
  return {
    exports: mod.exports,
    save() {
      if (fresh) writeCache(cache, script.createCachedData());
    },
  };
}

module.exports = { loadCli, cacheFile };
