import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed links in alert emails. A token names one supplier and one purpose and carries an HMAC-SHA256
 * of both under UNSUBSCRIBE_SECRET, so a link works without logging in and cannot be made for anyone else.
 */
export type TokenPurpose = 'unsubscribe' | 'manage';

const PREFIX: Record<TokenPurpose, string> = { unsubscribe: 'u1', manage: 'm1' };

function mac(secret: string, purpose: TokenPurpose, supplierId: string): Buffer {
  return createHmac('sha256', secret).update(`tendermatch:${PREFIX[purpose]}:${supplierId}`).digest();
}

export function signToken(secret: string, purpose: TokenPurpose, supplierId: string): string {
  const id = Buffer.from(supplierId, 'utf8').toString('base64url');
  return `${PREFIX[purpose]}.${id}.${mac(secret, purpose, supplierId).toString('base64url')}`;
}

/** The supplier id a token was made for, or null when it is malformed, for another purpose, or forged. */
export function verifyToken(secret: string, purpose: TokenPurpose, token: string | undefined | null): string | null {
  if (!token || token.length > 1024) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX[purpose]) return null;
  const supplierId = Buffer.from(parts[1], 'base64url').toString('utf8');
  if (!supplierId || Buffer.from(supplierId, 'utf8').toString('base64url') !== parts[1]) return null;
  const given = Buffer.from(parts[2], 'base64url');
  const expected = mac(secret, purpose, supplierId);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return supplierId;
}
