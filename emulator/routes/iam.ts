/**
 * IAM (../shared/api-reference.md §7): POST /v3/auth/tokens with the password method issues a token in the
 * X-Subject-Token header (201), valid 24 h of emulator clock. No gateway authentication; faults only when
 * a fault pathPattern selects it.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { EmulatorError, jsonBody } from '../http';
import type { RouteContext, RouteDefinition } from '../router';
import { SEED_USERS } from '../seed';

export const TOKEN_VALIDITY_MS = 24 * 60 * 60_000;

const idOrName = z.union([z.object({ id: z.string().min(1) }).loose(), z.object({ name: z.string().min(1) }).loose()]);

const tokenRequest = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.literal('password')).min(1),
      password: z.object({
        user: z.object({
          domain: idOrName,
          name: z.string().min(1),
          password: z.string().min(1),
        }),
      }),
    }),
    scope: z.union([z.object({ project: idOrName }), z.object({ domain: idOrName })]).optional(),
  }),
});

function keystoneError(status: number, title: string, message: string): EmulatorError {
  return new EmulatorError(status, { error: { code: status, message, title } });
}

/** IAM timestamps: ISO 8601 with microseconds, e.g. 2025-01-01T00:00:00.000000Z. */
function iamTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}


function issueToken(ctx: RouteContext) {
  const raw = jsonBody(ctx.request, () => keystoneError(400, 'Bad Request', 'The request body is not valid JSON.'));
  const parsed = tokenRequest.safeParse(raw);
  if (!parsed.success) throw keystoneError(400, 'Bad Request', 'The request you have made requires a valid password authentication body.');
  const { identity: idn, scope } = parsed.data.auth;
  const user = idn.password.user;
  const identity = ctx.identity;
  const domainMatches = 'id' in user.domain ? user.domain.id === identity.domainId : user.domain.name === identity.iamDomain;
  if (!domainMatches || user.name !== identity.iamUser || user.password !== identity.iamPassword) {
    throw keystoneError(401, 'Unauthorized', 'The username or password is wrong.');
  }
  let project: { id: string; name: string } | undefined;
  if (scope && 'project' in scope) {
    const matches = 'id' in scope.project ? scope.project.id === identity.projectId : scope.project.name === identity.region;
    if (!matches) throw keystoneError(400, 'Bad Request', 'The project in the scope does not exist.');
    project = { id: identity.projectId, name: identity.region };
  }
  const now = ctx.clock.nowMs();
  const token = `MII${randomBytes(96).toString('base64url')}`;
  const expiresAtMs = now + TOKEN_VALIDITY_MS;
  ctx.state.tokens.set(token, { issuedAtMs: now, expiresAtMs, userId: SEED_USERS.caller, userName: identity.iamUser });
  const domain = { id: identity.domainId, name: identity.iamDomain };
  const body = {
    token: {
      expires_at: iamTime(expiresAtMs),
      issued_at: iamTime(now),
      methods: ['password'],
      user: { domain, id: SEED_USERS.caller, name: identity.iamUser, password_expires_at: '' },
      ...(project ? { project: { domain, ...project } } : scope && 'domain' in scope ? { domain } : {}),
      roles: [{ id: '0', name: 'op_service' }],
      ...(ctx.request.query.get('nocatalog') ? {} : { catalog: [] }),
    },
  };
  return { status: 201, body, headers: { 'X-Subject-Token': token } };
}

export const iamRoutes: readonly RouteDefinition[] = [
  { name: 'KeystoneCreateUserTokenByPassword', method: 'POST', pattern: '/v3/auth/tokens', auth: 'none', faults: 'opt-in', handler: issueToken },
];
