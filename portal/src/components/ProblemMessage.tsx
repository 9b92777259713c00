import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import i18next, { type TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client";
import { NAME_MAX_LENGTH } from "../api/schemaLimits";

export interface ProblemMessageProps {
  readonly error: unknown;
  /** Offers "Try again" when given. */
  readonly onRetry?: () => void;
}

// The problems whose message names a number the service sends beside the code (and so is a plural).
const COUNTED: Readonly<Record<string, string>> = { APP_PASSWORD_LIMIT_REACHED: "limit", LIFETIME_TOO_LONG: "maxDays" };

// Fields the page names in its own words when the service refuses them (`INVALID_REQUEST`).
const KNOWN_FIELDS = new Set(["name", "expiresInDays", "protocols", "allowedIps", "continuation", "user", "id", "upn"]);

/**
 * What the service's problem means, in the page's language, by its stable `code`; the service's own `detail`
 * (English) for a code the page has no words for, such as one newer than the page.
 */
export function describeProblem(error: unknown, t: TFunction): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : t("common:problem.unknown");
  const { code, problem } = error;
  if (error.status === 0) return t("common:problem.unreachable");
  if (code === undefined) return problem.detail ?? t("common:problem.answered", { status: error.status });
  const counted = COUNTED[code];
  const count = counted === undefined ? undefined : (problem as Record<string, unknown>)[counted];
  const key = `problems:code.${code}`;
  // A counted message without its number (an older service) would show "{{count}}": the detail says more.
  if (counted !== undefined && typeof count !== "number") return error.message;
  const values = typeof count === "number" ? { count } : {};
  if (!i18next.exists(key, values)) return error.message;
  const known = t(key, values);
  if (code !== "INVALID_REQUEST") return known;
  const fields = (problem.errors ?? []).map((field) =>
    KNOWN_FIELDS.has(field.field)
      ? t(`problems:field.${field.field}`, { max: NAME_MAX_LENGTH })
      : t("problems:field.other", { field: field.field, message: field.message }),
  );
  return [known, ...new Set(fields)].join(" ");
}

/**
 * What went wrong, in the page's language; when the service is busy or unreachable, that it is worth trying
 * again shortly.
 */
export function ProblemMessage({ error, onRetry }: ProblemMessageProps) {
  const { t } = useTranslation();
  const unavailable = error instanceof ApiError && error.isUnavailable;
  const signedOut = error instanceof ApiError && error.status === 401;
  const title = unavailable
    ? t("problem.unavailableTitle")
    : signedOut
      ? t("problem.signedOutTitle")
      : t("problem.failedTitle");
  const detail = [describeProblem(error, t), ...(signedOut ? [t("problem.signInAgain")] : [])].join(" ");
  return (
    <MessageBar intent={unavailable ? "warning" : "error"} role="alert" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {unavailable ? t("problem.tryShortly", { detail }) : detail}
      </MessageBarBody>
      {onRetry === undefined ? null : (
        <MessageBarActions>
          <Button onClick={onRetry}>{t("problem.retry")}</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
