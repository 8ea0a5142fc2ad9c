/**
 * Free text a caller sends on to Huawei Cloud (names, keywords, deploy parameters). Besides its length,
 * it must be well-formed Unicode: a JavaScript string can hold an unpaired UTF-16 surrogate (a query
 * value such as `%ED%A0%80` decoded by the gateway, or `"\ud800"` in a JSON body), which cannot be
 * percent-encoded for a URL (encodeURIComponent throws) nor sent as UTF-8, so it is refused here, named,
 * before any call.
 */
import '../zod-config';
import * as z from 'zod/mini';

declare global {
  interface String {
    /** ES2024 (Node 20+): false when the string holds an unpaired surrogate. tsconfig's lib is ES2022. */
    isWellFormed(): boolean;
  }
}

export const UNPAIRED_SURROGATE_MESSAGE = 'must be valid Unicode text (it holds an unpaired surrogate)';

export const isWellFormedText = (value: string): boolean => value.isWellFormed();

/** A string of `min`..`max` UTF-16 code units that is well-formed Unicode (a `min` of 0 sets no lower bound). */
export const textSchema = (min: number, max: number) =>
  z.string().check(...(min > 0 ? [z.minLength(min)] : []), z.maxLength(max), z.refine(isWellFormedText, UNPAIRED_SURROGATE_MESSAGE));
