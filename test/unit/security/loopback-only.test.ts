/**
 * The test-wide guard (test/setup/loopback-only.ts): no test can reach a host off loopback, a real Huawei Cloud
 * endpoint included, while servers on loopback work as before.
 */
import axios from 'axios';
import { createServer, get, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import net, { type AddressInfo } from 'node:net';

const REFUSED = (host: string) => `tests connect to loopback only: refused a connection to ${host} (test/setup/loopback-only.ts)`;

/** What an attempt ends in: the guard's message, or 'connected'. */
async function attempt(open: () => Promise<unknown>): Promise<string> {
  try {
    await open();
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  }
}

let server: Server;
beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Tests reach loopback only', () => {
  it('refuses a real Huawei Cloud endpoint over https, axios and a raw socket, and allows the loopback server', async () => {
    const port = (server.address() as AddressInfo).port;
    const outcomes = [
      await attempt(() => new Promise((resolve, reject) => httpsRequest('https://functiongraph.cn-north-4.myhuaweicloud.com/', resolve).on('error', reject).end())),
      await attempt(() => axios.get('https://pipeline-external.tr-west-1.myhuaweicloud.com/v5/x', { timeout: 1000 })),
      await attempt(() => new Promise((resolve, reject) => net.connect({ host: '10.1.2.3', port: 443 }, () => resolve(undefined)).on('error', reject))),
      await attempt(() => new Promise((resolve, reject) => get(`http://127.0.0.1:${port}/`, (res) => res.resume().on('end', () => resolve(undefined))).on('error', reject))),
    ];
    expect(outcomes).toStrictEqual([
      REFUSED('functiongraph.cn-north-4.myhuaweicloud.com'),
      REFUSED('pipeline-external.tr-west-1.myhuaweicloud.com'),
      REFUSED('10.1.2.3'),
      'connected',
    ]);
  });
});
