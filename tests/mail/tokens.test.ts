import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, signToken, verifyToken, type TokenPurpose } from '../../src/mail/tokens.js';

const SECRET = 'a-test-secret-of-enough-length';
const NOW = new Date('2026-11-24T09:00:00Z');
const LATER = new Date(NOW.getTime() + 30 * 86_400_000);
const ADDRESS = 'hello@cherwell.test';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const lastPart = (token: string) => token.slice(token.lastIndexOf('.') + 1);
const withLastPart = (token: string, part: string) => token.slice(0, token.lastIndexOf('.') + 1) + part;
/** The same last character with its lowest bit flipped: for a 32-byte signature those bits carry nothing. */
const flipUnusedBit = (part: string) => part.slice(0, -1) + B64[B64.indexOf(part.at(-1)!) ^ 1];
const toStandardAlphabet = (part: string) => part.replace(/-/g, '+').replace(/_/g, '/');

/** A supplier id whose unsubscribe signature holds a character that differs between the two base64 alphabets. */
function idWithUrlSafeCharacter(): string {
  for (let i = 0; ; i++) {
    const id = `sup_${i}`;
    if (/[-_]/.test(lastPart(signToken(SECRET, 'unsubscribe', id)))) return id;
  }
}

function good(purpose: TokenPurpose, ids: string[] = purpose === 'invitation' ? ['coop_1', 'sup_1'] : ['sup_1']) {
  return signToken(SECRET, purpose, ids, { expiresAt: LATER, boundTo: ADDRESS });
}

const check = (purpose: TokenPurpose, token: string | null | undefined, now = NOW, boundTo: string | undefined = ADDRESS) =>
  verifyToken(SECRET, purpose, token, now, boundTo);

