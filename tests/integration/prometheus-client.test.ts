import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient } from '../../src/adapters/prometheus/prometheus.client';

/**
 * The Prometheus client's edges against a loopback server that answers as Prometheus can (the real one is in
 * slo-prometheus-*.test.ts): auth headers, the `time` parameter, scalars, and the answers it must refuse.
 */
describe('Prometheus client', () => {
  let server: Server;
  let url = '';
  let seen: { headers: IncomingHttpHeaders; query: URLSearchParams } | undefined;
  let answer: { status: number; body: string } = { status: 200, body: '' };
  const vector = (...values: string[]) =>
    JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1, v] })) },
    });

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen = { headers: req.headers, query: new URL(req.url ?? '/', 'http://x').searchParams };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('sends the query with its time, and a bearer token or basic auth', async () => {
    answer = { status: 200, body: vector('42.5') };
    const at = new Date('2026-12-03T10:00:00.250Z');
    expect(
      await createPrometheusClient({ url: `${url}/`, bearerToken: 'tok', timeoutMs: 2000 }).instant('sum(up)', at),
    ).toBe(42.5);
    expect(seen!.query.get('query')).toBe('sum(up)');
    expect(seen!.query.get('time')).toBe('1796292000.250');
    expect(seen!.headers.authorization).toBe('Bearer tok');
    await createPrometheusClient({ url, basicAuth: 'user:pa:ss', timeoutMs: 2000 }).instant('up', at);
    expect(seen!.headers.authorization).toBe(`Basic ${Buffer.from('user:pa:ss').toString('base64')}`);
  });

  it('takes a scalar; refuses several series, refused credentials and a non-JSON answer, each with a reason', async () => {
    const c = createPrometheusClient({ url, timeoutMs: 2000 });
    answer = {
      status: 200,
      body: JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '7'] } }),
    };
    expect(await c.instant('scalar(x)', new Date())).toBe(7);
    answer = { status: 200, body: vector('1', '2') };
    await expect(c.instant('up', new Date())).rejects.toThrow(
      '"up" returned 2 series; aggregate it to one (e.g. sum(...))',
    );
    answer = { status: 401, body: 'Unauthorized' };
    await expect(c.instant('up', new Date())).rejects.toThrow(/answered 401 without JSON: Unauthorized/);
    answer = { status: 403, body: JSON.stringify({ status: 'error', error: 'forbidden' }) };
    await expect(c.instant('up', new Date())).rejects.toThrow(/refused the credentials \(403\)/);
    answer = { status: 502, body: '<html>bad gateway</html>' };
    await expect(c.instant('up', new Date())).rejects.toThrow(/answered 502 without JSON/);
    answer = { status: 200, body: vector('+Inf') };
    await expect(c.instant('up', new Date())).rejects.toThrow('"up" returned +Inf');
  });

  it('credentials written into the URL are sent as basic auth and never shown', async () => {
    const c = createPrometheusClient({ url: url.replace('//', '//admin:s%40cret@'), timeoutMs: 2000 });
    answer = { status: 200, body: vector('1') };
    expect(await c.instant('up', new Date())).toBe(1);
    expect(seen!.headers.authorization).toBe(`Basic ${Buffer.from('admin:s@cret').toString('base64')}`);
    expect(c.url).toBe(url);
    answer = { status: 502, body: 'down' };
    const err = await c.instant('up', new Date()).catch((e: Error) => e);
    expect(String(err)).toContain(`Prometheus at ${url} answered 502`);
    expect(String(err)).not.toMatch(/cret|admin/);
  });
});
