import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import examples from '@octokit/webhooks-examples';

/** Shared by the rollback tests: GitHub's real example payloads, signed as GitHub signs them, and a mapping file. */
const example = (name: string): any => structuredClone((examples as any[]).find((d) => d.name === name)!.examples[0]);
export const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();

/** A `deployment_status` (the package's real example) of acme/checkout-service to `prod`. */
export function deploymentStatus(id: number, version: string, state: string, at: string, environment = 'prod') {
  const p = example('deployment_status');
  p.repository.name = 'checkout-service';
  p.repository.full_name = 'acme/checkout-service';
  p.deployment.id = id;
  p.deployment.environment = environment;
  p.deployment.payload = { version };
  p.deployment.created_at = at;
  p.deployment_status.state = state;
  p.deployment_status.environment = environment;
  p.deployment_status.created_at = at;
  p.deployment_status.updated_at = at;
  return p;
}

/** A completed, successful `workflow_run` (the package's real example) of a workflow called `name`. */
export function workflowRun(id: number, name: string, path: string) {
  const p = structuredClone((examples as any[]).find((d) => d.name === 'workflow_run')!.examples[1]);
  p.workflow_run.id = id;
  p.workflow_run.name = name;
  p.workflow_run.path = path;
  if (p.workflow) Object.assign(p.workflow, { name, path });
  p.repository.name = 'checkout-service';
  p.repository.full_name = 'acme/checkout-service';
  return p;
}

/** POST to a github connector with X-GitHub-Event and X-Hub-Signature-256 (HMAC-SHA256 with the connector token). */
export async function sendGithub(
  baseUrl: string,
  c: { id: string; token: string },
  payload: unknown,
  event = 'deployment_status',
) {
  const raw = JSON.stringify(payload);
  const res = await fetch(`${baseUrl}/connectors/${c.id}/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', c.token).update(raw).digest('hex')}`,
    },
    body: raw,
  });
  return res.status;
}

/** A CHANGES_MAPPING_PATH file in a fresh temporary folder. */
export function writeMapping(lines: string[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'revenant-rollback-')), 'changes.yaml');
  writeFileSync(file, lines.join('\n'));
  return file;
}
