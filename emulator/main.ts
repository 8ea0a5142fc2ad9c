/**
 * `npm run emulator`: the local Huawei Cloud on 127.0.0.1:${EMULATOR_PORT:-4010}, configured by EMULATOR_*
 * variables (see README.md). Prints one line with the URL and identity (never the secret key); stops on
 * SIGINT/SIGTERM.
 */
import { optionsFromEnv } from './env';
import { startEmulator } from './server';

async function main(): Promise<void> {
  const emulator = await startEmulator(optionsFromEnv(process.env));
  const id = emulator.identity;
  process.stdout.write(
    `Local Huawei Cloud emulator at ${emulator.url} (AK ${id.accessKey}, project ${id.projectId}, workspace ${id.workspace}, ` +
      `CodeArts project ${id.codeartsProjectId}, region ${id.region}, IAM ${id.iamDomain}/${id.iamUser}); admin API at ${emulator.url}/_emulator/\n`,
  );
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
