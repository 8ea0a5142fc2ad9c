/** Every HTTP route, in one list: the OpenAPI document is built from it. */
import type { AnyRouteSpec } from '../../shared/http-function';
import { listPendingItemsRoute } from './list-pending-items';
import { pipelineEventWebhookRoute } from './pipeline-event-webhook';
import { publishReleasePackageRoute } from './publish-release-package';
import { queryReleasePackagesRoute } from './query-release-packages';
import { rejectManualReviewRoute } from './reject-manual-review';
import { startDeployTaskRoute } from './start-deploy-task';

export const httpRoutes: readonly AnyRouteSpec[] = [
  listPendingItemsRoute,
  publishReleasePackageRoute,
  queryReleasePackagesRoute,
  startDeployTaskRoute,
  rejectManualReviewRoute,
  pipelineEventWebhookRoute,
] as unknown as readonly AnyRouteSpec[];
