import { realClock, realRandom } from '../clock.js';
import { InvalidArgumentError } from '../errors.js';
import type { VolumeOptions } from './types.js';

/**
 * A transaction's changed pages kept in memory before they are uploaded early. Early uploads
 * cost no extra request (each page is one PUT either way), only a GET for a page read back
 * after it left, and a page written again after it left is uploaded again.
 */
export const DEFAULT_WRITE_BUFFER_BYTES = 16 * 1024 * 1024;
const DEFAULT_CHECKPOINT_INTERVAL = 32;
const DEFAULT_READ_AHEAD = 64;

/** A volume's options with every default filled in (`at` resolved later, by the opener). */
export type VolumeSettings = Required<
  Omit<VolumeOptions, 'cache' | 'at' | 'retention' | 'onBackgroundError'>
> & {
  /** The commit number the volume stays at, undefined for one that follows the head. */
  at: number | undefined;
  retention: VolumeOptions['retention'];
  onBackgroundError: VolumeOptions['onBackgroundError'];
};

/** `options` checked, with defaults for what they leave out; `InvalidArgumentError` if bad. */
export function volumeSettings(options: VolumeOptions): VolumeSettings {
  const settings: VolumeSettings = {
    writeBufferBytes: options.writeBufferBytes ?? DEFAULT_WRITE_BUFFER_BYTES,
    checkpointInterval: options.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL,
    readAheadMax: options.readAheadMax ?? DEFAULT_READ_AHEAD,
    prefetch: options.prefetch ?? false,
    singleWriter: options.singleWriter ?? false,
    readOnly: (options.readOnly ?? false) || options.at !== undefined,
    at: undefined,
    retention: options.retention,
    gcEvery: options.gcEvery ?? 0,
    onBackgroundError: options.onBackgroundError,
    clock: options.clock ?? realClock,
    random: options.random ?? realRandom,
  };
  if (!(settings.checkpointInterval >= 1)) {
    throw new InvalidArgumentError(`checkpointInterval must be at least 1`);
  }
  if (!(Number.isSafeInteger(settings.gcEvery) && settings.gcEvery >= 0)) {
    throw new InvalidArgumentError(`gcEvery must be a whole number ≥ 0, not ${options.gcEvery}`);
  }
  return settings;
}
