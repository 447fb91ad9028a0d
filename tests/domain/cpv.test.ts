import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  allCpvCodes,
  cpvAncestors,
  cpvCheckDigit,
  cpvLabel,
  cpvLevel,
  cpvParent,
  cpvSharedDepth,
  isKnownCpv,
  normaliseCpv,
} from '../../src/domain/cpv/index.js';
import { SHARED_DATA } from '../support/helpers.js';

describe('normaliseCpv', () => {
  it.each([
    ['72000000', '72000000'],
    ['72000000-5', '72000000'],
    ['72000000 - 5', '72000000'],
    ['CPV: 45233141-9', '45233141'], // "Road-maintenance works"
    ['72000000-4', null], // wrong check digit
    ['72000001', null], // not a CPV code
    ['7200000', null],
    ['abc', null],
    ['', null],
  ])('%j → %s', (input, out) => {
    expect(normaliseCpv(input)).toBe(out);
  });
});

describe('CPV vocabulary', () => {
  it('has the 9,454 CPV 2008 codes and 45 divisions', () => {
    expect(allCpvCodes()).toHaveLength(9454);
    expect(allCpvCodes().filter((c) => cpvLevel(c) === 'division')).toHaveLength(45);
  });
  it.each([
    ['72000000', 'division', null, []],
    ['72200000', 'group', '72000000', ['72000000']],
    ['72210000', 'class', '72200000', ['72200000', '72000000']],
    ['72212000', 'category', '72210000', ['72210000', '72200000', '72000000']],
    ['72212100', 'subcategory', '72212000', ['72212000', '72210000', '72200000', '72000000']],
  ])('%s is a %s', (code, level, parent, ancestors) => {
    expect(cpvLevel(code)).toBe(level);
    expect(cpvParent(code)).toBe(parent);
    expect(cpvAncestors(code)).toEqual(ancestors);
  });
  it('labels codes in English', () => {
    expect(cpvLabel('72000000')).toBe('IT services: consulting, software development, Internet and support');
    expect(cpvLabel('98341120')).toBe('Portering services');
    expect(isKnownCpv('99999999')).toBe(false);
  });
  it.each([
    ['72000000', '72212000', 2],
    ['72212100', '72212000', 5],
    ['72212100', '72212100', 6],
    ['45000000', '72000000', 0],
    ['72200000', '72210000', 3],
  ])('cpvSharedDepth(%s, %s) = %i', (a, b, depth) => {
    expect(cpvSharedDepth(a, b)).toBe(depth);
  });
});

describe.skipIf(!existsSync(`${SHARED_DATA}ref/cpv2008_full.csv`))('CPV against shared/data/ref/cpv2008_full.csv (skipped: ../shared/data not present)', () => {
  it('agrees on every code, check digit and parent', () => {
    const lines = readFileSync(`${SHARED_DATA}ref/cpv2008_full.csv`, 'utf8').trim().split('\n').slice(1);
    let checked = 0;
    for (const line of lines) {
      const [code, withCheck] = line.split(',');
      const parent = line.slice(line.lastIndexOf(',') + 1).trim();
      expect(isKnownCpv(code)).toBe(true);
      expect(`${code}-${cpvCheckDigit(code)}`).toBe(withCheck);
      expect(normaliseCpv(withCheck)).toBe(code);
      expect(cpvParent(code) ?? '').toBe(parent);
      checked++;
    }
    expect(checked).toBe(9454);
  });
});
