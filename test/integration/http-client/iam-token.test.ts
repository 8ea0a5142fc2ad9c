/**
 * The IAM token request reads at most 1 MB of answer (nocatalog=true keeps a real one small): a larger or
 * endless body is cut off and refused, on a real node:http server, instead of being buffered whole.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IamTokenError, IamTokenProvider } from '../../../shared/auth/iam-token';
import { configFor, failureOf, NO_FAILURE_DETAILS } from './support';
import { HuaweiCloudClient } from '../../../shared/http/client';
import { listPendingItems } from '../../../shared/http/dataarts';

const MAX_BYTES = 1024 * 1024;
const PASSWORD_ENV = { HUAWEICLOUD_IAM_DOMAIN: 'fake-domain', HUAWEICLOUD_IAM_USER: 'fake-user', HUAWEICLOUD_IAM_PASSWORD: 'fake-iam-password-0001' };
const TOO_LARGE = { name: 'IamTokenError', message: `IAM answered with a body larger than ${MAX_BYTES} bytes`, status: undefined };

/** A token answer padded with spaces to exactly `bytes` bytes. */
function tokenBody(bytes: number): string {
  const json = JSON.stringify({ token: { issued_at: '2025-06-01T08:00:00.000Z', expires_at: '2025-06-02T08:00:00.000Z' } });
  return json + ' '.repeat(bytes - json.length);
}

let server: Server;
let url: string;
let answer: (res: ServerResponse) => void;
/** Bytes the server wrote for the last answer, and whether it was closed before its end (once it closes). */
let written = 0;
let closedEarly: Promise<boolean>;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      written = 0;
      closedEarly = new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished)));
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function provider(): IamTokenProvider {
  return new IamTokenProvider({ config: configFor(url, PASSWORD_ENV, ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK']) });
}

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof IamTokenError)) throw error;
    return { name: error.name, message: error.message, status: error.status };
  }
  throw new Error('expected an IamTokenError');
}

/** Answers 201 with a token, then writes a body that never ends (as fast as the client reads it). */
function endless(res: ServerResponse): void {
  res.writeHead(201, { 'X-Subject-Token': 'endless-iam-token-0001', 'Content-Type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) written += chunk.length;
  };
  res.on('drain', pump);
  pump();
}

describe('IAM token: the size of the answer', () => {
  it('accepts an answer of exactly 1 MB', async () => {
    // Prepare
    answer = (res) => {
      res.writeHead(201, { 'X-Subject-Token': 'sized-iam-token-0001', 'Content-Type': 'application/json' });
      res.end(tokenBody(MAX_BYTES));
    };

    // Act
    const token = await provider().token();

    // Assess
    expect(token).toBe('sized-iam-token-0001');
  });

  it('refuses an answer one byte over 1 MB', async () => {
    // Prepare
    answer = (res) => {
      res.writeHead(201, { 'X-Subject-Token': 'sized-iam-token-0002', 'Content-Type': 'application/json' });
      res.end(tokenBody(MAX_BYTES + 1));
    };

    // Act
    const error = await errorOf(provider().token());

    // Assess
    expect(error).toStrictEqual(TOO_LARGE);
  });

  it('stops reading a body that never ends, and refuses it', async () => {
    // Prepare
    answer = endless;

    // Act
    const error = await errorOf(provider().token());

    // Assess: the client closed the connection after at most the cap plus what the sockets buffer.
    expect(error).toStrictEqual(TOO_LARGE);
    expect(await closedEarly).toBe(true);
    expect(written).toBeLessThan(32 * MAX_BYTES);
  });

  it('a call whose IAM token answer is too large fails as a credentials failure, naming the cause, and the service call is not made', async () => {
    // Prepare
    let serviceCalls = 0;
    answer = (res) => {
      if (res.req.url?.startsWith('/v3/auth/tokens')) return endless(res);
      serviceCalls++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"total":0,"data":[]}');
    };
    const client = new HuaweiCloudClient({ config: configFor(url, PASSWORD_ENV, ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK']) });

    // Act
    const failure = await failureOf(listPendingItems(client, {}));

    // Assess
    expect({ failure, serviceCalls }).toStrictEqual({
      failure: { ...NO_FAILURE_DETAILS, message: TOO_LARGE.message, operation: 'ListFactoryPendingItems', kind: 'credentials', attempts: 1 },
      serviceCalls: 0,
    });
  });
});
