/** Where the public benchmark data lives: `../shared/data` beside the project checkout. */
import { fileURLToPath } from 'node:url';

export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
export const NAB_ROOT = `${SHARED_DATA}nab/`;
export const NEZHA_ROOT = `${SHARED_DATA}nezha/`;
