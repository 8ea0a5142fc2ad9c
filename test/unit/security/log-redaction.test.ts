/** The logger's redaction of credentials written into text: what it hides, and the prose it leaves alone. */
import { Logger, REDACTED, registerSecret } from '../../../shared/logger';

function logged(message: string, data?: Record<string, unknown>): unknown {
  const lines: string[] = [];
  new Logger({ level: 'debug', sink: (line) => void lines.push(line) }).info(message, data);
  const { time: _time, ...entry } = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  return entry;
}

describe('Log redaction: bearer credentials in text', () => {
  it.each([
    ['Authorization: Bearer 0123456789abcdef', `Authorization: Bearer ${REDACTED}`],
    ['sent bearer eyJhbGciOiJIUzI1NiJ9.e30.x, then failed', `sent bearer ${REDACTED}, then failed`],
    ['Bearer token-looking-value', `Bearer ${REDACTED}`],
    ['Authorization: Bearer token.abc123secret', `Authorization: Bearer ${REDACTED}`],
    ['Bearer token:s3cr3t', `Bearer ${REDACTED}`],
    ['Bearer Credentials!xyz', `Bearer ${REDACTED}`],
  ])('hides the credential in %j', (message, expected) => {
    expect(logged(message)).toStrictEqual({ level: 'info', message: expected });
  });

  it.each(['The bearer token is not valid', 'a bearer credential is required', 'Bearer tokens are refused', 'no bearer token.', 'send a bearer token, or a signature'])('leaves the prose %j as it is', (message) => {
    expect(logged(message)).toStrictEqual({ level: 'info', message });
  });
});

describe('Log redaction: registered secrets', () => {
  it('keeps masking a rotating secret while it is in use, and a pinned one always, however many rotate past', () => {
    // Prepare: one temporary credential in use throughout, one also pinned by configuration, then 64 newer ones.
    registerSecret('in-use-temporary-token-0001', 'rotating');
    registerSecret('configured-and-temporary-0001', 'rotating');
    registerSecret('configured-and-temporary-0001', 'pinned');
    for (let i = 0; i < 64; i++) {
      registerSecret(`passing-temporary-token-${String(i).padStart(4, '0')}`, 'rotating');
      // Each invocation registers the credentials it uses: this one again, as the newest.
      if (i % 8 === 0) registerSecret('in-use-temporary-token-0001', 'rotating');
    }

    // Act
    const entry = logged('seen: in-use-temporary-token-0001 configured-and-temporary-0001 passing-temporary-token-0063');

    // Assess
    expect(entry).toStrictEqual({ level: 'info', message: `seen: ${REDACTED} ${REDACTED} ${REDACTED}` });
  });
});
