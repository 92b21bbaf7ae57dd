/**
 * A file that lives only in memory while it is open: rollback journals, statement journals,
 * temporary databases. Nothing of it needs to outlive the connection: commits are made
 * atomic by the volume, so a journal is never needed to repair the database after a crash,
 * and SQLite is told that no journal is ever hot.
 */
export class MemoryFile {
  private data = new Uint8Array(0);
  /** Logical size; `data` may be longer to leave room for appends. */
  size = 0;

  /** Copy bytes at `offset` into `into`; returns how many there were (fewer at end of file). */
  read(into: Uint8Array, offset: number): number {
    const available = Math.max(0, Math.min(into.byteLength, this.size - offset));
    if (available > 0) into.set(this.data.subarray(offset, offset + available));
    return available;
  }

  write(bytes: Uint8Array, offset: number): void {
    const end = offset + bytes.byteLength;
    if (end > this.data.byteLength) {
      // Grow geometrically: journals are written by appending page after page.
      const grown = new Uint8Array(Math.max(end, this.data.byteLength * 2));
      grown.set(this.data.subarray(0, this.size));
      this.data = grown;
    }
    this.data.set(bytes, offset);
    this.size = Math.max(this.size, end);
  }

  truncate(size: number): void {
    if (size < this.size) {
      // Bytes cut off must read as zeros if the file grows again.
      this.data.fill(0, size, this.size);
    } else if (size > this.data.byteLength) {
      const grown = new Uint8Array(size);
      grown.set(this.data.subarray(0, this.size));
      this.data = grown;
    }
    this.size = size;
  }
}
