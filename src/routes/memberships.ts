import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import { AppError, invalidBody, notFound } from '../errors.js';
import { signingSecret } from '../../db/queries/alerts.js';
import { answerMembership, getMembership, getSupplierRow, invitationsOf } from '../../db/queries/suppliers.js';
import type { MembershipRow } from '../../db/schema.suppliers.js';
import { escapeHtml } from '../mail/template.js';
import { checkToken, parseToken } from '../mail/tokens.js';
import { expiredLinkPage, invalidLinkPage, page } from './alerts.js';
import { bearer, errors, json, jsonRoutes, openapi, pathParam, supplierOrAdmin, z } from './contract.js';
import { kickJob } from './kick.js';
import { queueMatching } from './suppliers.js';

/**
 * A firm's answer to the cooperatives that name it as a member. A cooperative may name any registered firm
 * (`members` in its profile); the firm is only invited until it accepts, with its own key
 * (`PUT /suppliers/:id/memberships/:cooperative`) or from the signed link mailed to its confirmed address
 * (`/memberships/answer?token=`), and it may leave or decline at any time (`DELETE`, the same link).
 */

function membershipView(m: MembershipRow, cooperativeName?: string) {
  return {
    cooperative_id: m.cooperative_id,
    ...(cooperativeName !== undefined ? { cooperative_name: cooperativeName } : {}),
    member_id: m.member_id,
    status: m.status,
    invited_at: m.invited_at,
    answered_at: m.answered_at,
  };
}

type Answer = 'accepted' | 'declined';

/**
 * Records a firm's answer and matches the cooperative again when what counts changed. The caller has
 * checked who is asking. Throws 404 when the cooperative does not name the firm.
 */
async function answer(c: Context<AppEnv>, cooperativeId: string, memberId: string, given: Answer) {
  const deps = c.var.deps;
  const member = await getSupplierRow(deps.db, memberId);
  if (!member) throw notFound(`supplier ${memberId}`);
  const current = await getMembership(deps.db, cooperativeId, memberId);
  if (!current) throw notFound(`an invitation from ${cooperativeId} to ${memberId}: a firm joins a cooperative that names it as a member`);
  if (given === 'accepted' && member.kind === 'cooperative') {
    throw new AppError('conflict', `${memberId} is a cooperative; cooperatives are made of firms, so it cannot be a member of another`);
  }
  if (current.status === given) return current;
  const saved = (await answerMembership(deps.db, cooperativeId, memberId, given, deps.clock.now().toISOString())) ?? current;
  if (given === 'accepted' || current.status === 'accepted') {
    await queueMatching(c, [cooperativeId]);
    kickJob(c, 'match-suppliers');
  }
  return saved;
}

async function coopName(c: Context<AppEnv>, id: string): Promise<string> {
  return (await getSupplierRow(c.var.deps.db, id))?.name ?? id;
}

/** The invitation a signed link stands for, checked against the firm's address now. */
async function invitationFromLink(c: Context<AppEnv>) {
  const { db, config, clock } = c.var.deps;
  const token = c.req.query('token');
  const secret = await signingSecret(db, config.UNSUBSCRIBE_SECRET, clock.now());
  const parsed = parseToken('invitation', token);
  if (!parsed) return { error: invalidLinkPage() };
  const [cooperative, member] = [await getSupplierRow(db, parsed.ids[0]), await getSupplierRow(db, parsed.ids[1])];
  // The link is signed for the address it was mailed to: once the firm's address changes, it stops working.
  const check = member?.contact_email && cooperative ? checkToken(secret, parsed, clock.now(), member.contact_email) : 'forged';
  if (check === 'expired') {
    return { error: expiredLinkPage(`Links to answer an invitation work for ${config.CONFIRM_LINK_DAYS} days. You can still answer with your supplier key: PUT (accept) or DELETE (decline) /suppliers/${member!.id}/memberships/${cooperative!.id}.`) };
  }
  if (check !== 'valid' || !member || !cooperative) return { error: invalidLinkPage() };
  const membership = await getMembership(db, cooperative.id, member.id);
  if (!membership) return { error: page('This invitation was withdrawn', `<p>${escapeHtml(cooperative.name)} no longer names ${escapeHtml(member.name)} as a member, so there is nothing to answer.</p>`, 404) };
  return { member, cooperative, membership, token: token! };
}

const STATUS_WORDS: Record<string, string> = { invited: 'not answered yet', accepted: 'a member', declined: 'not a member' };

const membershipSchema = z
  .object({
    cooperative_id: z.string(),
    cooperative_name: z.string().optional(),
    member_id: z.string(),
    status: z.enum(['invited', 'accepted', 'declined']),
    invited_at: z.string(),
    answered_at: z.string().nullable(),
  })
  .openapi('Membership');

