/** Starts a Redis with the test harness, prints its process group, and waits to be killed. */
import { startRedis } from '../redis.ts';

const redis = await startRedis();
process.stdout.write(`pgid ${redis.proc.pid}\n`);
setInterval(() => {}, 60_000);
