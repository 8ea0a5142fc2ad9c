/**
 * Every test file runs with the project logger captured (nothing printed), and ends by checking that no
 * captured line holds a secret: the AK/SK/tokens/app secrets the tests use, a signature, a bearer token.
 * Everything runs at debug level, so debug output is scanned too.
 */
import { setLogLevel, setLogSink } from '../../shared/logger';
import { capturedLogLines, findSecretsInLogs } from '../helpers/logs';

beforeAll(() => {
  setLogLevel('debug');
  setLogSink((line) => {
    capturedLogLines.push(line);
  });
});

afterAll(() => {
  setLogSink(undefined);
  expect(findSecretsInLogs(capturedLogLines)).toStrictEqual([]);
});
