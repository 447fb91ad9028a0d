import { describe, expect, it } from 'vitest';
import { buyerKey, sameProcurement, standsFor, titleKey, type TwinCandidate } from '../../src/domain/ocds/twins.js';

// Notices from ../shared/data (Sell2Wales, Contracts Finder), and the same notices as another portal writes them.
const pool: TwinCandidate = {
  ocid: 'ocds-kuma6s-148297',
  title: 'Swimming Pool Maintenance',
  buyerName: 'NHS Wales Shared Services Partnership-Procurement Services (hosted by Velindre University NHS Trust)',
  buyerIdentifier: null,
  buyerPostcode: 'CF15 7QZ',
  reference: 'CAV-OJEU-PROJECT_58642',
  publishedAt: '2025-02-20T00:00:00.000Z',
  deadline: '2025-03-26T12:00:00.000Z',
  value: null,
  cpv: ['50000000'],
};
const ukri = (project: string, value: number, published: string): TwinCandidate => ({
  ocid: `ocds-b5fd17-ukri-${project}`,
  title: `ITT for project ${project}`,
  buyerName: 'UK RESEARCH & INNOVATION',
  buyerIdentifier: null,
  buyerPostcode: 'SN2 1FL',
  reference: `ITT for project ${project}`,
  publishedAt: published,
  deadline: '2022-09-28T22:59:59.000Z',
  value,
  cpv: ['73000000'],
});
const fca = {
  ocid: 'ocds-b5fd17-fca-1',
  title: 'RStudio License and Support',
  buyerName: 'THE FINANCIAL CONDUCT AUTHORITY',
  buyerIdentifier: 'GB-GOR-OT1085',
  buyerPostcode: 'E20 1JN',
  reference: 'CON-22-1',
  publishedAt: '2022-10-18T16:08:58.000Z',
  deadline: '2022-10-03T22:59:59.000Z',
  value: 44341.25,
  cpv: ['48000000'],
};

describe('sameProcurement', () => {
  it.each<[string, TwinCandidate, TwinCandidate, boolean, string]>([
    ['the same notice on another portal, in capitals, a day later', fca, { ...fca, ocid: 'ocds-h6vhtk-fca-1', title: 'RSTUDIO LICENSE AND SUPPORT', buyerName: 'Financial Conduct Authority', publishedAt: '2022-10-19T09:00:00Z' }, true, 'same deadline'],
    ['republished under a new ocid (a real Sell2Wales pair)', pool, { ...pool, ocid: 'ocds-kuma6s-148390', reference: 'ocds-kuma6s-148390-tender' }, true, 'same deadline'],
    ['the same reference and value, the title reworded for the other portal', fca, { ...fca, ocid: 'ocds-h6vhtk-fca-2', title: 'Renewal of RStudio License and Support for analysts', deadline: null }, true, 'same reference CON-22-1'],
    ['next year’s repeat: same buyer and title, a year later', pool, { ...pool, ocid: 'ocds-kuma6s-2026', publishedAt: '2026-02-20T00:00:00Z', deadline: '2026-03-26T12:00:00Z', reference: null }, false, 'published 365 days apart'],
    ['the same title and buyer, another deadline', pool, { ...pool, ocid: 'ocds-kuma6s-9', deadline: '2025-04-30T12:00:00Z', reference: null }, false, 'other deadlines'],
    ['the same title and buyer, another value', fca, { ...fca, ocid: 'ocds-b5fd17-fca-9', value: 90000, reference: null }, false, 'other values'],
    ['UKRI: two projects on one day, titles apart only by the project number', ukri('10043709', 4664, '2022-10-19T15:24:02Z'), ukri('10044059', 4800, '2022-10-20T08:04:04Z'), false, 'other titles'],
    ['UKRI: the same two projects as Lot 2 each, values within 5%', { ...ukri('10043709', 2332, '2022-10-19T15:24:02Z'), title: 'ITT for project 10043709 Lot 2', reference: null }, { ...ukri('10044059', 2400, '2022-10-20T08:04:04Z'), title: 'ITT for project 10044059 Lot 2', reference: null }, false, 'other numbers in the titles'],
    ['bus tenders: tranche 2 and tranche 3 of the same buyer', { ...fca, buyerName: 'Transport for Greater Manchester', title: 'Ref 0216/20220728: October 2022 Bus Tenders (Tranche 2)', reference: null, value: null, deadline: null }, { ...fca, ocid: 'ocds-b5fd17-tfgm-3', buyerName: 'Transport for Greater Manchester', title: 'Ref 0217/20220801: October 2022 Bus Tenders (Tranche 3)', reference: null, value: null, deadline: null }, false, 'other titles'],
    ['the same title from another buyer', fca, { ...fca, ocid: 'ocds-b5fd17-other', buyerName: 'Bank of England', buyerIdentifier: null, buyerPostcode: 'EC2R 8AH' }, false, 'other buyers'],
    ['same buyer and title but nothing else to tell them one', { ...fca, value: null, deadline: null, reference: null }, { ...fca, ocid: 'ocds-b5fd17-fca-3', value: null, deadline: null, reference: null, publishedAt: '2022-11-30T10:00:00Z' }, false, 'nothing else to tell them one'],
  ])('%s', (_what, a, b, twins, reason) => {
    const verdict = sameProcurement(a, b);
    expect(verdict.twins).toBe(twins);
    expect(verdict.reasons.join('; ')).toContain(reason);
    expect(sameProcurement(b, a).twins).toBe(twins);
  });

  it('keys buyers and titles plainly, and picks the first published to stand for a set', () => {
    expect(buyerKey('THE FINANCIAL CONDUCT AUTHORITY')).toBe(buyerKey('Financial Conduct Authority'));
    expect(titleKey('RStudio License & Support')).toBe(titleKey('RSTUDIO LICENSE AND SUPPORT'));
    expect(standsFor([{ ocid: 'b', publishedAt: '2022-10-19T00:00:00Z' }, { ocid: 'a', publishedAt: '2022-10-20T00:00:00Z' }, { ocid: 'c', publishedAt: null }])).toBe('b');
    expect(standsFor([{ ocid: 'b', publishedAt: null }, { ocid: 'a', publishedAt: null }])).toBe('a');
  });
});
