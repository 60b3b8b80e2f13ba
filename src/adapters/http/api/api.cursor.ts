/**
 * Opaque page cursors: base64url JSON with a kind tag, so an events cursor is refused on the incidents
 * list. They carry a keyset position only, never an org or a filter: a forged one still reads only
 * the caller's org, within the filters of the request it is sent with.
 */
export type CursorKind = 'incidents' | 'events';

export function encodeCursor(kind: CursorKind, position: number): string {
  return Buffer.from(JSON.stringify({ k: kind, p: position }), 'utf8').toString('base64url');
}

/** The position, or undefined when the cursor is not one of ours for this list. */
export function decodeCursor(kind: CursorKind, cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown; p?: unknown };
    return v.k === kind && Number.isSafeInteger(v.p) && (v.p as number) >= 0 ? (v.p as number) : undefined;
  } catch {
    return undefined;
  }
}
