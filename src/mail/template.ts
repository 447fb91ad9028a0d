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
  /** The signed one-click feedback links of this entry (feedback-links.ts); absent in digests stored before them. */
  feedback?: { notForUs: string; goodMatch: string };
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

export function renderSubject(input: Pick<DigestInput, 'entries' | 'changes'>): string {
  const { entries, changes } = input;
  if (entries.length > 0) {
    const best = entries[0];
    const buyer = cleanText(best.buyer, true);
    const lead = `${plural(entries.length, 'new tender')} you could win`;
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
    const reasons = e.reasons.map((r) => cleanText(r, true)).filter(Boolean);
    text.push(`${i + 1}. ${heading(e)}`);
    for (const [k, v] of rows) text.push(`   ${k}: ${v}`);
    if (reasons.length > 0) {
      text.push('   Why it matched:');
      for (const r of reasons) text.push(`   - ${r}`);
    }
    text.push(`   Notice: ${link ?? 'no public link was published'}`);
    const fb = e.feedback && safeUrl(e.feedback.notForUs) && safeUrl(e.feedback.goodMatch) ? e.feedback : null;
    if (fb) text.push(`   Not for us: ${fb.notForUs}`, `   Good match: ${fb.goodMatch}`);
    text.push('');

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
    html.push(link ? `<p style="margin:10px 0 0"><a href="${escapeHtml(link)}" style="color:#0b4f8a">Read the full notice</a></p>` : '<p style="margin:10px 0 0;color:#555555">No public link was published for this notice.</p>');
    if (fb) {
      html.push(
        `<p style="margin:6px 0 0;font-size:14px">Tell us: <a href="${escapeHtml(fb.notForUs)}" style="color:#0b4f8a">Not for us</a> · <a href="${escapeHtml(fb.goodMatch)}" style="color:#0b4f8a">Good match</a></p>`,
      );
    }
    html.push('</div>');
  });

  if (input.moreWaiting > 0) {
    const more = `${plural(input.moreWaiting, 'more match', 'more matches')} did not fit in this email; those still open will be in your next alert.`;
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
