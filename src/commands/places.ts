import { importPostcodes } from '../../jobs/import-postcodes.js';
import type { Command } from './types.js';

/**
 * `places import-postcodes FILE`: loads a list of every postcode and its local authority district into the
 * store (optional: without it, postcodes are placed through their sector or district, with a confidence).
 */
export const placesCommand: Command = {
  summary: 'import a postcode → local authority list (e.g. postcode_to_lad_gb_2025.csv.gz) so that full postcodes place exactly',
  usage: 'places import-postcodes FILE',
  async run(deps, _options, io, args = []) {
    const [action, file] = args;
    if (action !== 'import-postcodes' || !file) throw new Error('usage: places import-postcodes FILE (a CSV, gzip or not, of postcode,lad_code)');
    const summary = await importPostcodes(deps, file, { onProgress: io.progress });
    io.progress(`places: ${summary.stored} postcodes stored, ${summary.rejected} rejected; ${summary.tendersMadeExact} tenders placed exactly`);
    for (const r of summary.rejectedExamples) io.progress(`  rejected ${r}`);
    return { command: 'places import-postcodes', ...summary };
  },
};
