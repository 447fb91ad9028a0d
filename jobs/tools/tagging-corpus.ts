/**
 * The real notices the CPV tagger is trained and evaluated on, read from ../shared/data:
 * - ted/notices-2016-2020.csv: English title and published main CPV code of TED notices;
 * - ted/notices-2011-en.csv: English TED notices of 25 January 2011 with title, description and every CPV code;
 * - ocds/*.jsonl: UK OCDS releases (Contracts Finder, Public Contracts Scotland, Sell2Wales), one notice
 *   per ocid (its last release with a title and a CPV code), text = title + description;
 * - contracts-finder-csv/awarded-notices-2020.csv: 1,000 notices in Contracts Finder's CSV export, read with
 *   csv-parse and mapped as `ingest --file` maps them (src/domain/ocds/contracts-finder-csv.ts).
 *
 * The split is fixed and keyed by the notice's title, so that notices published again and again under one
 * title (83 PPE purchases, 39 "Route Agreement"s) fall on one side: FNV-1a of the title (lower-cased, letters
 * only) mod 5 = 0 is the test split, = 1 the validation fold settings are chosen on, the rest is trained on.
 * The trainer never reads the test split; a shipped model is trained on training + validation.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { normaliseCpv } from '../../src/domain/cpv/index.js';
import { contractsFinderCsvRelease } from '../../src/domain/ocds/contracts-finder-csv.js';

export const DEFAULT_SHARED_DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

export type NoticeSource = 'ted' | 'ted-2011' | 'contracts-finder' | 'contracts-finder-csv' | 'public-contracts-scotland' | 'sell2wales';

export interface Notice {
  id: string;
  source: NoticeSource;
  title: string;
  description: string;
  /** Published CPV codes, main first (8 digits). */
  cpv: string[];
}

/** UK notices (Contracts Finder, Scotland, Wales) or TED's. */
export const noticeKind = (n: Pick<Notice, 'source'>): 'uk' | 'ted' => (n.source.startsWith('ted') ? 'ted' : 'uk');

/** What the split is keyed on: the title, lower-cased, letters only (notices titled alike fall together). */
export function splitKey(n: Pick<Notice, 'title' | 'description'>): string {
  const key = (n.title || n.description.slice(0, 120)).toLowerCase().replace(/[^a-z]+/g, ' ').trim();
  return key || n.title;
}

export type Fold = 'test' | 'validation' | 'train';

export function foldOf(n: Pick<Notice, 'title' | 'description'>): Fold {
  const r = fnv1a(splitKey(n)) % 5;
  return r === 0 ? 'test' : r === 1 ? 'validation' : 'train';
}

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** In the test split: never trained on. */
export const isHeldOut = (n: Pick<Notice, 'title' | 'description'>) => foldOf(n) === 'test';

export function requireSharedData(dir = DEFAULT_SHARED_DATA): string {
  if (!existsSync(join(dir, 'ted')) || !existsSync(join(dir, 'ocds'))) {
    throw new Error(
      `the evaluation data is missing: expected ../shared/data (ted/ and ocds/) at ${dir}. ` +
        `It sits beside the project checkout and is not shipped with it; pass --data DIR to point elsewhere.`,
    );
  }
  return dir;
}

const readCsv = (path: string): Array<Record<string, string>> =>
  parse(readFileSync(path, 'utf8'), { columns: true, bom: true, relax_column_count: true, skip_empty_lines: true });

export function tedNotices(dir: string): Notice[] {
  const out: Notice[] = [];
  for (const r of readCsv(join(dir, 'ted/notices-2016-2020.csv'))) {
    const code = normaliseCpv(r.cpv_main ?? '');
    const t = (r.title_en ?? '').replace(/^"+|"+$/g, '').trim();
    if (code && t) out.push({ id: `ted:${r.doc_id}`, source: 'ted', title: t, description: '', cpv: [code] });
  }
  return out;
}

/** TED notices of 2011 in English: title and description, every CPV code (the first is the main one). */
export function ted2011Notices(dir: string): Notice[] {
  const path = join(dir, 'ted/notices-2011-en.csv');
  if (!existsSync(path)) return [];
  const out: Notice[] = [];
  for (const r of readCsv(path)) {
    const cpv = [...new Set((r.cpv_codes ?? '').split(/[;\s]+/).map((c) => normaliseCpv(c)).filter((c): c is string => !!c))];
    const title = (r.title ?? '').trim();
    const description = (r.description ?? '').trim();
    if (cpv.length && (title || description)) out.push({ id: `ted:${r.doc_id}`, source: 'ted-2011', title: title || description.slice(0, 120), description, cpv });
  }
  return out;
}

