import type { HttpHandler } from "@azure/functions";
import { StorageUnavailableError } from "../domain/appPasswordStore";
import { problemResponse } from "./problemResponse";
import { IdentityUnavailableError } from "./tokenValidator";

/**
 * Wraps a function's handler: infrastructure faults become 503 (try again later), and anything else
 * unexpected a logged, generic 500. No answer ever carries a stack trace.
 */
export function handleErrors(handler: HttpHandler): HttpHandler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      if (error instanceof StorageUnavailableError) {
        context.warn(`Table Storage unavailable: ${describe(error.cause)}`);
        return problemResponse("STORAGE_UNAVAILABLE", "Storage is unavailable. Try again shortly.", {
          retryAfterSeconds: 5,
        });
      }
      if (error instanceof IdentityUnavailableError) {
        context.warn(`Token issuer unavailable: ${describe(error.cause)}`);
        return problemResponse("IDENTITY_UNAVAILABLE", "The token issuer cannot be reached. Try again shortly.", {
          retryAfterSeconds: 5,
        });
      }
      context.error(`Unhandled error: ${error instanceof Error ? (error.stack ?? describe(error)) : describe(error)}`);
      return problemResponse("INTERNAL_ERROR", "Something went wrong on our side.");
    }
  };
}

/** Error name and message only: no request content, which may hold a password. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
}
