import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWTHeaderParameters } from "jose";

/** The claims a token is minted with; `undefined` members are left out of the token. */
export type Claims = Record<string, unknown>;

export interface MintOptions {
  /** Signing key; the trusted one when not given. */
  readonly key?: CryptoKey;
  /** Protected header members, over `{ alg: "RS256", kid, typ: "JWT" }`. */
  /** Over the issuer's own header; a parameter given as undefined is left out. */
  readonly header?: { readonly [K in keyof JWTHeaderParameters]?: JWTHeaderParameters[K] | undefined };
}

/** A person as the trusted issuer's tokens name them. */
export interface Person {
  readonly oid: string;
  readonly upn: string;
}

/**
 * A token issuer the service under test trusts: an RS256 key pair of the test's own, its public half served
 * as a JWKS on loopback. Unlike the development issuer, it signs any claims at all, so tokens that are
 * expired, not yet valid, or for the wrong issuer or audience, can be made with a key the service trusts.
 */
export interface TrustedIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly kid: string;
  /** The settings that make the service trust this issuer. */
  readonly env: { AUTH_ISSUER: string; AUTH_AUDIENCE: string; AUTH_JWKS_URI: string };
  readonly publicKeyPem: string;
  /** The standard claims of a valid token for `person`: iss, aud, iat, nbf, exp (in an hour), oid, login name. */
  claimsFor(person: Person, roles?: readonly string[]): Claims;
  /** Signs `claims` exactly as given. */
  mint(claims: Claims, options?: MintOptions): Promise<string>;
  /** A valid token for `person`. */
  token(person: Person, roles?: readonly string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startTrustedIssuer(issuer: string, audience: string): Promise<TrustedIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = "security-test-1";
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }] };
  const publicKeyPem = await exportSPKI(publicKey);

  const server = createServer((request, response) => {
    if (request.method === "GET" && request.url === "/jwks") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(jwks));
      return;
    }
    response.writeHead(404);
    response.end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  const claimsFor = (person: Person, roles: readonly string[] = []): Claims => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: issuer,
      aud: audience,
      iat: now,
      nbf: now,
      exp: now + 3600,
      oid: person.oid,
      sub: person.oid,
      preferred_username: person.upn,
      roles: [...roles],
      scp: "AppPasswords.Manage",
      ver: "2.0",
    };
  };
  const mint = (claims: Claims, options: MintOptions = {}) => {
    const payload = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
    return new SignJWT(payload)
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT", ...options.header } as JWTHeaderParameters)
      .sign(options.key ?? privateKey);
  };

  return {
    issuer,
    audience,
    kid,
    env: { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience, AUTH_JWKS_URI: `http://127.0.0.1:${port}/jwks` },
    publicKeyPem,
    claimsFor,
    mint,
    token: (person, roles) => mint(claimsFor(person, roles)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
