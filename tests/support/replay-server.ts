import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 that plays a publisher's OCDS search API from recorded releases:
 * it answers the Find a Tender and Contracts Finder endpoints with release packages of the releases
 * whose date falls in the asked window, a page at a time, linked by `links.next` cursors written on
 * the publisher's own public host (as the real feeds do). Faults can be injected per request.
 */

export type Fault =
  | { kind: '429' }
  | { kind: '429-retry-after'; retryAfter: string }
  | { kind: '503' }
  | { kind: '403' }
  /** The body stops half way, as a well-formed HTTP response (the JSON is cut). */
  | { kind: 'truncated' }
  /** The connection drops half way through a body whose Content-Length promised more. */
  | { kind: 'cut' }
  /** The page is served without `links.next`, though more pages exist. */
  | { kind: 'no-next' }
  /** A number in the page is written as 1e9999 (as FTS has published). */
  | { kind: 'infinity' }
  /** Waits before answering. */
  | { kind: 'slow'; delayMs: number };

export interface ReplayRelease {
  /** The release object as recorded; `date` is replaced by `at`. */
  release: Record<string, unknown>;
  at: string;
}

export interface ReplayRequest {
  n: number;
  path: string;
  query: Record<string, string>;
  status: number;
  fault: Fault['kind'] | null;
}

interface Feed {
  path: string;
  fromParam: string;
  toParam: string;
  publicOrigin: string;
}

const FEEDS: Record<'fts' | 'cf', Feed> = {
  fts: { path: '/api/1.0/ocdsReleasePackages', fromParam: 'updatedFrom', toParam: 'updatedTo', publicOrigin: 'https://www.find-tender.service.gov.uk' },
  cf: { path: '/Published/Notices/OCDS/Search', fromParam: 'publishedFrom', toParam: 'publishedTo', publicOrigin: 'https://www.contractsfinder.service.gov.uk' },
};

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

