import type { Db } from '../client.js';
import { bulkWriter } from '../bulk.js';
import type { TenderRecord } from '../../src/domain/ocds/types.js';
import { tagTender, TAGGER_VERSION, type TenderTags } from '../../src/domain/tagging/index.js';
import type { TenderCpvTable, TenderPlacesTable } from '../schema.tags.js';

export function tagRows(tags: TenderTags, now: string): { places: TenderPlacesTable[]; cpv: TenderCpvTable[] } {
  return {
    places: tags.places.map((p) => ({
      ocid: tags.ocid,
      lot_id: p.lotId,
      role: p.role,
      party_id: p.partyId,
      code: p.code,
      level: p.level,
      method: p.method,
      confidence: p.confidence,
      national: p.national ? 1 : 0,
      raw: p.raw.slice(0, 500),
      tagged_at: now,
    })),
    cpv: dedupeCpv(tags).map((t) => ({
      ocid: tags.ocid,
      lot_id: t.lotId,
      code: t.code,
      method: t.method,
      confidence: t.confidence,
      reason: t.reason,
      tagger_version: TAGGER_VERSION,
      tagged_at: now,
    })),
  };
}

function dedupeCpv(tags: TenderTags) {
  const seen = new Map<string, TenderTags['cpv'][number]>();
  for (const t of tags.cpv) {
    const key = `${t.lotId}\u0000${t.code}`;
    const prev = seen.get(key);
    if (!prev || (prev.method === 'inferred' && t.method === 'published')) seen.set(key, t);
  }
  return [...seen.values()];
}

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
