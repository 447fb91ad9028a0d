/**
 * `npm run cli -- eval-twins [--data DIR] [--seed N]`: how well the same procurement published twice is recognised
 * (src/domain/ocds/twins.ts, linked in the store by db/queries/twins.ts).
 *
 * Every shared OCDS file is ingested into a store of its own (in memory). Then, made from each real tender:
 * - a twin: the same notice again under another ocid (Find a Tender's prefix for a Contracts Finder notice, and the
 *   other way round), published one to three days later, with the changes portals make: title and buyer in capitals
 *   or with `&` for `and`, "The" before the buyer, the buyer's name shortened, "Provision of" before the title, the
 *   deadline an hour later (time zones), the value left out, the reference left out, a word of a long title dropped;
 * - two near-twins that are other procurements: next year's repeat (same buyer and title, a year later, value up
 *   10%), and a sibling published the same day (same buyer, the title with "Lot 2" added, half the value, a deadline a
 *   month later).
 * The store links twins as it does after every ingest. Figures: pairs found among the real releases (listed, for a
 * person to judge: no truth is known for them), twins joined (in one set with their real tender) out of those made,
 * near-twins joined, wrong links (any two linked tenders that are not one procurement), and sets of twins holding
 * more than one procurement.
 */
import type { Kysely } from 'kysely';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { storeReleases } from '../ingest/store.js';
import { linkTwins } from '../../db/queries/twins.js';
import type { Database } from '../../db/schema.js';
import { prng } from '../../jobs/tools/seeded-random.js';
import { compileReleases } from '../domain/ocds/compile.js';
import type { JsonObject, Release } from '../domain/ocds/types.js';
import { unpackDocument } from '../domain/ocds/unpack.js';
import { sourceForOcid } from '../domain/ocds/release.js';
import { DEFAULT_DATA } from './eval-matching.js';
import { stringOption, wholeNumberOption, type Command } from './types.js';

const obj = (v: unknown): JsonObject => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : {});
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const shiftDate = (iso: unknown, days: number): string | undefined =>
  typeof iso === 'string' && !Number.isNaN(Date.parse(iso)) ? new Date(Date.parse(iso) + days * 86_400_000).toISOString() : undefined;

/** Every release of the shared OCDS files, by ocid. */
function sharedReleases(dir: string): Map<string, Release[]> {
  const root = join(dir, 'ocds');
  if (!existsSync(root)) throw new Error(`no OCDS data at ${root}: the shared data sits beside the project (../shared/data); pass --data DIR`);
  const byOcid = new Map<string, Map<string, Release>>();
  for (const source of readdirSync(root).sort()) {
    if (source === 'schema') continue;
    for (const file of readdirSync(join(root, source)).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl')).sort()) {
      for (const entry of unpackDocument(readFileSync(join(root, source, file), 'utf8'))) {
        const r = entry.value as Release | undefined;
        if (!r || typeof r.ocid !== 'string') continue;
        const list = byOcid.get(r.ocid) ?? new Map<string, Release>();
        list.set(typeof r.id === 'string' ? r.id : entry.raw, r);
        byOcid.set(r.ocid, list);
      }
    }
  }
  return new Map([...byOcid].map(([ocid, m]) => [ocid, [...m.values()]]));
}

/** The buyer's name in a compiled release, everywhere it is written. */
function renameBuyer(release: JsonObject, rename: (name: string) => string): void {
  const buyer = obj(release.buyer);
  if (typeof buyer.name === 'string') buyer.name = rename(buyer.name);
  for (const p of Array.isArray(release.parties) ? release.parties : []) {
    const party = obj(p);
    if (Array.isArray(party.roles) && party.roles.includes('buyer') && typeof party.name === 'string') party.name = rename(party.name);
  }
}

function asRelease(compiled: JsonObject, ocid: string, id: string, date: string): JsonObject {
  const r = clone(compiled);
  r.ocid = ocid;
  r.id = id;
  r.date = date;
  r.tag = ['tender'];
  return r;
}

interface Made {
  real: string;
  twin: string;
  variation: string;
}

