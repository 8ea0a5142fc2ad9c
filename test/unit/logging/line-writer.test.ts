/**
 * The logger's default sink: one synchronous write per line to standard output; a full non-blocking
 * pipe hands the rest, in order, to process.stdout; a line that cannot be written never throws.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineWriter } from '../../../shared/logger';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

class FakeStream {
  readonly chunks: string[] = [];
  write(chunk: Uint8Array): boolean {
    this.chunks.push(Buffer.from(chunk).toString('utf8'));
    return true;
  }
}

describe('Logger: line writer', () => {
  it('writes each line whole, with its newline, to the descriptor', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'hrf-log-'));
    const file = join(dir, 'out.log');
    const fd = openSync(file, 'w');
    const sink = lineWriter((bytes, offset) => writeSync(fd, bytes, offset));

    // Act
    sink('{"message":"one"}');
    sink('{"message":"zwei – два"}');
    closeSync(fd);

    // Assess
    expect(readFileSync(file, 'utf8')).toBe('{"message":"one"}\n{"message":"zwei – два"}\n');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps writing after a partial write until the line is out', () => {
    // Prepare
    const written: string[] = [];
    const sink = lineWriter((bytes, offset) => {
      const end = Math.min(bytes.length, offset + 4);
      written.push(Buffer.from(bytes.subarray(offset, end)).toString('utf8'));
      return end - offset;
    });

    // Act
    sink('abcdefghij');

    // Assess
    expect(written).toStrictEqual(['abcd', 'efgh', 'ij\n']);
  });

  it('hands the rest of the line and every later line to the stream once the pipe is full', () => {
    // Prepare
    const stream = new FakeStream();
    let calls = 0;
    const sink = lineWriter(
      (bytes, offset) => {
        calls++;
        if (calls === 1) return 3;
        throw errno('EAGAIN');
      },
      () => stream,
    );

    // Act
    sink('first line');
    sink('second line');

    // Assess
    expect({ calls, chunks: stream.chunks }).toStrictEqual({ calls: 2, chunks: ['st line\n', 'second line\n'] });
  });

  it('never throws when standard output is gone', () => {
    // Prepare
    const stream = new FakeStream();
    const sink = lineWriter(() => {
      throw errno('EPIPE');
    }, () => stream);

    // Act
    const act = () => sink('lost line');

    // Assess
    expect(act).not.toThrow();
    expect(stream.chunks).toStrictEqual([]);
  });
});
