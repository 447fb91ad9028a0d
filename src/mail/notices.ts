import { cleanText, escapeHtml, shorten, type RenderedDigest } from './template.js';

/**
 * Emails that are not digests, from data already chosen; pure, like the digest template. A confirmation
 * asks the owner of a contact address to confirm it (double opt-in: no alert goes to an address before);
 * an invitation tells a firm that cooperatives name it as a member, with a link to answer each. Names come
 * from what users typed, so they are cleaned for text and escaped for HTML, and kept short in subjects.
 */

export interface ConfirmationInput {
  kind: 'confirm';
  supplierName: string;
  address: string;
  confirmUrl: string;
  /** Days the link works. */
  days: number;
}

export interface InvitationInput {
  kind: 'invitation';
  supplierName: string;
  invitations: Array<{ cooperativeName: string; answerUrl: string }>;
  days: number;
  unsubscribeUrl: string;
}

export type NoticeInput = ConfirmationInput | InvitationInput;

/** What an outbox row of kind 'confirm' or 'invitation' stores (alert_outbox.content). */
export type StoredNotice = NoticeInput & { v: 1 };

function wrap(subject: string, paragraphs: string[], links: Array<[string, string]>, footer: string[]): RenderedDigest {
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f4f4f4">',
    '<div style="max-width:640px;margin:0 auto;padding:20px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.45;color:#1a1a1a">',
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...links.map(([label, url]) => `<p><a href="${escapeHtml(url)}" style="color:#0b4f8a;font-weight:bold">${escapeHtml(label)}</a></p>`),
    '<div style="border-top:1px solid #dddddd;margin-top:20px;padding-top:12px;font-size:13px;color:#555555">',
    ...footer.map((f) => `<p style="margin:0 0 6px">${escapeHtml(f)}</p>`),
    '</div></div></body></html>',
  ];
  const text = [...paragraphs.flatMap((p) => [p, '']), ...links.flatMap(([label, url]) => [`${label}: ${url}`, '']), '--', ...footer];
  return { subject, text: text.join('\n') + '\n', html: html.join('\n') };
}

export function renderNotice(input: NoticeInput): RenderedDigest {
  const name = cleanText(input.supplierName, true);
  if (input.kind === 'confirm') {
    const address = cleanText(input.address, true);
    return wrap(
      `Confirm your address for tender alerts to ${shorten(name, 60)}`,
      [
        `Hello,`,
        `${address} was given as the contact address of ${name} on tendermatch, which emails registered firms the public tenders they could win.`,
        `Before we send any alert to this address, please confirm that it is yours and that you want them. The link works for ${input.days} days.`,
        'If you did not ask for this, ignore this email: without the click we send nothing more to this address.',
      ],
      [['Confirm this address', input.confirmUrl]],
      ['You receive this one message because this address was entered on tendermatch.'],
    );
  }
  const n = input.invitations.length;
  const names = input.invitations.map((i) => cleanText(i.cooperativeName, true));
  return wrap(
    n === 1 ? `${shorten(names[0], 60)} asks ${shorten(name, 40)} to be its member` : `${n} cooperatives ask ${shorten(name, 40)} to be their member`,
    [
      `Hello ${name},`,
      n === 1
        ? `${names[0]} names ${name} as one of its members on tendermatch.`
        : `These cooperatives name ${name} as one of their members on tendermatch: ${names.join('; ')}.`,
      `You count as a member only if you accept: then what you do counts towards the tenders the cooperative is matched with, and officers see you listed with it. If you do nothing, you are not a member. You can leave at any time. The links work for ${input.days} days; after that, answer with your supplier key.`,
    ],
    input.invitations.map((i, k) => [`Answer ${names[k]}`, i.answerUrl] as [string, string]),
    [`You receive this because ${name} is registered with tendermatch.`, `Unsubscribe: ${input.unsubscribeUrl}`],
  );
}
