import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDS } from '../../src/adapters/slack/ids';
import { ADMIN, type Harness, startHarness, TEAM } from '../helpers/harness';
import { viewSubmissionPayload } from '../helpers/slack-signing';
import { dialects } from '../helpers/test-db';

/**
 * Issue 20: a view_submission whose view has no `state` threw inside the listener, so nothing acked and the
 * receiver answered 404 after 2.9 s. It must get the form's own validation error, at once, and write nothing.
 */
describe.each(dialects())('view_submission without state (%s)', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(async () => h?.close());

  const events = async () =>
    Number(
      (
        await h.tdb.db
          .selectFrom('incident_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Signed and shaped exactly as Slack sends it, minus `view.state`. */
  function stateless(callbackId: string, viewId: string, privateMetadata = '{}') {
    const payload = viewSubmissionPayload({
      teamId: TEAM,
      userId: ADMIN,
      viewId,
      callbackId,
      privateMetadata,
      values: {},
    });
    delete (payload.view as { state?: unknown }).state;
    expect(payload.view).not.toHaveProperty('state');
    return payload;
  }

  it('the declare form answers with a field error on the title, quickly', async () => {
    const before = await events();
    const r = await h.interact(stateless(IDS.declareModal, 'VNOSTATE1'));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      response_action: 'errors',
      errors: { [IDS.inputTitle]: 'Please give the incident a title.' },
    });
    expect(r.ms).toBeLessThan(1000);
    expect(await events()).toBe(before);
  });

  it('the status-update form does the same on its text field', async () => {
    const before = await events();
    const r = await h.interact(stateless(IDS.updateModal, 'VNOSTATE2', JSON.stringify({ channelId: 'C0NONE' })));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ response_action: 'errors', errors: { [IDS.inputUpdate]: expect.any(String) } });
    expect(r.ms).toBeLessThan(1000);
    expect(await events()).toBe(before);
  });

  it('a normal submission still declares', async () => {
    const payload = viewSubmissionPayload({
      teamId: TEAM,
      userId: ADMIN,
      viewId: 'VWITHSTATE',
      callbackId: IDS.declareModal,
      privateMetadata: '{}',
      values: { [IDS.inputTitle]: { [IDS.inputTitle]: { type: 'plain_text_input', value: 'Declared from the form' } } },
    });
    const r = await h.interact(payload);
    expect(r.status).toBe(200);
    const rows = await h.tdb.db
      .selectFrom('incidents')
      .select(['org_id', 'severity'])
      .where('title', '=', 'Declared from the form')
      .execute();
    expect(rows).toEqual([{ org_id: TEAM, severity: 'SEV3' }]);
  });
});
