// Whether the compiled CLI in lib/ is older than a source of this checkout: any engine/**.ts or .js
// file but the specs, or one of the build's other inputs. Synchronous and CommonJS on purpose:
// bin/salve asks on every call in a source checkout, and walking some 400 files with sync stats
// costs a few milliseconds where the promise-per-file walk (and loading the ES module loader for
// scripts/build-cli.mjs) cost 40-60 ms of each `salve` call; the build script is loaded only to rebuild.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Files besides engine/**.ts whose change means a rebuild. */
const INPUTS = ['package.json', 'package-lock.json', 'scripts/build-cli.mjs', 'scripts/pako-zlib.cjs'];

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function newestSource(dir, newest) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = newestSource(file, newest);
    else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

/** True when lib/ was never built here or a source is newer than its last build (lib/.built). */
function isStale(root) {
  const built = mtime(path.join(root, 'lib', '.built'));
  if (built === null) return true;
  let newest = newestSource(path.join(root, 'engine'), 0);
  for (const file of INPUTS) newest = Math.max(newest, mtime(path.join(root, file)) ?? 0);
  return newest > built;
}

module.exports = { isStale, INPUTS };
