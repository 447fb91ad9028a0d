import type { Db } from '../client.js';
import { bulkWriter } from '../bulk.js';
import type { TenderRecord } from '../../src/domain/ocds/types.js';
import { tagTender } from '../../src/domain/tagging/index.js';
import type { TenderCpvTable, TenderPlacesTable } from '../schema.tags.js';
import { tagRows } from './tag-rows.js';

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

export async function replaceTagRows(db: Db, ocids: string[], places: TenderPlacesTable[], cpv: TenderCpvTable[]): Promise<void> {
  const writer = bulkWriter(db);
  await writer.deleteWhereIn('tender_places', 'ocid', ocids);
  await writer.deleteWhereIn('tender_cpv', 'ocid', ocids);
  await writer.insert('tender_places', places, ['ocid', 'lot_id', 'role', 'party_id', 'code'], []);
  await writer.insert('tender_cpv', cpv, ['ocid', 'lot_id', 'code'], []);
}
