import { createHash } from "node:crypto";
import type { CryptoKey, JWK } from "jose";

export interface DevTokenRequest {
  readonly upn: string;
  readonly oid?: string | undefined;
  readonly roles?: readonly string[] | undefined;
  /** An `email` claim, as tenants that send it give one: where notices go. */
  readonly email?: string | undefined;
}

export interface DevTokenIssuer {
  readonly issuer: string;
  readonly audience: string;
  /** The public key set tokens are checked against. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Signs an access token shaped like Entra ID's for `request`, valid for an hour. */
  issue(request: DevTokenRequest): Promise<string>;
}

/** The delegated scope its tokens carry unless told otherwise: the one the README's Entra set-up creates. */
export const DEV_SCOPE = "AppPasswords.Manage";

/** The object id a login name gets when none is given: stable, so a restart keeps the same users. */
export function devObjectId(upn: string): string {
  const hex = createHash("sha256").update(upn.toLowerCase()).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A stand-in for Entra ID on a developer's machine: its own RS256 key, published as a JWKS, so tokens it
 * signs go through exactly the validation production tokens do. It never runs in Azure. `jose` and the key
 * pair are made when someone first asks for a token or the keys, so a fresh service answers its first verify
 * without either (an RSA key takes a good part of a cold start).
 */
export function createDevTokenIssuer(issuer: string, audience: string, scope: string = DEV_SCOPE): DevTokenIssuer {
  const kid = "dev-1";
  let key: Promise<{ jose: typeof import("jose"); privateKey: CryptoKey; jwk: JWK }> | undefined;
  const load = () =>
    (key ??= import("jose").then(async (jose) => {
      const { privateKey, publicKey } = await jose.generateKeyPair("RS256");
      return { jose, privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
    }));
  return {
    issuer,
    audience,
    jwks: async () => ({ keys: [(await load()).jwk] }),
    issue: async (request) => {
      const { jose, privateKey } = await load();
      return new jose.SignJWT({
        oid: request.oid ?? devObjectId(request.upn),
        preferred_username: request.upn,
        name: request.upn.split("@")[0],
        roles: [...(request.roles ?? [])],
        ...(request.email !== undefined && { email: request.email }),
        scp: scope,
        ver: "2.0",
      })
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(request.oid ?? devObjectId(request.upn))
        .setIssuedAt()
        .setNotBefore("0s")
        .setExpirationTime("1h")
        .sign(privateKey);
    },
  };
}
