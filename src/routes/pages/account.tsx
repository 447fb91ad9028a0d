/** @jsxImportSource hono/jsx */
import { newSupplierId, newSupplierRow } from '../supplier-rows.js';
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { sql } from 'kysely';
import { getPreferencesRow, loadNamedPlaces, nameKey, preferencesFromRow, savePreferences, signingSecret, unsubscribe, type AlertPreferences } from '../../../db/queries/alerts.js';
import { queueSuppliersForMatching, supplierMatchingPending } from '../../../db/queries/match-queue.js';
import { matchesForSupplier } from '../../../db/queries/matches.js';
import { forgetEndedSessions, forgetSignInLinks, recordSignInLink, signInLinksSince, spendSignInLink } from '../../../db/queries/page-sessions.js';
import { companyNumberHolder, CompanyNumberTaken, getSupplierRow, registerSupplier } from '../../../db/queries/suppliers.js';
import type { AppEnv } from '../../app-env.js';
import { WEEKDAYS } from '../../domain/alerts/digest-timing.js';
import { STAFF_BANDS, TURNOVER_BANDS } from '../../domain/suppliers/index.js';
import { readSupplierBody } from '../suppliers.schema.js';
import { suggestCpv } from '../../domain/tagging/suggest.js';
import { placeCodes } from '../../mail/digest.js';
import { renderSignIn } from '../../mail/sign-in.js';
import { checkToken, parseToken, signToken } from '../../mail/tokens.js';
import type { FieldError } from '../../views/components.js';
import { AccountPage, AlertsPage, RegisteredPage, RegisterPage, SignInLinkPage, SignInPage, SignInSentPage, type AlertsForm, type RegisterForm } from '../../views/account-pages.js';
import { hashKey, newSupplierKey } from '../auth.js';
import { kickJob } from '../kick.js';
import { checkedForm, chrome, many, messagePage, one } from './common.js';
import { endSession, startSession, visitorOf } from './session.js';

/**
 * Pages for SMEs and cooperatives: register (`/register`), sign in by an emailed link (`/sign-in`, `/sign-in/link`),
 * matches (`/account`), alert choices (`/account/alerts`) and signing out (`POST /sign-out`). Registration writes
 * through the same validation and store functions as POST /suppliers and queues the firm for matching.
 */
const LABELS: Record<string, string> = {
  name: 'Name of your firm',
  kind: 'Size or kind',
  postcode: 'Postcode',
  company_number: 'Companies House number',
  description: 'What your firm does',
  keywords: 'Words for your work',
  contact_email: 'Email address',
  max_contract_value: 'Largest contract',
  turnover_band: 'Turnover',
  staff_band: 'Staff',
  certifications: 'Certifications',
  cpv_codes: 'Codes for your work',
  home_region: 'Postcode',
};

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function registerForm(form: Record<string, string | string[]>): RegisterForm {
  const f = (k: string) => one(form[k]).slice(0, k === 'description' ? 5000 : 300);
  return {
    name: f('name'),
    kind: f('kind'),
    postcode: f('postcode'),
    company_number: f('company_number'),
    description: f('description'),
    keywords: f('keywords'),
    contact_email: f('contact_email'),
    max_contract_value: f('max_contract_value'),
    turnover_band: f('turnover_band'),
    staff_band: f('staff_band'),
    certifications: f('certifications'),
    cpv_codes: many(form.cpv_codes).filter((c) => /^\d{8}$/.test(c)).slice(0, 50),
    cpv_other: f('cpv_other'),
  };
}

const EMPTY_FORM: RegisterForm = registerForm({});

async function renderRegister(c: Context<AppEnv>, form: RegisterForm, errors: FieldError[], status: 200 | 400 | 409 = 200) {
  const visitor = await visitorOf(c);
  const suggested = suggestCpv(form.description, list(form.keywords), 8);
  return c.html(
    <RegisterPage signedIn={await chrome(c)} form={form} errors={errors} suggested={suggested} csrf={visitor.csrf} turnoverBands={TURNOVER_BANDS} staffBands={STAFF_BANDS} />,
    status,
  );
}

async function supplierSession(c: Context<AppEnv>) {
  const s = (await visitorOf(c)).session;
  if (!s || s.role !== 'supplier' || !s.supplierId) return null;
  return (await getSupplierRow(c.var.deps.db, s.supplierId)) ?? null;
}

const signInFirst = (c: Context<AppEnv>) => c.redirect('/sign-in', 303);

