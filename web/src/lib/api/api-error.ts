import { ClientErrorCode, MeshcallError, type MeshcallErrorCode } from '@meshcall/client';

/**
 * The web's errors are @meshcall/client's: one class for HTTP and socket failures, with the
 * server's catalogue code or the client's own (NETWORK, TIMEOUT, BAD_RESPONSE). The names the UI
 * grew up with stay as aliases.
 */
export {
  ClientErrorCode,
  MeshcallError as ApiError,
  errorFromAck as apiErrorFromAck,
  errorFromResponse as apiErrorFromResponse,
  isMeshcallError as isApiError,
} from '@meshcall/client';

/** Every code the UI may have to explain. */
export type UiErrorCode = MeshcallErrorCode;

/** Any thrown value as an ApiError, so the UI has exactly one shape to explain. */
export function toApiError(error: unknown): MeshcallError {
  if (error instanceof MeshcallError) return error;
  return new MeshcallError(ClientErrorCode.BAD_RESPONSE, 'Something unexpected happened.');
}
