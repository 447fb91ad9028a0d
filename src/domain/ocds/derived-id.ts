import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * The first 16 hex digits of SHA-1 of a text: the same digest the store uses for change detection
 * (db/digest.ts, on node:crypto for speed), computed in plain JavaScript so the domain runs anywhere.
 * Used only for ids of releases their publisher left without one, so its speed does not matter.
 */
export function derivedDigest(text: string): string {
  return bytesToHex(sha1(utf8ToBytes(text))).slice(0, 16);
}
