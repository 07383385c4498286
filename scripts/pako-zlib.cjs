// pako as isomorphic-git uses it (deflate, inflate, and the streaming Inflate for packfiles), with
// the two one-shot calls on Node's zlib: native, and its memory freed when the call returns, where
// pako's JavaScript deflate allocates some 300 KB of typed arrays per object that wait for a GC
// (about 4 MB of a `salve plan`'s peak). scripts/build-cli.mjs puts this in place of `pako` for
// isomorphic-git in the bundles; tests that run the sources use pako itself.
'use strict';
const zlib = require('node:zlib');
const { Inflate } = require('pako/lib/inflate.js');

function deflate(data) {
  return zlib.deflateSync(data);
}

/** pako throws its message as a string on corrupt data, and isomorphic-git tells it apart by that. */
function inflate(data) {
  try {
    return zlib.inflateSync(data);
  } catch (err) {
    throw String((err && err.message) || err);
  }
}

module.exports = { deflate, inflate, Inflate };
