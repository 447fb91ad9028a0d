import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import { AppError } from '../errors.js';

/**
 * Write access: `Authorization: Bearer <key>` with either the administrator key (config.ADMIN_KEY)
 * or the supplier's own key. Supplier keys are stored only as SHA-256 hashes; keys are 32 random
 * bytes, so a plain hash is enough (no password stretching needed). Comparisons are constant-time.
 */

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A fresh supplier key: shown once at registration, never stored. */
export function newSupplierKey(): string {
  return `tmk_${randomBytes(32).toString('base64url')}`;
}

function sameHash(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

export function bearerToken(c: Context<AppEnv>): string | null {
  const header = c.req.header('authorization');
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}

export function isAdminKey(adminKey: string | undefined, token: string | null): boolean {
  if (!adminKey || !token) return false;
  return sameHash(hashKey(adminKey), hashKey(token));
}

function requireToken(c: Context<AppEnv>): string {
  const token = bearerToken(c);
  if (!token) {
    throw new AppError('unauthorized', 'this needs a key: send "Authorization: Bearer <your supplier key or the admin key>"');
  }
  return token;
}

/** True when the request carries the administrator key. */
export function isAdmin(c: Context<AppEnv>): boolean {
  return isAdminKey(c.get('deps').config.ADMIN_KEY, bearerToken(c));
}

export async function requireAdmin(c: Context<AppEnv>): Promise<void> {
  const token = requireToken(c);
  if (!isAdminKey(c.get('deps').config.ADMIN_KEY, token)) {
    throw new AppError('forbidden', 'only an administrator can do this');
  }
}

/** Passes for the admin key or the key of supplier `supplierId`; 401 without a key, 403 with a wrong one. */
export async function requireSupplierOrAdmin(c: Context<AppEnv>, supplierId: string): Promise<void> {
  const token = requireToken(c);
  const { config, db } = c.get('deps');
  if (isAdminKey(config.ADMIN_KEY, token)) return;
  const row = await db.selectFrom('suppliers').select('key_hash').where('id', '=', supplierId).executeTakeFirst();
  // Hash the presented key even when the supplier is unknown, so both paths take the same time.
  const presented = hashKey(token);
  const stored = row?.key_hash ?? hashKey(`unknown:${token}`);
  if (!row || !sameHash(presented, stored)) {
    throw new AppError('forbidden', `this key may not change supplier ${supplierId}`);
  }
}
