/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { readList } from '../../../db/json-columns.js';
import { areaFor } from '../../../db/queries/places.js';
import { deliveryPlacesOf, findTenders, getTender, type TenderCursor } from '../../../db/queries/tenders.js';
import { alsoPublishedOn } from '../../../db/queries/twins.js';
import type { AppEnv } from '../../app-env.js';
import { cpvDivisions, cpvLabel } from '../../domain/cpv/index.js';
import { isNowhere, itlName, localAuthorityByCode, placeMatch, placeQuery } from '../../domain/geo/index.js';
import type { FieldError } from '../../views/components.js';
import { FindTendersPage, TenderPage, type TenderSearchForm } from '../../views/tender-pages.js';
import { whoCouldBid } from '../../who-could-bid.js';
import { chrome, notFoundPage } from './common.js';

/** Find tenders (`/find/tenders`) and a tender's page (`/tender/:ocid`), over the same queries as GET /tenders. */
const PAGE_SIZE = 20;
const BIDDERS_PER_LOT = 10;
/** Lots whose bidders and consortia one page shows; more are reached by the lots' paging links. */
const LOTS_PER_PAGE = 10;

const encodeCursor = (c: TenderCursor) => Buffer.from(JSON.stringify([c.publishedAt, c.ocid, c.doc ?? null])).toString('base64url');
function decodeCursor(text: string): TenderCursor | null {
  try {
    const [publishedAt, ocid, doc] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof publishedAt === 'string' && typeof ocid === 'string' && (doc === null || Number.isSafeInteger(doc))) return { publishedAt, ocid, doc: doc ?? undefined };
  } catch {
    // not one of ours
  }
  return null;
}

/** The significant digits of a CPV code, as GET /tenders reads its cpv parameter. */
const prefixOf = (code: string) => {
  const significant = code.slice(0, 8).replace(/0+$/, '');
  return significant.length >= 2 ? significant : code.slice(0, 2);
};

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const asBool = (v: number | null) => (v === null ? null : v === 1);

function amount(raw: string, field: string, errors: FieldError[]): number | undefined {
  if (!raw.trim()) return undefined;
  const n = Number(raw.replace(/[£,\s]/g, ''));
  if (!Number.isFinite(n) || n < 0) {
    errors.push({ field, message: `${field === 'value_min' ? 'Value at least' : 'Value at most'} must be an amount in pounds, such as 50000` });
    return undefined;
  }
  return n;
}

