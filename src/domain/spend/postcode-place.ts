/**
 * Where a postcode is, in the shape the spend reports use. The one door from spend to postcode geography.
 *
 * TO BE REPLACED by geo's `placeOfPostcode(postcode)` (src/domain/geo), which reads the local authority (LAD),
 * ITL3 and combined authority of a postcode from ../shared/data/ref. Until it lands this implements the same
 * shape from what geo has now: the postcode district's ITL1 region, with `lad`, `itl3` and
 * `combinedAuthority` null. Reports are written for the full shape: own-area (LAD) and wider-area (combined
 * authority) shares work as soon as those fields are filled, and say "not known at this level" until then.
 */
import { normalisePostcode, postcodeToItl1 } from '../geo/index.js';

export interface PostcodePlace {
  postcode: string;
  /** Local authority district GSS code (`E08000025`), or null when not known. */
  lad: string | null;
  ladName: string | null;
  /** ITL 2021 level-3 code (`TLG31`). */
  itl3: string | null;
  /** ITL 2021 level-1 code (`TLG`). */
  itl1: string | null;
  /** The combined authority the LAD belongs to, as geo names it; null when none or not known. */
  combinedAuthority: string | null;
  confidence: number;
  /** How it was found: 'postcode' | 'sector' | 'district' | 'area'. */
  via: string;
}

export function placeOfPostcode(postcode: string): PostcodePlace | null {
  const pc = normalisePostcode(postcode);
  if (!pc) return null;
  const region = postcodeToItl1(pc);
  if (!region) return null;
  return { postcode: pc, lad: null, ladName: null, itl3: null, itl1: region.code, combinedAuthority: null, confidence: region.confidence, via: region.via };
}
