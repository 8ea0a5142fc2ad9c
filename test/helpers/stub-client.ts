/**
 * A stubbed Huawei Cloud client for handler tests. Every typed call (shared/http/dataarts.ts,
 * codearts-deploy.ts, codearts-pipeline.ts) ends in client.call(contract, input, options); the stub routes
 * it to a jest mock named after the typed call, with that call's own arguments, so a test asserts what a
 * handler asked for as it wrote it. A call with no mock fails the test.
 */
import type { HuaweiCloudConfig } from '../../shared/config/env';
import type { OperationContract } from '../../shared/contracts/operation';
import type { CallInput, CallOptions, HuaweiCloudClient } from '../../shared/http/client';
import { createRuntime, type Runtime, type RuntimeOverrides } from '../../shared/runtime';
import { testEnv } from './runtime';

export type StubbedOperation =
  | 'listPendingItems'
  | 'publishPendingItems'
  | 'queryReleasePackages'
  | 'showPackageDetail'
  | 'startDeployTask'
  | 'listDeployTaskHistory'
  | 'rejectManualReview'
  | 'showPipelineRunDetail';

export type ClientStubs = Partial<Record<StubbedOperation, jest.Mock>>;

/** The typed call behind each contract, and its arguments rebuilt from what it passed to client.call. */
const ROUTES: Record<string, (input: CallInput, options: CallOptions) => [StubbedOperation, unknown[]]> = {
  ListFactoryPendingItems: (input, options) => ['listPendingItems', [input.query, options]],
  CreateFactoryPendingItemsPackage: (input, options) => ['publishPendingItems', [input.body, options]],
  ListFactoryReleasePackages: (input, options) => ['queryReleasePackages', [input.body, options]],
  ShowFactoryPackageDetail: (input, options) => ['showPackageDetail', [input.pathParams?.package_id, options]],
  StartDeployTask: (input, options) => ['startDeployTask', [input.pathParams?.task_id, input.body, options]],
  ListDeployTaskHistoryByDate: (input, options) => ['listDeployTaskHistory', [input.pathParams?.id, input.query, options]],
  RejectManualReview: (input, options) => {
    const { project_id: _project, ...path } = input.pathParams ?? {};
    return ['rejectManualReview', [path, options]];
  },
  ShowPipelineRunDetail: (input, options) => ['showPipelineRunDetail', [input.pathParams?.pipeline_id, input.query?.pipeline_run_id, options]],
};

function stubClient(stubs: ClientStubs, config: HuaweiCloudConfig): HuaweiCloudClient {
  const call = async (contract: OperationContract, input: CallInput, options: CallOptions = {}) => {
    const [operation, args] = ROUTES[contract.name]?.(input, options) ?? [undefined, []];
    const mock = operation && stubs[operation];
    if (!mock) throw new Error(`unexpected upstream call ${contract.name}`);
    return mock(...args);
  };
  const client = { config, call, through: () => client };
  return client as unknown as HuaweiCloudClient;
}

/** A test runtime (real configuration from testEnv) whose client is stubbed. */
export function stubbedRuntime(stubs: ClientStubs, overrides: Omit<RuntimeOverrides, 'client'> = {}, extraEnv: Record<string, string> = {}): Runtime {
  const runtime = createRuntime(testEnv('http://127.0.0.1:9', extraEnv), overrides);
  return { ...runtime, client: stubClient(stubs, runtime.config) };
}
