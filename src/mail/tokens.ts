import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed links in emails. A token names one purpose and the ids it acts on, may carry the moment it stops
 * working, and ends with an HMAC-SHA256 under the signing secret (UNSUBSCRIBE_SECRET, or the one kept in the
 * store) of all of that, plus, for links that confirm something about an address, the address itself (not
 * carried in the link: a link mailed to an old address stops working once the address changes).
 *
 * Every part is read in exactly one form: base64url without padding, in its canonical encoding (the bits a
 * last character leaves unused must be zero), and expiry times as plain decimal seconds. Anything else is
 * refused before a signature is compared, so no two different strings are the same valid token; the
 * signature is compared as decoded bytes, in constant time.
 *
 * Unsubscribe links never expire (RFC 8058: a mail client may use the link long after the message came) and
 * keep the format of the first release, so links in mail already sent keep working. Manage links expire
 * (MANAGE_LINK_DAYS); the first release's manage links (`m1`), which carried no time, read as expired.
 * Feedback links ("not for us", "good match" on one notice) never expire either.
 */
export type TokenPurpose = 'unsubscribe' | 'manage' | 'confirm' | 'invitation' | 'feedback' | 'signin';

interface Spec {
  prefix: string;
  /** How many ids the token names. */
  ids: number;
  expires: boolean;
  /** Signed together with an address given when signing and checking. */
  bound: boolean;
  /** Older prefixes still recognised, with the signature they had; valid ones read as expired. */
  retired?: string[];
}

const SPECS: Record<TokenPurpose, Spec> = {
  unsubscribe: { prefix: 'u1', ids: 1, expires: false, bound: false },
  manage: { prefix: 'm2', ids: 1, expires: true, bound: false, retired: ['m1'] },
  confirm: { prefix: 'c1', ids: 1, expires: true, bound: true },
  invitation: { prefix: 'i1', ids: 2, expires: true, bound: true },
  // Supplier, ocid, lot ('-' for the whole tender) and verdict. Like unsubscribe links they do not expire: a firm
  // may say what it thinks of a notice long after the alert came.
  feedback: { prefix: 'f1', ids: 4, expires: false, bound: false },
  // Sign-in links of the pages: the supplier and a nonce stored so that the link works once (db/queries/page-sessions.ts).
  signin: { prefix: 's1', ids: 2, expires: true, bound: true },
};

const MAX_TOKEN_LENGTH = 1024;
const MAC_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Seconds since 1970 as written by signToken: no sign, no leading zero, no exponent. */
const SECONDS = /^[1-9][0-9]{0,11}$/;

/** The bytes of a part in its one canonical form (unpadded base64url, unused bits zero), or null. */
export function canonicalBytes(part: string): Buffer | null {
  if (!BASE64URL.test(part) || part.length % 4 === 1) return null;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : null;
}

const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** The first release signed `tendermatch:u1:<id>`; unsubscribe links (and retired manage links) still are. */
function legacyMac(secret: string, prefix: string, id: string): Buffer {
  return createHmac('sha256', secret).update(`tendermatch:${prefix}:${id}`).digest();
}

function mac(secret: string, signed: string, boundTo: string | undefined): Buffer {
  const h = createHmac('sha256', secret).update(`tendermatch:${signed}`);
  if (boundTo !== undefined) h.update(`.${encode(boundTo)}`);
  return h.digest();
}

