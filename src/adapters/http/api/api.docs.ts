/** `/api/docs`: a self-contained reference rendered from the OpenAPI document (no scripts, no CDN). */
type Doc = {
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
};
type Operation = {
  summary?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string }>;
};

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

export function docsHtml(doc: Doc): string {
  const rows: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ?? [])
        .map((p) => `<code>${esc(p.name)}</code> <small>(${esc(p.in)}${p.required ? ', required' : ''})</small>`)
        .join(', ');
      const responses = Object.entries(op.responses ?? {})
        .map(([s, r]) => `<span title="${esc(r.description ?? '')}">${esc(s)}</span>`)
        .join(' ');
      rows.push(
        `<tr><td><b>${esc(method.toUpperCase())}</b></td><td><code>/api/v1${esc(path)}</code></td><td>${esc(op.summary ?? '')}${params ? `<br>${params}` : ''}</td><td>${responses}</td></tr>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info?.title ?? 'API')}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:80rem}td{border-top:1px solid #ddd;padding:.4rem;vertical-align:top}code{background:#f4f4f4;padding:0 .2rem}</style></head>
<body><h1>${esc(doc.info?.title ?? 'API')} <small>${esc(doc.info?.version ?? '')}</small></h1>
<p>${esc(doc.info?.description ?? '')}</p><p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
<table><thead><tr><th>method</th><th>path</th><th>what</th><th>responses</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></body></html>`;
}
