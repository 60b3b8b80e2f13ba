import { type BenchContext, notMeasured } from '../bench.context';
import type { BenchRow } from '../bench.types';

export async function ingestSection(_ctx: BenchContext): Promise<BenchRow[]> {
  return [notMeasured('ingest', 'ingest', '', undefined, 'pending')];
}
