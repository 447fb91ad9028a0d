/**
 * The supplier registry held in memory for officers' listings and searches: the rows, the matcher profiles and
 * (built when first needed) their index and word search, reused while nothing has changed, instead of loading
 * and indexing every supplier on each request (seconds with a hundred thousand of them).
 *
 * Fresh by construction: every write to suppliers or cooperative members moves the registry version in the
 * store (migration 008), and each request reads that one row first, so a change made through any instance
 * shows on the next request. Track records come from award notices, which ingest writes without moving the
 * version: they are picked up when the held copy is older than REGISTRY_MAX_AGE_SECONDS.
 */
import { loadRegistry, recordOf, registryVersion, searchableOf } from '../db/queries/suppliers.js';
import type { SupplierRow } from '../db/schema.suppliers.js';
import type { Deps } from './deps.js';
import { SupplierIndex } from './domain/matching/supplier-index.js';
import type { SupplierProfile } from './domain/matching/types.js';
import type { SupplierRecord } from './domain/suppliers/index.js';
import { SupplierSearch } from './domain/suppliers/search.js';

export interface HeldRegistry {
  version: number;
  loadedAt: number;
  /** The stored rows, for the officers' search. */
  rows: SupplierRow[];
  /** rows[i] with its lists parsed, built when first asked for. */
  records(): SupplierRecord[];
  profiles: SupplierProfile[];
  byId: Map<string, SupplierProfile>;
  /** The matcher's index of the profiles, built when first asked for. */
  readonly index: SupplierIndex;
  /** The free-text search over the same suppliers, built on the first text query. */
  search(): SupplierSearch;
}

export class RegistryCache {
  private held: HeldRegistry | null = null;
  /** A load under way, shared by the requests that arrive while it runs. */
  private loading: { version: number; done: Promise<HeldRegistry> } | null = null;
  /** How many times the registry was loaded (for tests and logs). */
  loads = 0;

  async current(deps: Deps): Promise<HeldRegistry> {
    const version = await registryVersion(deps.db);
    const now = deps.clock.now().getTime();
    const held = this.held;
    if (held && held.version === version && now - held.loadedAt < deps.config.REGISTRY_MAX_AGE_SECONDS * 1000) return held;
    if (this.loading?.version === version) return this.loading.done;
    const done = (async (): Promise<HeldRegistry> => {
      const { rows, profiles } = await loadRegistry(deps.db);
      this.loads++;
      let search: SupplierSearch | null = null;
      let records: SupplierRecord[] | null = null;
      let index: SupplierIndex | null = null;
      return {
        version,
        loadedAt: now,
        rows,
        records: () => (records ??= rows.map((r) => recordOf(r))),
        profiles,
        byId: new Map(profiles.map((p) => [p.id, p])),
        get index() {
          return (index ??= new SupplierIndex(profiles));
        },
        search: () => (search ??= new SupplierSearch(rows.map(searchableOf))),
      };
    })();
    this.loading = { version, done };
    try {
      const loaded = await done;
      // A slower load of an older version never replaces a newer one.
      if (!this.held || this.held.version <= loaded.version) this.held = loaded;
      return loaded;
    } finally {
      if (this.loading?.done === done) this.loading = null;
    }
  }
}
