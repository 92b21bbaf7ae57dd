import { bulkLoad, type BulkLoad, type BulkLoadJob } from '../scenarios/bulk-load.js';
import { metaStore, type MetaStoreBench, type MetaStoreJob } from '../scenarios/meta-store.js';
import {
  loadRewriteDatabase,
  rewrite,
  type Rewrite,
  type RewriteJob,
  type RewriteLoadJob,
} from '../scenarios/rewrite.js';
import { pointLookup, type PointLookup, type PointLookupJob } from '../scenarios/point-lookup.js';
import { scan, type Scan, type ScanJob } from '../scenarios/scan.js';
import {
  singleInsert,
  type SingleInsert,
  type SingleInsertJob,
} from '../scenarios/single-insert.js';
import {
  raw,
  transfer,
  type Raw,
  type RawJob,
  type Transfer,
  type TransferJob,
} from '../scenarios/transfer.js';
import { wholeFile, type WholeFile, type WholeFileJob } from '../scenarios/whole-file.js';
import { writer, type Writer, type WriterJob } from '../scenarios/writer.js';

/** A child that loads what every job loads and does nothing: the floor under every peak RSS. */
export interface IdleJob {
  kind: 'idle';
}

/** What a child process can be asked to do (its one JSON argument). */
export type Job =
  | IdleJob
  | BulkLoadJob
  | PointLookupJob
  | SingleInsertJob
  | ScanJob
  | RawJob
  | TransferJob
  | WholeFileJob
  | WriterJob
  | MetaStoreJob
  | RewriteLoadJob
  | RewriteJob;

/** The result of each kind of job. */
export interface JobResults {
  idle: Record<string, never>;
  'bulk-load': BulkLoad[];
  'point-lookup': PointLookup;
  'single-insert': SingleInsert;
  scan: Scan;
  raw: Raw;
  import: Transfer;
  export: Transfer;
  'whole-file': WholeFile;
  writer: Writer;
  'meta-store': MetaStoreBench;
  'rewrite-load': Record<string, never>;
  rewrite: Rewrite;
}

export type ResultOf<J extends Job> = JobResults[J['kind']];

/** Run a job in this process. */
export function runJob(job: Job): Promise<JobResults[Job['kind']]> {
  switch (job.kind) {
    case 'idle':
      return Promise.resolve({});
    case 'bulk-load':
      return bulkLoad(job);
    case 'point-lookup':
      return pointLookup(job);
    case 'single-insert':
      return singleInsert(job);
    case 'scan':
      return scan(job);
    case 'raw':
      return raw(job);
    case 'import':
    case 'export':
      return transfer(job);
    case 'whole-file':
      return wholeFile(job);
    case 'writer':
      return writer(job);
    case 'meta-store':
      return metaStore(job);
    case 'rewrite-load':
      return loadRewriteDatabase(job);
    case 'rewrite':
      return rewrite(job);
  }
}
