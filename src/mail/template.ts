/**
 * The alert email: subject, plain text and HTML, from data already chosen. Pure. Every string that
 * comes from a notice is treated as untrusted: escaped in HTML, stripped of control characters in
 * text and headers, and only http(s) links are ever rendered as links.
 */
import { formatMoney } from '../domain/money.js';

export interface DigestEntry {
  ocid: string;
  /** '' for a whole tender. */
  lotId: string;
  title: string | null;
  lotTitle: string | null;
  buyer: string | null;
  valueAmount: number | null;
  valueCurrency: string | null;
  deadline: string | null;
  place: string | null;
  reasons: string[];
  url: string | null;
  /** The notice type's name ("Pipeline notice"), when the publisher gave a UK notice type. */
  noticeType?: string | null;
  /** The buyer's history in one line (past awards in the same CPV group, its SME share). */
  history?: string | null;
  /** Coming up: how to take part in the market engagement, until when, whom to ask; when the tender is expected. */
  howToTakePart?: string | null;
  engagementEnds?: string | null;
  contactEmail?: string | null;
  expectedTenderAt?: string | null;
  /** Open now, after the supplier was told it was coming up (when it was told). */
  comingUpToldAt?: string | null;
}

/** A contract forecast to come up for renewal. */
export interface DigestRenewal {
  ocid: string;
  awardId: string;
  title: string | null;
  buyer: string | null;
  valueAmount: number | null;
  valueCurrency: string | null;
  endDate: string;
  /** Who holds it now, with "(SME)" where published. */
  incumbents: string[];
  certainty: string;
  /** How sure, and why. */
  certaintyReasons: string[];
  reasons: string[];
  history?: string | null;
  url: string | null;
}

export interface DigestChange {
  ocid: string;
  lotId: string;
  title: string | null;
  lotTitle: string | null;
  buyer: string | null;
  kind: 'cancelled' | 'deadline';
  previousDeadline: string | null;
  deadline: string | null;
  url: string | null;
}

export interface DigestInput {
  supplierName: string;
  entries: DigestEntry[];
  changes: DigestChange[];
  /** Matches that qualified but did not fit under the supplier's per-email limit. */
  moreWaiting: number;
  /** Work coming up (pipeline, market engagement, planned procurement notices): "Coming up in your area". */
  comingUp?: DigestEntry[];
  /** Contracts forecast to come up for renewal. */
  renewals?: DigestRenewal[];
  /** Dynamic markets the supplier could join: standing ways in. */
  standing?: DigestEntry[];
  /** The supplier's matches page: where a first digest's remaining matches wait (they are not emailed later). */
  matchesUrl?: string | null;
  manageUrl: string;
  unsubscribeUrl: string;
  now: Date;
  timezone: string;
}

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Removes control characters (newlines included when `oneLine`), so notice text cannot forge headers or layout. */
export function cleanText(s: string | null | undefined, oneLine = false): string {
  if (!s) return '';
  const noControls = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
  return (oneLine ? noControls.replace(/\s+/g, ' ') : noControls.replace(/\r\n?/g, '\n')).trim();
}

export function shorten(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1).trimEnd() + '…';
}

/** The URL if it is an absolute http(s) URL, else null: a notice cannot smuggle javascript: into a link. */
export function safeUrl(u: string | null | undefined): string | null {
  if (!u) return null;
  try {
    const parsed = new URL(u.trim());
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

// Building an Intl formatter costs far more than using one: keep one per time zone.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(timezone: string): Intl.DateTimeFormat {
  let f = dateFormats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      weekday: 'short',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    dateFormats.set(timezone, f);
  }
  return f;
}

