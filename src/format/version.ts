/** Version of the layout of objects described in docs/FORMAT.md. */
export const FORMAT_VERSION = 1;

/** Page sizes SQLite allows: powers of two from 512 to 65536. */
export function isValidPageSize(size: number): boolean {
  return Number.isInteger(size) && size >= 512 && size <= 65536 && (size & (size - 1)) === 0;
}