/** The Contracts Finder CSV export's rows, each mapped as ingest maps it; rows that do not map are left out. */
export function contractsFinderCsvNotices(dir: string): Notice[] {
  const path = join(dir, 'contracts-finder-csv/awarded-notices-2020.csv');
  if (!existsSync(path)) return [];
  const out: Notice[] = [];
  for (const row of readCsv(path)) {
    const mapped = contractsFinderCsvRelease(row);
    if (!mapped.ok) continue;
    const release = mapped.release as J;
    const cpv = releaseCpv(release);
    if (!cpv.length) continue;
    out.push({ id: String(release.ocid), source: 'contracts-finder-csv', title: String(release.tender.title), description: String(release.tender.description ?? ''), cpv });
  }
  return out;
}

type J = Record<string, any>;

/** Published CPV codes of a raw release: tender.classification, then items, main codes before additional. */
export function releaseCpv(release: J): string[] {
  const tender: J = release.tender ?? {};
  const main: string[] = [];
  const extra: string[] = [];
  const push = (list: string[], c: unknown) => {
    const code = typeof c === 'string' || typeof c === 'number' ? normaliseCpv(String(c)) : null;
    if (code && !main.includes(code) && !extra.includes(code)) list.push(code);
  };
  const isCpv = (cl: J | undefined) => !cl?.scheme || /cpv/i.test(String(cl.scheme));
  if (isCpv(tender.classification)) push(main, tender.classification?.id);
  for (const item of Array.isArray(tender.items) ? tender.items : []) {
    if (isCpv(item?.classification)) push(main, item?.classification?.id);
    for (const a of Array.isArray(item?.additionalClassifications) ? item.additionalClassifications : []) if (isCpv(a)) push(extra, a?.id);
  }
  for (const a of Array.isArray(tender.additionalClassifications) ? tender.additionalClassifications : []) if (isCpv(a)) push(extra, a?.id);
  return [...main, ...extra];
}

const OCDS_SOURCES = ['contracts-finder', 'public-contracts-scotland', 'sell2wales'] as const;

/** Every release of the shared OCDS files, with the feed it came from; unreadable lines are passed over. */
function* sharedReleases(dir: string): Generator<{ source: (typeof OCDS_SOURCES)[number]; release: J }> {
  for (const source of OCDS_SOURCES) {
    const folder = join(dir, 'ocds', source);
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.jsonl')).sort()) {
      for (const line of readFileSync(join(folder, file), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          yield { source, release: JSON.parse(line) as J };
        } catch {
          // a line that is not JSON teaches nothing
        }
      }
    }
  }
}

export function ocdsNotices(dir: string): Notice[] {
  const byOcid = new Map<string, Notice>();
  for (const { source, release } of sharedReleases(dir)) {
    const tender: J = release.tender ?? {};
    const cpv = releaseCpv(release);
    const title = typeof tender.title === 'string' ? tender.title.trim() : '';
    if (!release.ocid || !title || !cpv.length) continue;
    const description = typeof tender.description === 'string' ? tender.description.trim() : '';
    byOcid.set(String(release.ocid), { id: String(release.ocid), source, title, description, cpv });
  }
  return [...byOcid.values()];
}

/**
 * Lots of the OCDS releases with words of their own (title or description) and CPV codes on their items,
 * as extra training text. `tender` is the tender's notice: a lot is held out exactly when its tender is.
 */
export function ocdsLots(dir: string): Array<Notice & { tender: Pick<Notice, 'title' | 'description'> }> {
  const byKey = new Map<string, Notice & { tender: Pick<Notice, 'title' | 'description'> }>();
  for (const { source, release } of sharedReleases(dir)) {
    const tender: J = release.tender ?? {};
    const items: J[] = Array.isArray(tender.items) ? tender.items : [];
    for (const lot of Array.isArray(tender.lots) ? tender.lots : []) {
      const title = typeof lot?.title === 'string' ? lot.title.trim() : '';
      const description = typeof lot?.description === 'string' ? lot.description.trim() : '';
      if (!release.ocid || (!title && !description)) continue;
      const cpv = releaseCpv({ tender: { items: items.filter((i) => String(i?.relatedLot ?? '') === String(lot.id)) } });
      if (!cpv.length) continue;
      const tenderNotice = { title: typeof tender.title === 'string' ? tender.title.trim() : '', description: typeof tender.description === 'string' ? tender.description.trim() : '' };
      byKey.set(`${release.ocid}#${lot.id}`, { id: String(release.ocid), source, title: title || description.slice(0, 120), description, cpv, tender: tenderNotice });
    }
  }
  return [...byKey.values()];
}

export function allNotices(dir: string): Notice[] {
  return [...tedNotices(dir), ...ted2011Notices(dir), ...ocdsNotices(dir), ...contractsFinderCsvNotices(dir)];
}

/** Raw release lines of the real OCDS files, for place measurement and benchmarks. */
export function ocdsReleaseLines(dir: string): Array<{ source: string; line: string }> {
  const out: Array<{ source: string; line: string }> = [];
  for (const source of ['contracts-finder', 'public-contracts-scotland', 'sell2wales']) {
    const folder = join(dir, 'ocds', source);
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.jsonl')).sort()) {
      for (const line of readFileSync(join(folder, file), 'utf8').split('\n')) if (line.trim()) out.push({ source, line });
    }
  }
  return out;
}
