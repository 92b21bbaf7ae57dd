import { open, type Database, type OpenOptions } from '../../src/db/index.js';
import type { StoreLocation } from '../../src/store/index.js';

/** The connections a test opens, all closed by `closeAll()` (in afterEach or afterAll). */
export class Connections {
  private readonly opened: Database[] = [];

  async open(location: string | StoreLocation, options: OpenOptions = {}): Promise<Database> {
    const db = await open(location, options);
    this.opened.push(db);
    return db;
  }

  async closeAll(): Promise<void> {
    for (const db of this.opened.splice(0)) await db.close();
  }
}
