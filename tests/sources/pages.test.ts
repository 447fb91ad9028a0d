import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingestSource } from '../../jobs/ingest.js';
import { loadConfig } from '../../src/config.js';
import { parseRetryAfter } from '../../src/sources/http.js';
import { readReleasePackage, topLevelArrayTexts } from '../../src/sources/package.js';
import { resolveNext, splitWindows } from '../../src/sources/paging.js';
import { sourceAdapters } from '../../src/sources/adapters.js';
import { closeServersAfterEach, HOUR, NOW, setup } from '../support/feed-setup.js';

closeServersAfterEach();

describe('page reading', () => {
  it.each([
    ['compact', '{"releases":[{"a":1},{"b":[2,3]}],"links":{}}', ['{"a":1}', '{"b":[2,3]}']],
    ['spaced, with brackets and quotes inside strings', '{ "uri": "x[", "releases" : [ {"t":"a \\"]\\" b"} ,\n  {"n":1e9999}\n ] }', ['{"t":"a \\"]\\" b"}', '{"n":1e9999}']],
    ['a nested "releases" key is not the package list', '{"meta":{"releases":[9]},"releases":[{"x":"}"}]}', ['{"x":"}"}']],
    ['scalars in the list', '{"releases":[1, "s", null]}', ['1', '"s"', 'null']],
  ])('keeps each release as published: %s', (_name, text, expected) => {
    expect(topLevelArrayTexts(text, 'releases')).toEqual(expected);
  });

  it('reads a real Contracts Finder search page: every release, its exact text and the next link', () => {
    const text = readFileSync(new URL('../support/fixtures/cf-releases.jsonl', import.meta.url), 'utf8').split('\n')[0];
    const body = `{"uri":"u","releases":[${text}, ${text}],"links":{"next":"https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search?cursor=abc"}}`;
    const page = readReleasePackage(body);
    expect(page.releases).toHaveLength(2);
    expect(page.releases[0].raw).toBe(text);
    expect(page.releases[0].value).toEqual(JSON.parse(text));
    expect(page.next).toBe('https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search?cursor=abc');
  });

  it.each([
    ['a truncated body', '{"releases":[{"ocid":"ocds-b5fd17-1"'],
    ['an HTML error page', '<html><body>Service Unavailable</body></html>'],
    ['a list at the top level', '[{"ocid":"x"}]'],
    ['releases that are not a list', '{"releases":{"ocid":"x"}}'],
  ])('rejects %s as a broken page', (_name, body) => {
    expect(() => readReleasePackage(body)).toThrow(/page/);
  });

  it('reads 1e9999 as Infinity without losing the published text', () => {
    const page = readReleasePackage('{"releases":[{"ocid":"o","tender":{"value":{"amount":1e9999}}}]}');
    expect((page.releases[0].value as { tender: { value: { amount: number } } }).tender.value.amount).toBe(Infinity);
    expect(page.releases[0].raw).toContain('1e9999');
    expect(page.next).toBeNull();
  });

  it.each([
    ['https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?cursor=Q', 'http://127.0.0.1:9/', 'http://127.0.0.1:9/api/1.0/ocdsReleasePackages?cursor=Q'],
    ['https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?cursor=Q', 'http://mirror.test/fts', 'http://mirror.test/fts/api/1.0/ocdsReleasePackages?cursor=Q'],
    ['/Published/Notices/OCDS/Search?cursor=Z', 'https://www.contractsfinder.service.gov.uk', 'https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search?cursor=Z'],
    ['https://evil.example/steal?cursor=1', 'https://www.contractsfinder.service.gov.uk', 'https://www.contractsfinder.service.gov.uk/steal?cursor=1'],
  ])('follows next link %s on the configured base %s', (next, base, expected) => {
    expect(resolveNext(base, next)).toBe(expected);
  });

  it.each([
    ['7', 7000],
    ['0.5', 500],
    ['Tue, 24 Nov 2026 09:00:30 GMT', 30_000],
    ['', null],
    ['soon', null],
  ])('reads Retry-After %j', (header, expected) => {
    expect(parseRetryAfter(header, NOW.getTime())).toBe(expected);
  });
});

describe('windows', () => {
  it('splits a range into consecutive windows of at most the given hours', () => {
    const windows = splitWindows(new Date('2026-11-22T09:00:00Z'), new Date('2026-11-24T09:30:00Z'), 6);
    expect(windows).toHaveLength(9);
    expect(windows[0].from.toISOString()).toBe('2026-11-22T09:00:00.000Z');
    expect(windows.at(-1)!.to.toISOString()).toBe('2026-11-24T09:30:00.000Z');
    for (let i = 0; i < windows.length; i++) {
      expect(windows[i].to.getTime() - windows[i].from.getTime()).toBeLessThanOrEqual(6 * HOUR);
      if (i > 0) expect(windows[i].from.getTime()).toBe(windows[i - 1].to.getTime());
    }
    expect(splitWindows(NOW, NOW, 6)).toEqual([]);
  });

  it('writes window dates in the documented forms, under a base URL with or without a path', () => {
    const fts = sourceAdapters.find((a) => a.id === 'fts')!;
    const cf = sourceAdapters.find((a) => a.id === 'cf')!;
    const window = { from: new Date('2026-11-24T03:00:00.250Z'), to: NOW };
    expect(fts.firstPageUrl('https://www.find-tender.service.gov.uk', window)).toBe(
      'https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?updatedFrom=2026-11-24T03:00:00&updatedTo=2026-11-24T09:00:00&limit=100',
    );
    expect(cf.firstPageUrl('http://mirror.test/cf/', window)).toBe(
      'http://mirror.test/cf/Published/Notices/OCDS/Search?publishedFrom=2026-11-24T03:00:00Z&publishedTo=2026-11-24T09:00:00Z&stages=planning,tender,award,implementation&limit=100',
    );
  });

  it('refuses a Find a Tender window over 6 hours in configuration', () => {
    expect(() => loadConfig({ FTS_WINDOW_HOURS: '7' })).toThrow(/FTS_WINDOW_HOURS/);
  });

  it('never asks Find a Tender for more than 6 hours at once, and covers the whole range', async () => {
    const { deps, server } = await setup('fts');
    const summary = await ingestSource(deps, { source: 'fts' });
    expect(summary.status).toBe('ok');
    const first = server.requests.filter((r) => r.query.updatedFrom);
    expect(first.length).toBe(summary.windows);
    expect(summary.windows).toBe(8); // 2 days of backfill
    for (const r of first) {
      const span = Date.parse(r.query.updatedTo + 'Z') - Date.parse(r.query.updatedFrom + 'Z');
      expect(span).toBeGreaterThan(0);
      expect(span).toBeLessThanOrEqual(6 * HOUR);
      expect(r.query.updatedFrom).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      expect(r.query.limit).toBe('100');
    }
    expect(first[0].query.updatedFrom).toBe('2026-11-22T09:00:00');
    expect(first.at(-1)!.query.updatedTo).toBe('2026-11-24T09:00:00');
  });
});
