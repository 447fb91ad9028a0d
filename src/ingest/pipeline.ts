/**
 * The ingest pipeline: the rows a batch of releases becomes, worked out without reading the store: checking,
 * hashing, compiling per ocid, normalising and tagging. Pure, so that a bulk ingest can run it off the thread that
 * writes (jobs/ingest-file.worker.ts); the store (db/queries/releases.ts storePrepared) takes its rows and is given
 * this pipeline for the ocids it must compile again with the releases it holds.
 *
 * Each tender is compiled from the batch's own releases only. That is the whole story for an ocid the store
 * has never seen, which is nearly every ocid of a bulk ingest; for one it has, storePrepared compiles again
 * with the stored releases and uses these rows for nothing but the releases themselves.
 */
import { compileReleases, earliestDate, releaseDate, sortReleases } from '../domain/ocds/compile.js';
import { normalise } from '../domain/ocds/normalise.js';
import { releaseIdOf, releaseProblem, releaseTags } from '../domain/ocds/release.js';
import type { IncomingRelease, Release } from '../domain/ocds/types.js';
import { buyerKey, titleKey } from '../domain/ocds/twins.js';
import { tagTender } from '../domain/tagging/index.js';
import { hash64 } from '../../db/digest.js';
import type { CompiledTender, IngestPipeline, PreparedBatch, PreparedRelease, PreparedTender, QuarantineEntry, ReleaseOfTender, TenderRows } from '../../db/prepared.js';
import { tagRows } from '../../db/queries/tag-rows.js';

const json = JSON.stringify;
const flag = (b: boolean | null) => (b === null ? null : b ? 1 : 0);

/** Checks, hashes and compiles one source's batch of incoming releases into rows. */
export function prepareBatch(source: string, incoming: IncomingRelease[], now: string): PreparedBatch {
  const quarantine: QuarantineEntry[] = [];
  const accepted = new Map<string, { prepared: PreparedRelease; release: Release }>();
  for (const entry of incoming) {
    if (entry.parseError !== undefined || entry.value === undefined) {
      quarantine.push({ reason: entry.parseError ?? 'no release value', raw: entry.raw, ocid: null, releaseId: null });
      continue;
    }
    const problem = releaseProblem(entry.value);
    const maybe = entry.value as Record<string, unknown>;
    if (problem) {
      quarantine.push({
        reason: problem,
        raw: entry.raw,
        ocid: typeof maybe?.ocid === 'string' ? maybe.ocid : null,
        releaseId: typeof maybe?.id === 'string' ? maybe.id : null,
      });
      continue;
    }
    const release = entry.value as Release;
    const releaseId = releaseIdOf(release, entry.raw);
    const prepared: PreparedRelease = {
      releaseId,
      ocid: String(release.ocid),
      date: releaseDate(release),
      hash: hash64(entry.raw),
      tags: json(releaseTags(release)),
      raw: entry.raw,
    };
    // The same release twice in one batch: the later copy wins, as it would across batches.
    accepted.set(releaseId, { prepared, release });
  }

  const byOcid = new Map<string, Array<{ prepared: PreparedRelease; release: Release }>>();
  for (const a of accepted.values()) {
    const list = byOcid.get(a.prepared.ocid);
    if (list) list.push(a);
    else byOcid.set(a.prepared.ocid, [a]);
  }
  const tenders: PreparedTender[] = [];
  for (const [ocid, list] of byOcid) {
    const releaseIds = list.map((a) => a.prepared.releaseId);
    try {
      const compiled = compileTender(
        list.map((a) => ({ releaseId: a.prepared.releaseId, date: a.prepared.date, release: a.release })),
        null,
      );
      tenders.push({ ocid, releaseIds, rows: tenderRows(compiled, source, now) });
    } catch (err) {
      tenders.push({ ocid, releaseIds, error: (err as Error).message });
    }
  }
  return { source, fetched: incoming.length, quarantine, releases: [...accepted.values()].map((a) => a.prepared), tenders };
}

/** Compiles every release of one ocid into its normalised record; throws when they cannot be compiled. */
export function compileTender(releases: ReleaseOfTender[], firstPublished: string | null): CompiledTender {
  const compiled = compileReleases(releases.map((r) => r.release));
  const latest = sortReleases(releases)[releases.length - 1];
  const record = normalise(compiled, { firstReleaseDate: earliestDate([firstPublished, ...releases.map((r) => r.date)]) });
  return { record, latest, releaseCount: releases.length, contentHash: hash64(json(record)) };
}


