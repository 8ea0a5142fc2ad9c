/**
 * Response fields as Huawei Cloud sends them. Its services write an unset field as `null` as readily as they
 * leave it out (the official SDKs' models accept both), so an optional response field is `z.nullish` and a
 * list is read as empty when it is null or missing: a package still awaiting approval, with no deployer yet,
 * must not make its whole page "an unexpected response".
 */
import '../zod-config';
import * as z from 'zod/mini';

/**
 * The item schema of each list made by `listOf`: its output is a transform, which JSON Schema cannot show, so
 * the OpenAPI document describes it as the array it always is (shared/openapi.ts).
 */
export const listItemSchemas = new WeakMap<object, z.ZodMiniType>();

/** A list that may be missing or null: read as empty. */
export function listOf<T extends z.ZodMiniType>(item: T) {
  const list = z.pipe(
    z.nullish(z.array(item)),
    z.transform((value: z.output<T>[] | null | undefined): z.output<T>[] => value ?? []),
  );
  listItemSchemas.set(list, item);
  return list;
}
