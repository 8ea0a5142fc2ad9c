/**
 * A walk through a ConnectionPool, on a real node:http server (port 0) that answers ListFactoryReleasePackages
 * pages after a delay and counts the requests in flight (received, not yet answered) and the connections:
 * never more requests on the network than the pool's size, however many pages the walk asks for at once
 * and whatever agent carries them (axios tunnels HTTPS through an outbound proxy with its own agent); a
 * request abandoned while it waits never goes out; closing the pool closes its connections.
 */
import { Agent, createServer, type ClientRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConnectionPool } from '../../../shared/http/client';
import { queryReleasePackages } from '../../../shared/http/dataarts';
import { walkPages } from '../../../shared/http/paginate';
import { configFor, testClient } from './support';

interface PagedUpstream {
  readonly url: string;
  readonly stats: { inFlight: number; maxInFlight: number; requests: number; connections: Set<Socket>; open: Set<Socket> };
  close(): Promise<void>;
}

/** Serves `total` release packages (ids 1…total) in the pages asked for, each answer `delayMs` after its request. */
async function startPagedUpstream(total: number, delayMs: number): Promise<PagedUpstream> {
  const stats = { inFlight: 0, maxInFlight: 0, requests: 0, connections: new Set<Socket>(), open: new Set<Socket>() };
  const server: Server = createServer((req, res) => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { offset, limit } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { offset: number; limit: number };
      const ids = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => offset + i + 1);
      const text = JSON.stringify({ total, data: ids.map((id) => ({ package_id: String(id), package_name: `pkg_${id}`, deploy_status: 1 })) });
      setTimeout(() => {
        stats.inFlight--;
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      }, delayMs);
    });
  });
  server.on('connection', (socket: Socket) => {
    stats.connections.add(socket);
    stats.open.add(socket);
    socket.on('close', () => stats.open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const until = async (condition: () => boolean) => {
  for (let waited = 0; !condition() && waited < 2_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
};

let upstream: PagedUpstream;

beforeEach(async () => {
  upstream = await startPagedUpstream(2_000, 20);
});

afterEach(async () => {
  await upstream.close();
});

describe('HTTP client: a walk through a ConnectionPool', () => {
  it('keeps at most the pool size on the network while twice as many pages are asked for, on that many connections', async () => {
    // Prepare
    const { client } = testClient(configFor(upstream.url));
    const pool = new ConnectionPool(4);
    const ids: string[] = [];

    // Act
    const walked = await walkPages(
      async (offset, limit) => (await queryReleasePackages(client.through(pool), { offset, limit })).data,
      (page) => ids.push(...page.data.map((p) => p.package_id)),
      { limit: 100, concurrency: 8 },
    );
    pool.close();

    // Assess
    expect(walked).toStrictEqual({ total: 2_000, pages: 20, truncated: false, shortOfTotal: false });
    expect(ids).toStrictEqual(Array.from({ length: 2_000 }, (_, i) => String(i + 1)));
    expect({ requests: upstream.stats.requests, maxInFlight: upstream.stats.maxInFlight, connections: upstream.stats.connections.size }).toStrictEqual({
      requests: 20,
      maxInFlight: 4,
      connections: 4,
    });
  });

  it('without a pool, the same walk has all eight on the network (the pool is what holds them back)', async () => {
    // Prepare
    const { client } = testClient(configFor(upstream.url));

    // Act
    const walked = await walkPages(async (offset, limit) => (await queryReleasePackages(client, { offset, limit })).data, () => undefined, { limit: 100, concurrency: 8 });

    // Assess
    expect([walked.pages, upstream.stats.maxInFlight]).toStrictEqual([20, 8]);
  });

  it('closes its connections when closed, and the client keeps its own', async () => {
    // Prepare
    const { client } = testClient(configFor(upstream.url));
    const pool = new ConnectionPool(2);
    await Promise.all([0, 100, 200].map((offset) => queryReleasePackages(client.through(pool), { offset, limit: 100 })));
    await queryReleasePackages(client, { offset: 0, limit: 100 });
    const openBefore = upstream.stats.open.size;

    // Act
    pool.close();
    await until(() => upstream.stats.open.size === 1);

    // Assess
    expect({ openBefore, openAfter: upstream.stats.open.size, maxInFlight: upstream.stats.maxInFlight }).toStrictEqual({ openBefore: 3, openAfter: 1, maxInFlight: 2 });
  });

  it('holds back the requests beyond its size whatever agent carries them, as the tunnel axios installs for an HTTPS proxy', async () => {
    // Prepare: an agent of its own that never waits (a connection per request), like that tunnel
    const pool = new ConnectionPool(3);
    const unlimited = new Agent({ keepAlive: false });
    const url = new URL(upstream.url);
    const post = (offset: number) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ offset, limit: 100 });
        const req = pool.transport.request(
          { protocol: 'http:', host: url.hostname, port: url.port, method: 'POST', path: '/pages', agent: unlimited, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });

    // Act
    const statuses = await Promise.all(Array.from({ length: 9 }, (_, i) => post(i * 100)));
    pool.close();

    // Assess
    expect([statuses, upstream.stats.requests, upstream.stats.maxInFlight]).toStrictEqual([Array.from({ length: 9 }, () => 200), 9, 3]);
  });

  it('never sends a request abandoned while it waited, and gives its place to the next', async () => {
    // Prepare
    const pool = new ConnectionPool(1);
    const url = new URL(upstream.url);
    const send = (offset: number): { req: ClientRequest; answered: Promise<number> } => {
      const body = JSON.stringify({ offset, limit: 100 });
      let req!: ClientRequest;
      const answered = new Promise<number>((resolve, reject) => {
        req = pool.transport.request(
          { protocol: 'http:', host: url.hostname, port: url.port, method: 'POST', path: '/pages', agent: pool.httpAgent, headers: { 'content-length': Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      return { req, answered };
    };

    // Act
    const first = send(0);
    const abandoned = send(100);
    const third = send(200);
    abandoned.req.destroy();
    const statuses = await Promise.all([first.answered, third.answered]);
    pool.close();

    // Assess
    expect([statuses, upstream.stats.requests, upstream.stats.maxInFlight]).toStrictEqual([[200, 200], 2, 1]);
  });
});

