/**
 * The supplier registry held in memory for officers' listings and searches: the rows, the matcher profiles and
 * (built when first needed) their index and word search, reused while nothing has changed, instead of loading
 * and indexing every supplier on each request (seconds with a hundred thousand of them).
 *
 * Fresh by construction: every write to suppliers or cooperative members moves the registry version in the
 * store (migration 008) and notes the suppliers it touched (migration 017), and each request reads that one row
 * first. When the version has moved, the held copy reads just the suppliers touched since and changes them in
 * place (index and search included), so a change made through any instance shows on the next request without
 * reloading the rest. It reloads whole when the store no longer holds every change it missed, when more have
 * piled up in place than IN_PLACE_LIMIT allows, and when it is older than REGISTRY_MAX_AGE_SECONDS: track
 * records come from award notices, which ingest writes without moving the version.
 */
import { loadRegistry, loadRegistryOf, recordOf, registryChangesSince, registryVersion, searchableOf } from '../db/queries/suppliers.js';
import type { SupplierRow } from '../db/schema.suppliers.js';
import type { Deps } from './deps.js';
import { SupplierIndex } from './domain/matching/supplier-index.js';
import type { SupplierProfile } from './domain/matching/types.js';
import type { SupplierRecord } from './domain/suppliers/index.js';
import { SupplierSearch } from './domain/suppliers/search.js';

export interface HeldRegistry {
  version: number;
  loadedAt: number;
  /**
   * The stored rows, for the officers' search: a hit's doc is its position here. Changed in place, a supplier's
   * new row is appended (its old position is no longer found by the search).
   */
  rows: SupplierRow[];
  /** rows[i] with its lists parsed, built when first asked for. */
  records(): SupplierRecord[];
  /** Every supplier held, as the matcher sees it. */
  readonly profiles: SupplierProfile[];
  byId: Map<string, SupplierProfile>;
  /** The matcher's index of the profiles, built when first asked for. */
  readonly index: SupplierIndex;
  /** The free-text search over the same suppliers, built on the first text query. */
  search(): SupplierSearch;
}

/** Suppliers changed in place, beyond which the next change reloads whole: a twentieth of the registry, at least 500. */
export function inPlaceLimit(size: number): number {
  return Math.max(500, Math.floor(size / 20));
}

/** The held registry, with what changing it in place needs. */
class Held implements HeldRegistry {
  rows: SupplierRow[];
  readonly byId: Map<string, SupplierProfile>;
  private recordList: SupplierRecord[] | null = null;
  private built: SupplierIndex | null = null;
  private searched: SupplierSearch | null = null;
  private profileList: SupplierProfile[] | null = null;
  /** Suppliers changed in place since the load. */
  changed = 0;

  constructor(
    public version: number,
    readonly loadedAt: number,
    rows: SupplierRow[],
    profiles: SupplierProfile[],
    /** Track records as loaded, reused for the suppliers changed in place. */
    readonly wins: Map<string, string[][]>,
  ) {
    this.rows = rows;
    this.byId = new Map(profiles.map((p) => [p.id, p]));
    this.profileList = profiles;
  }

  records(): SupplierRecord[] {
    const list = (this.recordList ??= []);
    // Rows appended in place since the last call get their records too.
    for (let i = list.length; i < this.rows.length; i++) list.push(recordOf(this.rows[i]));
    return list;
  }

  get profiles(): SupplierProfile[] {
    return (this.profileList ??= [...this.byId.values()]);
  }

  get index(): SupplierIndex {
    return (this.built ??= new SupplierIndex(this.profiles));
  }

  search(): SupplierSearch {
    return (this.searched ??= new SupplierSearch(this.rows.map(searchableOf)));
  }

  /** Takes the rows and profiles of the suppliers touched (those absent were removed) into every held structure. */
  apply(version: number, touched: string[], rows: SupplierRow[], profiles: SupplierProfile[]): void {
    const rowOf = new Map(rows.map((r) => [r.id, r]));
    const profileOf = new Map(profiles.map((p) => [p.id, p]));
    const gone = new Set(touched);
    if (!this.searched) {
      // No search built over row positions yet: the rows are simply made current, in id order.
      const kept = this.rows.filter((r) => !gone.has(r.id));
      this.rows = [...kept, ...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.recordList = null;
    }
    for (const id of touched) {
      const row = rowOf.get(id);
      const profile = profileOf.get(id);
      if (!row || !profile) {
        this.byId.delete(id);
        this.built?.remove(id);
        this.searched?.remove(id);
      } else {
        this.byId.set(id, profile);
        this.built?.upsert(profile);
        if (this.searched) {
          this.searched.upsert(this.rows.length, searchableOf(row));
          this.rows.push(row);
        }
      }
    }
    this.profileList = null;
    this.changed += touched.length;
    this.version = version;
  }
}

export class RegistryCache {
  private held: Held | null = null;
  /** A load or update under way, shared by the requests that arrive while it runs. */
  private loading: { version: number; done: Promise<HeldRegistry> } | null = null;
  /** How many times the registry was loaded whole (for tests and logs). */
  loads = 0;
  /** How many times it was changed in place instead. */
  updates = 0;

  /** `inPlace: false` reloads whole on every change, as before changes were taken in place (the benchmark's baseline). */
  constructor(private readonly options: { inPlace?: boolean } = {}) {}

  async current(deps: Deps): Promise<HeldRegistry> {
    const version = await registryVersion(deps.db);
    const now = deps.clock.now().getTime();
    const held = this.held;
    const fresh = held !== null && now - held.loadedAt < deps.config.REGISTRY_MAX_AGE_SECONDS * 1000;
    if (held && fresh && held.version === version) return held;
    if (this.loading?.version === version) return this.loading.done;
    const done = (async (): Promise<HeldRegistry> => {
      if (held && fresh && held.version < version && this.options.inPlace !== false) {
        const touched = await registryChangesSince(deps.db, held.version, version);
        if (touched && held.changed + touched.length <= inPlaceLimit(held.byId.size)) {
          const { rows, profiles } = await loadRegistryOf(deps.db, touched, held.wins);
          // Another update may have moved it on meanwhile: only ever forwards.
          if (held.version < version) held.apply(version, touched, rows, profiles);
          this.updates++;
          return held;
        }
      }
      const { rows, profiles, wins } = await loadRegistry(deps.db);
      this.loads++;
      return new Held(version, now, rows, profiles, wins);
    })();
    this.loading = { version, done };
    try {
      const loaded = (await done) as Held;
      // A slower load of an older version never replaces a newer one.
      if (!this.held || this.held.version <= loaded.version) this.held = loaded;
      return loaded;
    } finally {
      if (this.loading?.done === done) this.loading = null;
    }
  }
}