export const evalTwinsCommand: Command = {
  summary: 'measure how the same procurement published twice is recognised, on real releases and twins made from them (needs ../shared/data)',
  usage: 'eval-twins [--data DIR] [--seed N]',
  flags: { data: { type: 'string' }, seed: { type: 'string' } },
  async run(deps, options, io) {
    const dir = stringOption(options, 'data') ?? DEFAULT_DATA;
    const random = prng(wholeNumberOption(options, 'seed') ?? 12);
    const now = deps.clock.now().toISOString();
    const db = (await openDb(':memory:')) as Kysely<Database> & Awaited<ReturnType<typeof openDb>>;
    try {
      await migrate(db);
      const real = sharedReleases(dir);
      for (const [ocid, releases] of real) {
        await storeReleases(db, sourceForOcid(ocid) ?? 'file', releases.map((r) => ({ raw: JSON.stringify(r), value: r })), now);
      }
      const stored = await db.selectFrom('tenders').select(['ocid', 'title', 'buyer_name']).execute();
      await linkTwins(db, stored.map((t) => t.ocid), now);
      const realPairs = await db.selectFrom('tender_twins').select(['ocid', 'twin_ocid', 'reasons']).whereRef('ocid', '<', 'twin_ocid').execute();
      const titleOf = new Map(stored.map((t) => [t.ocid, `${t.title ?? '(no title)'} — ${t.buyer_name ?? '(no buyer)'}`]));
      io.progress(`real releases: ${stored.length} tenders, ${realPairs.length} pairs of twins found among them:`);
      for (const p of realPairs) io.progress(`  ${p.ocid} = ${p.twin_ocid}: ${titleOf.get(p.ocid)} | ${JSON.parse(p.reasons).join(', ')}`);

      // Twins and near-twins made from every real tender with a title and a buyer.
      const made: Made[] = [];
      const nearTwins: Made[] = [];
      const incoming: Array<{ source: string; value: JsonObject }> = [];
      let n = 0;
      for (const [ocid, releases] of real) {
        const compiled = compileReleases(releases);
        const tender = obj(compiled.tender);
        if (typeof tender.title !== 'string' || !obj(compiled.buyer).name) continue;
        n++;
        const published = (typeof tender.datePublished === 'string' && tender.datePublished) || (typeof compiled.date === 'string' && compiled.date) || now;
        const otherPortal = ocid.startsWith('ocds-b5fd17-') ? 'ocds-h6vhtk' : 'ocds-b5fd17';
        const twinOcid = `${otherPortal}-twin-${n}`;
        const twin = asRelease(compiled, twinOcid, `twin-${n}`, shiftDate(published, 1 + Math.floor(random() * 3))!);
        const t = obj(twin.tender);
        t.datePublished = twin.date;
        const changes: string[] = [];
        const pick = (p: number) => random() < p;
        if (pick(0.4)) {
          t.title = (t.title as string).toUpperCase();
          renameBuyer(twin, (s) => s.toUpperCase());
          changes.push('capitals');
        }
        if (pick(0.3)) {
          t.title = (t.title as string).replace(/ and /gi, ' & ').replace(/[-–:]/g, ' ');
          changes.push('punctuation');
        }
        if (pick(0.3)) {
          renameBuyer(twin, (s) => (/^the /i.test(s) ? s.replace(/^the /i, '') : `The ${s}`));
          changes.push('"The" before the buyer');
        }
        if (pick(0.3) && t.value) {
          delete t.value;
          changes.push('no value');
        }
        if (pick(0.5)) {
          delete t.id;
          changes.push('no reference');
        }
        if (pick(0.2)) {
          t.title = `Provision of ${t.title as string}`;
          changes.push('"Provision of" before the title');
        }
        if (pick(0.2)) {
          // Another portal's account of the buyer: its name without what is in brackets or after a dash, or its first words.
          renameBuyer(twin, (name) => {
            const short = name.replace(/\s*\(.*\)\s*/g, ' ').replace(/\s+[-–].*$/, '').trim();
            return short !== name ? short : name.split(/\s+/).slice(0, Math.max(2, name.split(/\s+/).length - 1)).join(' ');
          });
          changes.push('buyer named differently');
        }
        const period = obj(t.tenderPeriod);
        if (pick(0.2) && typeof period.endDate === 'string') {
          period.endDate = shiftDate(period.endDate, 1 / 24) ?? period.endDate;
          changes.push('deadline an hour later');
        }
        const words = (t.title as string).split(/\s+/);
        if (pick(0.25) && words.length >= 8) {
          words.splice(Math.floor(random() * words.length), 1);
          t.title = words.join(' ');
          changes.push('a word dropped');
        }
        incoming.push({ source: sourceForOcid(twinOcid) ?? 'file', value: twin });
        made.push({ real: ocid, twin: twinOcid, variation: changes.join(', ') || 'as published' });

        // Next year's repeat of the same procurement.
        const repeatOcid = `${ocid.slice(0, 11)}-repeat-${n}`;
        const repeat = asRelease(compiled, repeatOcid, `repeat-${n}`, shiftDate(published, 365)!);
        const rt = obj(repeat.tender);
        rt.datePublished = repeat.date;
        if (obj(rt.tenderPeriod).endDate) obj(rt.tenderPeriod).endDate = shiftDate(obj(rt.tenderPeriod).endDate, 365) ?? null;
        if (typeof obj(rt.value).amount === 'number') obj(rt.value).amount = Math.round((obj(rt.value).amount as number) * 1.1);
        if (typeof rt.id === 'string') rt.id = `${rt.id}-next`;
        incoming.push({ source: sourceForOcid(repeatOcid) ?? 'file', value: repeat });
        nearTwins.push({ real: ocid, twin: repeatOcid, variation: "next year's repeat" });

        // A sibling procurement the same day: another lot tendered alone.
        const siblingOcid = `${ocid.slice(0, 11)}-sibling-${n}`;
        const sibling = asRelease(compiled, siblingOcid, `sibling-${n}`, published);
        const st = obj(sibling.tender);
        st.title = `${st.title as string} Lot 2`;
        if (obj(st.tenderPeriod).endDate) obj(st.tenderPeriod).endDate = shiftDate(obj(st.tenderPeriod).endDate, 30) ?? null;
        if (typeof obj(st.value).amount === 'number') obj(st.value).amount = Math.round((obj(st.value).amount as number) / 2);
        if (typeof st.id === 'string') st.id = `${st.id}-lot2`;
        incoming.push({ source: sourceForOcid(siblingOcid) ?? 'file', value: sibling });
        nearTwins.push({ real: ocid, twin: siblingOcid, variation: 'a sibling the same day' });
      }
      const bySource = new Map<string, JsonObject[]>();
      for (const i of incoming) bySource.set(i.source, [...(bySource.get(i.source) ?? []), i.value]);
      for (const [source, values] of bySource) {
        for (let i = 0; i < values.length; i += 250) {
          await storeReleases(db, source, values.slice(i, i + 250).map((v) => ({ raw: JSON.stringify(v), value: v })), now);
        }
      }
      await linkTwins(db, incoming.map((i) => String(i.value.ocid)), now);

      const links = await db.selectFrom('tender_twins').select(['ocid', 'twin_ocid']).whereRef('ocid', '<', 'twin_ocid').execute();
      const key = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);
      const joined = new Set(links.map((l) => key(l.ocid, l.twin_ocid)));
      // Which procurement each tender is: the real pairs found (read by hand: each is one notice published twice)
      // join their tenders into one; a made twin is its real tender's procurement; a repeat or a sibling its own.
      const group = new Map<string, string>();
      const root = (o: string): string => (group.get(o) && group.get(o) !== o ? root(group.get(o)!) : o);
      for (const p of realPairs) group.set(root(p.twin_ocid), root(p.ocid));
      const madeFrom = new Map([...made.map((m) => [m.twin, { ...m, kind: 'original' }] as const), ...nearTwins.map((m) => [m.twin, { ...m, kind: m.variation }] as const)]);
      const procurement = (o: string) => {
        const m = madeFrom.get(o);
        return m ? `${root(m.real)}|${m.kind}` : `${root(o)}|original`;
      };
      // Sets of twins as the store keeps them: every tender linked to another, directly or through a third.
      const set = new Map<string, string>();
      const head = (o: string): string => (set.get(o) && set.get(o) !== o ? head(set.get(o)!) : o);
      for (const l of links) {
        const [a, b] = [head(l.ocid), head(l.twin_ocid)];
        if (a !== b) set.set(b, a);
      }
      const together = (a: string, b: string) => head(a) === head(b);
      const found = made.filter((m) => together(m.real, m.twin));
      const missed = made.filter((m) => !together(m.real, m.twin));
      const nearJoined = nearTwins.filter((m) => together(m.real, m.twin));
      const members = new Map<string, string[]>();
      for (const o of new Set(links.flatMap((l) => [l.ocid, l.twin_ocid]))) members.set(head(o), [...(members.get(head(o)) ?? []), o]);
      // Wrong: any pair joined whose two tenders are not the same procurement.
      const wrong = [...joined].filter((k) => {
        const [a, b] = k.split(' ');
        return procurement(a) !== procurement(b);
      });
      io.progress(`twins made from real tenders: ${made.length}; joined ${found.length} (${((100 * found.length) / Math.max(1, made.length)).toFixed(1)}%)`);
      const missedBy = new Map<string, number>();
      for (const m of missed) missedBy.set(m.variation, (missedBy.get(m.variation) ?? 0) + 1);
      for (const [variation, count] of [...missedBy].sort((a, b) => b[1] - a[1])) io.progress(`  missed ${count} changed by: ${variation}`);
      io.progress(`near-twins made (other procurements): ${nearTwins.length}; wrongly joined ${nearJoined.length}`);
      for (const m of nearJoined.slice(0, 10)) io.progress(`  joined ${m.real} with its ${m.variation} ${m.twin}`);
      const mixed = [...members.values()].filter((m) => new Set(m.map(procurement)).size > 1);
      io.progress(`wrong joins of any kind: ${wrong.length} links; sets of twins holding more than one procurement: ${mixed.length} of ${members.size}`);
      for (const k of wrong.slice(0, 20)) {
        const [a, b] = k.split(' ').map((o) => madeFrom.get(o));
        io.progress(`  ${k}: made from ${a?.real ?? '(real)'} (${a?.variation ?? ''}) and ${b?.real ?? '(real)'} (${b?.variation ?? ''}): ${titleOf.get(a?.real ?? '') ?? ''}`);
      }
      return {
        command: 'eval-twins',
        realTenders: stored.length,
        realPairsFound: realPairs.length,
        twinsMade: made.length,
        twinsJoined: found.length,
        twinsRecall: Math.round((1000 * found.length) / Math.max(1, made.length)) / 1000,
        nearTwinsMade: nearTwins.length,
        nearTwinsJoined: nearJoined.length,
        wrongJoins: wrong.length,
        twinSets: members.size,
        mixedSets: mixed.length,
      };
    } finally {
      await db.destroy();
    }
  },
};