export const tenderPages = new Hono<AppEnv>()
  .get('/find/tenders', async (c) => {
    const { db, clock } = c.var.deps;
    const q = c.req.query();
    const only = c.req.queries('only') ?? [];
    const form: TenderSearchForm = {
      q: (q.q ?? '').slice(0, 200),
      cpv: q.cpv ?? '',
      region: (q.region ?? '').slice(0, 100),
      value_min: q.value_min ?? '',
      value_max: q.value_max ?? '',
      open: only.includes('open') || (q.only === undefined && q.q === undefined && q.region === undefined && q.cpv === undefined),
      sme: only.includes('sme'),
    };
    const errors: FieldError[] = [];
    if (CONTROL.test(form.q)) errors.push({ field: 'q', message: 'Words must not hold control characters' });
    if (form.cpv && !/^\d{2,8}$/.test(form.cpv)) errors.push({ field: 'cpv', message: 'Choose a kind of work from the list' });
    const valueMin = amount(form.value_min, 'value_min', errors);
    const valueMax = amount(form.value_max, 'value_max', errors);
    if (valueMin !== undefined && valueMax !== undefined && valueMin > valueMax) errors.push({ field: 'value_min', message: 'Value at least must not be more than value at most' });
    const area = form.region.trim() ? await areaFor(db, form.region.trim()) : null;
    if (form.region.trim() && (!area || isNowhere(area))) {
      errors.push({ field: 'region', message: `We do not know the place "${form.region.trim()}": try a council (Birmingham), a region (West Midlands) or a code (TLG31)` });
    }
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    if (cursor === null) errors.push({ field: 'q', message: 'That page of results is no longer available: search again' });
    const divisions = cpvDivisions().map((d): [string, string] => [d.slice(0, 2), `${d.slice(0, 2)}: ${cpvLabel(d) ?? ''}`]);
    const base = { signedIn: await chrome(c), form, divisions, errors };
    if (errors.length) return c.html(<FindTendersPage {...base} place={null} tenders={null} next={null} first={null} />, 400);
    const { tenders, next } = await findTenders(db, {
      text: form.q.trim() || undefined,
      cpvPrefix: form.cpv ? prefixOf(form.cpv) : undefined,
      place: area ? placeQuery(area) : undefined,
      openAt: form.open ? clock.now().toISOString() : undefined,
      valueMin,
      valueMax,
      smeSuitable: form.sme ? true : undefined,
      limit: PAGE_SIZE,
      cursor: cursor ?? undefined,
    });
    const delivery = area ? await deliveryPlacesOf(db, tenders.map((t) => t.ocid)) : null;
    const url = new URL(c.req.url);
    const withCursor = (value: string | null) => {
      const params = new URLSearchParams(url.search);
      if (value) params.set('cursor', value);
      else params.delete('cursor');
      return `/find/tenders?${params.toString()}`;
    };
    return c.html(
      <FindTendersPage
        {...base}
        place={area?.name ?? null}
        tenders={tenders.map((t) => ({
          ocid: t.ocid,
          title: t.title,
          buyer: t.buyer_name,
          value: t.value_amount,
          deadline: t.deadline,
          status: t.status,
          published: t.published_at,
          sme: asBool(t.suitable_sme),
          capabilities: readList(t.cpv_codes)
            .slice(0, 3)
            .map((code) => ({ code, label: cpvLabel(code) })),
          ...(area ? { match: placeMatch(delivery!.get(t.ocid) ?? [], area) } : {}),
        }))}
        next={next ? withCursor(encodeCursor(next)) : null}
        first={cursor ? withCursor(null) : null}
      />,
    );
  })
  .get('/tender/:ocid', async (c) => {
    const deps = c.var.deps;
    const ocid = c.req.param('ocid');
    const found = await getTender(deps.db, ocid);
    if (!found) return notFoundPage(c, `No tender ${ocid} is stored.`);
    const hpRaw = c.req.query('high_potential');
    const highPotential = hpRaw === 'true' ? 'true' : hpRaw === 'false' ? 'false' : '';
    const { tender, lots, awards, suppliers, places, cpv } = found;
    const twins = (await alsoPublishedOn(deps.db, [tender.ocid])).get(tender.ocid) ?? [];
    const fromRaw = Number(c.req.query('lots_from') ?? 0);
    const bidders = await whoCouldBid(deps, c.var.registry, ocid, {
      // As the JSON route does without a limit: a tender's lots share the places, at least 5 each.
      perLot: Math.max(5, Math.min(BIDDERS_PER_LOT, Math.floor(100 / Math.max(1, lots.length)))),
      highPotential: highPotential === '' ? undefined : highPotential === 'true',
      from: Number.isSafeInteger(fromRaw) && fromRaw >= 0 ? fromRaw : 0,
      lotsShown: LOTS_PER_PAGE,
    });
    return c.html(
      <TenderPage
        signedIn={await chrome(c)}
        highPotential={highPotential}
        bidders={bidders}
        tender={{
          ocid: tender.ocid,
          title: tender.title,
          description: tender.description,
          buyer: tender.buyer_name,
          buyerPostcode: tender.buyer_postcode,
          value: tender.value_amount,
          deadline: tender.deadline,
          published: tender.published_at,
          status: tender.status,
          noticeType: tender.notice_type,
          // Only web addresses are links: a notice's url is the publisher's text.
          url: tender.url && /^https?:\/\//i.test(tender.url) ? tender.url : null,
          sme: asBool(tender.suitable_sme),
          vcse: asBool(tender.suitable_vcse),
          lots: lots.map((l) => ({ id: l.lot_id, title: l.title, description: l.description, value: l.value_amount, status: l.status, places: readList(l.places) })),
          places: places
            .filter((p) => p.role !== 'supplier')
            .map((p) => ({ lot: p.lot_id, role: p.role, code: p.code, name: itlName(p.code), lad: p.lad ? (localAuthorityByCode(p.lad)?.name ?? null) : null })),
          capabilities: [...cpv]
            .sort((a, b) => a.lot_id.localeCompare(b.lot_id) || a.method.localeCompare(b.method) || a.code.localeCompare(b.code))
            .map((t) => ({ lot: t.lot_id, code: t.code, label: cpvLabel(t.code), method: t.method, confidence: t.confidence })),
          awards: awards.map((a) => ({
            id: a.award_id,
            date: a.award_date ?? a.date_published,
            value: a.value_amount,
            status: a.status,
            suppliers: suppliers.filter((s) => s.award_id === a.award_id).map((s) => ({ name: s.name, postcode: s.postcode, scale: s.scale })),
          })),
          alsoPublishedOn: twins.map((o) => ({ ocid: o.ocid, source: o.source })),
        }}
      />,
    );
  });