/** The tender row, its lots, items, awards and award suppliers, and its place and CPV tags. */
export function tenderRows(compiled: CompiledTender, source: string, now: string): TenderRows {
  const { record: t, latest } = compiled;
  const tags = tagRows(tagTender(t), now);
  const rows: TenderRows = {
    tender: {
      ocid: t.ocid,
      source,
      tender_id: t.tenderId,
      title: t.title,
      description: t.description,
      buyer_id: t.buyer?.id ?? null,
      buyer_name: t.buyer?.name ?? null,
      buyer_identifier: t.buyer?.identifier ?? null,
      buyer_address: t.buyer?.address?.text ?? null,
      buyer_postcode: t.buyer?.address?.postcode ?? null,
      value_amount: t.value.amount,
      value_currency: t.value.currency,
      status: t.status,
      procurement_method: t.procurementMethod,
      procurement_method_details: t.procurementMethodDetails,
      main_category: t.mainCategory,
      published_at: t.publishedAt,
      deadline: t.deadline,
      engagement_ends: t.engagementEnds ?? null,
      notice_type: t.noticeType,
      suitable_sme: flag(t.suitableSme),
      suitable_vcse: flag(t.suitableVcse),
      reserved_participation: json(t.reservedParticipation),
      cpv_codes: json(t.cpv),
      url: t.url,
      last_release_id: latest.releaseId,
      last_release_date: latest.date,
      release_count: compiled.releaseCount,
      content_hash: compiled.contentHash,
      updated_at: now,
      buyer_key: buyerKey(t.buyer?.name ?? null) ?? '',
      title_key: titleKey(t.title) ?? '',
    },
    lots: [],
    items: [],
    awards: [],
    awardSuppliers: [],
    places: tags.places,
    cpv: tags.cpv,
  };
  for (const l of uniqueBy(t.lots, (l) => l.id)) {
    rows.lots.push({
      ocid: t.ocid,
      lot_id: l.id,
      title: l.title,
      description: l.description,
      status: l.status,
      value_amount: l.value.amount,
      value_currency: l.value.currency,
      cpv_codes: json(l.cpv),
      places: json(l.places),
      suitable_sme: flag(l.suitableSme),
      suitable_vcse: flag(l.suitableVcse),
    });
  }
  for (const i of uniqueBy(t.items, (i) => i.id)) {
    rows.items.push({
      ocid: t.ocid,
      item_id: i.id,
      lot_id: i.lotId,
      description: i.description,
      cpv_code: i.cpv,
      additional_cpv_codes: json(i.additionalCpv),
      delivery_regions: json(i.deliveryRegions),
      delivery_postcodes: json(i.deliveryPostcodes),
      delivery_description: i.deliveryDescription,
    });
  }
  for (const a of uniqueBy(t.awards, (a) => a.id)) {
    rows.awards.push({
      ocid: t.ocid,
      award_id: a.id,
      award_date: a.date,
      date_published: a.datePublished,
      status: a.status,
      value_amount: a.value.amount,
      value_currency: a.value.currency,
      lot_ids: json(a.lotIds),
    });
    for (const s of uniqueBy(a.suppliers, (s) => s.partyId)) {
      rows.awardSuppliers.push({
        ocid: t.ocid,
        award_id: a.id,
        party_id: s.partyId,
        name: s.name,
        identifier_scheme: s.identifierScheme,
        identifier: s.identifier,
        address: s.address?.text ?? null,
        postcode: s.address?.postcode ?? null,
        scale: s.scale,
        vcse: flag(s.vcse ?? null),
      });
    }
  }
  return rows;
}

/** The last of each key, in the order keys first appear. */
function uniqueBy<T>(list: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const t of list) seen.set(key(t), t);
  return [...seen.values()];
}

/** The pipeline as the store takes it. */
export const ingestPipeline: IngestPipeline = {
  prepareBatch,
  tenderRowsOf: (releases, firstPublished, source, now) => tenderRows(compileTender(releases, firstPublished), source, now),
};
