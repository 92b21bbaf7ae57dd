import { InvalidArgumentError } from '../errors.js';
import { checksum, isValidPageSize, pageSpans } from '../format/index.js';
import { PageSlabs, type Slot } from './page-slabs.js';

/** How a transaction reaches what lies below it. */
export interface TransactionIO {
  /** Bytes of the snapshot the transaction started from (may be short at its end). */
  readBase(offset: number, length: number): Promise<Uint8Array>;
  /** A page this transaction already uploaded early. */
  readUploaded(pageNo: number, crc: number): Promise<Uint8Array>;
  /**
   * Upload pages before the commit; they stay invisible until the commit record exists.
   * `uploaded` is told of each page as soon as it is stored, so that its bytes can be let go.
   */
  uploadEarly(
    pages: Iterable<[number, Uint8Array]>,
    uploaded: (pageNo: number, crc: number) => void,
  ): Promise<void>;
}

/** What a commit must contain: pages still to upload, and the checksum of every page. */
export interface CommitContent {
  pageSize: number;
  pageCount: number;
  toUpload: Array<[number, Uint8Array, number]>;
  pages: Array<[number, number]>;
}

/**
 * The changes of one write transaction, as a byte-addressed file laid over its snapshot.
 * Changed pages are kept in memory up to a budget and then uploaded early, so a transaction
 * of any size needs bounded memory. Nothing here is visible to others until the volume
 * creates the commit record.
 */
export class Transaction {
  pageSize: number;
  size: number;
  /**
   * Changed pages, in reused slots: a buffer per page, kept until uploaded, would outlive
   * V8's young generation and pile up as garbage until its next full collection (tens of MiB
   * in a large transaction).
   */
  private readonly dirty = new Map<number, Slot>();
  private readonly slabs = new PageSlabs();
  private readonly uploaded = new Map<number, number>();
  private dirtyBytes = 0;
  /** Snapshot bytes at or past this offset were truncated away and read as zeros. */
  private baseLimit: number;

  /**
   * @param txid Random id: names this transaction's page objects and identifies its commit
   *   record.
   */
  constructor(
    readonly txid: string,
    private readonly basePageSize: number,
    private readonly baseSize: number,
    private readonly io: TransactionIO,
    private readonly bufferBytes: number,
  ) {
    this.pageSize = basePageSize;
    this.size = baseSize;
    this.baseLimit = baseSize;
  }

  get hasChanges(): boolean {
    return (
      this.dirty.size > 0 ||
      this.uploaded.size > 0 ||
      this.size !== this.baseSize ||
      this.pageSize !== this.basePageSize
    );
  }

