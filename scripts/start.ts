/**
 * `npm start`: the local Huawei Cloud and every function, wired together, on http://127.0.0.1:${PORT:-3000}.
 * HRF_LOCAL_CLOUD=off serves the functions against the Huawei Cloud named by the HUAWEICLOUD_* variables.
 * Timers fire on their schedules against the local cloud (HRF_LOCAL_TIMERS=off turns them off; against real
 * Huawei Cloud they are off unless HRF_LOCAL_TIMERS=on). Settings: startOptionsFromEnv in local-stack.ts.
 */
import { startLocalStack, startOptionsFromEnv, timerNotices } from './local-stack';

async function main(): Promise<void> {
  const options = startOptionsFromEnv(process.env);
  const stack = await startLocalStack(options);
  const base = stack.url;
  const lines = [
    '',
    `hwc-release-functions is running on ${base}` + (stack.emulator ? ` against the local Huawei Cloud at ${stack.emulator.url}` : ' against Huawei Cloud'),
    '',
    `  GET  ${base}/v1/pending-items`,
    `  POST ${base}/v1/release-packages`,
    `  POST ${base}/v1/release-packages/query`,
    `  POST ${base}/v1/deploy-tasks/{task_id}/start`,
    `  POST ${base}/v1/pipelines/{pipeline_id}/runs/{pipeline_run_id}/jobs/{job_run_id}/steps/{step_run_id}/refuse`,
    `  POST ${base}/v1/events/pipeline`,
    `  GET  ${base}/v1/openapi.json`,
    '',
    'Try:',
    `  curl -s -H "Authorization: Bearer ${options.shownToken}" "${base}/v1/pending-items?limit=5"`,
    '',
    ...timerNotices(stack.timers, options.localCloud),
    ...options.notices,
    'Ctrl-C stops everything.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
