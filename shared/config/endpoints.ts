/**
 * Region → endpoint, per service (../shared/api-reference.md §4, from the official SDKs' region tables).
 * An override variable per service points the client at the local Huawei Cloud or a private endpoint.
 */
import type { ServiceName } from '../contracts/operation';

export type EndpointService = ServiceName | 'iam';

const DATAARTS_REGIONS = [
  'cn-north-1', 'cn-north-2', 'cn-north-4', 'cn-north-9', 'cn-north-11', 'cn-east-2', 'cn-east-3', 'cn-east-4',
  'cn-south-1', 'cn-southwest-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
  'af-south-1', 'ru-northwest-2', 'ru-moscow-1', 'sa-brazil-1', 'la-south-2', 'la-north-2', 'na-mexico-1',
  'tr-west-1', 'me-east-1', 'eu-west-101', 'ae-ad-1', 'my-kualalumpur-1',
] as const;
const DEPLOY_REGIONS = [
  'cn-north-1', 'cn-north-4', 'cn-east-2', 'cn-east-3', 'cn-south-1', 'ap-southeast-3', 'sa-brazil-1', 'la-north-2', 'tr-west-1',
] as const;
const PIPELINE_REGIONS = [
  'cn-north-1', 'cn-north-4', 'cn-east-2', 'cn-east-3', 'cn-south-1', 'cn-south-2', 'cn-southwest-2', 'ap-southeast-3',
  'af-south-1', 'af-north-1', 'sa-brazil-1', 'la-south-2', 'la-north-2', 'tr-west-1', 'me-east-1',
] as const;
/** CodeArts Pipeline's host differs in a few regions. */
const PIPELINE_HOST_EXCEPTIONS: Readonly<Record<string, string>> = {
  'tr-west-1': 'pipeline-external',
  'la-south-2': 'pipeline-external',
  'af-north-1': 'pipeline',
  'me-east-1': 'pipeline',
  'af-south-1': 'pipeline',
};

const REGIONS: Record<Exclude<EndpointService, 'iam'>, readonly string[]> = {
  dataarts: DATAARTS_REGIONS,
  codeartsDeploy: DEPLOY_REGIONS,
  codeartsPipeline: PIPELINE_REGIONS,
};

export const SERVICE_DISPLAY_NAMES: Record<EndpointService, string> = {
  dataarts: 'DataArts Studio',
  codeartsDeploy: 'CodeArts Deploy',
  codeartsPipeline: 'CodeArts Pipeline',
  iam: 'IAM',
};

export class UnsupportedRegionError extends Error {
  constructor(
    readonly service: EndpointService,
    readonly region: string,
  ) {
    super(
      `${SERVICE_DISPLAY_NAMES[service]} is not offered in region ${region} (HUAWEICLOUD_SDK_REGION)` +
        (service === 'iam' ? '' : `; offered in: ${REGIONS[service].join(', ')}`),
    );
    this.name = 'UnsupportedRegionError';
  }
}

export function isServiceOffered(service: EndpointService, region: string): boolean {
  return service === 'iam' || REGIONS[service].includes(region);
}

/** The public endpoint of a service in a region; throws UnsupportedRegionError when the service is not there. */
export function regionEndpoint(service: EndpointService, region: string): string {
  if (!isServiceOffered(service, region)) throw new UnsupportedRegionError(service, region);
  switch (service) {
    case 'dataarts':
      return `https://dayu.${region}.myhuaweicloud.com`;
    case 'codeartsDeploy':
      return `https://codearts-deploy.${region}.myhuaweicloud.com`;
    case 'codeartsPipeline':
      return `https://${PIPELINE_HOST_EXCEPTIONS[region] ?? 'cloudpipeline-ext'}.${region}.myhuaweicloud.com`;
    case 'iam':
      return `https://iam.${region}.myhuaweicloud.com`;
  }
}

/** Override variable names, one per service. */
export const ENDPOINT_OVERRIDE_VARIABLES: Record<EndpointService, string> = {
  dataarts: 'HUAWEICLOUD_ENDPOINT_DATAARTS',
  codeartsDeploy: 'HUAWEICLOUD_ENDPOINT_CODEARTS_DEPLOY',
  codeartsPipeline: 'HUAWEICLOUD_ENDPOINT_CODEARTS_PIPELINE',
  iam: 'HUAWEICLOUD_ENDPOINT_IAM',
};
