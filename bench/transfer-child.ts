/**
 * One import or export in a process of its own, so that its peak memory (maxRSS) is its own.
 * Input (JSON argument): { direction: 'import' | 'export', file, prefix, concurrency? }.
 * Output: one JSON line with the transfer summary and maxRssMiB.
 */
import { exportToFile, importFromFile } from '../src/serialize/index.js';
import { S3Store } from '../src/store/index.js';

const { direction, file, prefix, bucket } = JSON.parse(process.argv[2] ?? '{}') as {
  direction: 'import' | 'export';
  file: string;
  prefix: string;
  bucket: string;
};
// The pinned AWS SDK works on Node 20; its notice about 2027 releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const store = new S3Store({ bucket, endpoint: process.env.S3_ENDPOINT });
const location = { store, prefix };
const summary =
  direction === 'import'
    ? await importFromFile(file, location, { overwrite: true })
    : await exportToFile(location, file);
await store.close();
console.log(JSON.stringify({ ...summary, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
