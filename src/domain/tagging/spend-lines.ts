/**
 * Spend-line mode: the classifier read on the short texts of council payment files, an expense type
 * ("Vehicle Fuel", "Bldg RM Departmental", "CONTRACTOR OTHER") or a card merchant's name ("shell kings 587").
 * Ledger abbreviations are spelt out and well-known kinds of merchant (fuel stations, supermarkets, hotel chains,
 * train companies) named for what they sell, then the text is classified as a notice title. For the spend
 * reports (src/domain/spend/), which put each payment line in a CPV division.
 */
import { classifyNotice, type Classification } from './classifier.js';

/** Ledger shorthand, as the finance systems of UK councils write it, and what it stands for. */
const ABBREVIATIONS: Array<[RegExp, string]> = [
  [/\bbldg\b/g, 'building'],
  [/\brm\b/g, 'repair maintenance'],
  [/\br&m\b/g, 'repair maintenance'],
  [/\bequip\b/g, 'equipment'],
  [/\bmat'?ls?\b/g, 'materials'],
  [/\bphon\b/g, 'telephone'],
  [/\bn'?papers\b/g, 'newspapers'],
  [/\blics\b/g, 'licences'],
  [/\bveh\b\.?/g, 'vehicle '],
  [/\bttavel\b/g, 'travel'],
  [/\bsec'?y\b/g, 'security'],
  [/\bn'?boards\b/g, 'noticeboards'],
  [/\badvert\b/g, 'advertising'],
  [/\bprof\b/g, 'professional'],
  [/\bsubs\b/g, 'subscriptions'],
  [/\bmaint\b/g, 'maintenance'],
  [/\bfix&fittings\b/g, 'fixtures fittings furnishings'],
  [/\bpagrs\b/g, 'pagers'],
  [/\bothrun\s*costs\b/g, 'running costs'],
  [/\bemergy\b/g, 'emergency'],
];

/** Merchant names (card statements) by what the merchant sells: matched on whole words of the lower-cased name. */
const MERCHANTS: Array<[RegExp, string]> = [
  [/\b(shell|esso|texaco|bp|rontec|malthurst|mrh|jet|gulf|murco|motor fuels|pfs|petrol|petro|s\/stn|f\/stn|pay at pump|service station|servi|service s)\b/, 'fuel petrol diesel'],
  [/\b(tesco|sainsburys?|asda|morrisons?|aldi|lidl|iceland|co-?op|coop|waitrose|simply food|grocery|supermarkets?|s\/mkts?|smkt)\b/, 'food groceries'],
  [/\b(travelodge|premier inn|hilton|holiday inn|ibis|marriott|hotels?)\b/, 'hotel accommodation'],
  [/\b(trains?|trainline|railways?|midland tic|virgin trains|national rail)\b/, 'rail passenger transport'],
  [/\b(post office|royal mail)\b/, 'postal services'],
  [/\b(bt|ee|t-mobile|vodafone|o2|three)\b(?! ?q)/, 'telephone services'],
  [/\b(b ?& ?q|b {1,2}q|wickes|screwfix|toolstation|travis perkins|jewson|sawmills?|timber)\b/, 'building materials tools timber'],
  [/\b(mcdonalds|greggs|subway|costa|starbucks|pizza|restaurant|cafe)\b/, 'restaurant meals catering'],
  [/\b(staples|viking direct|office depot|ryman)\b/, 'office supplies stationery'],
  [/\b(book people|waterstones|wh smith|books?)\b/, 'books'],
  [/\btoll\b/, 'toll road motorway'],
  [/\b(park mobile|ncp|parking)\b/, 'car parking'],
  [/\b(furnishing|furniture|ikea|dunelm)\b/, 'furniture furnishings'],
  [/\b(land registry|register office|registry|hmcourts|courts?|civil justice)\b/, 'public administration justice registration services'],
  [/\b(cash advance|bank)\b/, 'banking services'],
];

/** The words the classifier reads for a spend line. */
export function spendLineText(text: string): string {
  let t = ` ${text.toLowerCase().replace(/\s+/g, ' ').trim()} `;
  for (const [pattern, words] of ABBREVIATIONS) t = t.replace(pattern, words);
  const kinds = MERCHANTS.filter(([pattern]) => pattern.test(t)).map(([, words]) => words);
  return [t.trim(), ...kinds].join(' ');
}

/** The divisions and codes of one spend line, likeliest first. */
export function classifySpendLine(text: string, maxCodes = 5): Classification {
  return classifyNotice(spendLineText(text), '', maxCodes);
}
