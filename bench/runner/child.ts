/**
 * One job in a process of its own, so that its peak memory (maxRSS) is its own:
 *   node --import tsx bench/runner/child.ts '<job as JSON>'
 * The last line of stdout is `{ result, maxRssMiB }`.
 */
import { writeSync } from 'node:fs';
import { runJob, type Job } from './jobs.js';

// The pinned AWS SDK works on Node 20; its notice about 2027 releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const result = await runJob(job);
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
writeSync(1, `${JSON.stringify({ result, maxRssMiB })}\n`);
