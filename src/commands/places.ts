import { importPostcodes } from '../../jobs/import-postcodes.js';
import { linkTwins } from '../../db/queries/twins.js';
import { queuedCount } from '../../db/queries/match-queue.js';
import type { Command } from './types.js';

/**
 * `places import-postcodes FILE`: loads a list of every postcode and its local authority district into the
 * store (optional: without it, postcodes are placed through their sector or district, with a confidence).
 * `places link-twins`: looks for twins among every stored tender (ingests do it for the tenders they change; a
 * store that held tenders before twins were kept needs this once).
 */
export const placesCommand: Command = {
  summary: 'import a postcode → local authority list (e.g. postcode_to_lad_gb_2025.csv.gz) so that full postcodes place exactly',
  usage: 'places import-postcodes FILE | places link-twins',
  flags: {},
  positionals: true,
  async run(deps, _options, io, args = []) {
    const [action, file] = args;
    if (action === 'link-twins') {
      const ocids: string[] = [];
      for (let after = ''; ; ) {
        const page = await deps.db.selectFrom('tenders').select('ocid').where('ocid', '>', after).orderBy('ocid').limit(5000).execute();
        if (!page.length) break;
        ocids.push(...page.map((r) => r.ocid));
        after = page[page.length - 1].ocid;
      }
      const linked = await linkTwins(deps.db, ocids, deps.clock.now().toISOString());
      io.progress(`places: ${linked.pairs} pairs of twins among ${ocids.length} tenders; ${linked.moved} tenders queued for matching (${await queuedCount(deps.db)} wait for \`match\`)`);
      return { command: 'places link-twins', tenders: ocids.length, ...linked };
    }
    if (action !== 'import-postcodes' || !file) throw new Error('usage: places import-postcodes FILE (a CSV, gzip or not, of postcode,lad_code) | places link-twins');
    const summary = await importPostcodes(deps, file, { onProgress: io.progress });
    io.progress(`places: ${summary.stored} postcodes stored, ${summary.rejected} rejected; ${summary.tendersMadeExact} tenders placed exactly`);
    for (const r of summary.rejectedExamples) io.progress(`  rejected ${r}`);
    return { command: 'places import-postcodes', ...summary };
  },
};
