import { replaceTagRows } from '../../db/queries/tags.js';
import { tagRows } from '../../db/queries/tag-rows.js';
import type { TenderCpvTable, TenderPlacesTable } from '../../db/schema.tags.js';
import { loadTenderRecords } from '../../db/queries/releases.js';
import { tagTender, TAGGER_VERSION } from '../domain/tagging/index.js';
import type { Command } from './types.js';

const PAGE = 200;

/**
 * Recomputes the place and CPV tags of every stored tender from its stored releases (after the tagger
 * or its reference data changed). Pages through tenders by ocid, so it can run on a large store; a tender
 * whose compiled release no longer reads is counted and named, and the run goes on.
 */
export const retagCommand: Command = {
  summary: 'recompute place and CPV tags of every stored tender from its stored releases',
  usage: 'retag',
  async run(deps, _options, io) {
    const now = deps.clock.now().toISOString();
    let after = '';
    let tenders = 0;
    let placeTags = 0;
    let cpvTags = 0;
    let inferred = 0;
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
      await replaceTagRows(deps.db, ocids, places, cpv);
      tenders += ocids.length;
      placeTags += places.length;
      cpvTags += cpv.length;
      inferred += cpv.filter((c) => c.method === 'inferred').length;
      io.progress(`retag: ${tenders} tenders retagged`);
    }
    for (const f of failed) io.progress(`retag: ${f.ocid} skipped: ${f.error}`);
    return { command: 'retag', taggerVersion: TAGGER_VERSION, tenders, placeTags, cpvTags, inferredCpvTags: inferred, failed: failed.length };
  },
};
