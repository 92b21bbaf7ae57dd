import type { ObjectStore } from '../../store/types.js';
import type { GcOptions, GcReport } from '../../volume/gc.js';
import type { CommitInfo, VolumeOptions, VolumeStats } from '../../volume/types.js';
import { Volume } from '../../volume/volume.js';
import type { Backend } from '../backend.js';
import { VolumeFile } from './volume-file.js';

/** A database in the s3lite format: a {@link Volume} and the file SQLite opens on it. */
export class S3liteBackend implements Backend {
  readonly layout = 's3lite';
  readonly mainFile: VolumeFile;

  constructor(readonly volume: Volume) {
    this.mainFile = new VolumeFile(volume);
  }

  /** Open the volume under `prefix` (see `Volume.open`). */
  static async open(
    store: ObjectStore,
    prefix: string,
    options: VolumeOptions,
  ): Promise<S3liteBackend> {
    return new S3liteBackend(await Volume.open(store, prefix, options));
  }

  get store(): ObjectStore {
    return this.volume.store;
  }

  get prefix(): string {
    return this.volume.prefix;
  }

  get snapshot(): CommitInfo {
    return this.volume.snapshot;
  }

  stats(): VolumeStats {
    return this.volume.stats();
  }

  gc(options: GcOptions): Promise<GcReport> {
    return this.volume.gc(options);
  }

  close(): Promise<void> {
    return this.volume.close();
  }
}
