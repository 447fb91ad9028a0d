/**
 * `npm run cli -- eval-places [--data DIR] [--postcodes FILE]`: how far down the real releases are placed.
 *
 * Every shared OCDS file is ingested into a store of its own (in memory), as `ingest --file` does. Then, for the
 * tenders (their whole-tender delivery place), their buyers and their award suppliers: the share placed at local
 * authority (LAD) or ITL3 level, the share of those placed only by a published code or name (what a tagger without
 * postcodes to LADs reaches, measured in the same run), the share placed for certain by a postcode, and every one not
 * placed that far with its reason. With `--postcodes FILE` (postcode_to_lad_gb_2025.csv.gz) the full postcode list is
 * imported first, and the share placed
 * exactly (a LAD with confidence 1) grows from those whose sector lies in one LAD to every postcode the list holds.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { ingestFile } from '../../jobs/ingest-file.js';
import { importPostcodes } from '../../jobs/import-postcodes.js';
import { itlLevel, placeOfPostcode } from '../domain/geo/index.js';
import { DEFAULT_DATA } from './eval-matching.js';
import { stringOption, type Command } from './types.js';

interface Tag {
  ocid: string;
  lot_id: string;
  role: string;
  party_id: string;
  code: string;
  lad: string;
  level: number;
  method: string;
  lad_confidence: number | null;
  national: number;
}

const fine = (t: Tag) => t.lad !== '' || itlLevel(t.code) === 3;
const share = (n: number, of: number) => (of ? Math.round((1000 * n) / of) / 1000 : 0);

/** Why a set of tags does not reach a LAD or ITL3 area. */
function reasonOf(tags: Tag[], postcode: string | null, what: 'delivery' | 'buyer' | 'supplier'): string {
  if (!tags.length) {
    if (what === 'delivery') return 'no delivery place published or read';
    if (!postcode) return `no postcode in the ${what}'s address`;
    return placeOfPostcode(postcode) ? `postcode ${postcode} placed, but not stored` : `postcode ${postcode} is not in the UK's tables (Channel Islands, Isle of Man, mistyped or not yet known)`;
  }
  if (tags.every((t) => t.national === 1)) return tags.some((t) => t.code === 'TL') ? 'UK-wide' : 'England-wide';
  const levels = [...new Set(tags.map((t) => itlLevel(t.code)))].sort();
  const how = [...new Set(tags.map((t) => t.method))].join('/');
  return `only as wide as ITL${levels.join('/')} (${how}: ${tags.map((t) => t.code).join(', ')})`;
}

export const evalPlacesCommand: Command = {
  summary: 'measure the share of real tenders, buyers and award suppliers placed at local authority / ITL3 level (needs ../shared/data)',
  usage: 'eval-places [--data DIR] [--postcodes FILE]',
  flags: { data: { type: 'string' }, postcodes: { type: 'string' } },
  async run(deps, options, io) {
    const dir = stringOption(options, 'data') ?? DEFAULT_DATA;
    const postcodes = stringOption(options, 'postcodes');
    const root = join(dir, 'ocds');
    if (!existsSync(root)) throw new Error(`no OCDS data at ${root}: the shared data sits beside the project (../shared/data); pass --data DIR`);
    const db = await openDb(':memory:');
    const store = { ...deps, db };
    try {
      await migrate(db);
      if (postcodes) {
        const imported = await importPostcodes(store, postcodes);
        io.progress(`postcode list: ${imported.stored} postcodes imported from ${postcodes}`);
      }
      for (const source of readdirSync(root).sort()) {
        if (source === 'schema') continue;
        for (const file of readdirSync(join(root, source)).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl')).sort()) await ingestFile(store, join(root, source, file));
      }
      const tenders = await db.selectFrom('tenders').select(['ocid', 'source', 'buyer_postcode', 'buyer_name']).orderBy('ocid').execute();
      const suppliers = await db.selectFrom('award_suppliers').select(['ocid', 'award_id', 'party_id', 'name', 'postcode']).execute();
      const tags = (await db.selectFrom('tender_places').select(['ocid', 'lot_id', 'role', 'party_id', 'code', 'lad', 'level', 'method', 'lad_confidence', 'national']).execute()) as Tag[];
      const byKey = new Map<string, Tag[]>();
      for (const t of tags) {
        const key = `${t.ocid}|${t.role}|${t.role === 'supplier' ? t.party_id : t.lot_id}`;
        byKey.set(key, [...(byKey.get(key) ?? []), t]);
      }
      const measure = (what: 'delivery' | 'buyer' | 'supplier', items: Array<{ key: string; label: string; postcode: string | null }>) => {
        let placed = 0;
        let byCodeOrName = 0;
        let exact = 0;
        const unplaced: string[] = [];
        for (const item of items) {
          const own = byKey.get(item.key) ?? [];
          const fineTags = own.filter(fine);
          if (fineTags.length) {
            placed++;
            if (fineTags.some((t) => t.method !== 'postcode')) byCodeOrName++;
            if (fineTags.some((t) => t.lad && t.lad_confidence === 1 && t.method === 'postcode')) exact++;
          } else unplaced.push(`${item.label}: ${reasonOf(own, item.postcode, what)}`);
        }
        return { n: items.length, placed, placedShare: share(placed, items.length), byCodeOrNameShare: share(byCodeOrName, items.length), exactPostcodeShare: share(exact, items.length), unplaced };
      };
      const delivery = measure('delivery', tenders.map((t) => ({ key: `${t.ocid}|delivery|`, label: t.ocid, postcode: null })));
      const buyers = measure('buyer', tenders.map((t) => ({ key: `${t.ocid}|buyer|`, label: `${t.ocid} ${t.buyer_name ?? ''}`.trim(), postcode: t.buyer_postcode })));
      const awardSuppliers = measure(
        'supplier',
        suppliers.map((s) => ({ key: `${s.ocid}|supplier|${s.party_id}`, label: `${s.ocid} ${s.name ?? s.party_id}`, postcode: s.postcode })),
      );
      for (const [name, m] of [
        ['tenders (delivery place)', delivery],
        ['buyers', buyers],
        ['award suppliers', awardSuppliers],
      ] as const) {
        io.progress(
          `${name}: ${m.placed}/${m.n} placed at LAD or ITL3 (${(100 * m.placedShare).toFixed(1)}%); by a published code or name alone ${(100 * m.byCodeOrNameShare).toFixed(1)}%` +
            `; by a postcode placed for certain (its sector in one LAD${postcodes ? ', or the postcode in the imported list' : ''}) ${(100 * m.exactPostcodeShare).toFixed(1)}%`,
        );
        const reasons = new Map<string, number>();
        for (const u of m.unplaced) {
          const reason = u.replace(/^[^:]+: /, '').replace(/\(.*\)/, '').replace(/postcode [A-Z0-9]{2,4} [0-9][A-Z]{2}/, 'postcode').trim();
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        }
        for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1])) io.progress(`  not placed that far, ${count}: ${reason}`);
        for (const u of m.unplaced) io.progress(`    ${u}`);
      }
      const figures = (m: ReturnType<typeof measure>) => ({ n: m.n, placed: m.placed, placedShare: m.placedShare, byCodeOrNameShare: m.byCodeOrNameShare, certainByPostcodeShare: m.exactPostcodeShare, unplaced: m.unplaced.length });
      return { command: 'eval-places', tenders: figures(delivery), buyers: figures(buyers), awardSuppliers: figures(awardSuppliers) };
    } finally {
      await db.destroy();
    }
  },
};