function alertsForm(p: AlertPreferences, subscribed: boolean): AlertsForm {
  return {
    frequency: p.frequency,
    hour: String(p.hour),
    weekday: p.weekday,
    min_score: String(Math.round(p.min_score * 100)),
    max_items: String(p.max_items),
    include_words: p.include_words.join(', '),
    exclude_words: p.exclude_words.join(', '),
    places: p.places.join(', '),
    paused: p.paused,
    subscribed,
  };
}

export const accountPages = new Hono<AppEnv>()
  .get('/register', (c) => renderRegister(c, EMPTY_FORM, []))
  .post('/register', async (c) => {
    const deps = c.var.deps;
    const form = await checkedForm(c);
    if (form instanceof Response) return form;
    const f = registerForm(form);
    if (one(form.action) !== 'register') return renderRegister(c, f, []);
    const errors: FieldError[] = [];
    const other = list(f.cpv_other);
    const maxValue = f.max_contract_value.trim() ? Number(f.max_contract_value.replace(/[£,\s]/g, '')) : null;
    if (maxValue !== null && !Number.isFinite(maxValue)) errors.push({ field: 'max_contract_value', message: 'Largest contract must be an amount in pounds, such as 250000' });
    if (!f.contact_email.trim()) errors.push({ field: 'contact_email', message: 'Enter an email address: we send your sign-in links to it' });
    const body = {
      name: f.name,
      kind: f.kind,
      postcode: f.postcode.trim() || null,
      company_number: f.company_number.trim() || null,
      description: f.description.trim() || null,
      keywords: list(f.keywords),
      contact_email: f.contact_email.trim() || null,
      cpv_codes: [...new Set([...f.cpv_codes, ...other])],
      max_contract_value: maxValue !== null && Number.isFinite(maxValue) ? maxValue : null,
      turnover_band: f.turnover_band || null,
      staff_band: f.staff_band || null,
      certifications: list(f.certifications),
    };
    const checked = readSupplierBody(body);
    if (!checked.ok) {
      for (const p of checked.problems) {
        const field = p.field.replace(/\[\d+\]$/, '').replace(/\..*$/, '');
        const name = field === 'kind' && !f.kind ? 'Size or kind' : (LABELS[field] ?? field);
        errors.push({ field: field === 'home_region' ? 'postcode' : field, message: field === 'cpv_codes' && !body.cpv_codes.length ? 'Pick at least one code for your work: press “Suggest what we do” to see them' : `${name}: ${p.message}` });
      }
    }
    if (errors.length) return renderRegister(c, f, errors, 400);
    const v = checked.ok ? checked.value : {};
    if (v.companyNumber && (await companyNumberHolder(deps.db, v.companyNumber, null))) {
      return renderRegister(c, f, [{ field: 'company_number', message: `Companies House number ${v.companyNumber} is already registered; if it is yours, sign in instead` }], 409);
    }
    const id = newSupplierId();
    const key = newSupplierKey();
    const now = deps.clock.now();
    const row = newSupplierRow(id, v, hashKey(key), now);

    // Queued before it is written, as POST /suppliers does: a queued id whose write fails is only matched for nothing.
    await queueSuppliersForMatching(deps.db, [id], now.toISOString());
    try {
      await registerSupplier(deps.db, row, []);
    } catch (err) {
      if (err instanceof CompanyNumberTaken) return renderRegister(c, f, [{ field: 'company_number', message: `Companies House number ${err.companyNumber} is already registered` }], 409);
      throw err;
    }
    kickJob(c, 'match-suppliers');
    await startSession(c, { role: 'supplier', supplierId: id });
    return c.html(<RegisteredPage signedIn={await chrome(c)} name={row.name} supplierKey={key} email={row.contact_email ?? null} />, 201);
  })
  .get('/sign-in', async (c) => c.html(<SignInPage signedIn={await chrome(c)} csrf={(await visitorOf(c)).csrf} email="" errors={[]} />))
  .post('/sign-in', async (c) => {
    const { db, config, clock, mailer, log } = c.var.deps;
    const form = await checkedForm(c);
    if (form instanceof Response) return form;
    const email = one(form.email).trim().slice(0, 254);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      return c.html(<SignInPage signedIn={await chrome(c)} csrf={(await visitorOf(c)).csrf} email={email} errors={[{ field: 'email', message: 'Enter an email address, like name@example.org' }]} />, 400);
    }
    const now = clock.now();
    const address = email.toLowerCase();
    await forgetSignInLinks(db, new Date(now.getTime() - 24 * 3600_000).toISOString());
    const recent = await signInLinksSince(db, address, new Date(now.getTime() - 15 * 60_000).toISOString());
    // Past the limit, the same answer and no mail: the page never says whether an address is registered.
    if (recent < config.SIGN_IN_LINKS_PER_ADDRESS) {
      const suppliers = await db
        .selectFrom('suppliers')
        .select(['id', 'name', 'contact_email'])
        .where(sql<string>`lower(contact_email)`, '=', address)
        .orderBy('id')
        .limit(5)
        .execute();
      const secret = await signingSecret(db, config.UNSUBSCRIBE_SECRET, now);
      const expiresAt = new Date(now.getTime() + config.SIGN_IN_LINK_MINUTES * 60_000);
      for (const s of suppliers) {
        const nonce = randomBytes(18).toString('base64url');
        await recordSignInLink(db, { nonce, supplierId: s.id, address, createdAt: now.toISOString(), expiresAt: expiresAt.toISOString() });
        const token = signToken(secret, 'signin', [s.id, nonce], { expiresAt, boundTo: s.contact_email! });
        const mail = renderSignIn({ supplierName: s.name, signInUrl: `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/sign-in/link?token=${encodeURIComponent(token)}`, minutes: config.SIGN_IN_LINK_MINUTES });
        const sent = await mailer.send({ to: s.contact_email!, ...mail, messageId: `<signin.${nonce}@tendermatch>`, headers: {} });
        if (!sent.accepted) log.warn('sign-in link not accepted by the mail server', { supplier: s.id, code: sent.code ?? null });
      }
    }
    return c.html(<SignInSentPage signedIn={await chrome(c)} email={email} minutes={config.SIGN_IN_LINK_MINUTES} />);
  })
  .get('/sign-in/link', async (c) => {
    const found = await linkSupplier(c, c.req.query('token'));
    if (found instanceof Response) return found;
    return c.html(<SignInLinkPage signedIn={await chrome(c)} name={found.name} token={found.token} csrf={(await visitorOf(c)).csrf} />);
  })
  .post('/sign-in/link', async (c) => {
    const { db, clock } = c.var.deps;
    const form = await checkedForm(c);
    if (form instanceof Response) return form;
    const found = await linkSupplier(c, one(form.token));
    if (found instanceof Response) return found;
    const spent = await spendSignInLink(db, found.nonce, found.id, clock.now().toISOString());
    if (spent !== 'spent') return messagePage(c, 410, 'This link has been used', 'Each sign-in link works once. Ask for a new one on the sign-in page.');
    await forgetEndedSessions(db, clock.now().toISOString());
    await startSession(c, { role: 'supplier', supplierId: found.id });
    return c.redirect('/account', 303);
  })
  .post('/sign-out', async (c) => {
    const form = await checkedForm(c);
    if (form instanceof Response) return form;
    await endSession(c);
    return c.redirect('/', 303);
  })
  .get('/account', async (c) => {
    const deps = c.var.deps;
    const row = await supplierSession(c);
    if (!row) return signInFirst(c);
    const [matches, pending] = await Promise.all([matchesForSupplier(deps.db, row.id, deps.clock.now().toISOString(), 50, 0), supplierMatchingPending(deps.db, row.id)]);
    return c.html(
      <AccountPage
        signedIn={await chrome(c)}
        supplierId={row.id}
        name={row.name}
        pending={pending}
        email={row.contact_email}
        emailConfirmed={row.contact_email_verified_at !== null}
        matches={matches.map((m) => ({
          ocid: m.ocid,
          lotId: m.lot_id,
          lotTitle: m.lot_title,
          title: m.title,
          buyer: m.buyer_name,
          value: m.value_amount,
          deadline: m.deadline,
          score: m.score,
          reasons: m.reasons.map(String),
        }))}
      />,
    );
  })
  .get('/account/alerts', async (c) => {
    const row = await supplierSession(c);
    if (!row) return signInFirst(c);
    const prefsRow = await getPreferencesRow(c.var.deps.db, row.id);
    const p = preferencesFromRow(prefsRow);
    return c.html(
      <AlertsPage signedIn={await chrome(c)} name={row.name} form={alertsForm(p, !prefsRow?.unsubscribed_at)} errors={[]} csrf={(await visitorOf(c)).csrf} saved={false} weekdays={WEEKDAYS} timezone={p.timezone} />,
    );
  })
  .post('/account/alerts', async (c) => {
    const { db, clock } = c.var.deps;
    const row = await supplierSession(c);
    if (!row) return signInFirst(c);
    const form = await checkedForm(c);
    if (form instanceof Response) return form;
    const switches = many(form.switches);
    const f: AlertsForm = {
      frequency: one(form.frequency),
      hour: one(form.hour),
      weekday: one(form.weekday),
      min_score: one(form.min_score),
      max_items: one(form.max_items),
      include_words: one(form.include_words).slice(0, 2000),
      exclude_words: one(form.exclude_words).slice(0, 2000),
      places: one(form.places).slice(0, 2000),
      paused: switches.includes('paused'),
      subscribed: !switches.includes('unsubscribed'),
    };
    const current = preferencesFromRow(await getPreferencesRow(db, row.id));
    const errors: FieldError[] = [];
    const hour = Number(f.hour);
    const minScore = Number(f.min_score);
    const maxItems = Number(f.max_items);
    if (!['immediate', 'daily', 'weekly'].includes(f.frequency)) errors.push({ field: 'frequency', message: 'Choose how often' });
    if (!Number.isInteger(hour) || hour < 0 || hour > 23) errors.push({ field: 'hour', message: 'Choose an hour' });
    if (!(WEEKDAYS as readonly string[]).includes(f.weekday)) errors.push({ field: 'weekday', message: 'Choose a day' });
    if (!Number.isFinite(minScore) || minScore < 0 || minScore > 100 || !f.min_score.trim()) errors.push({ field: 'min_score', message: 'The least match must be a number from 0 to 100' });
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 50) errors.push({ field: 'max_items', message: 'Most tenders in one email must be a whole number from 1 to 50' });
    const words = (field: 'include_words' | 'exclude_words' | 'places') => {
      const out = list(f[field]);
      if (out.length > 50 || out.some((w) => w.length > 80)) errors.push({ field, message: 'Give at most 50 words, each up to 80 letters' });
      return out;
    };
    const include = words('include_words');
    const exclude = words('exclude_words');
    const places = words('places');
    const unread = places.filter((p) => placeCodes(p).length === 0);
    if (unread.length) {
      const named = await loadNamedPlaces(db);
      const unknown = unread.filter((p) => !named.has(nameKey(p)));
      if (unknown.length) errors.push({ field: 'places', message: `We do not know the place ${unknown.map((p) => `"${p}"`).join(', ')}: use a region name such as West Midlands or a code such as TLG31` });
    }
    const render = async (saved: boolean, status: 200 | 400) =>
      c.html(<AlertsPage signedIn={await chrome(c)} name={row.name} form={f} errors={errors} csrf={(await visitorOf(c)).csrf} saved={saved} weekdays={WEEKDAYS} timezone={current.timezone} />, status);
    if (errors.length) return render(false, 400);
    const next: AlertPreferences = {
      ...current,
      frequency: f.frequency as AlertPreferences['frequency'],
      hour,
      weekday: f.weekday as AlertPreferences['weekday'],
      min_score: minScore / 100,
      max_items: maxItems,
      include_words: include,
      exclude_words: exclude,
      places,
      paused: f.paused,
    };
    await savePreferences(db, row.id, next, clock.now(), f.subscribed);
    if (!f.subscribed) await unsubscribe(db, row.id, clock.now());
    return render(true, 200);
  });

/** The supplier a sign-in link stands for, checked against its address now; or the page saying why not. */
async function linkSupplier(c: Context<AppEnv>, token: string | undefined) {
  const { db, config, clock } = c.var.deps;
  const invalid = () => messagePage(c, 403, 'This link is not valid', 'The link may have been cut short or changed. Ask for a new one on the sign-in page.');
  const parsed = parseToken('signin', token);
  if (!parsed) return invalid();
  const supplier = await db.selectFrom('suppliers').select(['id', 'name', 'contact_email']).where('id', '=', parsed.ids[0]).executeTakeFirst();
  const secret = await signingSecret(db, config.UNSUBSCRIBE_SECRET, clock.now());
  // Signed for the address it was mailed to: once the firm's address changes, links mailed to the old one stop working.
  const check = supplier?.contact_email ? checkToken(secret, parsed, clock.now(), supplier.contact_email) : 'forged';
  if (check === 'expired') return messagePage(c, 410, 'This link has expired', `Sign-in links work for ${config.SIGN_IN_LINK_MINUTES} minutes. Ask for a new one on the sign-in page.`);
  if (check !== 'valid' || !supplier) return invalid();
  return { id: supplier.id, name: supplier.name, nonce: parsed.ids[1], token: token! };
}
