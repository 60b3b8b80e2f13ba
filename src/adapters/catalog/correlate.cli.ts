import { createCatalogService } from '../../app/catalog.service';
import { dryRunCorrelation, type DryRunLine } from '../../app/correlate-dry-run.service';
import { type CliCommand, UsageError } from '../../cli';
import { isDomainError } from '../../shared/domain-error';
import { CONNECTOR_KINDS, isConnectorKind } from '../../signals/normalisers';
import { createCatalogFiles } from './catalog-files';

const MAX_STDIN = 10 * 1024 * 1024;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError('pipe the payload in: revenant correlate --org T --kind alertmanager < payload.json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_STDIN) throw new Error(`the payload is larger than ${MAX_STDIN} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const where = (l: DryRunLine) =>
  l.incident?.new
    ? `new incident #${l.incident.new}`
    : l.incident?.number
      ? `INC-${l.incident.number}`
      : (l.incident?.id ?? '');

/**
 * `revenant correlate --org T --kind K < payload.json`: a dry run. One JSON line per alert (action
 * attach/declare/ignore/repeat, the incident, the rule and why), then a summary line. Reads only.
 */
export const correlateCommand: CliCommand = async ({ flags, db, config }) => {
  const org = typeof flags.org === 'string' && flags.org ? flags.org : undefined;
  const kind = typeof flags.kind === 'string' ? flags.kind : undefined;
  if (!org) throw new UsageError('--org is required');
  if (!kind || !isConnectorKind(kind)) throw new UsageError(`--kind must be one of ${CONNECTOR_KINDS.join(', ')}`);
  const text = await readStdin();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new Error(`the payload is not JSON: ${(e as Error).message}`, { cause: e });
  }
  const files = createCatalogFiles(config.catalogPath, { watch: false, pollMs: 0 });
  try {
    const loaded = await files.reload();
    for (const p of loaded.problems) console.error(`catalog: ${p.file}: ${p.message}`);
    const catalog = createCatalogService(files);
    const r = await dryRunCorrelation({ db, config, now: () => new Date(), catalog }, { orgId: org, kind, body }).catch(
      (e) => {
        throw isDomainError(e) ? new Error(e.message, { cause: e }) : e;
      },
    );
    for (const w of r.warnings) console.error(`warning: ${w}`);
    for (const l of r.lines) {
      console.log(JSON.stringify({ ...l, target: where(l) || undefined }));
    }
    const count = (a: string) => r.lines.filter((l) => l.action === a).length;
    console.log(
      JSON.stringify({
        summary: true,
        alerts: r.lines.length,
        attach: count('attach'),
        declare: count('declare'),
        ignore: count('ignore'),
        repeat: count('repeat'),
        dryRun: true,
      }),
    );
  } finally {
    files.close();
  }
};
