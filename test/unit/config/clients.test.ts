/** HRF_CLIENTS: each client's credential, scopes and the objects it is limited to, read into principals. */
import { ConfigError } from '../../../shared/errors';
import { loadInboundAuth, sha256Hex } from '../../../shared/inbound/clients';

const TASK = 'd2dc947ec2424d8789bb3984bb3adf45';
const PIPELINE = '7b71e498e75d44048c9a22dd3c54f978';
const WORKSPACE = 'e265f808151d458bb7967e0aaf42d146';

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('Inbound clients (HRF_CLIENTS)', () => {
  it('reads each limit into the principal; a client without one may use any', () => {
    const auth = loadInboundAuth({
      HRF_CLIENTS: JSON.stringify({
        clients: [
          { id: 'deployer', type: 'bearer', token_sha256: sha256Hex('t1'), scopes: ['deploy', 'review'], workspaces: [WORKSPACE], deploy_tasks: [TASK], pipelines: [PIPELINE] },
          { id: 'app', type: 'app', app_key: 'app-key-0001', app_secret: 'app-secret-0123456789', scopes: ['read'], deploy_tasks: [] },
        ],
      }),
    });
    expect([auth.bearerByDigest.get(sha256Hex('t1')), auth.appsByKey.get('app-key-0001')?.principal]).toStrictEqual([
      {
        clientId: 'deployer',
        method: 'bearer',
        scopes: new Set(['deploy', 'review']),
        workspaces: new Set([WORKSPACE]),
        deployTasks: new Set([TASK]),
        pipelines: new Set([PIPELINE]),
        iamUserId: undefined,
      },
      { clientId: 'app', method: 'app-signature', scopes: new Set(['read']), workspaces: undefined, deployTasks: new Set(), pipelines: undefined, iamUserId: undefined },
    ]);
  });

  it('reads a webhook sender: its key from the whsec_ secret, tried in the order configured', () => {
    const secret = `whsec_${Buffer.from('webhook-sender-secret-0123456789').toString('base64')}`;
    const auth = loadInboundAuth({ HRF_CLIENTS: JSON.stringify({ clients: [{ id: 'sender', type: 'webhook', webhook_secret: secret, scopes: ['review'], pipelines: [PIPELINE] }] }) });
    expect(auth.webhookSenders).toStrictEqual([
      {
        key: Buffer.from('webhook-sender-secret-0123456789'),
        principal: { clientId: 'sender', method: 'webhook-signature', scopes: new Set(['review']), workspaces: undefined, deployTasks: undefined, pipelines: new Set([PIPELINE]), iamUserId: undefined },
      },
    ]);
  });

  const bearer = { id: 'x', type: 'bearer', token_sha256: sha256Hex('t'), scopes: ['deploy'] };
  it.each([
    ['webhook_secret', { id: 'x', type: 'webhook', webhook_secret: 'not-a-whsec', scopes: ['review'] }, 'clients.0.webhook_secret: must be whsec_ and the base64 of 24 to 64 bytes'],
    ['deploy_tasks', { ...bearer, deploy_tasks: ['../x'] }, 'clients.0.deploy_tasks.0: must be 32 letters or digits (a CodeArts id)'],
    ['pipelines', { ...bearer, pipelines: [TASK, 'short'] }, 'clients.0.pipelines.1: must be 32 letters or digits (a CodeArts id)'],
  ])('refuses a malformed %s, naming the variable and the entry', (_name, client, message) => {
    const error = errorOf(() => loadInboundAuth({ HRF_CLIENTS: JSON.stringify({ clients: [client] }) }));
    expect([error instanceof ConfigError, (error as ConfigError).variable, (error as Error).message]).toStrictEqual([true, 'HRF_CLIENTS', `HRF_CLIENTS: ${message}`]);
  });

  const WHSEC = `whsec_${Buffer.from('a-webhook-secret-of-32-bytes-000').toString('base64')}`;
  it.each([
    ['token', bearer, { ...bearer, id: 'y', scopes: ['read', 'publish', 'deploy', 'review'] }, 'clients.1.token_sha256'],
    ['app key', { id: 'a', type: 'app', app_key: 'my-app-key-01', app_secret: 'an-app-secret-0001', scopes: ['deploy'] }, { id: 'a', type: 'app', app_key: 'my-app-key-01', app_secret: 'an-app-secret-0002', scopes: ['deploy'] }, 'clients.1.app_key'],
    ['webhook secret', { id: 'w', type: 'webhook', webhook_secret: WHSEC, scopes: ['review'] }, { id: 'v', type: 'webhook', webhook_secret: WHSEC, scopes: ['review'], pipelines: [PIPELINE] }, 'clients.1.webhook_secret'],
  ])('refuses a %s given to two clients, whose rights would depend on their order, naming the entries and not the value', (_name, first, second, message) => {
    const error = errorOf(() => loadInboundAuth({ HRF_CLIENTS: JSON.stringify({ clients: [first, second] }) }));
    expect([error instanceof ConfigError, (error as Error).message]).toStrictEqual([
      true,
      `HRF_CLIENTS: ${message}: already another client's`,
    ]);
  });
});
