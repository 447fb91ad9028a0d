import type { Database as SqliteHandle, Statement } from 'better-sqlite3';
import { sqliteHandleOf, type Db } from '../client.js';
import { bulkWriter, chunks, type BulkWriter } from '../bulk.js';
import type { TenderRecord } from '../../src/domain/ocds/types.js';
import { tagTender } from '../../src/domain/tagging/index.js';
import type { TenderCpvTable, TenderPlacesTable } from '../schema.tags.js';
import { tagRows } from './tag-rows.js';
import { exactPlaceRows } from './places.js';

const PLACE_KEY = ['ocid', 'lot_id', 'role', 'party_id', 'code', 'lad'];
const CPV_KEY = ['ocid', 'lot_id', 'code'];

/**
 * Replaces the place and CPV tags of these tenders with freshly computed ones. Safe to run twice: it
 * deletes the ocids' tags, then inserts; a crash between the two is repaired by the next run.
 */
export async function writeTags(db: Db, records: TenderRecord[], now: string): Promise<void> {
  if (!records.length) return;
  const latest = new Map<string, TenderRecord>();
  for (const r of records) latest.set(r.ocid, r);
  const places: TenderPlacesTable[] = [];
  const cpv: TenderCpvTable[] = [];
  for (const record of latest.values()) {
    const rows = tagRows(tagTender(record), now);
    places.push(...rows.places);
    cpv.push(...rows.cpv);
  }
  await replaceTagRows(db, [...latest.keys()], places, cpv);
}

/** Replaces the tags of these ocids; postcodes the imported postcode list knows are placed exactly. */
export async function replaceTagRows(db: Db, ocids: string[], places: TenderPlacesTable[], cpv: TenderCpvTable[]): Promise<void> {
  const writer = bulkWriter(db);
  const exact = await exactPlaceRows(db, places);
  await deleteTagRows(writer, ocids);
  await insertTagRows(writer, exact, cpv);
}

export async function deleteTagRows(writer: BulkWriter, ocids: string[]): Promise<void> {
  await writer.deleteWhereIn('tender_places', 'ocid', ocids);
  await writer.deleteWhereIn('tender_cpv', 'ocid', ocids);
}

async function insertTagRows(writer: BulkWriter, places: TenderPlacesTable[], cpv: TenderCpvTable[]): Promise<void> {
  await writer.insert('tender_places', places, PLACE_KEY, []);
  await writer.insert('tender_cpv', cpv, CPV_KEY, []);
}

const PLACE_COLUMNS = ['ocid', 'lot_id', 'role', 'party_id', 'code', 'lad', 'level', 'method', 'confidence', 'lad_confidence', 'national', 'postcode', 'raw', 'tagged_at'] as const;
const CPV_COLUMNS = ['ocid', 'lot_id', 'code', 'method', 'confidence', 'reason', 'tagger_version', 'tagged_at'] as const;

/**
 * Tag rows held back until the end of a transaction, then moved into tender_places and tender_cpv in key order.
 * A bulk ingest writes about fifteen tag rows per release into indexes keyed by ocid, and ocids arrive in no
 * order: written as they come, nearly every row lands on another index page; sorted, each page is visited once
 * per commit. The rows wait in temporary tables (SQLite's own memory and temporary file, not the JavaScript heap,
 * which held a commit's worth as ~50 MB of objects). On 100,000 releases the writer's own time per release
 * fell from ~360 to ~270 µs (`npm run bench -- ingest`).
 *
 * SQLite only, inside a transaction: elsewhere (D1 has no transactions) a tender's tags are written with it,
 * before its releases. Holding the tags of an ocid again in the same transaction replaces what was held for it.
 */
export class PendingTags {
  /** The ocids held, each with the number of its latest hold; rows of earlier holds are dropped at flush. */
  private readonly latestHold = new Map<string, number>();
  private readonly staleHolds: number[] = [];
  private holds = 0;
  private readonly insertPlace: Statement;
  private readonly insertCpv: Statement;

  private constructor(private readonly handle: SqliteHandle) {
    const table = (name: string, like: string, columns: readonly string[]) =>
      `CREATE TEMP TABLE IF NOT EXISTS ${name} AS SELECT 0 AS hold, ${columns.join(', ')} FROM main.${like} WHERE 0`;
    // A commit's tags fill ~15 MB: held in SQLite's temporary file (the operating system's cache) rather than
    // in the 16 MB of page cache each schema gets by default, they cost the process's memory nothing.
    handle.pragma('temp.cache_size = -2000');
    handle.exec(`${table('pending_places', 'tender_places', PLACE_COLUMNS)}; ${table('pending_cpv', 'tender_cpv', CPV_COLUMNS)}`);
    const insert = (name: string, columns: readonly string[]) =>
      handle.prepare(`INSERT INTO temp.${name} (hold, ${columns.join(', ')}) VALUES (${['?', ...columns.map(() => '?')].join(', ')})`);
    this.insertPlace = insert('pending_places', PLACE_COLUMNS);
    this.insertCpv = insert('pending_cpv', CPV_COLUMNS);
  }

  /** Tags held for `db`, or none where that does not apply (not SQLite, or not inside a transaction). */
  static open(db: Db): PendingTags | undefined {
    const handle = sqliteHandleOf(db);
    return handle && db.isTransaction ? new PendingTags(handle) : undefined;
  }

  hold(ocid: string, places: TenderPlacesTable[], cpv: TenderCpvTable[]): void {
    const hold = ++this.holds;
    const earlier = this.latestHold.get(ocid);
    if (earlier !== undefined) this.staleHolds.push(earlier);
    this.latestHold.set(ocid, hold);
    for (const p of places) this.insertPlace.run(hold, ocid, p.lot_id, p.role, p.party_id, p.code, p.lad, p.level, p.method, p.confidence, p.lad_confidence, p.national, p.postcode, p.raw, p.tagged_at);
    for (const c of cpv) this.insertCpv.run(hold, ocid, c.lot_id, c.code, c.method, c.confidence, c.reason, c.tagger_version, c.tagged_at);
  }

  /** Writes every held row in key order and empties the holding tables. */
  async flush(): Promise<void> {
    if (!this.holds) return;
    for (const stale of chunks(this.staleHolds, 500)) {
      const list = stale.join(', ');
      this.handle.exec(`DELETE FROM temp.pending_places WHERE hold IN (${list}); DELETE FROM temp.pending_cpv WHERE hold IN (${list})`);
    }
    // "WHERE true" keeps SQLite from reading ON CONFLICT as a join condition.
    const move = (name: string, into: string, columns: readonly string[], key: string[]) =>
      `INSERT INTO main.${into} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM temp.${name} WHERE true ORDER BY ${key.join(', ')} ON CONFLICT DO NOTHING`;
    this.handle.exec(`${move('pending_places', 'tender_places', PLACE_COLUMNS, PLACE_KEY)}; ${move('pending_cpv', 'tender_cpv', CPV_COLUMNS, CPV_KEY)}`);
    this.handle.exec('DELETE FROM temp.pending_places; DELETE FROM temp.pending_cpv');
    this.latestHold.clear();
    this.staleHolds.length = 0;
    this.holds = 0;
  }
}
