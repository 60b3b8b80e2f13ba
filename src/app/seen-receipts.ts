/**
 * Dedup keys this process has seen stored, so a repeated delivery (Alertmanager re-sends every firing
 * group each group_interval) is recognised without a database read. Receipts are only ever added, never
 * deleted, so a remembered key stays true; a key not remembered is looked up as before. Bounded: the
 * oldest entries go first (~20,000 keys, about 4 MB).
 */
export function createSeenReceipts(max = 20_000) {
  const byOrg = new Map<string, Set<string>>();
  const order: Array<[string, string]> = [];
  let head = 0;
  return {
    has: (orgId: string, key: string): boolean => byOrg.get(orgId)?.has(key) ?? false,
    add(orgId: string, key: string): void {
      let keys = byOrg.get(orgId);
      if (!keys) byOrg.set(orgId, (keys = new Set()));
      if (keys.has(key)) return;
      keys.add(key);
      order.push([orgId, key]);
      if (order.length - head > max) {
        const [o, k] = order[head++];
        byOrg.get(o)?.delete(k);
        if (head > max) {
          order.splice(0, head); // drop what was evicted, now and then
          head = 0;
        }
      }
    },
  };
}

/**
 * Whether to look up the keys this process has not seen stored before a request goes to the write path,
 * from the share of such keys that lately turned out stored already (Postgres: signal-ingest.service.ts).
 * The lookup is a round trip on the path of every new alert, and it only pays when those keys are repeats:
 * after a restart, or deliveries another replica stored. The write path classifies them again under its lock
 * either way, so this only decides where a repeat is found, never whether. An exponential average over
 * requests; a new process starts out looking up (Alertmanager re-sends what it sent before the restart).
 */
export function createRepeatShare(weight = 0.1) {
  let share = 1;
  return {
    lookUpFirst: (): boolean => share >= 0.5,
    /** A request had `unknown` keys not remembered, of which `stored` were already stored. */
    note(unknown: number, stored: number): void {
      if (unknown > 0) share += weight * (stored / unknown - share);
    },
    share: () => share,
  };
}
