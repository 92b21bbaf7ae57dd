/**
 * Key names of the blocks layout, exactly as the Python library sqlite-s3vfs makes them: a
 * file (the database, or its rollback journal) is stored as fixed-size blocks, one object per
 * block, at `<file>/<block index>`, the index in decimal zero-padded to 10 digits (Python's
 * `f'{block:010d}'`). The journal of a database stored at `<file>` is the file
 * `<file>-journal`, SQLite's own name for it.
 */

const BLOCK_DIGITS = 10;
const BLOCK_NAME = /^\d{10,}$/;

/** The key of block `index` (0-based) of the file stored under `file`. */
export function blockKey(file: string, index: number): string {
  return `${file}/${String(index).padStart(BLOCK_DIGITS, '0')}`;
}

/** What every block key of `file` starts with, for listing. */
export function blocksPrefix(file: string): string {
  return `${file}/`;
}

/** The block index a listed key names, or undefined for a key that is not a block of `file`. */
export function blockIndexOf(file: string, key: string): number | undefined {
  const name = key.slice(blocksPrefix(file).length);
  return key.startsWith(blocksPrefix(file)) && BLOCK_NAME.test(name) ? Number(name) : undefined;
}

/** The file that holds the rollback journal of the database stored under `file`. */
export function journalFile(file: string): string {
  return `${file}-journal`;
}
