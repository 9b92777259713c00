import { createHash } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";

export interface DevTokenRequest {
  readonly upn: string;
  readonly oid?: string;
  readonly roles?: readonly string[];
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
 * signs go through exactly the validation production tokens do. It never runs in Azure. The key pair is
 * generated in the background (an RSA key takes a good part of start-up), so the host need not wait for it.
 */
export function createDevTokenIssuer(issuer: string, audience: string, scope: string = DEV_SCOPE): DevTokenIssuer {
  const kid = "dev-1";
  const key = generateKeyPair("RS256").then(async ({ privateKey, publicKey }) => ({
    privateKey,
    jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" },
  }));
  // Until someone asks for a token or the keys, a failure has nobody to go to; they get it then.
  key.catch(() => undefined);
  return {
    issuer,
    audience,
    jwks: async () => ({ keys: [(await key).jwk] }),
    issue: async (request) =>
      new SignJWT({
        oid: request.oid ?? devObjectId(request.upn),
        preferred_username: request.upn,
        name: request.upn.split("@")[0],
        roles: [...(request.roles ?? [])],
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
        .sign((await key).privateKey),
  };
}
