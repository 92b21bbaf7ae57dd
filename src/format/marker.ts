import { CorruptError, FormatVersionError, NotADatabaseError } from '../errors.js';
import { FORMAT_VERSION } from './version.js';

/** The marker object's content: it says a prefix holds an s3lite database, and which format. */
export interface Marker {
  format: 's3lite';
  version: number;
  /** When the database was created, ISO 8601. */
  created: string;
}

export function encodeMarker(now: Date = new Date()): Uint8Array {
  const marker: Marker = { format: 's3lite', version: FORMAT_VERSION, created: now.toISOString() };
  return new TextEncoder().encode(`${JSON.stringify(marker)}\n`);
}

/** Parse a marker, refusing what is not one and formats newer than this code understands. */
export function decodeMarker(key: string, bytes: Uint8Array): Marker {
  let value: Partial<Marker>;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<Marker>;
  } catch (error) {
    throw new CorruptError(key, 'the marker is not JSON', { cause: error });
  }
  if (value?.format !== 's3lite') {
    throw new NotADatabaseError(`"${key}" exists but is not an s3lite marker`);
  }
  if (typeof value.version !== 'number' || value.version > FORMAT_VERSION) {
    throw new FormatVersionError(
      `the database at "${key}" uses s3lite format version ${value.version}; ` +
        `this s3lite reads versions up to ${FORMAT_VERSION}: upgrade s3lite`,
    );
  }
  if (!Number.isInteger(value.version) || value.version < 1 || typeof value.created !== 'string') {
    throw new CorruptError(key, 'the marker has an invalid version or creation time');
  }
  return value as Marker;
}
