/**
 * The real notices the CPV tagger is trained and evaluated on, read from ../shared/data:
 * - ted/notices-2016-2020.csv: English title and published main CPV code of TED notices;
 * - ocds/*.jsonl: UK OCDS releases (Contracts Finder, Public Contracts Scotland, Sell2Wales), one notice
 *   per ocid (its last release with a title and a CPV code), text = title + description.
 *
 * The split is fixed: a notice is held out for evaluation when FNV-1a(id) mod 5 = 0 (about 20%); the
 * trainer never reads held-out notices.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normaliseCpv } from '../../src/domain/cpv/index.js';
import { parseCsv } from './csv.js';

export const DEFAULT_SHARED_DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

export interface Notice {
  id: string;
  source: 'ted' | 'contracts-finder' | 'public-contracts-scotland' | 'sell2wales';
  title: string;
  description: string;
  /** Published CPV codes, main first (8 digits). */
  cpv: string[];
}

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const isHeldOut = (id: string) => fnv1a(id) % 5 === 0;

export function requireSharedData(dir = DEFAULT_SHARED_DATA): string {
  if (!existsSync(join(dir, 'ted')) || !existsSync(join(dir, 'ocds'))) {
    throw new Error(
      `the evaluation data is missing: expected ../shared/data (ted/ and ocds/) at ${dir}. ` +
        `It sits beside the project checkout and is not shipped with it; pass --data DIR to point elsewhere.`,
    );
  }
  return dir;
}

export function tedNotices(dir: string): Notice[] {
  const [header, ...rows] = parseCsv(readFileSync(join(dir, 'ted/notices-2016-2020.csv'), 'utf8'));
  const col = (name: string) => header.indexOf(name);
  const [id, cpv, title] = [col('doc_id'), col('cpv_main'), col('title_en')];
  const out: Notice[] = [];
  for (const r of rows) {
    const code = normaliseCpv(r[cpv] ?? '');
    const t = (r[title] ?? '').replace(/^"+|"+$/g, '').trim();
    if (code && t) out.push({ id: `ted:${r[id]}`, source: 'ted', title: t, description: '', cpv: [code] });
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
 * as extra training text. `id` is the tender's ocid, so a lot is held out exactly when its tender is.
 */
export function ocdsLots(dir: string): Notice[] {
  const byKey = new Map<string, Notice>();
  for (const { source, release } of sharedReleases(dir)) {
    const tender: J = release.tender ?? {};
    const items: J[] = Array.isArray(tender.items) ? tender.items : [];
    for (const lot of Array.isArray(tender.lots) ? tender.lots : []) {
      const title = typeof lot?.title === 'string' ? lot.title.trim() : '';
      const description = typeof lot?.description === 'string' ? lot.description.trim() : '';
      if (!release.ocid || (!title && !description)) continue;
      const cpv = releaseCpv({ tender: { items: items.filter((i) => String(i?.relatedLot ?? '') === String(lot.id)) } });
      if (!cpv.length) continue;
      byKey.set(`${release.ocid}#${lot.id}`, { id: String(release.ocid), source, title: title || description.slice(0, 120), description, cpv });
    }
  }
  return [...byKey.values()];
}

export function allNotices(dir: string): Notice[] {
  return [...tedNotices(dir), ...ocdsNotices(dir)];
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
