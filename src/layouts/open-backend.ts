import { NotADatabaseError, NotFoundError } from '../errors.js';
import { normalizePrefix } from '../format/keys.js';
import type { ObjectStore } from '../store/types.js';
import type { VolumeOptions } from '../volume/types.js';
import type { Backend, Layout, LayoutOptions } from './backend.js';
import { BlocksBackend } from './blocks/blocks-backend.js';
import { ObjectBackend } from './object/object-backend.js';
import { S3liteBackend } from './s3lite/s3lite-backend.js';

/** Options of {@link openBackend}: the volume's, plus the layout and its block size. */
export interface BackendOptions extends VolumeOptions {
  /** The layout, or `auto` (default) to find it out; see {@link openBackend}. */
  layout?: Layout | 'auto';
  /** Bytes per block of the blocks layout. */
  blockSize?: number;
}

/**
 * Open the database at `prefix` in the layout asked for. `auto` finds it out at no cost for
 * an s3lite database: opening one reads its marker. Only where there is none:
 * - a prefix that holds objects, `<prefix>/0000000000` among them, is in the blocks layout;
 * - a prefix that holds nothing but names an object with a SQLite header is a plain object;
 * - anything else is a new s3lite database, or not a database (`NOT_A_DATABASE`).
 * Opening at a past commit (`at`) is for the s3lite format only.
 */
export async function openBackend(
  store: ObjectStore,
  prefix: string,
  options: BackendOptions,
): Promise<Backend> {
  const { layout = 'auto', blockSize, ...volumeOptions } = options;
  const name = normalizePrefix(prefix);
  const layoutOptions: LayoutOptions = { ...volumeOptions, blockSize };
  switch (layout) {
    case 's3lite':
      return S3liteBackend.open(store, name, volumeOptions);
    case 'blocks':
      return BlocksBackend.open(store, name, layoutOptions);
    case 'object':
      return ObjectBackend.open(store, name, layoutOptions);
    case 'auto':
      if (volumeOptions.at !== undefined) return S3liteBackend.open(store, name, volumeOptions);
      return openDetected(store, name, volumeOptions, layoutOptions);
  }
}

async function openDetected(
  store: ObjectStore,
  name: string,
  volumeOptions: VolumeOptions,
  layoutOptions: LayoutOptions,
): Promise<Backend> {
  let s3lite: S3liteBackend;
  try {
    s3lite = await S3liteBackend.open(store, name, volumeOptions);
  } catch (error) {
    if (!(error instanceof NotADatabaseError) || name === '') throw error;
    const blocks = await BlocksBackend.open(store, name, layoutOptions);
    if (blocks.exists) return blocks;
    await blocks.close();
    throw error;
  }
  if (s3lite.snapshot.seq > 0 || name === '') return s3lite;
  try {
    const object = await ObjectBackend.open(store, name, layoutOptions);
    await s3lite.close();
    return object;
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof NotADatabaseError) return s3lite;
    await s3lite.close();
    throw error;
  }
}
