/**
 * Names of the objects of one database under its prefix. Every name is a pure function of
 * what it identifies, so a reader can find a commit, a checkpoint or a page without listing.
 *
 *   <prefix>/s3lite.json                  marker: "this is an s3lite database", format version
 *   <prefix>/commits/<seq, 12 digits>     commit record, created once with If-None-Match: *
 *   <prefix>/checkpoints/<seq, 12 digits> full page map as of that commit
 *   <prefix>/latest-checkpoint            hint: the newest checkpoint's sequence number
 *   <prefix>/oldest-retained              written by GC: commits before this one may be gone
 *   <prefix>/pages/<txid>/<page>-<crc>    one version of one page, written by transaction txid
 */

import { parseSeq } from './retention.js';

const SEQ_DIGITS = 12;

/** Join a prefix and a name; an empty prefix means the bucket's root. */
function under(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}/${name}`;
}

/** A prefix as key names use it: without leading or trailing slashes. */
export function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

export function markerKey(prefix: string): string {
  return under(prefix, 's3lite.json');
}

export function commitKey(prefix: string, seq: number): string {
  return under(prefix, `commits/${String(seq).padStart(SEQ_DIGITS, '0')}`);
}

/**
 * The sequence number a `commits/<seq>` or `checkpoints/<seq>` key names (undefined for any
 * other key), against which a decoder checks the number the object itself carries.
 */
export function seqOfKey(key: string): number | undefined {
  return parseSeq(key.slice(key.lastIndexOf('/') + 1));
}

export function checkpointKey(prefix: string, seq: number): string {
  return under(prefix, `checkpoints/${String(seq).padStart(SEQ_DIGITS, '0')}`);
}

export function latestCheckpointKey(prefix: string): string {
  return under(prefix, 'latest-checkpoint');
}

export function oldestRetainedKey(prefix: string): string {
  return under(prefix, 'oldest-retained');
}

/**
 * A page version's key. The transaction id makes it unique per writer (racing writers never
 * share a key); the checksum makes it unique per content within a transaction, so a page
 * rewritten before its commit never overwrites its earlier upload.
 */
export function pageKey(prefix: string, txid: string, pageNo: number, crc: number): string {
  return under(prefix, `pages/${txid}/${pageNo}-${crc.toString(16).padStart(8, '0')}`);
}

/** Where a database's objects start, for listing (GC, emptiness checks). */
export function databasePrefix(prefix: string): string {
  return prefix === '' ? '' : `${prefix}/`;
}
