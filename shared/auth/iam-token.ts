/**
 * IAM token authentication (X-Auth-Token): POST /v3/auth/tokens with an IAM user's password, scoped to
 * the project. The token (response header X-Subject-Token) is cached and renewed before it expires;
 * concurrent callers share one request.
 */
import axios from 'axios';
import { resolveEndpoint, type HuaweiCloudConfig } from '../config/env';
import { registerSecret } from '../logger';

/** Renew when less than this share of the token's lifetime is left (24 h tokens: about 3.6 h). */
const RENEW_WHEN_REMAINING_SHARE = 0.15;
const REQUEST_TIMEOUT_MS = 10_000;
/** The answer is small (nocatalog=true: no service catalog); axios would otherwise buffer any size. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

export class IamTokenError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = 'IamTokenError';
  }
}

interface CachedToken {
  readonly token: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export class IamTokenProvider {
  private cached: CachedToken | undefined;
  private inFlight: Promise<CachedToken> | undefined;
  private readonly now: () => Date;

  constructor(private readonly deps: { config: HuaweiCloudConfig; now?: (() => Date) | undefined }) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Forgets the cached token (Huawei Cloud refused it: revoked, or expired early); the next call fetches one. */
  invalidate(): void {
    this.cached = undefined;
  }

  async token(signal?: AbortSignal): Promise<string> {
    const now = this.now().getTime();
    const cached = this.cached;
    if (cached && now < cached.expiresAt - (cached.expiresAt - cached.issuedAt) * RENEW_WHEN_REMAINING_SHARE) return cached.token;
    // Callers share one request, bounded by its own timeout: one caller giving up stops only its own wait.
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = undefined;
    });
    try {
      this.cached = await untilAborted(this.inFlight, signal);
    } catch (error) {
      // The early renewal failed: a token that has not expired yet still works (the next call tries again).
      if (cached && this.now().getTime() < cached.expiresAt) return cached.token;
      throw error;
    }
    return this.cached.token;
  }

  private async fetch(): Promise<CachedToken> {
    const { config } = this.deps;
    if (config.auth.kind !== 'password') throw new IamTokenError('IAM token authentication is not configured', undefined);
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { domain: { name: config.auth.domainName }, name: config.auth.userName, password: config.auth.password } },
        },
        scope: { project: { id: config.projectId } },
      },
    };
    const response = await axios
      .post(`${resolveEndpoint(config, 'iam')}/v3/auth/tokens?nocatalog=true`, JSON.stringify(body), {
        headers: { 'Content-Type': 'application/json;charset=UTF-8' },
        validateStatus: () => true,
        timeout: REQUEST_TIMEOUT_MS,
        // A total deadline: axios's timeout alone would let a trickling answer keep every caller waiting.
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        maxRedirects: 0,
        maxContentLength: MAX_TOKEN_RESPONSE_BYTES,
        maxBodyLength: MAX_TOKEN_RESPONSE_BYTES,
        responseType: 'text',
        transformResponse: (x: unknown) => x,
      })
      .catch((error: unknown) => {
        // axios stops reading past the cap and says so only in its message.
        if (/maxContentLength/.test(String((error as { message?: unknown } | undefined)?.message))) {
          throw new IamTokenError(`IAM answered with a body larger than ${MAX_TOKEN_RESPONSE_BYTES} bytes`, undefined);
        }
        throw error;
      });
    const token = response.headers['x-subject-token'];
    if (response.status !== 201 && response.status !== 200) {
      // The user is named by its variable, not its value: this message reaches API callers in a 502.
      const why = response.status === 401 || response.status === 403 ? 'IAM refused the password of HUAWEICLOUD_IAM_USER' : 'IAM could not issue a token for HUAWEICLOUD_IAM_USER';
      throw new IamTokenError(`${why} (HTTP ${response.status})`, response.status);
    }
    if (typeof token !== 'string' || token === '') throw new IamTokenError('IAM answered without an X-Subject-Token', response.status);
    registerSecret(token);
    let expiresAt = this.now().getTime() + 23 * 3600_000;
    let issuedAt = this.now().getTime();
    try {
      const parsed = JSON.parse(String(response.data)) as { token?: { expires_at?: string; issued_at?: string } };
      const exp = Date.parse(parsed.token?.expires_at ?? '');
      const iss = Date.parse(parsed.token?.issued_at ?? '');
      if (Number.isFinite(exp)) expiresAt = exp;
      if (Number.isFinite(iss)) issuedAt = iss;
    } catch {
      /* the header is what matters; keep the conservative default lifetime */
    }
    return { token, issuedAt, expiresAt };
  }
}
