/** Invocation contexts as the platforms pass them: the test helpers' shapes, with a fresh request id each time. */
import { functionGraphContext, lambdaContext } from '../../test/helpers/contexts';

export type ContextKind = 'functiongraph' | 'lambda';

let sequence = 0;

export function contextFor(kind: ContextKind): unknown {
  sequence += 1;
  const requestId = `6b5a1a0f-1c2d-4e3f-8a9b-${sequence.toString(16).padStart(12, '0')}`;
  return kind === 'lambda' ? lambdaContext({ awsRequestId: requestId }) : functionGraphContext({ requestId });
}