/** Makes a token; `expiresAt` is required for purposes that expire, `boundTo` for those bound to an address. */
export function signToken(secret: string, purpose: TokenPurpose, ids: string | string[], options: { expiresAt?: Date; boundTo?: string } = {}): string {
  const spec = SPECS[purpose];
  const list = typeof ids === 'string' ? [ids] : ids;
  if (list.length !== spec.ids || list.some((id) => id === '')) throw new Error(`a ${purpose} token names ${spec.ids} id(s)`);
  if (purpose === 'unsubscribe') return `${spec.prefix}.${encode(list[0])}.${legacyMac(secret, spec.prefix, list[0]).toString('base64url')}`;
  if (spec.expires && !options.expiresAt) throw new Error(`a ${purpose} token needs an expiry`);
  if (spec.bound && options.boundTo === undefined) throw new Error(`a ${purpose} token is bound to an address`);
  const fields = list.map(encode);
  if (spec.expires) fields.push(String(Math.floor(options.expiresAt!.getTime() / 1000)));
  const signed = `${spec.prefix}.${fields.join('.')}`;
  return `${signed}.${mac(secret, signed, spec.bound ? options.boundTo : undefined).toString('base64url')}`;
}

/** A token whose every part is in canonical form; its signature is not checked yet. */
export interface ParsedToken {
  purpose: TokenPurpose;
  ids: string[];
  expiresAt: Date | null;
  /** Made by the first release under a prefix no longer issued. */
  retired: boolean;
  signed: string;
  signature: Buffer;
}

/** Reads a token's parts, refusing every non-canonical form; null when it is not a token of this purpose. */
export function parseToken(purpose: TokenPurpose, token: string | undefined | null): ParsedToken | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const spec = SPECS[purpose];
  const parts = token.split('.');
  const retired = spec.retired?.includes(parts[0]) ?? false;
  if (parts[0] !== spec.prefix && !retired) return null;
  const legacy = retired || purpose === 'unsubscribe';
  const expires = spec.expires && !legacy;
  if (parts.length !== 1 + (legacy ? 1 : spec.ids) + (expires ? 1 : 0) + 1) return null;
  const signature = canonicalBytes(parts[parts.length - 1]);
  if (!signature || signature.length !== MAC_BYTES) return null;
  const ids: string[] = [];
  for (const part of parts.slice(1, 1 + (legacy ? 1 : spec.ids))) {
    const bytes = canonicalBytes(part);
    if (!bytes) return null;
    const id = bytes.toString('utf8');
    // Bytes that are not UTF-8 would come back changed: such an id was never signed.
    if (id === '' || encode(id) !== part) return null;
    ids.push(id);
  }
  let expiresAt: Date | null = null;
  if (expires) {
    const seconds = parts[parts.length - 2];
    if (!SECONDS.test(seconds)) return null;
    expiresAt = new Date(Number(seconds) * 1000);
  }
  return { purpose, ids, expiresAt, retired, signed: parts.slice(0, -1).join('.'), signature };
}

export type TokenCheck = 'valid' | 'forged' | 'expired';

/**
 * Checks a parsed token's signature (in constant time) and then its expiry: a token is only ever called
 * expired when it is genuine. `boundTo` is the address the token must have been signed for, now.
 */
export function checkToken(secret: string, parsed: ParsedToken, now: Date, boundTo?: string): TokenCheck {
  const spec = SPECS[parsed.purpose];
  let expected: Buffer;
  if (parsed.retired || parsed.purpose === 'unsubscribe') expected = legacyMac(secret, parsed.signed.split('.')[0], parsed.ids[0]);
  else if (spec.bound && boundTo === undefined) return 'forged';
  else expected = mac(secret, parsed.signed, spec.bound ? boundTo : undefined);
  if (!timingSafeEqual(parsed.signature, expected)) return 'forged';
  if (parsed.retired) return 'expired';
  if (parsed.expiresAt && parsed.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'valid';
}

/** The ids of a valid token of this purpose, or why it is not one. */
export function verifyToken(
  secret: string,
  purpose: TokenPurpose,
  token: string | undefined | null,
  now: Date,
  boundTo?: string,
): { ok: true; ids: string[] } | { ok: false; reason: 'malformed' | 'forged' | 'expired' } {
  const parsed = parseToken(purpose, token);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const check = checkToken(secret, parsed, now, boundTo);
  return check === 'valid' ? { ok: true, ids: parsed.ids } : { ok: false, reason: check };
}
