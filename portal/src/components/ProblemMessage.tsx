import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { ApiError } from "../api/client";

export interface ProblemMessageProps {
  readonly error: unknown;
  /** Offers "Try again" when given. */
  readonly onRetry?: () => void;
}

/**
 * What went wrong, in the service's own words (`detail`); when the service is busy or unreachable, that it is
 * worth trying again shortly.
 */
export function ProblemMessage({ error, onRetry }: ProblemMessageProps) {
  const unavailable = error instanceof ApiError && error.isUnavailable;
  const signedOut = error instanceof ApiError && error.status === 401;
  const title = unavailable
    ? "The service is unavailable right now"
    : signedOut
      ? "Your sign-in has expired"
      : "That did not work";
  const fields = error instanceof ApiError ? (error.problem.errors ?? []) : [];
  const detail = [
    error instanceof Error ? error.message : "Something went wrong.",
    ...fields.map((field) => `${field.field}: ${field.message}.`),
    ...(signedOut ? ["Sign out and sign in again."] : []),
  ].join(" ");
  return (
    <MessageBar intent={unavailable ? "warning" : "error"} role="alert" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {unavailable ? `Please try again shortly. (${detail})` : detail}
      </MessageBarBody>
      {onRetry === undefined ? null : (
        <MessageBarActions>
          <Button onClick={onRetry}>Try again</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
