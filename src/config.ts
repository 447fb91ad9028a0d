import { z } from 'zod';
import type { MatchSettings } from './domain/matching/types.js';

/**
 * The only module that reads settings. `loadConfig` takes a plain record (process.env on Node, the
 * Worker's env binding on Cloudflare) so that tests can pass their own, and throws a readable error
 * naming every bad setting.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = z.string().url();

export const configSchema = z.object({
  DATABASE_URL: z.string().min(1).default('./data/tendermatch.db'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_BASE_URL: url.default('http://localhost:3000'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),

  FTS_BASE_URL: url.default('https://www.find-tender.service.gov.uk'),
  CF_BASE_URL: url.default('https://www.contractsfinder.service.gov.uk'),
  INGEST_CRON: z.string().default('*/15 * * * *'),
  INGEST_ENABLED: bool.default(true),
  INGEST_SOURCES: z.string().default('fts,cf'),
  /** How far back a source with no watermark starts. */
  INGEST_BACKFILL_DAYS: z.coerce.number().int().min(0).max(3650).default(7),
  FTS_WINDOW_HOURS: z.coerce.number().min(0.25).max(6).default(6),
  FTS_MAX_REQUESTS: z.coerce.number().int().min(1).default(12),
  FTS_PER_SECONDS: z.coerce.number().min(1).default(120),
  CF_WINDOW_HOURS: z.coerce.number().min(0.25).max(24 * 31).default(24),
  CF_MAX_REQUESTS: z.coerce.number().int().min(1).default(30),
  CF_PER_SECONDS: z.coerce.number().min(1).default(60),
  HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(30000),
  HTTP_MAX_RETRIES: z.coerce.number().int().min(0).max(20).default(6),
  LEASE_SECONDS: z.coerce.number().int().min(10).default(900),
  /** When the stored tags come from another tagger version: retag at start-up and in the ingest job (else only log). */
  RETAG_ON_START: bool.default(true),

  ADMIN_KEY: z.string().min(16).optional(),
  HIGH_POTENTIAL_BOOST: z.coerce.number().min(0).max(1).default(0.05),
  LOCAL_WEIGHT: z.coerce.number().min(0).max(1).default(0.25),
  REGISTRY_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(3600),
  /** Stored matches (and alerts built on them) keep only scores at or above this. */
  MATCH_MIN_SCORE: z.coerce.number().min(0).max(1).default(0.3),

  /** Largest request body a route takes unless its group sets its own (src/limits.ts). */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /** Longest request target (path and query string). */
  MAX_URL_BYTES: z.coerce.number().int().min(256).max(65_536).default(8192),
  /** Largest header section (names and values). */
  MAX_HEADER_BYTES: z.coerce.number().int().min(1024).max(262_144).default(16_384),
  /** Length of a rate-limit window; each client's count starts again after it. */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /** Registrations (POST /suppliers) per client per window; 0 turns the limit off. */
  RATE_LIMIT_REGISTRATIONS: z.coerce.number().int().min(0).default(20),
  /** Refused keys and signed links (401, 403) per client per window; 0 turns the limit off. */
  RATE_LIMIT_KEY_CHECKS: z.coerce.number().int().min(0).default(30),
  /** Sign-in requests (POST /sign-in: a link sent by email) per client per window, refused or not; 0 turns the limit off. */
  RATE_LIMIT_SIGN_INS: z.coerce.number().int().min(0).default(10),
  /** Behind a reverse proxy: the client is the last address of X-Forwarded-For (Node only; Workers read CF-Connecting-IP). */
  TRUST_PROXY: bool.default(false),

  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('tendermatch <alerts@localhost>'),
  MAIL_RATE_PER_SECOND: z.coerce.number().min(0.1).default(10),
  OUTBOX_DIR: z.string().default('./data/outbox'),
  UNSUBSCRIBE_SECRET: z.string().min(16).optional(),
  ALERTS_CRON: z.string().default('*/5 * * * *'),
  HIGH_POTENTIAL_CRON: z.string().default('30 3 * * *'),
  /** When the supplier match queue is drained even if no request kicked the job (a kick lost, a Worker without waitUntil). */
  SUPPLIER_MATCH_CRON: z.string().default('* * * * *'),
  ALERTS_ENABLED: bool.default(true),
  /** How long one alert run holds its lease before another may take over (renewed while it works). */
  ALERTS_LEASE_SECONDS: z.coerce.number().int().min(1).default(120),
  /** First wait after a temporary SMTP failure (4xx); doubles each try, at most six hours. */
  MAIL_RETRY_BASE_SECONDS: z.coerce.number().min(1).default(60),
  /** Tries before a message that keeps failing temporarily counts as refused. */
  MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
  /** Refused deliveries in a row after which a supplier's alerts pause, with the reason shown. */
  ALERTS_PAUSE_AFTER_FAILURES: z.coerce.number().int().min(1).default(3),
  /** Days a "change what you receive" link in an email works (unsubscribe links always work, RFC 8058). */
  MANAGE_LINK_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Days a link to confirm a contact address, or to accept a cooperative's invitation, works. */
  CONFIRM_LINK_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  /** Minutes a sign-in link mailed from the pages works (once). */
  SIGN_IN_LINK_MINUTES: z.coerce.number().int().min(1).max(120).default(15),
  /** Sign-in links mailed to one address in 15 minutes, at most (more asks get the same answer and no mail). */
  SIGN_IN_LINKS_PER_ADDRESS: z.coerce.number().int().min(1).max(50).default(3),
  /** Hours a page session (the cookie set by a sign-in link, a registration or the operator's key) lasts. */
  PAGE_SESSION_HOURS: z.coerce.number().int().min(1).max(720).default(8),

  /** When the spend job imports files sent over HTTP (POST /spend/files and the directory and category uploads). */
  SPEND_CRON: z.string().default('* * * * *'),
  /** "off" where no spend job runs (a Worker): the spend upload routes then answer 501 instead of queueing a file. */
  SPEND_IMPORTS: z.enum(['on', 'off']).default('on'),
  /** Largest spend, directory or category file accepted over HTTP, in megabytes. */
  SPEND_UPLOAD_MAX_MB: z.coerce.number().min(1).max(500).default(50),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Settings whose values must never be printed. */
export const SECRET_SETTINGS = new Set(['ADMIN_KEY', 'SMTP_URL', 'UNSUBSCRIBE_SECRET', 'DATABASE_URL']);

export function loadConfig(env: Record<string, string | undefined>): Config {
  const known: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') known[key] = value;
  }
  const parsed = configSchema.safeParse(known);
  if (!parsed.success) {
    // Name the setting and the rule, never the value: some settings are secrets.
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  // Unset, the public address is this machine on the port the service listens on, not always 3000.
  if (known.PUBLIC_BASE_URL === undefined) parsed.data.PUBLIC_BASE_URL = `http://localhost:${parsed.data.PORT}`;
  return parsed.data;
}

/** Reads the process environment; only entry points call this. */
export function configFromProcess(): Config {
  return loadConfig(process.env);
}

/** The scorer's weights, from the settings (the match job and the officers' listings rank alike). */
export function matchSettings(config: Pick<Config, 'LOCAL_WEIGHT' | 'HIGH_POTENTIAL_BOOST'>): MatchSettings {
  return { localWeight: config.LOCAL_WEIGHT, highPotentialBoost: config.HIGH_POTENTIAL_BOOST };
}
