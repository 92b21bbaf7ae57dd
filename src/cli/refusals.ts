import { DatabaseExistsError, NotFoundError, S3liteError } from '../errors.js';
import { normalizePrefix } from '../format/keys.js';

/**
 * Run `work`, turning the library's refusal to replace a database (whose message names the
 * API's `overwrite` option) into one that names the command's `--overwrite` flag.
 */
export async function withOverwriteFlag<T>(target: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DatabaseExistsError)) throw error;
    throw new DatabaseExistsError(
      `${target} already holds a database; pass --overwrite to replace it`,
    );
  }
}

/** Refuse to replace an existing destination unless `--overwrite` was given. */
export function refuseExisting(destination: string, exists: boolean, overwrite: boolean): void {
  if (exists && !overwrite) {
    throw new DatabaseExistsError(`${destination} already exists; pass --overwrite to replace it`);
  }
}

/**
 * Run `work` on the database at `url`, reporting a location without one the same way
 * whichever command asked: `info`, `log` and `export` all say "no database at <url>".
 */
export async function requireDatabase<T>(url: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // The volume names its prefix as the missing key (the URL ends with it, slashes aside); a
    // missing page would name its own key.
    if (
      error instanceof NotFoundError &&
      normalizePrefix(url).endsWith(normalizePrefix(error.key))
    ) {
      throw noDatabase(url);
    }
    throw error;
  }
}

/** The failure of a command that needs a database where there is none. */
export function noDatabase(url: string): S3liteError {
  return new S3liteError('NOT_FOUND', `no database at ${url} (it is created by its first write)`);
}
