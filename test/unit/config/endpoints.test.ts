/**
 * The region → endpoint table (../shared/api-reference.md §4), including the CodeArts Pipeline host exceptions.
 */
import {
  ENDPOINT_OVERRIDE_VARIABLES,
  SERVICE_DISPLAY_NAMES,
  UnsupportedRegionError,
  isServiceOffered,
  regionEndpoint,
  type EndpointService,
} from '../../../shared/config/endpoints';

/** The support matrix of api-reference §4, one row per region: [dataarts, deploy, pipeline host or undefined]. */
const MATRIX: ReadonlyArray<[string, boolean, boolean, string | undefined]> = [
  ['cn-north-1', true, true, 'cloudpipeline-ext'],
  ['cn-north-2', true, false, undefined],
  ['cn-north-4', true, true, 'cloudpipeline-ext'],
  ['cn-north-9', true, false, undefined],
  ['cn-north-11', true, false, undefined],
  ['cn-east-2', true, true, 'cloudpipeline-ext'],
  ['cn-east-3', true, true, 'cloudpipeline-ext'],
  ['cn-east-4', true, false, undefined],
  ['cn-south-1', true, true, 'cloudpipeline-ext'],
  ['cn-south-2', false, false, 'cloudpipeline-ext'],
  ['cn-southwest-2', true, false, 'cloudpipeline-ext'],
  ['ap-southeast-1', true, false, undefined],
  ['ap-southeast-2', true, false, undefined],
  ['ap-southeast-3', true, true, 'cloudpipeline-ext'],
  ['ap-southeast-4', true, false, undefined],
  ['af-south-1', true, false, 'pipeline'],
  ['af-north-1', false, false, 'pipeline'],
  ['ru-northwest-2', true, false, undefined],
  ['ru-moscow-1', true, false, undefined],
  ['sa-brazil-1', true, true, 'cloudpipeline-ext'],
  ['la-south-2', true, false, 'pipeline-external'],
  ['la-north-2', true, true, 'cloudpipeline-ext'],
  ['na-mexico-1', true, false, undefined],
  ['tr-west-1', true, true, 'pipeline-external'],
  ['me-east-1', true, false, 'pipeline'],
  ['eu-west-101', true, false, undefined],
  ['ae-ad-1', true, false, undefined],
  ['my-kualalumpur-1', true, false, undefined],
];

function endpointOrError(service: EndpointService, region: string): string {
  try {
    return regionEndpoint(service, region);
  } catch (error) {
    if (error instanceof UnsupportedRegionError) return `unsupported: ${error.message}`;
    throw error;
  }
}

describe('Endpoints: the region table', () => {
  it.each(MATRIX)('%s: DataArts %s, Deploy %s, Pipeline host %s', (region, dataarts, deploy, pipelineHost) => {
    // Prepare
    const expected = {
      dataarts: dataarts ? `https://dayu.${region}.myhuaweicloud.com` : 'unsupported',
      codeartsDeploy: deploy ? `https://codearts-deploy.${region}.myhuaweicloud.com` : 'unsupported',
      codeartsPipeline: pipelineHost ? `https://${pipelineHost}.${region}.myhuaweicloud.com` : 'unsupported',
      iam: `https://iam.${region}.myhuaweicloud.com`,
    };

    // Act
    const actual = {
      dataarts: endpointOrError('dataarts', region).replace(/^unsupported: .*$/, 'unsupported'),
      codeartsDeploy: endpointOrError('codeartsDeploy', region).replace(/^unsupported: .*$/, 'unsupported'),
      codeartsPipeline: endpointOrError('codeartsPipeline', region).replace(/^unsupported: .*$/, 'unsupported'),
      iam: endpointOrError('iam', region),
    };

    // Assess
    expect(actual).toStrictEqual(expected);
  });

  it.each([
    ['tr-west-1', 'https://pipeline-external.tr-west-1.myhuaweicloud.com'],
    ['la-south-2', 'https://pipeline-external.la-south-2.myhuaweicloud.com'],
    ['af-north-1', 'https://pipeline.af-north-1.myhuaweicloud.com'],
    ['me-east-1', 'https://pipeline.me-east-1.myhuaweicloud.com'],
    ['af-south-1', 'https://pipeline.af-south-1.myhuaweicloud.com'],
  ])('uses the CodeArts Pipeline host exception in %s', (region, expected) => {
    // Prepare
    const service: EndpointService = 'codeartsPipeline';

    // Act
    const endpoint = regionEndpoint(service, region);

    // Assess
    expect(endpoint).toBe(expected);
  });

  it('knows the services offered, and IAM everywhere', () => {
    // Prepare
    const region = 'cn-north-2';

    // Act
    const offered = (['dataarts', 'codeartsDeploy', 'codeartsPipeline', 'iam'] as const).map((service) => isServiceOffered(service, region));

    // Assess
    expect(offered).toStrictEqual([true, false, false, true]);
  });
});

