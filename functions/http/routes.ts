/** Every HTTP route, in one list: the OpenAPI document and the local server are built from it. */
import type { AnyRouteSpec } from '../../shared/http-function';
import { listPendingItemsRoute } from './list-pending-items';
import { publishReleasePackageRoute } from './publish-release-package';
import { queryReleasePackagesRoute } from './query-release-packages';
import { rejectManualReviewRoute } from './reject-manual-review';
import { startDeployTaskRoute } from './start-deploy-task';
import { pipelineGateHttpRoute } from '../events/pipeline-gate';

export const httpRoutes: readonly AnyRouteSpec[] = [
  listPendingItemsRoute,
  publishReleasePackageRoute,
  queryReleasePackagesRoute,
  startDeployTaskRoute,
  rejectManualReviewRoute,
  pipelineGateHttpRoute,
] as unknown as readonly AnyRouteSpec[];
