import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { classifyCommand } from '../../src/commands/classify.js';
import { TAGGER_VERSION } from '../../src/domain/tagging/index.js';
import { jsonCaller, testDeps } from '../support/helpers.js';
import { registration } from '../support/matching-fixtures.js';

async function setup() {
  const deps = await testDeps();
  const app = createApp(deps);
  return { deps, app, call: jsonCaller(app) };
}

describe('POST /classify', () => {
  it('answers what the classify command writes, one result per notice in order', async () => {
    const { call, deps } = await setup();
    const notices = [
      { id: 'n1', title: 'Lift Preventative Maintenance', description: 'maintain lifts and escalators in council buildings' },
      { id: 2, title: 'Portering services' },
      { description: 'Grass cutting and hedge trimming in parks' },
    ];
    const res = await call('POST', '/classify', { notices, top: 3 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Array<{ id: unknown; cpv: Array<{ code: string; label: string; confidence: number }>; divisions: unknown[] }>; tagger_version: string };
    expect(body.tagger_version).toBe(TAGGER_VERSION);
    expect(body.results.map((r) => r.id)).toEqual(['n1', 2, null]);
    expect(body.results.map((r) => r.cpv[0].code.slice(0, 2))).toEqual(['50', '98', '77']);
    expect(body.results.every((r) => r.cpv.length <= 3 && r.divisions.length === 3)).toBe(true);

    const out: string[] = [];
    const input = notices.map((n) => JSON.stringify(n)).join('\n');
    await classifyCommand.run(deps, { top: '3' }, { stdin: Readable.from([input]), out: (l) => out.push(l), progress: () => {} });
    expect(out.map((l) => JSON.parse(l))).toEqual(body.results);
  });

  it('reads spend lines in spend_line mode', async () => {
    const { call } = await setup();
    const res = await call('POST', '/classify', { notices: [{ title: 'shell kings 587' }, { title: 'Grounds Maintenance' }], mode: 'spend_line', top: 1 });
    const body = (await res.json()) as { results: Array<{ divisions: Array<{ code: string }> }> };
    expect(body.results.map((r) => r.divisions[0].code)).toEqual(['09000000', '77000000']);
  });

  it.each([
    [{}, /notices/],
    [{ notices: [] }, /at least one notice/],
    [{ notices: [{ id: 'x' }] }, /needs a title or a description/],
    [{ notices: [{ title: 'x'.repeat(1001) }] }, /notices\[0\]\.title/],
    [{ notices: Array.from({ length: 101 }, () => ({ title: 'Roofing' })) }, /at most 100/],
    [{ notices: [{ title: 'Roofing' }], top: 50 }, /top/],
    [{ notices: [{ title: 'Roofing' }], mode: 'tweets' }, /mode/],
    [{ notices: [{ title: 'Roofing', colour: 'red' }] }, /colour|unrecognized/i],
  ])('answers 422 invalid_body naming the field (case %#)', async (body, issue) => {
    const { call } = await setup();
    const res = await call('POST', '/classify', body);
    expect(res.status).toBe(422);
    const answer = (await res.json()) as { error: { code: string; message: string; details: { fields: Array<{ field: string; message: string }> } } };
    expect(answer.error.code).toBe('invalid_body');
    expect(answer.error.details.fields.map((f) => `${f.field} ${f.message}`).join(' ')).toMatch(issue);
  });

  it('refuses a body over the size limit (413) and one that is not JSON (400)', async () => {
    const { app } = await setup();
    const big = await app.request('/classify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ notices: [{ title: 'x', description: 'y'.repeat(300_000) }] }) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const bad = await app.request('/classify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"notices": [' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_json');
  });
});

describe('registration without CPV codes', () => {
  it('answers 422 offering codes read from the description and keywords, and stores nothing', async () => {
    const { call, deps } = await setup();
    const res = await call('POST', '/suppliers', registration({ cpv_codes: [], company_number: null }));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; details: { fields: Array<{ field: string }>; suggested_cpv: Array<{ code: string; label: string; confidence: number }> } } };
    expect(body.error.code).toBe('invalid_body');
    expect(body.error.details.fields.map((f) => f.field)).toEqual(['cpv_codes']);
    const suggested = body.error.details.suggested_cpv;
    expect(suggested.length).toBeGreaterThan(0);
    expect(suggested.length).toBeLessThanOrEqual(5);
    expect(suggested[0].code).toMatch(/^77/);
    expect(suggested[0].label).toEqual(expect.any(String));
    expect((await deps.db.selectFrom('suppliers').select('id').execute()).length).toBe(0);
  });

  it('offers nothing when there is no description or keyword to read', async () => {
    const { call } = await setup();
    const res = await call('POST', '/suppliers', registration({ cpv_codes: [], description: null, keywords: [], company_number: null }));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { details: Record<string, unknown> } };
    expect(body.error.details.suggested_cpv).toBeUndefined();
  });
});
