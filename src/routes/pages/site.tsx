/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import { listLeases } from '../../../db/queries/leases.js';
import { listPlaces, putPlace } from '../../../db/queries/places.js';
import { countRequest } from '../../../db/queries/rate-limits.js';
import { listSourceStates, type SourceState } from '../../../db/queries/sources.js';
import { listBuyers } from '../../../db/queries/spend.js';
import type { AppEnv } from '../../app-env.js';
import { itlName, toItl } from '../../domain/geo/index.js';
import { sourceAdapters } from '../../sources/adapters.js';
import type { FieldError } from '../../views/components.js';
import { CouncilsPage, DataPage, FeedsPage, HomePage, OperatorSignInPage, PlacesPage, type FeedView } from '../../views/site-pages.js';
import { isAdminKey } from '../auth.js';
import { checkedForm, chrome, messagePage, one } from './common.js';
import { startSession, visitorOf } from './session.js';

/** The start page, data and licences, councils' reports, and the operator's feed health and named places. */
const PLACE_NAME = /^[\p{L}\p{N}][\p{L}\p{N} .,'&()-]{0,99}$/u;

function feedView(id: string, name: string, docs: string, s: SourceState | undefined, lease: string | null): FeedView {
  return {
    id,
    name,
    docs,
    startedAt: s?.last_run_started_at ?? null,
    finishedAt: s?.last_run_finished_at ?? null,
    status: s?.last_status ?? null,
    error: s?.last_error ?? null,
    watermark: s?.watermark ?? null,
    counts: { fetched: s?.fetched ?? 0, new: s?.inserted ?? 0, updated: s?.updated ?? 0, unchanged: s?.unchanged ?? 0, quarantined: s?.quarantined ?? 0 },
    lease,
  };
}

async function isOperator(c: Context<AppEnv>) {
  return (await visitorOf(c)).session?.role === 'operator';
}

async function renderPlaces(c: Context<AppEnv>, errors: FieldError[], form: { name: string; codes: string; description: string }, saved: string | null) {
  const places = await listPlaces(c.var.deps.db);
  return c.html(
    <PlacesPage
      signedIn={await chrome(c)}
      csrf={(await visitorOf(c)).csrf}
      errors={errors}
      form={form}
      saved={saved}
      places={places.map((p) => ({ name: p.name, description: p.description, codes: p.codes.map((code) => ({ code, name: itlName(code) })) }))}
    />,
    errors.length ? 400 : 200,
  );
}

export const sitePages = new Hono<AppEnv>()
  .get('/', async (c) => {
    const { db } = c.var.deps;
    const [t, s] = await Promise.all([
      db.selectFrom('tenders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      db.selectFrom('suppliers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return c.html(<HomePage signedIn={await chrome(c)} tenders={Number(t?.n ?? 0)} suppliers={Number(s?.n ?? 0)} />);
  })
  .get('/about/data', async (c) => {
    const buyers = await listBuyers(c.var.deps.db);
    return c.html(<DataPage signedIn={await chrome(c)} feeds={sourceAdapters.map((a) => ({ name: a.name, docs: a.docs }))} councils={buyers.map((b) => b.name)} />);
  })
  .get('/councils', async (c) => {
    const buyers = await listBuyers(c.var.deps.db);
    return c.html(<CouncilsPage signedIn={await chrome(c)} buyers={buyers.map((b) => ({ name: b.name, area: b.lad_name ?? (b.itl1 ? itlName(b.itl1) : null) }))} />);
  })
  .get('/operator/feeds', async (c) => {
    const { db, clock } = c.var.deps;
    const [states, leases] = await Promise.all([listSourceStates(db), listLeases(db, 'ingest:')]);
    const now = clock.now().toISOString();
    const feeds = sourceAdapters.map((a) => {
      const lease = leases.find((l) => l.name === `ingest:${a.id}` && l.expiresAt > now);
      return feedView(a.id, a.name, a.docs, states.find((s) => s.source === a.id), lease ? lease.holder : null);
    });
    const files = states.filter((s) => s.source.startsWith('file:')).map((s) => feedView(s.source, s.source.slice('file:'.length), '', s, null));
    return c.html(<FeedsPage signedIn={await chrome(c)} feeds={feeds} files={files} />);
  })
  .get('/operator/sign-in', async (c) => c.html(<OperatorSignInPage signedIn={await chrome(c)} csrf={(await visitorOf(c)).csrf} errors={[]} />))
  .post('/operator/sign-in', async (c) => {
    const { db, clock, config } = c.var.deps;
    const form = await checkedForm(c);
    if (form instanceof Response) return form;
    // Every attempt counts, from anyone: the administrator key cannot be guessed here faster than the key checks allow.
    const count = await countRequest(db, 'operator-sign-in', clock.now(), config.RATE_LIMIT_WINDOW_SECONDS * 1000);
    if (config.RATE_LIMIT_KEY_CHECKS > 0 && count.hits > config.RATE_LIMIT_KEY_CHECKS) {
      return messagePage(c, 429, 'Too many attempts', `Too many sign-in attempts: try again after ${count.windowEndsAt.slice(11, 16)} UTC.`);
    }
    if (!isAdminKey(config.ADMIN_KEY, one(form.key))) {
      return c.html(<OperatorSignInPage signedIn={await chrome(c)} csrf={(await visitorOf(c)).csrf} errors={[{ field: 'key', message: 'That is not the administrator key' }]} />, 403);
    }
    await startSession(c, { role: 'operator', supplierId: null });
    return c.redirect('/operator/places', 303);
  })
  .get('/operator/places', async (c) => {
    if (!(await isOperator(c))) return c.redirect('/operator/sign-in', 303);
    return renderPlaces(c, [], { name: '', codes: '', description: '' }, null);
  })
  .post('/operator/places', async (c) => {
    if (!(await isOperator(c))) return c.redirect('/operator/sign-in', 303);
    const form = await checkedForm(c);
    if (form instanceof Response) return form;
    const f = { name: one(form.name).trim().replace(/\s+/g, ' ').slice(0, 200), codes: one(form.codes).slice(0, 3000), description: one(form.description).trim().slice(0, 500) };
    const errors: FieldError[] = [];
    if (!PLACE_NAME.test(f.name)) errors.push({ field: 'name', message: "A name is 1 to 100 letters, digits, spaces and . , ' & ( ) -" });
    else if (toItl(f.name)) errors.push({ field: 'name', message: `"${f.name}" is a region code already: choose a name that is not a code` });
    const raw = f.codes.split(',').map((s) => s.trim()).filter(Boolean);
    const codes = [...new Set(raw.map((r) => toItl(r)).filter((x): x is string => !!x))];
    const unknown = raw.filter((r) => !toItl(r));
    if (!raw.length) errors.push({ field: 'codes', message: 'Give at least one area code' });
    else if (unknown.length) errors.push({ field: 'codes', message: `Not UK ITL or NUTS codes: ${unknown.join(', ')}` });
    else if (codes.length > 300) errors.push({ field: 'codes', message: 'At most 300 areas' });
    if (errors.length) return renderPlaces(c, errors, f, null);
    const { place } = await putPlace(c.var.deps.db, { name: f.name, codes, description: f.description || null }, c.var.deps.clock.now().toISOString());
    return renderPlaces(c, [], { name: '', codes: '', description: '' }, place.name);
  });
