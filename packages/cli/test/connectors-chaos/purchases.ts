/**
 * The input of the connectors chaos test and its fault-free output. Purchase
 * i is by user u(i mod users) for an amount that varies with i; a user's
 * purchases all go to one subject (its index mod the subjects), so the job
 * reads them in publishing order and the running totals of a user — the
 * count and the sum of its first 1, 2, … purchases — are the same in every
 * run, whatever fails.
 */
export interface Purchase {
  readonly user: string;
  readonly amount: number;
  readonly n: number;
}

export interface PurchaseTotal {
  readonly user: string;
  readonly purchases: number;
  readonly amount: number;
}

/** The i-th purchase of the input. */
export function purchase(i: number, users: number): Purchase {
  return { user: `u${i % users}`, amount: ((i * 7919) % 997) + 1, n: i };
}

/** The subject purchase i is published to: its user's, one of `subjects`. */
export function purchaseSubject(i: number, users: number, subjects: readonly string[]): string {
  return subjects[(i % users) % subjects.length]!;
}

/** Every running total a fault-free run of the job writes for the first `n` purchases, per user in order. */
export function faultFreeTotals(n: number, users: number): Map<string, PurchaseTotal[]> {
  const totals = new Map<string, PurchaseTotal[]>();
  for (let i = 0; i < n; i++) {
    const { user, amount } = purchase(i, users);
    const previous = totals.get(user) ?? [];
    const last = previous[previous.length - 1];
    previous.push({ user, purchases: (last?.purchases ?? 0) + 1, amount: (last?.amount ?? 0) + amount });
    totals.set(user, previous);
  }
  return totals;
}
