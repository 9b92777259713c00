import type { JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { ADMIN_ROLE, type Principal } from "../domain/principal";

export type TokenOutcome =
  | { readonly code: "AUTHENTICATED"; readonly principal: Principal }
  | { readonly code: "UNAUTHENTICATED"; readonly detail: string }
  | { readonly code: "INSUFFICIENT_SCOPE"; readonly detail: string; readonly requiredScope: string };

export interface TokenValidatorOptions {
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly jwksUri: string;
  /** The delegated scope every token must carry in `scp` (space-separated). */
  readonly requiredScope: string;
}

export type TokenValidator = (authorization: string | null) => Promise<TokenOutcome>;

/** The issuer's keys could not be fetched: nothing is wrong with the caller's token, they should retry. */
export class IdentityUnavailableError extends Error {
  override readonly name = "IdentityUnavailableError";
}

const claims = z.object({
  oid: z.uuid(),
  preferred_username: z.string().min(1).max(256).optional(),
  upn: z.string().min(1).max(256).optional(),
  roles: z.array(z.string()).optional(),
  scp: z.string().optional(),
  idtyp: z.string().optional(),
  // Optional in a token; a malformed one is ignored rather than refusing the caller.
  email: z.email().max(256).optional().catch(undefined),
});

const unauthenticated = (detail: string): TokenOutcome => ({ code: "UNAUTHENTICATED", detail });

/**
 * Validates Entra ID access tokens: RS256 signature against the issuer's JWKS (fetched and cached by
 * `jose`), `iss`, `aud`, `exp`, `nbf` and the delegated scope in `scp`. The same code validates the local development issuer's tokens.
 *
 * `jose` is loaded on the first token, not with the module: verify, the gateways' call and the first one a new
 * instance answers, never needs it, and loading it is a good part of a cold start.
 */
export function createTokenValidator(options: TokenValidatorOptions, keys?: JWTVerifyGetKey): TokenValidator {
  let loaded: Promise<{ jose: typeof import("jose"); keys: JWTVerifyGetKey }> | undefined;
  const load = () =>
    (loaded ??= import("jose").then((jose) => ({
      jose,
      keys: keys ?? jose.createRemoteJWKSet(new URL(options.jwksUri), { timeoutDuration: 3000 }),
    })));
  return async (authorization) => {
    const match = /^Bearer +([A-Za-z0-9_.~+/=-]+)$/i.exec(authorization?.trim() ?? "");
    if (!match?.[1]) return unauthenticated("Send an access token: Authorization: Bearer <token>.");
    const { jose, keys: getKey } = await load();
    const { errors } = jose;
    let payload: unknown;
    try {
      ({ payload } = await jose.jwtVerify(match[1], getKey, {
        issuer: [...options.issuers],
        audience: [...options.audiences],
        algorithms: ["RS256"],
        clockTolerance: 60,
        requiredClaims: ["exp", "oid"],
      }));
    } catch (error) {
      if (
        error instanceof errors.JWKSTimeout ||
        error instanceof errors.JWKSInvalid ||
        !(error instanceof errors.JOSEError)
      ) {
        throw new IdentityUnavailableError("The token issuer's signing keys could not be fetched", { cause: error });
      }
      return unauthenticated(
        error instanceof errors.JWTExpired ? "The access token has expired." : "The access token is not valid.",
      );
    }
    const parsed = claims.safeParse(payload);
    if (!parsed.success) return unauthenticated("The access token lacks a valid oid claim.");
    const { oid, preferred_username, upn, roles, scp, idtyp, email } = parsed.data;
    // `upn` is the name the tenant assigned; `preferred_username` is mutable and only stands in without it.
    const loginName = upn ?? preferred_username;
    if (idtyp === "app" || loginName === undefined) {
      return unauthenticated("An access token issued to a signed-in user is required.");
    }
    // A token for this audience but another purpose (another scope the API exposes, say) is not enough.
    if (!(scp ?? "").split(" ").includes(options.requiredScope)) {
      return {
        code: "INSUFFICIENT_SCOPE",
        detail: `The access token lacks the scope ${options.requiredScope}.`,
        requiredScope: options.requiredScope,
      };
    }
    return {
      code: "AUTHENTICATED",
      principal: {
        userId: oid.toLowerCase(),
        loginName: loginName.toLowerCase(),
        isAdmin: roles?.includes(ADMIN_ROLE) ?? false,
        ...(email !== undefined && { email: email.toLowerCase() }),
      },
    };
  };
}
