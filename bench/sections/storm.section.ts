import { type BenchContext, notMeasured } from '../bench.context';
import type { BenchRow } from '../bench.types';

export async function stormSection(_ctx: BenchContext): Promise<BenchRow[]> {
  return [notMeasured('storm', 'storm', '', undefined, 'pending')];
}
