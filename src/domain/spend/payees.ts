/**
 * Who a payee is, read from the name a council published: its normalised name (for keys and matching), its
 * kind, and whether a payment line is payroll or tax, which a council cannot move to local firms.
 *
 * Kinds: company, public body (councils, NHS, police, HMRC, schools…), VCSE (charity, trust, CIC, community
 * interest or registered society…), individual (names withheld as personal data, or a person's title and
 * name), unknown (card merchants such as `shell kings 587` say too little).
 */

export type PayeeKind = 'company' | 'public_body' | 'vcse' | 'individual' | 'unknown';
export const PAYEE_KINDS: readonly PayeeKind[] = ['company', 'public_body', 'vcse', 'individual', 'unknown'];

/** Why a line is outside influenceable spend. `public_body` comes from the payee's kind when a report is made. */
export type Exclusion = 'payroll' | 'tax' | 'public_body';
export const EXCLUSIONS: readonly Exclusion[] = ['payroll', 'tax', 'public_body'];

/** Legal forms that say nothing about which firm it is: `Grafton Merchanting GB Ltd` = `Grafton Merchanting GB Limited`. */
const LEGAL_FORMS = new Set(['ltd', 'limited', 'plc', 'llp', 'lp', 'llc', 'inc', 'incorporated', 'gmbh', 'sarl', 'bv', 'ag']);
const TRADING_AS = /\s(?:t\s*\/\s*as?|trading\s+as)\s/i;

