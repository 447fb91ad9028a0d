/** Tender and lot statuses (the OCDS tenderStatus codelist), and which of them mean that bidding is over. */

export const TENDER_STATUSES = ['planning', 'planned', 'active', 'cancelled', 'unsuccessful', 'complete', 'withdrawn'] as const;
export type TenderStatus = (typeof TENDER_STATUSES)[number];

/** Statuses after which nobody can bid (as a list, for SQL `not in`). */
export const CLOSED_STATUSES: readonly TenderStatus[] = ['cancelled', 'unsuccessful', 'complete', 'withdrawn'];

/** The closed statuses that mean the buyer called the tender or lot off: suppliers alerted to it are told so. */
export const CANCELLED_STATUSES: readonly TenderStatus[] = ['cancelled', 'withdrawn'];

export function isClosedStatus(status: string | null): boolean {
  return status !== null && (CLOSED_STATUSES as readonly string[]).includes(status);
}
