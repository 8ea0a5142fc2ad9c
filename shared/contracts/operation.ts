/** The shape of one upstream operation's contract (ts-rest style): the only source of its types. */
import type * as z from 'zod/mini';

export type ServiceName = 'dataarts' | 'codeartsDeploy' | 'codeartsPipeline';

export interface OperationContract<
  P extends z.ZodMiniType = z.ZodMiniType,
  Q extends z.ZodMiniType = z.ZodMiniType,
  H extends z.ZodMiniType = z.ZodMiniType,
  B extends z.ZodMiniType = z.ZodMiniType,
  R extends z.ZodMiniType = z.ZodMiniType,
> {
  /** The SDK's operation name, used in logs and errors. */
  readonly name: string;
  readonly service: ServiceName;
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Path template with `{param}` placeholders; each is filled from `pathParams`, encoded once. */
  readonly path: string;
  readonly pathParams: P;
  readonly query: Q;
  readonly headers: H;
  /** The request body; `undefined` for operations that take none. */
  readonly body: B | undefined;
  /** The 200 response body. */
  readonly response: R;
  /** Reads may be retried on 504 too; writes never blindly. */
  readonly readOnly: boolean;
}

export type PathParamsOf<C extends OperationContract> = z.input<C['pathParams']>;
export type QueryOf<C extends OperationContract> = z.input<C['query']>;
export type HeadersOf<C extends OperationContract> = z.input<C['headers']>;
export type BodyOf<C extends OperationContract> = C['body'] extends z.ZodMiniType ? z.input<C['body']> : undefined;
export type ResponseOf<C extends OperationContract> = z.output<C['response']>;

export function defineOperation<
  P extends z.ZodMiniType,
  Q extends z.ZodMiniType,
  H extends z.ZodMiniType,
  B extends z.ZodMiniType,
  R extends z.ZodMiniType,
>(contract: OperationContract<P, Q, H, B, R>): OperationContract<P, Q, H, B, R> {
  return contract;
}
