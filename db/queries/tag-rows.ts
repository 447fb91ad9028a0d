/** The place and CPV tag rows of one tender (pure: shared by the store, retagging and the ingest's preparing workers). */
import { TAGGER_VERSION, type TenderTags } from '../../src/domain/tagging/index.js';
import type { TenderCpvTable, TenderPlacesTable } from '../schema.tags.js';

export function tagRows(tags: TenderTags, now: string): { places: TenderPlacesTable[]; cpv: TenderCpvTable[] } {
  return {
    places: tags.places.map((p) => ({
      ocid: tags.ocid,
      lot_id: p.lotId,
      role: p.role,
      party_id: p.partyId,
      code: p.code,
      lad: p.lad ?? '',
      level: p.level,
      method: p.method,
      confidence: p.confidence,
      lad_confidence: p.lad ? (p.ladConfidence ?? null) : null,
      national: p.national ? 1 : 0,
      postcode: p.postcode ?? null,
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
