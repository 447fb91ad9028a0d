/**
 * One-click feedback from a firm on a tender or lot it was sent: `/feedback?token=` (the signed links of every
 * alert entry and every match the API lists, src/mail/feedback-links.ts). GET shows what the link will record and
 * a button, so that a mail scanner fetching the link changes nothing; POST records the verdict (again: a second
 * click changes it), queues the firm to be matched again, and answers with a page, or JSON when asked for it.
 * Similar notices then rank lower ("not for us") or higher ("good match") for that firm (src/domain/matching/feedback.ts).
 */
import { Hono, type Context } from 'hono';
import { signingSecret } from '../../db/queries/alerts.js';
import { recordFeedback } from '../../db/queries/feedback.js';
import { queueSuppliersForMatching } from '../../db/queries/match-queue.js';
import { supplierProfileChanged } from '../../db/queries/suppliers.js';
import { loadTendersForMatching } from '../../db/queries/matches.js';
import type { AppEnv } from '../app-env.js';
import { AppError } from '../errors.js';
import { feedbackOf } from '../domain/matching/feedback.js';
import { opportunitiesOf } from '../domain/matching/opportunity.js';
import { readFeedbackToken } from '../mail/feedback-links.js';
import { escapeHtml } from '../mail/template.js';
import { invalidLinkPage, page } from './alerts.js';
import { kickJob } from './kick.js';

const VERDICT_WORDS = { not_for_us: 'not for us', good_match: 'a good match' } as const;

const wantsJson = (c: Context<AppEnv>) => (c.req.header('accept') ?? '').includes('application/json');

async function readLink(c: Context<AppEnv>) {
  const { db, config, clock } = c.var.deps;
  const token = c.req.query('token');
  const secret = await signingSecret(db, config.UNSUBSCRIBE_SECRET, clock.now());
  const link = readFeedbackToken(secret, token, clock.now());
  if (!link) return null;
  const supplier = await db.selectFrom('suppliers').select(['id', 'name']).where('id', '=', link.supplierId).executeTakeFirst();
  const [tender] = await loadTendersForMatching(db, [link.ocid]);
  const opportunity = tender ? opportunitiesOf(tender.record, tender.tags).find((o) => o.lotId === link.lotId) ?? null : null;
  return { ...link, token: token!, supplier, tender, opportunity };
}

function noticeName(title: string | null | undefined, lotTitle: string | null | undefined): string {
  return lotTitle ? `${title ?? 'a tender'}: ${lotTitle}` : title ?? 'a tender';
}

export const feedbackRoutes = new Hono<AppEnv>()
  .get('/feedback', async (c) => {
    const link = await readLink(c);
    if (!link) {
      const { html, status } = invalidLinkPage();
      return c.html(html, status);
    }
    if (!link.supplier || !link.opportunity) {
      const { html, status } = page('Notice not found', '<p>This tender is no longer in tendermatch, so there is nothing to mark.</p>', 404);
      return c.html(html, status);
    }
    const name = noticeName(link.opportunity.title, link.opportunity.lotTitle);
    const { html } = page(
      `Is this ${VERDICT_WORDS[link.verdict]}?`,
      `<p>Mark <strong>${escapeHtml(name)}</strong> as ${VERDICT_WORDS[link.verdict]} for ${escapeHtml(link.supplier.name)}. Similar notices (the same kind of work, the same words, the same buyer) will then rank ${link.verdict === 'not_for_us' ? 'lower' : 'higher'} in your alerts.</p>
<form method="post" action="/feedback?token=${escapeHtml(encodeURIComponent(link.token))}"><button type="submit">Yes, it is ${VERDICT_WORDS[link.verdict]}</button></form>`,
    );
    return c.html(html);
  })
  .post('/feedback', async (c) => {
    const link = await readLink(c);
    if (!link) {
      if (wantsJson(c)) throw new AppError('forbidden', 'This feedback link is not valid: use the link from the alert or the matches list.');
      const { html, status } = invalidLinkPage();
      return c.html(html, status);
    }
    if (!link.supplier || !link.opportunity || !link.tender) {
      if (wantsJson(c)) throw new AppError('not_found', 'The supplier or the tender is no longer in tendermatch.');
      const { html, status } = page('Notice not found', '<p>This tender is no longer in tendermatch, so there is nothing to mark.</p>', 404);
      return c.html(html, status);
    }
    const { db, clock } = c.var.deps;
    const now = clock.now().toISOString();
    await recordFeedback(db, link.supplierId, link.ocid, link.lotId, feedbackOf(link.opportunity, link.verdict, link.tender.record.buyer?.name), now);
    // The held registry carries each firm's feedback in its profile (new tenders are scored with it): read it again.
    await supplierProfileChanged(db, link.supplierId);
    // The firm's matches are made again with its feedback: a route queues the job, never runs it.
    await queueSuppliersForMatching(db, [link.supplierId], now);
    kickJob(c, 'match-suppliers');
    if (wantsJson(c)) return c.json({ supplier_id: link.supplierId, ocid: link.ocid, lot_id: link.lotId, verdict: link.verdict, recorded_at: now });
    const name = noticeName(link.opportunity.title, link.opportunity.lotTitle);
    const { html } = page('Thank you', `<p>${escapeHtml(name)} is marked as ${VERDICT_WORDS[link.verdict]}. Similar notices will rank ${link.verdict === 'not_for_us' ? 'lower' : 'higher'} in your alerts; the reasons of each match say when your feedback moved it.</p>`);
    return c.html(html);
  });