export function formatDeadline(deadline: string | null, now: Date, timezone: string): string {
  if (!deadline) return 'not stated';
  const at = Date.parse(deadline);
  if (!Number.isFinite(at)) return cleanText(deadline, true);
  const parts: Record<string, string> = {};
  for (const p of dateFormat(timezone).formatToParts(new Date(at))) {
    parts[p.type] = p.value;
  }
  const when = `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute}`;
  const days = Math.floor((at - now.getTime()) / 86_400_000);
  const left = at < now.getTime() ? 'closed' : days < 1 ? 'closes within a day' : days === 1 ? '1 day left' : `${days} days left`;
  return `${when} (${left})`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function heading(e: { title: string | null; lotTitle: string | null; lotId: string }): string {
  const title = cleanText(e.title, true) || 'Untitled tender';
  if (!e.lotId) return title;
  const lot = cleanText(e.lotTitle, true);
  return `${title} (lot ${cleanText(e.lotId, true)}${lot && lot !== title ? `: ${lot}` : ''})`;
}

function changeLine(c: DigestChange, now: Date, timezone: string): string {
  if (c.kind === 'cancelled') return 'The buyer has cancelled this tender.';
  return `The deadline has moved from ${formatDeadline(c.previousDeadline, now, timezone)} to ${formatDeadline(c.deadline, now, timezone)}.`;
}

export function renderSubject(input: Pick<DigestInput, 'entries' | 'changes' | 'comingUp' | 'renewals' | 'standing'>): string {
  const { entries, changes } = input;
  const early = [...(input.comingUp ?? []), ...(input.standing ?? [])];
  const renewals = input.renewals ?? [];
  if (entries.length === 0 && changes.length === 0 && (early.length > 0 || renewals.length > 0)) {
    const parts = [
      early.length ? `${plural(early.length, 'opportunity', 'opportunities')} coming up` : null,
      renewals.length ? `${plural(renewals.length, 'contract')} up for renewal` : null,
    ].filter(Boolean);
    const first = early[0] ?? null;
    return `${parts.join(' and ')}${first ? ` – ${shorten(heading(first), 90)}` : renewals[0] ? ` – ${shorten(cleanText(renewals[0].title, true) || 'a contract', 90)}` : ''}`;
  }
  if (entries.length > 0) {
    const best = entries[0];
    const buyer = cleanText(best.buyer, true);
    const lead = `${plural(entries.length, 'new tender')} you could win`;
    // The early sections are in the body; the subject keeps leading with what can be bid for now.
    const update = changes.length > 0 ? ` and ${plural(changes.length, 'update')}` : '';
    return `${lead}${update} – best: ${shorten(heading(best), 90)}${buyer ? ` (${shorten(buyer, 50)})` : ''}`;
  }
  const first = changes[0];
  const what = first.kind === 'cancelled' ? 'cancelled' : 'deadline moved';
  const others = changes.length > 1 ? ` and ${plural(changes.length - 1, 'other update')}` : '';
  return `Update: ${shorten(heading(first), 90)} – ${what}${others}`;
}

export function renderDigest(input: DigestInput): RenderedDigest {
  const { now, timezone } = input;
  const subject = renderSubject(input);
  const name = cleanText(input.supplierName, true);
  const text: string[] = [];
  const html: string[] = [];

  text.push(`Hello ${name},`, '');
  html.push(
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f4f4f4">',
    '<div style="max-width:640px;margin:0 auto;padding:20px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.45;color:#1a1a1a">',
    `<p>Hello ${escapeHtml(name)},</p>`,
  );

  if (input.entries.length > 0) {
    const n = input.entries.length;
    const intro = n === 1 ? 'We found a tender that fits what you do.' : `We found ${n} tenders that fit what you do. The best match comes first.`;
    text.push(intro, '');
    html.push(`<p>${escapeHtml(intro)}</p>`);
  }

  input.entries.forEach((e, i) => {
    const link = safeUrl(e.url);
    const rows: Array<[string, string]> = [
      ['Buyer', cleanText(e.buyer, true) || 'not stated'],
      ['Value', formatMoney(e.valueAmount, e.valueCurrency)],
      ['Deadline', formatDeadline(e.deadline, now, timezone)],
      ['Place', cleanText(e.place, true) || 'not stated'],
    ];
    if (e.noticeType) rows.push(['Notice', cleanText(e.noticeType, true)]);
    if (e.comingUpToldAt) rows.push(['Now open', `you heard of this as coming up on ${formatDeadline(e.comingUpToldAt, now, timezone).replace(/ \(.*\)$/, '')}; the tender is now published`]);
    if (e.history) rows.push(['Buyer history', cleanText(e.history, true)]);
    const reasons = e.reasons.map((r) => cleanText(r, true)).filter(Boolean);
    text.push(`${i + 1}. ${heading(e)}`);
    for (const [k, v] of rows) text.push(`   ${k}: ${v}`);
    if (reasons.length > 0) {
      text.push('   Why it matched:');
      for (const r of reasons) text.push(`   - ${r}`);
    }
    text.push(`   Notice: ${link ?? 'no public link was published'}`, '');

    const title = escapeHtml(heading(e));
    html.push(
      '<div style="border-top:1px solid #dddddd;padding:14px 0">',
      `<h2 style="font-size:17px;margin:0 0 8px">${link ? `<a href="${escapeHtml(link)}" style="color:#0b4f8a">${title}</a>` : title}</h2>`,
      '<table role="presentation" style="border-collapse:collapse;font-size:14px">',
      ...rows.map(([k, v]) => `<tr><td style="padding:2px 12px 2px 0;color:#555555;vertical-align:top">${k}</td><td style="padding:2px 0">${escapeHtml(v)}</td></tr>`),
      '</table>',
    );
    if (reasons.length > 0) {
      html.push(
        '<p style="margin:10px 0 4px;font-weight:bold">Why it matched</p>',
        `<ul style="margin:0;padding-left:20px">${reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`,
      );
    }
    html.push(link ? `<p style="margin:10px 0 0"><a href="${escapeHtml(link)}" style="color:#0b4f8a">Read the full notice</a></p>` : '<p style="margin:10px 0 0;color:#555555">No public link was published for this notice.</p>', '</div>');
  });

  renderEarly(input, text, html);

  if (input.moreWaiting > 0) {
    const page = safeUrl(input.matchesUrl ?? null);
    const more = page
      ? `${plural(input.moreWaiting, 'more match', 'more matches')} wait on your matches page: ${page} (we email only what is new from now on).`
      : `${plural(input.moreWaiting, 'more match', 'more matches')} did not fit in this email; those still open will be in your next alert.`;
    text.push(more, '');
    html.push(`<p style="color:#555555">${escapeHtml(more)}</p>`);
  }

  if (input.changes.length > 0) {
    const lead = input.entries.length > 0 ? 'Changes to tenders we told you about before:' : 'A tender we told you about has changed:';
    text.push(lead, '');
    html.push(`<h3 style="font-size:16px;margin:18px 0 6px">${escapeHtml(lead)}</h3>`);
    for (const c of input.changes) {
      const link = safeUrl(c.url);
      const buyer = cleanText(c.buyer, true);
      text.push(`* ${heading(c)}${buyer ? ` – ${buyer}` : ''}`, `  ${changeLine(c, now, timezone)}`, `  Notice: ${link ?? 'no public link was published'}`, '');
      const title = escapeHtml(heading(c));
      html.push(
        '<div style="border-top:1px solid #dddddd;padding:10px 0">',
        `<p style="margin:0;font-weight:bold">${link ? `<a href="${escapeHtml(link)}" style="color:#0b4f8a">${title}</a>` : title}${buyer ? ` – ${escapeHtml(buyer)}` : ''}</p>`,
        `<p style="margin:4px 0 0">${escapeHtml(changeLine(c, now, timezone))}</p>`,
        '</div>',
      );
    }
  }

  const why = `You receive these alerts because ${name} is registered with tendermatch.`;
  const licence = 'Contains public sector information licensed under the Open Government Licence v3.0.';
  text.push(
    '--',
    why,
    `Change what you receive: ${input.manageUrl}`,
    `Unsubscribe: ${input.unsubscribeUrl}`,
    licence,
  );
  html.push(
    '<div style="border-top:1px solid #dddddd;margin-top:20px;padding-top:12px;font-size:13px;color:#555555">',
    `<p style="margin:0 0 6px">${escapeHtml(why)}</p>`,
    `<p style="margin:0 0 6px"><a href="${escapeHtml(input.manageUrl)}" style="color:#0b4f8a">Change what you receive</a> · <a href="${escapeHtml(input.unsubscribeUrl)}" style="color:#0b4f8a">Unsubscribe</a></p>`,
    `<p style="margin:0">${escapeHtml(licence)}</p>`,
    '</div></div></body></html>',
  );

  return { subject, text: text.join('\n') + '\n', html: html.join('\n') };
}

/** One opportunity of an early section, as text lines and an HTML block. */
function earlyBlock(e: DigestEntry, rows: Array<[string, string]>, text: string[], html: string[]) {
  const link = safeUrl(e.url);
  const reasons = e.reasons.map((r) => cleanText(r, true)).filter(Boolean);
  text.push(`* ${heading(e)}`);
  for (const [k, v] of rows) text.push(`   ${k}: ${v}`);
  if (reasons.length) text.push(`   Why it fits: ${reasons.join(' ')}`);
  text.push(`   Notice: ${link ?? 'no public link was published'}`, '');
  const title = escapeHtml(heading(e));
  html.push(
    '<div style="border-top:1px solid #dddddd;padding:10px 0">',
    `<p style="margin:0 0 6px;font-weight:bold">${link ? `<a href="${escapeHtml(link)}" style="color:#0b4f8a">${title}</a>` : title}</p>`,
    '<table role="presentation" style="border-collapse:collapse;font-size:14px">',
    ...rows.map(([k, v]) => `<tr><td style="padding:2px 12px 2px 0;color:#555555;vertical-align:top">${escapeHtml(k)}</td><td style="padding:2px 0">${escapeHtml(v)}</td></tr>`),
    '</table>',
    reasons.length ? `<p style="margin:6px 0 0;font-size:14px">Why it fits: ${escapeHtml(reasons.join(' '))}</p>` : '',
    '</div>',
  );
}

const shortDate = (d: string | null | undefined, now: Date, timezone: string) => (d ? formatDeadline(d, now, timezone).replace(/, \d\d:\d\d.*$/, '') : null);

/** The sections of work before the tender: coming up, dynamic markets, contracts up for renewal. */
function renderEarly(input: DigestInput, text: string[], html: string[]) {
  const { now, timezone } = input;
  const section = (title: string, lead: string) => {
    text.push(title.toUpperCase(), lead, '');
    html.push(`<h3 style="font-size:16px;margin:20px 0 4px">${escapeHtml(title)}</h3>`, `<p style="margin:0 0 6px;color:#555555">${escapeHtml(lead)}</p>`);
  };
  const comingUp = input.comingUp ?? [];
  if (comingUp.length) {
    section('Coming up in your area', 'Work the buyer has announced before the tender: get ready, talk to the buyer, find partners. We tell you again, once, when the tender is published.');
    for (const e of comingUp) {
      const rows: Array<[string, string]> = [
        ['Notice', cleanText(e.noticeType, true) || 'planning notice'],
        ['Buyer', cleanText(e.buyer, true) || 'not stated'],
        ['Expected value', formatMoney(e.valueAmount, e.valueCurrency)],
        ['Tender expected', shortDate(e.expectedTenderAt, now, timezone) ?? 'not stated'],
        ['Place', cleanText(e.place, true) || 'not stated'],
      ];
      if (e.howToTakePart || e.engagementEnds || e.contactEmail) {
        const how = [cleanText(e.howToTakePart, true).replace(/[.;]\s*$/, ''), e.engagementEnds ? `until ${shortDate(e.engagementEnds, now, timezone)}` : '', e.contactEmail ? `contact ${cleanText(e.contactEmail, true)}` : '']
          .filter(Boolean)
          .join('; ');
        rows.push(['How to take part', shorten(how, 600)]);
      }
      if (e.history) rows.push(['Buyer history', cleanText(e.history, true)]);
      earlyBlock(e, rows, text, html);
    }
  }
  const standing = input.standing ?? [];
  if (standing.length) {
    section('Standing ways in: dynamic markets', 'A dynamic market admits new suppliers at any time; once a member, you are invited to its contracts.');
    for (const e of standing) {
      const rows: Array<[string, string]> = [
        ['Notice', cleanText(e.noticeType, true) || 'dynamic market'],
        ['Buyer', cleanText(e.buyer, true) || 'not stated'],
        ['Value', formatMoney(e.valueAmount, e.valueCurrency)],
        ['Place', cleanText(e.place, true) || 'not stated'],
      ];
      earlyBlock(e, rows, text, html);
    }
  }
  const renewals = input.renewals ?? [];
  if (renewals.length) {
    section('Up for renewal', 'Contracts that end in the next 6 to 18 months and are likely to be bought again: a chance to talk to the buyer before the tender.');
    for (const r of renewals) {
      const rows: Array<[string, string]> = [
        ['Buyer', cleanText(r.buyer, true) || 'not stated'],
        ['Ends', shortDate(r.endDate, now, timezone) ?? r.endDate],
        ['Value', formatMoney(r.valueAmount, r.valueCurrency)],
        ['Held by', r.incumbents.map((i) => cleanText(i, true)).filter(Boolean).join(', ') || 'not published'],
        ['How sure', `${cleanText(r.certainty, true)}: ${r.certaintyReasons.map((x) => cleanText(x, true)).join('; ')}`],
      ];
      if (r.history) rows.push(['Buyer history', cleanText(r.history, true)]);
      earlyBlock({ ocid: r.ocid, lotId: '', title: r.title, lotTitle: null, buyer: r.buyer, valueAmount: r.valueAmount, valueCurrency: r.valueCurrency, deadline: null, place: null, reasons: r.reasons, url: r.url }, rows, text, html);
    }
  }
}