  /**
   * Bytes of the transaction's file (fewer at its end). A read within one page is a view of
   * that page, not a copy: SQLite reads a page at a time, and a copy of every page read would
   * be garbage at once. The caller must not change what it gets, and must copy what it keeps
   * before the transaction's next change (a changed page's memory is reused).
   */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return new Uint8Array(0);
    const spans = pageSpans(offset, end, this.pageSize);
    const only = spans.length === 1 ? spans[0] : undefined;
    if (only) return this.pageBytes(only.index + 1, only.from, only.to);
    const out = new Uint8Array(end - offset);
    await Promise.all(
      spans.map(({ index, from, to }) =>
        this.pageBytes(index + 1, from, to).then((bytes) =>
          out.set(bytes.subarray(0, to - from), from - offset),
        ),
      ),
    );
    return out;
  }

  /** Write `data` at `offset` (copied: the caller may reuse it). */
  async write(offset: number, data: Uint8Array): Promise<void> {
    if (data.byteLength === 0) return;
    if (this.pageSize === 0 || this.isNewPageSize(offset, data.byteLength)) {
      await this.relayout(data.byteLength);
    }
    const P = this.pageSize;
    const end = offset + data.byteLength;
    for (const { index, pageStart, from, to } of pageSpans(offset, end, P)) {
      let page: Uint8Array;
      if (from === pageStart && to === pageStart + P) {
        page = data.subarray(from - offset, to - offset);
      } else {
        // A write of part of a page: merge it into the page's current content.
        page = new Uint8Array(P);
        page.set(await this.read(pageStart, P));
        page.set(data.subarray(from - offset, to - offset), from - pageStart);
      }
      this.setDirty(index + 1, page);
    }
    this.size = Math.max(this.size, end);
    if (this.dirtyBytes > this.bufferBytes) await this.spill();
  }

  /** Lay the transaction's file out in pages of `pageSize` bytes; its bytes stay the same. */
  async setPageSize(pageSize: number): Promise<void> {
    if (pageSize !== this.pageSize) await this.relayout(pageSize);
  }

  truncate(size: number): void {
    if (size >= this.size) {
      this.size = size;
      return;
    }
    this.size = size;
    this.baseLimit = Math.min(this.baseLimit, size);
    const lastPage = Math.ceil(size / (this.pageSize || 1));
    for (const pageNo of [...this.dirty.keys()]) {
      if (pageNo > lastPage) this.dropDirty(pageNo);
    }
    for (const pageNo of [...this.uploaded.keys()]) {
      if (pageNo > lastPage) this.uploaded.delete(pageNo);
    }
  }

  /**
   * Everything the commit record must name. After a change of page size every page of the
   * new layout is included (pages SQLite did not rewrite are cut from the old bytes; pages of
   * zeros are left out, as a missing page reads as zeros).
   */
  async commitContent(): Promise<CommitContent> {
    const P = this.pageSize;
    const pageCount = P === 0 ? 0 : Math.ceil(this.size / P);
    const crcs = new Map<number, number>();
    const toUpload: Array<[number, Uint8Array, number]> = [];
    for (const [pageNo, crc] of this.uploaded) if (pageNo <= pageCount) crcs.set(pageNo, crc);
    for (const [pageNo, { bytes: page }] of this.dirty) {
      if (pageNo > pageCount) continue;
      const crc = checksum(page);
      crcs.set(pageNo, crc);
      toUpload.push([pageNo, page, crc]);
    }
    for (const [pageNo, skipZeros] of this.pagesToMaterialize(pageCount)) {
      if (crcs.has(pageNo)) continue;
      const page = new Uint8Array(P);
      page.set(await this.read((pageNo - 1) * P, P));
      if (skipZeros && page.every((b) => b === 0)) continue;
      const crc = checksum(page);
      crcs.set(pageNo, crc);
      toUpload.push([pageNo, page, crc]);
    }
    const pages = [...crcs.entries()].sort((a, b) => a[0] - b[0]);
    return { pageSize: P, pageCount, toUpload, pages };
  }

  /**
   * Pages the commit must store although SQLite did not write them: after a change of page
   * size, all of them (the old map is dropped, so pages of zeros may be left out); after a
   * truncation that the file then grew past again, the pages cut off (they must now read as
   * zeros, not as their old versions).
   */
  private *pagesToMaterialize(pageCount: number): Generator<[number, boolean]> {
    const P = this.pageSize;
    if (P !== this.basePageSize) {
      for (let pageNo = 1; pageNo <= pageCount; pageNo++) yield [pageNo, true];
      return;
    }
    const baseCount = P === 0 ? 0 : Math.ceil(this.baseSize / P);
    for (
      let pageNo = Math.floor(this.baseLimit / P) + 1;
      pageNo <= Math.min(baseCount, pageCount);
      pageNo++
    ) {
      yield [pageNo, false];
    }
  }

  private async pageBytes(pageNo: number, from: number, to: number): Promise<Uint8Array> {
    const pageStart = (pageNo - 1) * this.pageSize;
    const dirty = this.dirty.get(pageNo);
    if (dirty) return dirty.bytes.subarray(from - pageStart, to - pageStart);
    const crc = this.uploaded.get(pageNo);
    if (crc !== undefined) {
      return (await this.io.readUploaded(pageNo, crc)).subarray(from - pageStart, to - pageStart);
    }
    // The snapshot's bytes as the page reader gives them, unless cut by a truncation.
    if (to <= this.baseLimit) return this.io.readBase(from, to - from);
    const out = new Uint8Array(to - from);
    if (from < this.baseLimit) out.set(await this.io.readBase(from, this.baseLimit - from));
    return out;
  }

  /** SQLite writes whole pages of the database file; a whole write of another size is VACUUM changing the page size. */
  private isNewPageSize(offset: number, length: number): boolean {
    return length !== this.pageSize && isValidPageSize(length) && offset % length === 0;
  }

  /** Switch to page size `newSize`, carrying over what this transaction already changed. */
  private async relayout(newSize: number): Promise<void> {
    if (!isValidPageSize(newSize)) {
      throw new InvalidArgumentError(
        `cannot start a database with a ${newSize}-byte write: not a page size`,
      );
    }
    const old = this.pageSize;
    const changed = [...this.dirty.keys(), ...this.uploaded.keys()];
    const carried = new Map<number, Uint8Array>();
    for (const pageNo of changed) {
      const start = (pageNo - 1) * old;
      for (let n = Math.floor(start / newSize) + 1; (n - 1) * newSize < start + old; n++) {
        if (carried.has(n)) continue;
        const page = new Uint8Array(newSize);
        page.set(await this.read((n - 1) * newSize, newSize));
        carried.set(n, page);
      }
    }
    for (const pageNo of [...this.dirty.keys()]) this.dropDirty(pageNo);
    this.uploaded.clear();
    this.pageSize = newSize;
    for (const [pageNo, page] of carried) this.setDirty(pageNo, page);
  }

  /** Keep a copy of `page` (which may be a view of the page's current slot). */
  private setDirty(pageNo: number, page: Uint8Array): void {
    const slot = this.slabs.hold(page);
    this.dropDirty(pageNo);
    this.uploaded.delete(pageNo);
    this.dirty.set(pageNo, slot);
    this.dirtyBytes += page.byteLength;
  }

  private dropDirty(pageNo: number): void {
    const slot = this.dirty.get(pageNo);
    if (!slot) return;
    this.dirty.delete(pageNo);
    this.dirtyBytes -= slot.bytes.byteLength;
    this.slabs.release(slot);
  }

  /** Upload every buffered page now, keeping only their checksums; each page is let go once stored. */
  private async spill(): Promise<void> {
    await this.io.uploadEarly(this.dirtyPages(), (pageNo, crc) => {
      this.dropDirty(pageNo);
      this.uploaded.set(pageNo, crc);
    });
  }

  /** The map's live iterator skips nothing: entries are deleted only after they were visited. */
  private *dirtyPages(): Generator<[number, Uint8Array]> {
    for (const [pageNo, slot] of this.dirty) yield [pageNo, slot.bytes];
  }
}
