import { createHash } from 'node:crypto';

/**
 * A stable 64-bit hex digest for change detection and derived ids (the first 16 hex digits of SHA-1).
 * Native hashing keeps it off the ingest hot path; node:crypto's createHash also runs on Workers
 * with the nodejs_compat flag. Not used for anything secret.
 */
export function hash64(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}

/**
 * Digest of a parsed release for change detection: taken over its value, not its text, so that the same
 * release published again with other spacing reads as unchanged.
 */
export function contentHash(value: unknown): string {
  return hash64(JSON.stringify(value));
}