/** The recorded releases of a feed, in their original date order. */
export function loadFixtureReleases(feed: 'fts' | 'cf'): Record<string, unknown>[] {
  return readFileSync(`${FIXTURES}${feed}-releases.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .sort((a, b) => String(a.date ?? '').localeCompare(String(b.date ?? '')));
}

/** Spreads releases over time from `start`, `stepMinutes` apart, keeping their order. */
export function spread(releases: Record<string, unknown>[], start: Date, stepMinutes: number): ReplayRelease[] {
  return releases.map((release, i) => ({ release, at: new Date(start.getTime() + i * stepMinutes * 60_000).toISOString() }));
}

/** Find a Tender's contracting stage of a release, by its tags (its `stages` filter): planning, tender or award. */
function stageOf(release: Record<string, unknown>): string {
  const tags = Array.isArray(release.tag) ? (release.tag as string[]) : [];
  if (tags.some((t) => t.startsWith('planning'))) return 'planning';
  if (tags.some((t) => t.startsWith('award') || t.startsWith('contract'))) return 'award';
  return 'tender';
}

/** Reads a feed's date parameter: FTS sends 19 characters without a zone, meaning UTC here. */
function parseDate(value: string | undefined): number | null {
  if (!value) return null;
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : value + 'Z');
  return Number.isNaN(t) ? null : t;
}

export class ReplayServer {
  readonly requests: ReplayRequest[] = [];
  /** Faults for the next requests, in order; each request takes the first one. */
  readonly faults: Fault[] = [];
  /** A fault for any request, by its number (1-based) and URL; tried when the queue is empty. */
  faultFor: ((n: number, url: URL) => Fault | null) | null = null;
  /** Called as each request arrives (e.g. to kill a client mid-run). */
  onRequest: ((n: number, url: URL) => void) | null = null;
  /** Most releases in one page, whatever `limit` asks. */
  pageSize = 100;
  /** Delay before every answer. */
  delayMs = 0;
  private server: Server | null = null;
  private readonly envelope: Record<string, unknown>;
  url = '';

  constructor(
    readonly feedId: 'fts' | 'cf',
    public releases: ReplayRelease[],
  ) {
    this.envelope = JSON.parse(readFileSync(`${FIXTURES}cf-envelope.json`, 'utf8')) as Record<string, unknown>;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  fail(...faults: Fault[]): this {
    this.faults.push(...faults);
    return this;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const n = this.requests.length + 1;
    const url = new URL(req.url ?? '/', 'http://replay');
    const query = Object.fromEntries(url.searchParams);
    const feed = FEEDS[this.feedId];
    const fault = this.faults.shift() ?? this.faultFor?.(n, url) ?? null;
    const record: ReplayRequest = { n, path: url.pathname, query, status: 0, fault: fault?.kind ?? null };
    this.requests.push(record);
    this.onRequest?.(n, url);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      record.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(body);
    };
    const wait = (fault?.kind === 'slow' ? fault.delayMs : 0) + this.delayMs;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (res.destroyed) return;

    if (url.pathname !== feed.path) return send(404, JSON.stringify({ error: 'no such endpoint' }));
    switch (fault?.kind) {
      case '429':
        return send(429, '{"message":"Too Many Requests"}');
      case '429-retry-after':
        return send(429, '{"message":"Too Many Requests"}', { 'retry-after': fault.retryAfter });
      case '503':
        return send(503, '<html><body>Service Unavailable</body></html>', { 'content-type': 'text/html' });
      case '403':
        return send(403, '<html><head><title>Forbidden - Contracts Finder</title></head><body>Request forbidden</body></html>', {
          'content-type': 'text/html',
        });
    }

    let body: string;
    try {
      body = this.page(url, feed, fault?.kind === 'no-next');
    } catch (err) {
      return send(400, JSON.stringify({ error: (err as Error).message }));
    }
    if (fault?.kind === 'infinity') body = body.replace(/"amount":\s*-?[0-9.]+/, '"amount":1e9999');
    if (fault?.kind === 'truncated') return send(200, body.slice(0, Math.floor(body.length / 2)));
    if (fault?.kind === 'cut') {
      record.status = 200;
      const bytes = Buffer.from(body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
      return;
    }
    send(200, body);
  }

  /** One page of the window that the query (or its cursor) names. */
  private page(url: URL, feed: Feed, dropNext: boolean): string {
    let from: string | undefined;
    let to: string | undefined;
    let offset = 0;
    let stages: string | null = url.searchParams.get('stages');
    const limit = Math.max(1, Math.min(100, Number(url.searchParams.get('limit') ?? 100) || 100));
    const cursor = url.searchParams.get('cursor');
    if (cursor) {
      const [f, t, o, ...rest] = Buffer.from(cursor, 'base64').toString('utf8').split('|');
      from = f || undefined;
      to = t || undefined;
      offset = Number(o);
      stages = rest.join('|') || null;
      if (!Number.isInteger(offset) || offset < 0) throw new Error('bad cursor');
    } else {
      from = url.searchParams.get(feed.fromParam) ?? undefined;
      to = url.searchParams.get(feed.toParam) ?? undefined;
    }
    const lo = parseDate(from);
    const hi = parseDate(to);
    if ((from && lo === null) || (to && hi === null)) throw new Error('bad date');
    // Both ends inclusive, as the publishers' filters are: a release on a window edge comes twice.
    const inWindow = this.releases
      .filter((r) => {
        const t = Date.parse(r.at);
        return (lo === null || t >= lo) && (hi === null || t <= hi) && (!stages || stages.split(',').includes(stageOf(r.release)));
      })
      .sort((a, b) => a.at.localeCompare(b.at));
    const size = Math.min(limit, this.pageSize);
    const slice = inWindow.slice(offset, offset + size);
    const more = offset + size < inWindow.length;
    const pkg: Record<string, unknown> = {
      ...this.envelope,
      uri: `${feed.publicOrigin}${url.pathname}${url.search}`,
      releases: slice.map((r) => ({ ...r.release, date: r.at })),
    };
    if (more && !dropNext) {
      const next = Buffer.from(`${from ?? ''}|${to ?? ''}|${offset + size}${stages ? `|${stages}` : ''}`).toString('base64');
      pkg.links = { next: `${feed.publicOrigin}${feed.path}?limit=${limit}&cursor=${encodeURIComponent(next)}` };
    }
    return JSON.stringify(pkg);
  }
}

/** Starts a replay server for a feed over its recorded releases, spread out from `start`. */
export async function startReplay(feed: 'fts' | 'cf', start: Date, stepMinutes: number): Promise<ReplayServer> {
  return new ReplayServer(feed, spread(loadFixtureReleases(feed), start, stepMinutes)).start();
}
