/**
 * Loaded with `--import` into a child process under test: on exit, writes the process's peak
 * resident set size (KiB) to the file named by SALVE_TEST_RSS_FILE.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.SALVE_TEST_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
