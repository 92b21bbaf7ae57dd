import { databasePrefix, parseSeq } from '../format/index.js';
import type { ObjectInfo, ObjectStore } from '../store/types.js';

/** Every object under a database's prefix, sorted by what it is (garbage collection's LIST). */
export interface Inventory {
  /** Commit records by sequence number. */
  commits: Map<number, ObjectInfo>;
  /** Checkpoints by sequence number. */
  checkpoints: Map<number, ObjectInfo>;
  /** Page objects, grouped by the transaction that wrote them. */
  pages: Map<string, ObjectInfo[]>;
  /** Page objects in all. */
  pageCount: number;
  /** Bytes of every object under the prefix, whatever it is. */
  bytes: number;
}

const PAGE = /^pages\/([0-9a-f]{16})\/\d+-[0-9a-f]{8}$/;

/**
 * List the prefix and sort its objects. Anything that is neither a commit record, a checkpoint
 * nor a page object (the marker, the hint, foreign objects) is only counted in `bytes`: garbage
 * collection never touches it.
 */
export async function takeInventory(
  store: ObjectStore,
  prefix: string,
  signal?: AbortSignal,
): Promise<Inventory> {
  const root = databasePrefix(prefix);
  const inventory: Inventory = {
    commits: new Map(),
    checkpoints: new Map(),
    pages: new Map(),
    pageCount: 0,
    bytes: 0,
  };
  for await (const object of store.listAll(root, { signal })) {
    inventory.bytes += object.size;
    const name = object.key.slice(root.length);
    const slash = name.indexOf('/');
    const seq = parseSeq(name.slice(slash + 1));
    if (name.startsWith('commits/') && seq !== undefined) {
      inventory.commits.set(seq, object);
    } else if (name.startsWith('checkpoints/') && seq !== undefined) {
      inventory.checkpoints.set(seq, object);
    } else {
      const txid = PAGE.exec(name)?.[1];
      if (txid === undefined) continue;
      const group = inventory.pages.get(txid);
      if (group) group.push(object);
      else inventory.pages.set(txid, [object]);
      inventory.pageCount += 1;
    }
  }
  return inventory;
}