describe('Endpoints: a service not offered in a region', () => {
  it('throws UnsupportedRegionError naming the service, the region and where it is offered', () => {
    // Prepare
    const act = () => regionEndpoint('codeartsDeploy', 'ap-southeast-1');

    // Act
    let thrown: unknown;
    try {
      act();
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(UnsupportedRegionError);
    const error = thrown as UnsupportedRegionError;
    expect({ name: error.name, service: error.service, region: error.region, message: error.message }).toStrictEqual({
      name: 'UnsupportedRegionError',
      service: 'codeartsDeploy',
      region: 'ap-southeast-1',
      message:
        'CodeArts Deploy is not offered in region ap-southeast-1 (HUAWEICLOUD_SDK_REGION); offered in: cn-north-1, cn-north-4, cn-east-2, cn-east-3, cn-south-1, ap-southeast-3, sa-brazil-1, la-north-2, tr-west-1',
    });
  });

  it.each([
    ['dataarts', 'cn-south-2', 'DataArts Studio is not offered in region cn-south-2 (HUAWEICLOUD_SDK_REGION); offered in: '],
    ['codeartsPipeline', 'ap-southeast-1', 'CodeArts Pipeline is not offered in region ap-southeast-1 (HUAWEICLOUD_SDK_REGION); offered in: '],
    ['dataarts', 'xx-nowhere-1', 'DataArts Studio is not offered in region xx-nowhere-1 (HUAWEICLOUD_SDK_REGION); offered in: '],
  ] as const)('%s in %s', (service, region, prefix) => {
    // Prepare
    const act = () => regionEndpoint(service, region);

    // Act
    const message = endpointOrError(service, region);

    // Assess
    expect(act).toThrow(UnsupportedRegionError);
    expect(message.startsWith(`unsupported: ${prefix}`)).toBe(true);
  });
});

describe('Endpoints: names', () => {
  it('has one override variable and one display name per service', () => {
    // Prepare
    const services = ['dataarts', 'codeartsDeploy', 'codeartsPipeline', 'iam'];

    // Act
    const table = { variables: ENDPOINT_OVERRIDE_VARIABLES, names: SERVICE_DISPLAY_NAMES };

    // Assess
    expect(Object.keys(table.variables).sort()).toStrictEqual([...services].sort());
    expect(table).toStrictEqual({
      variables: {
        dataarts: 'HUAWEICLOUD_ENDPOINT_DATAARTS',
        codeartsDeploy: 'HUAWEICLOUD_ENDPOINT_CODEARTS_DEPLOY',
        codeartsPipeline: 'HUAWEICLOUD_ENDPOINT_CODEARTS_PIPELINE',
        iam: 'HUAWEICLOUD_ENDPOINT_IAM',
      },
      names: { dataarts: 'DataArts Studio', codeartsDeploy: 'CodeArts Deploy', codeartsPipeline: 'CodeArts Pipeline', iam: 'IAM' },
    });
  });
});
