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
