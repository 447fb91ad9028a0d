import { replaceTagRows } from '../db/queries/tags.js';
import { tagRows } from '../db/queries/tag-rows.js';
import type { TenderCpvTable, TenderPlacesTable } from '../db/schema.tags.js';
import { loadTenderRecords } from '../db/queries/releases.js';
import { tagTender, TAGGER_VERSION } from '../src/domain/tagging/index.js';
import { bulkWriter, chunks } from '../db/bulk.js';
import type { Db } from '../db/client.js';
import { queuedCount, queueForMatching } from '../db/queries/match-queue.js';
import type { Deps } from '../src/deps.js';

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

export interface RetagSummary {
  taggerVersion: string;
  /** The version the store was tagged with before (null: never recorded). */
  previousVersion: string | null;
  tenders: number;
  placeTags: number;
  cpvTags: number;
  inferredCpvTags: number;
  failed: number;
  failures: Array<{ ocid: string; error: string }>;
  tagsChanged: number;
  queued: number;
}

/** The tagger version the store was last tagged with as a whole, or null. */
export async function storedTaggerVersion(db: Db): Promise<string | null> {
  const row = await db.selectFrom('tagger_state').select('version').where('id', '=', 1).executeTakeFirst();
  return row?.version ?? null;
}

async function recordTaggerVersion(db: Db, version: string, now: string): Promise<void> {
  await db
    .insertInto('tagger_state')
    .values({ id: 1, version, retagged_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ version, retagged_at: now }))
    .execute();
}

/**
 * Recomputes the place and CPV tags of every stored tender from its stored releases (after the tagger
 * or its reference data changed). Pages through tenders by ocid, so it can run on a large store; a tender
 * whose compiled release no longer reads is counted and named, and the run goes on. Tenders whose places or
 * CPV codes changed are put in the match queue, for the next `match` (or ingest) to match them again. Once every
 * tender is done, the tagger's version is recorded. Two instances retagging at once do the same work twice and
 * write the same rows (every write is a replacement or an idempotent queueing), so no lease is taken.
 */
export async function retagAll(deps: Deps, onProgress: (line: string) => void = () => {}): Promise<RetagSummary> {
  const previousVersion = await storedTaggerVersion(deps.db);
  const summary: RetagSummary = { taggerVersion: TAGGER_VERSION, previousVersion, tenders: 0, placeTags: 0, cpvTags: 0, inferredCpvTags: 0, failed: 0, failures: [], tagsChanged: 0, queued: 0 };
  const now = deps.clock.now().toISOString();
  let after = '';
  for (;;) {
    const rows = await deps.db.selectFrom('tenders').select(['ocid']).where('ocid', '>', after).orderBy('ocid').limit(PAGE).execute();
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
        summary.failures.push({ ocid: row.ocid, error: (err as Error).message });
      }
    }
    // Queued before the tags are replaced: a run stopped in between finds the tags changed again and queues them again.
    const changed = await tagsChanged(deps.db, ocids, places, cpv);
    await queueForMatching(bulkWriter(deps.db), changed, now);
    await replaceTagRows(deps.db, ocids, places, cpv);
    summary.tagsChanged += changed.length;
    summary.tenders += ocids.length;
    summary.placeTags += places.length;
    summary.cpvTags += cpv.length;
    summary.inferredCpvTags += cpv.filter((c) => c.method === 'inferred').length;
    onProgress(`retag: ${summary.tenders} tenders retagged`);
  }
  summary.failed = summary.failures.length;
  await recordTaggerVersion(deps.db, TAGGER_VERSION, now);
  summary.queued = await queuedCount(deps.db);
  return summary;
}

export type TaggerCheck =
  | { state: 'current'; version: string }
  /** A store with no tenders: the running version is recorded, nothing to retag. */
  | { state: 'recorded'; version: string }
  | { state: 'stale'; version: string; storedVersion: string | null; tenders: number };

/** Whether the stored tags were made by the running tagger (see migration 012). */
export async function checkTaggerVersion(deps: Deps): Promise<TaggerCheck> {
  const stored = await storedTaggerVersion(deps.db);
  if (stored === TAGGER_VERSION) return { state: 'current', version: TAGGER_VERSION };
  const any = await deps.db.selectFrom('tenders').select('ocid').limit(1).executeTakeFirst();
  if (!any) {
    await recordTaggerVersion(deps.db, TAGGER_VERSION, deps.clock.now().toISOString());
    return { state: 'recorded', version: TAGGER_VERSION };
  }
  const count = await deps.db.selectFrom('tenders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { state: 'stale', version: TAGGER_VERSION, storedVersion: stored, tenders: Number(count.n) };
}

/**
 * Run at start-up and by the ingest job: when the stored tags come from another tagger version, retags every
 * tender (changed ones are queued for matching) if RETAG_ON_START is on, else logs that `retag` should run.
 */
export async function retagIfStale(deps: Deps): Promise<{ check: TaggerCheck; retag: RetagSummary | null }> {
  const check = await checkTaggerVersion(deps);
  if (check.state !== 'stale') return { check, retag: null };
  const from = check.storedVersion ?? 'an unrecorded version';
  if (!deps.config.RETAG_ON_START) {
    deps.log.warn(`stored CPV tags come from tagger ${from}, this is ${check.version}: run \`npm run cli -- retag\` to retag ${check.tenders} tenders`, {
      storedVersion: check.storedVersion,
      taggerVersion: check.version,
    });
    return { check, retag: null };
  }
  deps.log.info(`stored CPV tags come from tagger ${from}, this is ${check.version}: retagging ${check.tenders} tenders`, { storedVersion: check.storedVersion, taggerVersion: check.version });
  const retag = await retagAll(deps);
  const { failures: _failures, ...figures } = retag;
  deps.log.info('retag finished', { ...figures });
  return { check, retag };
}
