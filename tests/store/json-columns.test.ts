import { describe, expect, it } from 'vitest';
import { readList } from '../../db/json-columns.js';

describe('lists kept as JSON text', () => {
  it.each([
    ['["72212000","48000000"]', ['72212000', '48000000']],
    ['[]', []],
    [null, []],
    [undefined, []],
    ['', []],
    ['not json', []],
    ['{"a":1}', []],
    ['"72212000"', []],
    ['["ok",3,null,{"x":1},"also"]', ['ok', 'also']],
  ])('%j reads as %j', (text, expected) => {
    expect(readList(text)).toEqual(expected);
  });
});
