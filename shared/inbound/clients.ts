/**
 * Who may call our HTTP functions. Clients are configured by environment: `HRF_CLIENTS` (a JSON document)
 * or `HRF_CLIENTS_FILE` (a path to one). Three kinds of credential:
 *  - bearer tokens, stored only as SHA-256 digests (`token_sha256`), compared in constant time;
 *  - app keys that sign requests with SDK-HMAC-SHA256 (Huawei APIG app authentication), verified with
 *    the shared verifier; the app secret is needed to verify, so it is configured as is;
 *  - webhook senders that sign deliveries the Standard Webhooks way (`webhook_secret`, whsec_…), accepted
 *    only by the routes that receive webhooks (the signature covers no method or path).
 * Every client carries scopes, and may be limited to some DataArts workspaces, CodeArts Deploy tasks and
 * CodeArts pipelines (OWASP API1: a `deploy` scope alone would reach every task the function's own
 * credentials reach).
 */
import '../zod-config';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { ConfigError } from '../errors';
import { registerSecret } from '../logger';
import { codeartsIdSchema, userIdSchema, workspaceIdSchema } from '../contracts/ids';
import { parseWebhookSecret, WebhookSecretError } from '../notify/webhook';
import { DEFAULT_MAX_SKEW_MS } from '../signing/verifier';
import { WEBHOOK_TOLERANCE_SECONDS } from '../signing/webhook-verifier';
import { ReplayMemory } from './replay-memory';

export const SCOPES = ['read', 'publish', 'deploy', 'review'] as const;
export const scopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof scopeSchema>;

const clientIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'must be 1-64 letters, digits or _.@-'));

/** What any client may be given, whatever its credential. Each list, when set, is all the client may use. */
const clientGrants = {
  scopes: z.array(scopeSchema).check(z.minLength(1)),
  workspaces: z.optional(z.array(workspaceIdSchema)),
  deploy_tasks: z.optional(z.array(codeartsIdSchema)),
  pipelines: z.optional(z.array(codeartsIdSchema)),
  iam_user_id: z.optional(userIdSchema),
};

const bearerClientSchema = z.strictObject({
  id: clientIdSchema,
  type: z.literal('bearer'),
  token_sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 digest of the token')),
  ...clientGrants,
});

const appClientSchema = z.strictObject({
  id: clientIdSchema,
  type: z.literal('app'),
  app_key: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be 8-128 letters, digits, _ or -')),
  app_secret: z.string().check(z.minLength(16, 'must be at least 16 characters')),
  ...clientGrants,
});

function isWebhookSecret(value: string): boolean {
  try {
    parseWebhookSecret(value);
    return true;
  } catch (error) {
    if (error instanceof WebhookSecretError) return false;
    throw error;
  }
}

const webhookClientSchema = z.strictObject({
  id: clientIdSchema,
  type: z.literal('webhook'),
  webhook_secret: z.string().check(z.refine(isWebhookSecret, 'must be whsec_ and the base64 of 24 to 64 bytes')),
  ...clientGrants,
});

export const clientsDocumentSchema = z.strictObject({
  clients: z.array(z.discriminatedUnion('type', [bearerClientSchema, appClientSchema, webhookClientSchema])),
});
export type ClientsDocument = z.infer<typeof clientsDocumentSchema>;
export type ClientDefinition = ClientsDocument['clients'][number];

export interface Principal {
  readonly clientId: string;
  readonly method: 'bearer' | 'app-signature' | 'webhook-signature';
  readonly scopes: ReadonlySet<Scope>;
  /** undefined: any allowed workspace. */
  readonly workspaces: ReadonlySet<string> | undefined;
  /** undefined: any deploy task. */
  readonly deployTasks: ReadonlySet<string> | undefined;
  /** undefined: any pipeline. */
  readonly pipelines: ReadonlySet<string> | undefined;
  /**
   * The IAM user this client acts for. When set, it may publish only as that applicant, so it cannot
   * name a colleague as applicant and approve its own change (the approvers exclude the applicant).
   */
  readonly iamUserId: string | undefined;
}

