import { type LoadJob, runLoad } from './load.generator';

/** Child-process entry: the load comes from its own process, never from the process under test. */
process.on('message', (msg: { id: number; job: LoadJob }) => {
  runLoad(msg.job).then(
    (result) => process.send?.({ id: msg.id, result }),
    (e: unknown) => process.send?.({ id: msg.id, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
