import { type BenchContext, notMeasured } from '../bench.context';
import type { BenchRow } from '../bench.types';

export async function digestSection(_ctx: BenchContext): Promise<BenchRow[]> {
  return [notMeasured('digest', 'digest', '', undefined, 'pending')];
}