export interface InboundAuthConfig {
  readonly bearerByDigest: ReadonlyMap<string, Principal>;
  readonly appsByKey: ReadonlyMap<string, { secret: string; principal: Principal }>;
  /** Webhook senders, tried in order: a Standard Webhooks delivery names no key. */
  readonly webhookSenders: ReadonlyArray<{ key: Buffer; principal: Principal }>;
  /** Signed webhook deliveries accepted lately, so that a replayed capture is refused. */
  readonly recentDeliveries: ReplayMemory;
  /** App-signed requests that change something, accepted lately: the same signed request twice is a replay. */
  readonly recentSignatures: ReplayMemory;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function buildInboundAuth(document: ClientsDocument, variable = 'HRF_CLIENTS'): InboundAuthConfig {
  const bearerByDigest = new Map<string, Principal>();
  const appsByKey = new Map<string, { secret: string; principal: Principal }>();
  const webhookSenders: Array<{ key: Buffer; principal: Principal }> = [];
  // One credential, one client: a second entry with the same one would silently take (or lose) the first's
  // rights, whichever the order gave it. Named by position, never by value.
  const reused = (index: number, field: string) => new ConfigError(variable, `clients.${index}.${field}: already another client's`);
  for (const [index, client] of document.clients.entries()) {
    const principal: Principal = {
      clientId: client.id,
      method: client.type === 'bearer' ? 'bearer' : client.type === 'app' ? 'app-signature' : 'webhook-signature',
      scopes: new Set(client.scopes),
      workspaces: client.workspaces ? new Set(client.workspaces) : undefined,
      deployTasks: client.deploy_tasks ? new Set(client.deploy_tasks) : undefined,
      pipelines: client.pipelines ? new Set(client.pipelines) : undefined,
      iamUserId: client.iam_user_id,
    };
    if (client.type === 'bearer') {
      if (bearerByDigest.has(client.token_sha256)) throw reused(index, 'token_sha256');
      bearerByDigest.set(client.token_sha256, principal);
    } else if (client.type === 'app') {
      registerSecret(client.app_secret);
      if (appsByKey.has(client.app_key)) throw reused(index, 'app_key');
      appsByKey.set(client.app_key, { secret: client.app_secret, principal });
    } else {
      const secret = parseWebhookSecret(client.webhook_secret);
      if (webhookSenders.some((sender) => sender.key.equals(secret.key))) throw reused(index, 'webhook_secret');
      registerSecret(secret.value);
      registerSecret(secret.value.slice('whsec_'.length));
      webhookSenders.push({ key: secret.key, principal });
    }
  }
  // A signature verifies while its timestamp is within the tolerance either side of now: remembered that long,
  // each client in its share of the memory.
  return {
    bearerByDigest,
    appsByKey,
    webhookSenders,
    recentDeliveries: new ReplayMemory(2 * WEBHOOK_TOLERANCE_SECONDS * 1000, 10_000, distinctClients(webhookSenders.map((sender) => sender.principal))),
    recentSignatures: new ReplayMemory(2 * DEFAULT_MAX_SKEW_MS, 50_000, distinctClients([...appsByKey.values()].map((app) => app.principal).filter(changesSomething))),
  };
}

/** The clients that share a replay memory: one share each, however many keys a client id has. */
const distinctClients = (principals: readonly Principal[]) => new Set(principals.map((principal) => principal.clientId)).size;

/** Only requests to routes that change something are remembered; a read-only client never takes a share. */
const changesSomething = (principal: Principal) => [...principal.scopes].some((scope) => scope !== 'read');

/** Reads HRF_CLIENTS or HRF_CLIENTS_FILE. No clients configured means every request is refused (401). */
export function loadInboundAuth(env: Readonly<Record<string, string | undefined>>): InboundAuthConfig {
  const inline = env.HRF_CLIENTS;
  const file = env.HRF_CLIENTS_FILE;
  let variable = 'HRF_CLIENTS';
  let text: string | undefined = inline;
  if (!inline && file) {
    variable = 'HRF_CLIENTS_FILE';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new ConfigError(variable, `cannot read the file ${file}`);
    }
  }
  if (!text) return buildInboundAuth({ clients: [] });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(variable, 'is not valid JSON');
  }
  const parsed = clientsDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(variable, `${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'is invalid'}`);
  }
  return buildInboundAuth(parsed.data, variable);
}