const memberParams = z.object({ id: pathParam("the member firm's id", 'sup_x1y2z3'), cooperative: pathParam("the cooperative's id", 'sup_c00p') });

export const membershipRoutes = jsonRoutes();

openapi(
  membershipRoutes,
  createRoute({
    method: 'get',
    path: '/suppliers/{id}/memberships',
    tags: ['suppliers'],
    summary: 'The cooperatives that name this firm as a member, and its answers',
    security: bearer,
    middleware: [supplierOrAdmin('id')],
    request: { params: z.object({ id: pathParam("the firm's id", 'sup_x1y2z3') }) },
    responses: { 200: json(z.object({ supplier_id: z.string(), memberships: z.array(membershipSchema) }), 'the invitations'), ...errors(400, 401, 403, 404, 429) },
  }),
  async (c) => {
    const id = c.req.param('id');
    if (!(await getSupplierRow(c.var.deps.db, id))) throw notFound(`supplier ${id}`);
    const rows = await invitationsOf(c.var.deps.db, id);
    return c.json({ supplier_id: id, memberships: rows.map((r) => membershipView({ ...r, member_id: id, invitation_mailed_at: null }, r.cooperative_name)) });
  },
);

openapi(
  membershipRoutes,
  createRoute({
    method: 'put',
    path: '/suppliers/{id}/memberships/{cooperative}',
    tags: ['suppliers'],
    summary: "Accept a cooperative's invitation",
    security: bearer,
    middleware: [supplierOrAdmin('id')],
    request: { params: memberParams },
    responses: { 200: json(z.object({ membership: membershipSchema }), 'a member'), ...errors(400, 401, 403, 404, 409, 429) },
  }),
  async (c) => {
    const { id, cooperative } = c.req.param();
    const saved = await answer(c, cooperative, id, 'accepted');
    return c.json({ membership: membershipView(saved, await coopName(c, cooperative)) });
  },
);

openapi(
  membershipRoutes,
  createRoute({
    method: 'delete',
    path: '/suppliers/{id}/memberships/{cooperative}',
    tags: ['suppliers'],
    summary: 'Decline an invitation, or leave a cooperative',
    security: bearer,
    middleware: [supplierOrAdmin('id')],
    request: { params: memberParams },
    responses: { 200: json(z.object({ membership: membershipSchema }), 'not a member'), ...errors(400, 401, 403, 404, 429) },
  }),
  async (c) => {
    const { id, cooperative } = c.req.param();
    const saved = await answer(c, cooperative, id, 'declined');
    return c.json({ membership: membershipView(saved, await coopName(c, cooperative)) });
  },
);

// The page reached from the invitation email (HTML, not part of the JSON contract).
membershipRoutes
  .get('/memberships/answer', async (c) => {
    const found = await invitationFromLink(c);
    if ('error' in found) return c.html(found.error!.html, found.error!.status);
    const { member, cooperative, membership, token } = found;
    const action = escapeHtml(`/memberships/answer?token=${encodeURIComponent(token)}`);
    return c.html(
      page(
        `Join ${cooperative.name}?`,
        `<p><strong>${escapeHtml(cooperative.name)}</strong> names <strong>${escapeHtml(member.name)}</strong> as one of its members on tendermatch. As a member, what you do counts towards the tenders the cooperative is matched with, and officers see you listed with it.</p>
<p>You are ${escapeHtml(STATUS_WORDS[membership.status] ?? membership.status)}. You can change your answer at any time.</p>
<form method="post" action="${action}"><input type="hidden" name="answer" value="accept"><button type="submit">Accept: we are a member</button></form>
<form method="post" action="${action}"><input type="hidden" name="answer" value="decline"><button type="submit">Decline: we are not a member</button></form>`,
      ).html,
    );
  })
  .post('/memberships/answer', async (c) => {
    const found = await invitationFromLink(c);
    if ('error' in found) return c.html(found.error!.html, found.error!.status);
    const form = await c.req.parseBody();
    if (form.answer !== 'accept' && form.answer !== 'decline') throw invalidBody([{ field: 'answer', message: 'must be accept or decline' }]);
    const saved = await answer(c, found.cooperative.id, found.member.id, form.answer === 'accept' ? 'accepted' : 'declined');
    const said = saved.status === 'accepted' ? `${found.member.name} is now a member of ${found.cooperative.name}.` : `${found.member.name} is not a member of ${found.cooperative.name}.`;
    return c.html(page('Thank you', `<p>${escapeHtml(said)} You can change this at any time from the same link while it works, or with your supplier key.</p>`).html);
  });
