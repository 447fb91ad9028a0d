import { cleanText, escapeHtml, shorten } from './template.js';

/**
 * The email with a sign-in link from the pages: pure, like the other templates. The firm's name is what a user
 * typed, so it is cleaned for text and escaped for HTML; the link is the service's own.
 */
export interface SignInMailInput {
  supplierName: string;
  signInUrl: string;
  minutes: number;
}

export function renderSignIn(input: SignInMailInput): { subject: string; text: string; html: string } {
  const name = cleanText(input.supplierName, true);
  const subject = `Sign in to tendermatch as ${shorten(name, 60)}`;
  const lines = [
    'Hello,',
    `Someone (we hope you) asked to sign in to tendermatch as ${name}. Use this link within ${input.minutes} minutes; it works once.`,
    'If you did not ask for it, ignore this email: nobody can sign in without the link.',
  ];
  const text = [...lines.flatMap((l) => [l, '']), `Sign in: ${input.signInUrl}`, ''].join('\n');
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.45;color:#1a1a1a">',
    ...lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    `<p><a href="${escapeHtml(input.signInUrl)}" style="color:#0b4f8a;font-weight:bold">Sign in as ${escapeHtml(name)}</a></p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
