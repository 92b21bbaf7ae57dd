import type { Creation } from './sim-store.js';

/** Bytes per page in the simulated databases (the smallest SQLite page size). */
export const PAGE_SIZE = 512;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The content of page `pageNo` as written by transaction `label` (the `version`-th time that
 * transaction wrote it): self-describing, so any page read can be traced to its writer.
 */
export function pageBytes(label: string, pageNo: number, version: number): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE);
  const head = encoder.encode(`${label}|p${pageNo}|v${version}|`);
  for (let i = 0; i < PAGE_SIZE; i++) page[i] = head[i % head.length] as number;
  page.set(head);
  return page;
}

/** The transaction label a page was written by ('' for a page of zeros). */
export function labelOf(page: Uint8Array): string {
  const text = decoder.decode(page.subarray(0, 64));
  return text.startsWith('\0') ? '' : (text.split('|')[0] ?? '');
}

/** What happened to one simulated write transaction, as its writer was told. */
export type TxnStatus =
  | 'open'
  /** commit() returned: it must be in history at `seq`, forever (until GC may drop it). */
  | 'committed'
  /** ConflictError: it must never appear in history. */
  | 'conflict'
  /** Any other error that is not UNKNOWN_OUTCOME: it must never appear either. */
  | 'failed'
  /** UNKNOWN_OUTCOME: it may or may not be in history. */
  | 'unknown';

export interface TxnModel {
  label: string;
  /** Pages written and the version each ended at. */
  pages: Map<number, number>;
  status: TxnStatus;
  seq?: number;
  error?: string;
}

/** The expected database at one commit: page number → [label, version] of its last writer. */
export type Image = Map<number, [string, number]>;

/**
 * What the simulation expects, built from what writers were told and from the bucket's own
 * record of every commit record created (its history, which no client can see whole).
 */
export class Model {
  readonly txns = new Map<string, TxnModel>();
  /** Highest commit number acknowledged so far. */
  maxAcked = 0;
  private images = new Map<number, Image>();

  constructor(private readonly creations: readonly Creation[]) {}

  begin(label: string): TxnModel {
    const txn: TxnModel = { label, pages: new Map(), status: 'open' };
    this.txns.set(label, txn);
    return txn;
  }

  /** The label of the transaction that first created commit `seq`, by the bucket's history. */
  creatorOf(seq: number, keyOf: (seq: number) => string): string | undefined {
    const key = keyOf(seq);
    return this.creations.find((c) => c.key === key)?.content;
  }

  /**
   * The database as commit `seq` left it, following history from commit 1; undefined when a
   * commit of the chain was never created or was made by no simulated writer.
   */
  image(seq: number, keyOf: (seq: number) => string): Image | undefined {
    const cached = this.images.get(seq);
    if (cached) return cached;
    let image: Image = new Map();
    if (seq > 0) {
      const before = this.image(seq - 1, keyOf);
      const creator = this.creatorOf(seq, keyOf) ?? '';
      const txn = this.txns.get(creator);
      // A commit that changes no page (garbage collection's fence) leaves the image as it was.
      if (!before || !(txn || creator.startsWith('empty:'))) return undefined;
      image = new Map(before);
      for (const [pageNo, version] of txn?.pages ?? []) image.set(pageNo, [txn!.label, version]);
    }
    this.images.set(seq, image);
    return image;
  }

  /** Why {@link image} has no answer for `seq`: the first commit of the chain that is amiss. */
  whyNoImage(seq: number, keyOf: (seq: number) => string): string {
    for (let n = 1; n <= seq; n++) {
      const creator = this.creatorOf(n, keyOf);
      if (creator === undefined) return `commit ${n} was never created`;
      if (creator.startsWith('missing-page:')) {
        return `commit ${n} was created naming page objects already gone (${creator})`;
      }
      if (!this.txns.has(creator) && !creator.startsWith('empty:')) {
        return `commit ${n} holds ${creator}`;
      }
    }
    return 'history has it';
  }
}

/** Pages in the file at an image. */
export function pageCount(image: Image): number {
  return Math.max(0, ...image.keys());
}

/** The bytes page `pageNo` must have at `image`. */
export function expectedPage(image: Image, pageNo: number): Uint8Array {
  const writer = image.get(pageNo);
  return writer ? pageBytes(writer[0], pageNo, writer[1]) : new Uint8Array(PAGE_SIZE);
}

export function describePage(page: Uint8Array): string {
  const text = decoder.decode(page.subarray(0, 40));
  return text.startsWith('\0') ? 'zeros' : JSON.stringify(text.split('|').slice(0, 3).join('|'));
}
