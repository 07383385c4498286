/** Where the test beds live: `../shared/testbeds` beside the salve checkout. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_TESTBEDS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/testbeds');
