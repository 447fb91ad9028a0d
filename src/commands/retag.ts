import { replaceTagRows } from '../../db/queries/tags.js';
import { tagRows } from '../../db/queries/tag-rows.js';
import type { TenderCpvTable, TenderPlacesTable } from '../../db/schema.tags.js';
import { loadTenderRecords } from '../../db/queries/releases.js';
import { tagTender, TAGGER_VERSION } from '../domain/tagging/index.js';
import { bulkWriter, chunks } from '../../db/bulk.js';
import type { Db } from '../../db/client.js';
import { queuedCount, queueForMatching } from '../../db/queries/match-queue.js';
import type { Command } from './types.js';

const PAGE = 200;
/** Ocids per query: below D1's 100 bound parameters. */
const OCIDS_PER_QUERY = 90;

/** What matching reads of a tender's tags, as one text per ocid. */
function tagKeys(places: Array<Pick<TenderPlacesTable, 'ocid' | 'lot_id' | 'role' | 'party_id' | 'code' | 'national'>>, cpv: Array<Pick<TenderCpvTable, 'ocid' | 'lot_id' | 'code'>>) {
  const keys = new Map<string, string[]>();
  const add = (ocid: string, key: string) => {
    const list = keys.get(ocid) ?? [];
    list.push(key);
    keys.set(ocid, list);
  };
  for (const p of places) add(p.ocid, JSON.stringify(['place', p.lot_id, p.role, p.party_id, p.code, Number(p.national)]));
  for (const c of cpv) add(c.ocid, JSON.stringify(['cpv', c.lot_id, c.code]));
  return new Map([...keys].map(([ocid, list]) => [ocid, list.sort().join('\n')]));
}

/** Of these tenders, those whose new places or CPV codes differ from the stored ones (what a match depends on). */
async function tagsChanged(db: Db, ocids: string[], places: TenderPlacesTable[], cpv: TenderCpvTable[]): Promise<string[]> {
  const storedPlaces: Array<Pick<TenderPlacesTable, 'ocid' | 'lot_id' | 'role' | 'party_id' | 'code' | 'national'>> = [];
  const storedCpv: Array<Pick<TenderCpvTable, 'ocid' | 'lot_id' | 'code'>> = [];
  for (const part of chunks(ocids, OCIDS_PER_QUERY)) {
    storedPlaces.push(...(await db.selectFrom('tender_places').select(['ocid', 'lot_id', 'role', 'party_id', 'code', 'national']).where('ocid', 'in', part).execute()));
    storedCpv.push(...(await db.selectFrom('tender_cpv').select(['ocid', 'lot_id', 'code']).where('ocid', 'in', part).execute()));
  }
  const before = tagKeys(storedPlaces, storedCpv);
  const after = tagKeys(places, cpv);
  return ocids.filter((ocid) => (before.get(ocid) ?? '') !== (after.get(ocid) ?? ''));
}

/**
 * Recomputes the place and CPV tags of every stored tender from its stored releases (after the tagger
 * or its reference data changed). Pages through tenders by ocid, so it can run on a large store; a tender
 * whose compiled release no longer reads is counted and named, and the run goes on. Tenders whose places or
 * CPV codes changed are put in the match queue, for the next `match` (or ingest) to match them again.
 */
export const retagCommand: Command = {
  summary: 'recompute place and CPV tags of every stored tender from its stored releases; queue those that changed for matching',
  usage: 'retag',
  flags: {},
  async run(deps, _options, io) {
    const now = deps.clock.now().toISOString();
    let after = '';
    let tenders = 0;
    let placeTags = 0;
    let cpvTags = 0;
    let inferred = 0;
    let tagsChangedCount = 0;
    const failed: Array<{ ocid: string; error: string }> = [];
    for (;;) {
      const rows = await deps.db
        .selectFrom('tenders')
        .select(['ocid'])
        .where('ocid', '>', after)
        .orderBy('ocid')
        .limit(PAGE)
        .execute();
      if (!rows.length) break;
      after = rows[rows.length - 1].ocid;
      const places: TenderPlacesTable[] = [];
      const cpv: TenderCpvTable[] = [];
      const ocids: string[] = [];
      const records = new Map((await loadTenderRecords(deps.db, rows.map((r) => r.ocid))).map((r) => [r.ocid, r]));
      for (const row of rows) {
        try {
          const record = records.get(row.ocid);
          if (!record) throw new Error('no stored release reads as a tender');
          const tags = tagRows(tagTender(record), now);
          places.push(...tags.places);
          cpv.push(...tags.cpv);
          ocids.push(row.ocid);
        } catch (err) {
          failed.push({ ocid: row.ocid, error: (err as Error).message });
        }
      }
      // Queued before the tags are replaced: a run stopped in between finds the tags changed again and queues them again.
      const changed = await tagsChanged(deps.db, ocids, places, cpv);
      await queueForMatching(bulkWriter(deps.db), changed, now);
      await replaceTagRows(deps.db, ocids, places, cpv);
      tagsChangedCount += changed.length;
      tenders += ocids.length;
      placeTags += places.length;
      cpvTags += cpv.length;
      inferred += cpv.filter((c) => c.method === 'inferred').length;
      io.progress(`retag: ${tenders} tenders retagged`);
    }
    for (const f of failed) io.progress(`retag: ${f.ocid} skipped: ${f.error}`);
    const queued = await queuedCount(deps.db);
    io.progress(`retag: ${tagsChangedCount} tenders whose places or CPV codes changed were queued for matching; ${queued} tenders wait for \`match\``);
    return { command: 'retag', taggerVersion: TAGGER_VERSION, tenders, placeTags, cpvTags, inferredCpvTags: inferred, failed: failed.length, tagsChanged: tagsChangedCount, queued };
  },
};
