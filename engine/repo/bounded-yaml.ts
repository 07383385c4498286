/**
 * YAML from a config repo, parsed within bounds: an alias bomb or a document nested thousands deep is
 * a ConfigError naming the file and the document, never a crash or a runaway expansion.
 */
import type { Document } from 'yaml';
import { ConfigError } from '../model/errors.ts';

/** Alias resolutions allowed per document (the `yaml` library's own default, made explicit). */
export const MAX_ALIAS_COUNT = 100;

/** `doc.toJS()`, bounded; `where` names the file (and the document when there are several). */
export function toJsBounded(doc: Document, where: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new ConfigError(
        `${where}: YAML aliases expand more than ${MAX_ALIAS_COUNT} times; salve does not expand alias bombs`,
        { code: 'yaml-aliases' },
      );
    }
    if (err instanceof RangeError) {
      throw new ConfigError(`${where}: YAML nested too deeply to read`, { code: 'yaml-depth' });
    }
    throw err;
  }
}
