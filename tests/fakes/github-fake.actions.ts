import { FakeGitHubError, type Reply, type RouteCtx } from './github-fake.routes';
import { type FakeRepo, nextId, resolveRef } from './github-fake.state';

/**
 * GitHub Actions `workflow_dispatch` (POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches),
 * as GitHub answers it: the workflow by file name or id (404 otherwise), a `ref` that exists (422 "No ref
 * found for"), a `workflow_dispatch` trigger (422), inputs the workflow declares (422 for unexpected ones
 * and missing required ones, at most 25), values strings, numbers or booleans; 204 No Content when queued.
 */
export interface FakeWorkflowInput {
  required?: boolean;
  default?: string;
}

export interface FakeWorkflow {
  id: number;
  /** `.github/workflows/<file>` */
  path: string;
  name: string;
  /** Whether `on:` lists workflow_dispatch. */
  dispatchable: boolean;
  inputs: Record<string, FakeWorkflowInput>;
}

export interface FakeDispatch {
  workflow: string;
  ref: string;
  inputs: Record<string, string>;
  at: string;
}

const workflows = new WeakMap<FakeRepo, FakeWorkflow[]>();
const dispatches = new WeakMap<FakeRepo, FakeDispatch[]>();

export function addWorkflow(
  repo: FakeRepo,
  file: string,
  opts: { name?: string; dispatchable?: boolean; inputs?: Record<string, FakeWorkflowInput> } = {},
): FakeWorkflow {
  const wf: FakeWorkflow = {
    id: nextId(),
    path: `.github/workflows/${file}`,
    name: opts.name ?? file.replace(/\.ya?ml$/, ''),
    dispatchable: opts.dispatchable ?? true,
    inputs: opts.inputs ?? {},
  };
  workflows.set(repo, [...(workflows.get(repo) ?? []), wf]);
  return wf;
}

export const dispatchesOf = (repo: FakeRepo): FakeDispatch[] => [...(dispatches.get(repo) ?? [])];

const fail = (status: number, message: string): never => {
  throw new FakeGitHubError(status, message);
};

function dispatch({ repo, params, body }: RouteCtx): Reply {
  const key = params[0];
  const wf = (workflows.get(repo) ?? []).find((w) => String(w.id) === key || w.path.split('/').pop() === key);
  if (!wf) return fail(404, 'Not Found');
  if (typeof body?.ref !== 'string' || !body.ref) return fail(422, `Invalid request.\n\n"ref" wasn't supplied.`);
  const ref: string = body.ref;
  if (!resolveRef(repo, ref.replace(/^refs\/heads\//, ''))) return fail(422, `No ref found for: ${ref}`);
  if (!wf.dispatchable) return fail(422, "Workflow does not have 'workflow_dispatch' trigger");
  const given: Record<string, unknown> = body.inputs ?? {};
  if (typeof given !== 'object' || Array.isArray(given))
    return fail(422, "Invalid request.\n\nFor 'properties/inputs', is not an object.");
  const names = Object.keys(given);
  if (names.length > 25)
    return fail(422, 'Invalid request.\n\nNo more than 25 properties are allowed; ' + names.length + ' were supplied.');
  const unexpected = names.filter((n) => !(n in wf.inputs));
  if (unexpected.length) return fail(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
  for (const [n, spec] of Object.entries(wf.inputs)) {
    if (spec.required && given[n] === undefined && spec.default === undefined)
      return fail(422, `Required input '${n}' not provided`);
  }
  const inputs: Record<string, string> = {};
  for (const [n, v] of Object.entries(given)) {
    if (!['string', 'number', 'boolean'].includes(typeof v))
      return fail(422, `Invalid request.\n\nFor 'properties/${n}', ${JSON.stringify(v)} is not a string.`);
    inputs[n] = String(v);
  }
  dispatches.set(repo, [
    ...(dispatches.get(repo) ?? []),
    { workflow: wf.path.split('/').pop()!, ref, inputs, at: new Date().toISOString() },
  ]);
  return { status: 204 };
}

export const ACTIONS_ROUTES: Array<{
  method: string;
  pattern: RegExp;
  write: boolean;
  handle: (ctx: RouteCtx) => Reply;
}> = [{ method: 'POST', pattern: /^\/actions\/workflows\/([^/]+)\/dispatches$/, write: true, handle: dispatch }];
