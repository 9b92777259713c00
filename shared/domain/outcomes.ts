/**
 * Expected outcomes that are not success, shared by the domain operations. Each `code` is also the stable
 * `code` of the problem+json answer that carries it (see `problemResponse.ts`).
 */
export type Refusal =
  | { readonly code: "FORBIDDEN"; readonly detail: string }
  | { readonly code: "SELF_SERVICE_ONLY"; readonly detail: string }
  | { readonly code: "APP_PASSWORDS_DISABLED"; readonly detail: string }
  | { readonly code: "REGISTRATION_REQUIRED"; readonly detail: string }
  | { readonly code: "APP_PASSWORD_NOT_FOUND"; readonly detail: string }
  | { readonly code: "APP_PASSWORD_LIMIT_REACHED"; readonly detail: string; readonly limit: number }
  | { readonly code: "LIFETIME_TOO_LONG"; readonly detail: string; readonly maxDays: number }
  | { readonly code: "USER_NOT_FOUND"; readonly detail: string }
  | { readonly code: "INVALID_CONTINUATION"; readonly detail: string }
  | { readonly code: "LOGIN_NAME_IN_USE"; readonly detail: string }
  | { readonly code: "LOGIN_NAME_NOT_FOUND"; readonly detail: string }
  | { readonly code: "CONTENTION"; readonly detail: string }
  | { readonly code: "POLICY_CHANGED"; readonly detail: string }
  | { readonly code: "HANDOFF_NOT_FOUND"; readonly detail: string }
  | {
      readonly code: "HANDOFF_LIMIT_REACHED";
      readonly detail: string;
      readonly limit: number;
      readonly retryAfterSeconds: number;
    };
