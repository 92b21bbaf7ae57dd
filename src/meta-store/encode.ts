import { decode as decodeMsgpack, encode as encodeMsgpack } from '@msgpack/msgpack';
import { CorruptError } from '../errors.js';
import { DATE_KEY } from './json-text.js';
import type { Encoding, IndexedScalar, ResourceMeta } from './types.js';
import { checkMeta } from './values.js';

/**
 * The whole record as stored in the `data` column: JSON (UTF-8) or MessagePack. Decoding is
 * plain data only — JSON.parse, or MessagePack with nothing but its standard timestamp
 * extension — and the result is checked like a record handed to `set()`, so no stored byte can
 * run code or come back as anything but a {@link ResourceMeta}.
 */

/** The first byte of every JSON record (`{`); a MessagePack record never starts with it. */
const JSON_MARK = 0x7b;

/** Encode `meta` (already checked) as `encoding`. */
export function encodeRecord(meta: ResourceMeta, encoding: Encoding): Uint8Array {
  if (encoding === 'msgpack') {
    // MessagePack has a timestamp type, which the library maps to and from Date.
    return encodeMsgpack(meta);
  }
  const plain = {
    ...meta,
    createdTime: meta.createdTime.getTime(),
    updatedTime: meta.updatedTime.getTime(),
    indexedData: mapValues(meta.indexedData, (value) =>
      Array.isArray(value) ? value.map(tagDate) : tagDate(value as IndexedScalar),
    ),
  };
  return new TextEncoder().encode(JSON.stringify(plain));
}

/**
 * Decode a stored record of either encoding (told apart by its first byte).
 * @throws CorruptError naming `where` when the bytes are not a valid record.
 */
export function decodeRecord(bytes: Uint8Array, where: string): ResourceMeta {
  try {
    if (bytes[0] === JSON_MARK) {
      const plain = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<
        string,
        unknown
      >;
      const indexed = plain.indexedData;
      return checkMeta({
        ...plain,
        createdTime: untagTime(plain.createdTime),
        updatedTime: untagTime(plain.updatedTime),
        indexedData:
          typeof indexed === 'object' && indexed !== null && !Array.isArray(indexed)
            ? mapValues(indexed as Record<string, unknown>, (value) =>
                Array.isArray(value) ? value.map(untagDate) : untagDate(value),
              )
            : indexed,
      });
    }
    const plain = decodeMsgpack(bytes) as Record<string, unknown>;
    const indexed = plain.indexedData;
    return checkMeta({
      ...plain,
      // Rebuilt so the object is a plain one with own properties only.
      indexedData:
        typeof indexed === 'object' && indexed !== null && !Array.isArray(indexed)
          ? mapValues(indexed as Record<string, unknown>, (value) => value)
          : indexed,
    });
  } catch (error) {
    throw new CorruptError(where, `cannot decode the stored record: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function mapValues<T, U>(
  record: { readonly [key: string]: T },
  fn: (value: T) => U,
): Record<string, U> {
  // fromEntries defines own properties, so a key such as "constructor" stays plain data.
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}

function tagDate(value: IndexedScalar): unknown {
  return value instanceof Date ? { [DATE_KEY]: value.getTime() } : value;
}

function untagDate(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const millis = (value as Record<string, unknown>)[DATE_KEY];
    if (keys.length === 1 && typeof millis === 'number') return new Date(millis);
  }
  return value;
}

function untagTime(value: unknown): unknown {
  return typeof value === 'number' ? new Date(value) : value;
}
