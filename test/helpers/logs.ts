/** Captured log lines of the current test file, and the secret scan run over them. */
export const capturedLogLines: string[] = [];

/** Secret values tests use; every test that invents a secret adds it here. */
export const TEST_SECRETS = new Set<string>([
  // Access keys are credentials too (shared/reliability.md §16): the local cloud's, and the temporary ones.
  'HWCLOCALEMULATORAK01',
  'TEMPACCESSKEY0001',
  'hwc-local-emulator-secret-key-0000000001',
  'emulator-password-0001',
  'local-dev-token-change-me',
  'test-bearer-token-read-0001',
  'test-bearer-token-all-0001',
  'test-bearer-token-bound-0001',
  'test-bearer-token-limited-0001',
  'test-bearer-token-elsewhere-0001',
  'test-app-secret-0123456789abcdef',
  'test-webhook-secret-0123456789',
  // The same secret in Standard Webhooks form (timer tests), and its base64 part.
  'whsec_dGVzdC13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
  'dGVzdC13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
  'TEMPSECRETKEY0123456789abcdef',
  'temporary-security-token-value-0001',
  // HTTP client tests (test/integration/http-client): an echoed secret, a configured security token, IAM passwords and tokens.
  'upstream-echoed-secret-0001',
  'config-security-token-value-0001',
  'fake-iam-password-0001',
  'wrong-iam-password-0002',
  'fake-iam-token-0001',
  'fake-iam-token-0002',
  'fake-iam-token-0003',
]);

const PATTERNS: readonly RegExp[] = [/Signature=[0-9a-f]{64}/, /SDK-HMAC-SHA256 Access=(?!\[REDACTED\])/, /Bearer [A-Za-z0-9._~+/-]{8,}/];

export function logsMatching(predicate: (entry: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  return capturedLogLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter(predicate);
}

export function findSecretsInLogs(lines: readonly string[]): string[] {
  const found: string[] = [];
  for (const line of lines) {
    for (const secret of TEST_SECRETS) if (line.includes(secret)) found.push(`secret value in: ${line.slice(0, 200)}`);
    for (const pattern of PATTERNS) if (pattern.test(line)) found.push(`${pattern} in: ${line.slice(0, 200)}`);
  }
  return found;
}
