import type { AttachedSignal } from './incident.types';

/**
 * Lookups over an incident's signals without scanning them. An alert storm puts thousands of signals
 * on one incident and every new alert asks "is this fingerprint attached?" and "how many fire?": a scan
 * per alert makes a storm quadratic. Signal arrays are never mutated (evolve copies them), so facts
 * about an array can be memoised per array. A position map is shared along a line of states (each
 * array made from the previous one by appending or replacing in place) and always verified on use, so a
 * stale position (a sibling state built from the same parent) falls back to a scan: results are exact.
 */

const positions = new WeakMap<readonly AttachedSignal[], Map<string, number>>();
const firing = new WeakMap<readonly AttachedSignal[], number>();

function positionsOf(signals: readonly AttachedSignal[]): Map<string, number> {
  let map = positions.get(signals);
  if (!map) {
    map = new Map();
    for (let i = 0; i < signals.length; i++) map.set(signals[i].fingerprint, i);
    positions.set(signals, map);
  }
  return map;
}

/** Index of the signal with this fingerprint (each is attached at most once), or -1. */
export function signalIndex(signals: readonly AttachedSignal[], fingerprint: string): number {
  // Every fingerprint of the array is in its map (maps only grow), so a miss is a true miss.
  const i = positionsOf(signals).get(fingerprint);
  if (i === undefined) return -1;
  if (i < signals.length && signals[i].fingerprint === fingerprint) return i;
  for (let j = signals.length - 1; j >= 0; j--) if (signals[j].fingerprint === fingerprint) return j;
  return -1;
}

/** How many signals are firing. */
export function firingCount(signals: readonly AttachedSignal[]): number {
  let n = firing.get(signals);
  if (n === undefined) {
    n = 0;
    for (const s of signals) if (s.status === 'firing') n++;
    firing.set(signals, n);
  }
  return n;
}

const isFiring = (s: AttachedSignal | undefined) => (s?.status === 'firing' ? 1 : 0);

/** `signals` without its copy of `entry`'s alert (if any), with `entry` at the end. */
export function withSignalLast(signals: readonly AttachedSignal[], entry: AttachedSignal): AttachedSignal[] {
  const i = signalIndex(signals, entry.fingerprint);
  const known = firing.get(signals);
  if (i < 0) {
    const out = [...signals, entry];
    const map = positionsOf(signals);
    map.set(entry.fingerprint, out.length - 1);
    positions.set(out, map);
    if (known !== undefined) firing.set(out, known + isFiring(entry));
    return out;
  }
  // Positions after i shift: this array gets its own map when first asked.
  const out = [...signals.slice(0, i), ...signals.slice(i + 1), entry];
  if (known !== undefined) firing.set(out, known - isFiring(signals[i]) + isFiring(entry));
  return out;
}

/** `signals` with the one at `i` replaced by `entry` (same alert). */
export function withSignalAt(signals: readonly AttachedSignal[], i: number, entry: AttachedSignal): AttachedSignal[] {
  const out = signals.slice();
  out[i] = entry;
  positions.set(out, positionsOf(signals));
  const known = firing.get(signals);
  if (known !== undefined) firing.set(out, known - isFiring(signals[i]) + isFiring(entry));
  return out;
}

/**
 * `signals` with `entry` (a fingerprint it does not hold) pushed onto it, in place. Only for a list no
 * other state can see (signals.decider.ts foldEvents); the position map and firing count follow it.
 */
export function appendInPlace(signals: AttachedSignal[], entry: AttachedSignal): AttachedSignal[] {
  const known = firing.get(signals);
  positionsOf(signals).set(entry.fingerprint, signals.length);
  signals.push(entry);
  if (known !== undefined) firing.set(signals, known + isFiring(entry));
  return signals;
}