function fold(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’']/g, '')
    .replace(/\s*[&+]\s*/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function dropLegalForms(words: string[]): string[] {
  const out = words.filter((w) => !LEGAL_FORMS.has(w));
  // `Jewson & Co`, `The Co-operative Group`: a trailing "co" or "company" and a leading "the" are dropped too.
  while (out.length > 1 && (out[out.length - 1] === 'co' || out[out.length - 1] === 'company')) {
    out.pop();
    if (out.length > 1 && out[out.length - 1] === 'and') out.pop();
  }
  if (out.length > 1 && out[0] === 'the') out.shift();
  return out;
}

/**
 * The key a payee is known by: folded case and accents, `&` = `and`, punctuation and legal forms
 * dropped. `CgMs Ltd. ` → `cgms`; `EDEN BROWN LTD      ` → `eden brown`; `OCS GROUP UK LTD T/A CANNON` →
 * `ocs group uk ta cannon` (both names kept: see tradingNames).
 */
export function normaliseName(name: string): string {
  const words = dropLegalForms(fold(name.replace(/\bt\s*\/\s*as?\b/gi, ' ta ')).split(' ').filter(Boolean));
  return words.join(' ');
}

/** The names a payee may be registered under: the whole name, and each side of a `T/A` ("trading as"). */
export function tradingNames(name: string): string[] {
  const out = [normaliseName(name)];
  const spaced = ` ${name} `;
  if (TRADING_AS.test(spaced)) {
    for (const part of spaced.split(TRADING_AS)) {
      const key = normaliseName(part);
      if (key && !out.includes(key)) out.push(key);
    }
  }
  return out.filter(Boolean);
}

const REDACTED = /\b(redacted|personal data|private individual|data protection|withheld|name removed|not disclosed|individual)\b|^\*+$/i;
const TITLED_PERSON = /^(mr|mrs|miss|ms|mx|mr and mrs)\.?\s+[a-z]/i;
const PUBLIC_BODY = new RegExp(
  [
    String.raw`\b(county|city|district|borough|town|parish|metropolitan borough|unitary|combined) council\b`,
    String.raw`\bcouncil$`,
    String.raw`\b(london|royal) borough of\b`,
    String.raw`\bcombined authority\b`,
    String.raw`\bnhs\b`,
    String.raw`\bclinical commissioning group\b`,
    String.raw`\bccg\b`,
    String.raw`\bhospitals? (nhs )?(foundation )?trust\b`,
    String.raw`\bpolice\b`,
    String.raw`\bconstabulary\b`,
    String.raw`\bfire (and|&) rescue\b`,
    String.raw`\bhmrc\b`,
    String.raw`\bhm (revenue|courts|land registry|treasury|prison)\b`,
    String.raw`\brevenue (and|&) customs\b`,
    String.raw`\binland revenue\b`,
    String.raw`\b(department|dept) (for|of)\b`,
    String.raw`\bministry of\b`,
    String.raw`\benvironment agency\b`,
    String.raw`\bland registry\b`,
    String.raw`\bdvla\b`,
    String.raw`\bhome office\b`,
    String.raw`\bcabinet office\b`,
    String.raw`\bschool\b`,
    String.raw`\bacademy trust\b`,
    String.raw`\bpension fund\b`,
    String.raw`\bcourts? service\b`,
    String.raw`\bcivil justice\b`,
    String.raw`\bmagistrates\b`,
    String.raw`\bregister office\b`,
  ].join('|'),
  'i',
);
/** Colleges and universities are public bodies, but their clubs and societies (`Oxford University Hindu Society`) are not. */
const PUBLIC_EDUCATION = /\b(university|college)\b/i;
const VCSE = new RegExp(
  [
    String.raw`\bcharit(y|able|ies)\b`,
    String.raw`\btrust\b`,
    String.raw`\bc\.?\s?i\.?\s?c\.?$`,
    String.raw`\bcic\b`,
    String.raw`\bcommunity interest\b`,
    String.raw`\bregistered society\b`,
    String.raw`\bsociety\b`,
    String.raw`\bassociation\b`,
    String.raw`\bfoundation\b`,
    String.raw`\bvoluntary\b`,
    String.raw`\bhospice\b`,
    String.raw`\bcio\b`,
    String.raw`\bchurch\b`,
    String.raw`\bco-?operative\b`,
    String.raw`\bmutual\b`,
    String.raw`\bfriends of\b`,
    String.raw`\bcommunity (group|centre|center|project|partnership)\b`,
    String.raw`\bsocial enterprise\b`,
    String.raw`\bclub\b`,
  ].join('|'),
  'i',
);
const COMPANY = /\b(ltd|limited|plc|llp|inc|gmbh|llc|company|co|group|holdings|services|solutions|partnership|associates|& sons|and sons|consultancy|consulting)\b/i;

/** The kind of a payee, from its name alone. */
export function payeeKind(name: string): PayeeKind {
  const text = name.replace(/\s+/g, ' ').trim();
  if (!text) return 'unknown';
  if (REDACTED.test(text) || TITLED_PERSON.test(text)) return 'individual';
  if (PUBLIC_BODY.test(text)) return 'public_body';
  if (VCSE.test(text)) return 'vcse';
  if (PUBLIC_EDUCATION.test(text)) return 'public_body';
  if (COMPANY.test(text)) return 'company';
  return 'unknown';
}

/** A redacted name stands for many people: every such payee shares one key, none can be resolved. */
export function isRedacted(name: string): boolean {
  return REDACTED.test(name);
}

const TAX_PAYEE = /\b(hmrc|inland revenue)\b|\bhm revenue\b|\brevenue (and|&) customs\b/i;
const PAYROLL_PAYEE = /\bpension(s)? (fund|scheme|trust)\b|\bsuperannuation\b|\blgps\b|\bpayroll\b/i;
const PAYROLL_LINE = /\bsalar(y|ies)\b|\bwages?\b|\bpayroll\b|\bpaye\b|\bnational insurance\b|\bemployers?'?s? (ni|nic|pension)s?\b|\bnics?\b|\bsuperannuation\b|\bpension contributions?\b|\bemployee (benefits|deductions?)\b|\bstudent loan deductions?\b|\battachment of earnings\b/i;
const TAX_LINE = /\b(paye|vat) (payment|return)s?\b|\bcorporation tax\b|\bconstruction industry (tax|scheme)\b|\bc\.?i\.?s\.? (tax|deductions?)\b|\bc\.?i\.?t\.?\s?awaiting payment\b/i;

export interface LineFacts {
  payee: string;
  expenseType?: string | null;
  expenseCode?: string | null;
  description?: string | null;
}

/**
 * Payroll and tax read off a payment line: HMRC and tax lines are tax (a VAT line on a supplier's invoice is not:
 * that is part of what the supplier was paid); pension funds, salaries, PAYE and national insurance are payroll.
 * Payments to other public bodies are decided from the payee's kind when a report is made (an analyst may
 * correct a kind), so they are not returned here.
 */
export function lineExclusion(line: LineFacts): Exclusion | null {
  const text = `${line.expenseType ?? ''} ${line.description ?? ''}`;
  if (TAX_PAYEE.test(line.payee)) return PAYROLL_LINE.test(text) ? 'payroll' : 'tax';
  if (PAYROLL_PAYEE.test(line.payee) || PAYROLL_LINE.test(text)) return 'payroll';
  if (TAX_LINE.test(text)) return 'tax';
  return null;
}
