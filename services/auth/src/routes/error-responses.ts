import { errorBodySchema, httpStatusOf, type ErrorCode } from '@meshcall/shared';

/** Response schemas for the error codes a route can answer with, so /docs lists them. */
export function errorResponses(...codes: ErrorCode[]): Record<number, typeof errorBodySchema> {
  return Object.fromEntries(codes.map((code) => [httpStatusOf[code], errorBodySchema]));
}
