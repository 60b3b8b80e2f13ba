import type { DependencyEdge, DependencyPath } from './catalog.types';

/*
 * Pure graph walks over `from depends on to` edges. Every walk keeps a visited set, so cycles
 * (a → b → a, which Backstage allows) end; depth bounds how far correlation reaches.
 */

export interface DependencyGraph {
  /** service → what it depends on (lower-case names). */
  readonly dependsOn: ReadonlyMap<string, readonly string[]>;
  /** Every service on some edge: others cannot be connected, so walks skip them at once. */
  readonly nodes: ReadonlySet<string>;
}

export const MAX_TOPOLOGY_DEPTH = 5;

export function dependencyGraph(edges: readonly DependencyEdge[]): DependencyGraph {
  const dependsOn = new Map<string, string[]>();
  const nodes = new Set<string>();
  for (const { from, to } of edges) {
    const f = from.toLowerCase();
    const t = to.toLowerCase();
    if (f === t) continue;
    nodes.add(f).add(t);
    const list = dependsOn.get(f) ?? [];
    if (!list.includes(t)) list.push(t);
    dependsOn.set(f, list);
  }
  for (const list of dependsOn.values()) list.sort();
  return { dependsOn, nodes };
}

/** Shortest chain `start → … → goal` following dependsOn, at most `depth` hops; undefined if none. */
function walk(graph: DependencyGraph, start: string, goal: string, depth: number): string[] | undefined {
  const prev = new Map<string, string>();
  const seen = new Set([start]);
  let frontier = [start];
  for (let hop = 0; hop < depth && frontier.length; hop++) {
    const next: string[] = [];
    for (const node of frontier) {
      for (const dep of graph.dependsOn.get(node) ?? []) {
        if (seen.has(dep)) continue;
        seen.add(dep);
        prev.set(dep, node);
        if (dep === goal) {
          const path = [goal];
          while (path[0] !== start) path.unshift(prev.get(path[0])!);
          return path;
        }
        next.push(dep);
      }
    }
    frontier = next;
  }
  return undefined;
}

/** "checkout depends on payments", "checkout depends on payments via cart" for longer chains. */
export function describePath(chain: readonly string[]): string {
  const head = `${chain[0]} depends on ${chain[chain.length - 1]}`;
  return chain.length > 2 ? `${head} via ${chain.slice(1, -1).join(', ')}` : head;
}

/**
 * How `from` and `to` are connected within `depth` hops: `from` (transitively) depends on `to`, or `to` on
 * `from`. Siblings sharing a dependency are not connected. `path` is the chain in dependency order.
 */
export function dependencyPath(
  graph: DependencyGraph,
  from: string,
  to: string,
  depth = 1,
): DependencyPath | undefined {
  const f = from.trim().toLowerCase();
  const t = to.trim().toLowerCase();
  const d = Math.max(0, Math.min(MAX_TOPOLOGY_DEPTH, Math.floor(depth)));
  if (!f || !t || f === t || d === 0 || !graph.nodes.has(f) || !graph.nodes.has(t)) return undefined;
  const down = walk(graph, f, t, d);
  if (down) return { from: f, to: t, path: down, direction: 'dependsOn', reason: describePath(down) };
  const up = walk(graph, t, f, d);
  if (up) return { from: f, to: t, path: up, direction: 'dependencyOf', reason: describePath(up) };
  return undefined;
}

/** Elementary cycles found by a DFS (each reported once, starting at its smallest name); bounded by `limit`. */
export function findCycles(edges: readonly DependencyEdge[], limit = 20): string[][] {
  const graph = dependencyGraph(edges);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found = new Map<string, string[]>();
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const dep of graph.dependsOn.get(node) ?? []) {
      if (found.size >= limit) break;
      const s = state.get(dep);
      if (s === 'open') {
        const cycle = stack.slice(stack.indexOf(dep));
        const min = cycle.indexOf([...cycle].sort()[0]);
        const rotated = [...cycle.slice(min), ...cycle.slice(0, min)];
        found.set(rotated.join('>'), rotated);
      } else if (s === undefined) visit(dep);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.dependsOn.keys()].sort()) if (!state.has(node)) visit(node);
  return [...found.values()];
}