describe('signed links: the one canonical form', () => {
  it('canonicalBytes reads unpadded base64url with zero unused bits, and nothing else', () => {
    const cases: Array<[string, string | null]> = [
      ['c3VwLTE', 'sup-1'],
      ['c3VwLTF', null], // same bytes in Buffer.from, but the unused bits are set
      ['c3VwLTE=', null],
      ['Pj4-Pw', '>>>?'],
      ['Pj4+Pw', null],
      ['Pj4/Pw', null],
      ['A', null],
      ['', null],
      ['c3Vw LTE', null],
    ];
    for (const [part, text] of cases) expect(canonicalBytes(part)?.toString('utf8') ?? null, part).toBe(text);
    expect(Buffer.from('c3VwLTF', 'base64url').toString('utf8')).toBe('sup-1');
  });

  it('reads back what it signs, for every purpose', () => {
    expect(check('unsubscribe', good('unsubscribe'))).toEqual({ ok: true, ids: ['sup_1'] });
    expect(check('manage', good('manage'))).toEqual({ ok: true, ids: ['sup_1'] });
    expect(check('confirm', good('confirm'))).toEqual({ ok: true, ids: ['sup_1'] });
    expect(check('invitation', good('invitation'))).toEqual({ ok: true, ids: ['coop_1', 'sup_1'] });
  });

  it('unsubscribe links keep the first release format, never expire, and links already mailed still work', () => {
    const id = 'sup_zqspbivyin4m';
    const mailed = `u1.${b64(id)}.${createHmac('sha256', SECRET).update(`tendermatch:u1:${id}`).digest('base64url')}`;
    expect(signToken(SECRET, 'unsubscribe', id)).toBe(mailed);
    expect(check('unsubscribe', mailed, new Date('2040-01-01T00:00:00Z'))).toEqual({ ok: true, ids: [id] });
  });

  it('manage links expire; the first release manage links (no time in them) read as expired, forged ones as forged', () => {
    const token = good('manage');
    expect(check('manage', token, new Date(LATER.getTime() - 1000)).ok).toBe(true);
    expect(check('manage', token, LATER)).toEqual({ ok: false, reason: 'expired' });
    const m1 = `m1.${b64('sup_1')}.${createHmac('sha256', SECRET).update('tendermatch:m1:sup_1').digest('base64url')}`;
    expect(check('manage', m1)).toEqual({ ok: false, reason: 'expired' });
    const m1Forged = `m1.${b64('sup_1')}.${createHmac('sha256', 'another-secret-of-enough-length').update('tendermatch:m1:sup_1').digest('base64url')}`;
    expect(check('manage', m1Forged)).toEqual({ ok: false, reason: 'forged' });
  });

  it('a link bound to an address stops working when the address changes', () => {
    expect(check('confirm', good('confirm'), NOW, 'new@cherwell.test')).toEqual({ ok: false, reason: 'forged' });
    expect(check('confirm', good('confirm'), NOW, 'Hello@cherwell.test')).toEqual({ ok: false, reason: 'forged' });
    expect(verifyToken(SECRET, 'invitation', good('invitation'), NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  const urlSafe = idWithUrlSafeCharacter();
  const forgeries: Array<[string, TokenPurpose, () => string | null | undefined, 'malformed' | 'forged']> = [
    ['padding after the signature', 'unsubscribe', () => good('unsubscribe') + '=', 'malformed'],
    ['two padding characters', 'manage', () => good('manage') + '==', 'malformed'],
    ['padded supplier id', 'unsubscribe', () => good('unsubscribe').replace(`.${b64('sup_1')}.`, `.${b64('sup_1')}=.`), 'malformed'],
    ['signature in the standard alphabet', 'unsubscribe', () => {
      const t = signToken(SECRET, 'unsubscribe', urlSafe);
      return withLastPart(t, toStandardAlphabet(lastPart(t)));
    }, 'malformed'],
    ['id in the standard alphabet', 'confirm', () => good('confirm', ['>>>?']).replace('Pj4-Pw', 'Pj4+Pw'), 'malformed'],
    ['unused bits of the signature set (same bytes)', 'unsubscribe', () => withLastPart(good('unsubscribe'), flipUnusedBit(lastPart(good('unsubscribe')))), 'malformed'],
    ['unused bits of the signature set, manage', 'manage', () => withLastPart(good('manage'), flipUnusedBit(lastPart(good('manage')))), 'malformed'],
    ['unused bits of the id set (same bytes)', 'unsubscribe', () => signToken(SECRET, 'unsubscribe', 'sup-1').replace('.c3VwLTE.', '.c3VwLTF.'), 'malformed'],
    ['signature cut short', 'unsubscribe', () => good('unsubscribe').slice(0, -1), 'malformed'],
    ['signature one character longer', 'unsubscribe', () => good('unsubscribe') + 'A', 'malformed'],
    ['signature with a byte more', 'invitation', () => good('invitation') + 'AAAA', 'malformed'],
    ['space before', 'unsubscribe', () => ` ${good('unsubscribe')}`, 'malformed'],
    ['newline after', 'unsubscribe', () => `${good('unsubscribe')}\n`, 'malformed'],
    ['upper-case prefix', 'unsubscribe', () => good('unsubscribe').replace(/^u1/, 'U1'), 'malformed'],
    ['an extra part', 'manage', () => `${good('manage')}.AAAA`, 'malformed'],
    ['an empty part', 'manage', () => good('manage').replace('.', '..'), 'malformed'],
    ['expiry with a leading zero', 'manage', () => good('manage').replace(/\.(\d+)\./, '.0$1.'), 'malformed'],
    ['expiry with a plus sign', 'manage', () => good('manage').replace(/\.(\d+)\./, '.+$1.'), 'malformed'],
    ['expiry as an exponent', 'manage', () => good('manage').replace(/\.(\d+)\./, '.9e99.'), 'malformed'],
    ['expiry pushed later', 'manage', () => good('manage').replace(/\.(\d+)\./, (_m, s: string) => `.${Number(s) + 86_400 * 365}.`), 'forged'],
    ['a fullwidth letter in the signature', 'unsubscribe', () => withLastPart(good('unsubscribe'), 'Ａ' + lastPart(good('unsubscribe')).slice(1)), 'malformed'],
    ['a NUL byte', 'unsubscribe', () => `${good('unsubscribe')}\u0000`, 'malformed'],
    ['far too long', 'unsubscribe', () => `u1.${'A'.repeat(2000)}.${lastPart(good('unsubscribe'))}`, 'malformed'],
    ['another supplier spliced in', 'unsubscribe', () => good('unsubscribe').replace(b64('sup_1'), b64('sup_2')), 'forged'],
    ['cooperative and firm swapped', 'invitation', () => good('invitation').replace(`${b64('coop_1')}.${b64('sup_1')}`, `${b64('sup_1')}.${b64('coop_1')}`), 'forged'],
    ['signed with another secret', 'unsubscribe', () => signToken('another-secret-of-enough-length', 'unsubscribe', 'sup_1'), 'forged'],
    ['a manage token used to unsubscribe', 'unsubscribe', () => good('manage'), 'malformed'],
    ['an unsubscribe token used to manage', 'manage', () => good('unsubscribe'), 'malformed'],
    ['a confirm token used as an invitation', 'invitation', () => good('confirm'), 'malformed'],
    ['a confirm token relabelled as manage', 'manage', () => good('confirm').replace(/^c1/, 'm2'), 'forged'],
    ['empty', 'unsubscribe', () => '', 'malformed'],
    ['missing', 'unsubscribe', () => undefined, 'malformed'],
    ['dots only', 'unsubscribe', () => 'u1.....', 'malformed'],
  ];

  it.each(forgeries)('refuses %s', (_why, purpose, make, reason) => {
    const token = make();
    expect(check(purpose, token)).toEqual({ ok: false, reason });
  });

  it('no forgery is the good token of the purpose it is checked for', () => {
    // Else a refusal above would say nothing.
    for (const [why, purpose, make] of forgeries) expect(make(), why).not.toBe(good(purpose));
  });
});
