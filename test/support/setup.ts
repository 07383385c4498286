/** Runs in every test file (vitest `setupFiles`): what test helpers leave behind goes with the file. */
import { afterAll } from 'vitest';
import { removeTestTempDirs } from './temp-dirs.ts';

afterAll(removeTestTempDirs);
