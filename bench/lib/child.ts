/** Fresh Node processes for the measurements, timed from spawn to exit. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ChildRun {
  /** From spawn() to the 'exit' event, in ms: the whole process's wall time. */
  readonly wallMs: number;
  readonly code: number | null;
  readonly stderr: string;
}

export interface ChildOptions {
  readonly env: Record<string, string>;
  readonly timeoutMs?: number;
  /** Extra node flags (before the script). */
  readonly nodeArgs?: readonly string[];
}

/** Runs `node [nodeArgs] script ...args` with exactly `env`; stdout is discarded (functions log there). */
export function runNode(script: string, args: readonly string[], options: ChildOptions): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], { env: options.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 20_000) stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      // 'exit' can come before stderr is drained; wait for the stream to close.
      if (child.stderr.readableEnded) resolve({ wallMs, code, stderr });
      else child.stderr.once('close', () => resolve({ wallMs, code, stderr }));
    });
  });
}

/** Reads a runner's JSON output, or throws with the child's stderr. */
export function readOutput<T>(path: string, run: ChildRun, what: string): T {
  if (run.code !== 0) throw new Error(`${what}: exited with ${run.code}\n${run.stderr.trim().split('\n').slice(-15).join('\n')}`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The environment every measured process gets: PATH and the given variables, nothing inherited. */
export function cleanEnv(vars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const [k, v] of Object.entries(vars)) if (v !== '') env[k] = v;
  return env;
}
