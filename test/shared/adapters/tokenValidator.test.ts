import { randomUUID } from "node:crypto";
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createTokenValidator, type TokenValidator } from "../../../shared/adapters/tokenValidator";

const ISSUER = "https://login.example.test/contoso/v2.0";
const AUDIENCE = "api://app-passwords-unit";

describe("createTokenValidator", () => {
  let privateKey: CryptoKey;
  let validate: TokenValidator;

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    privateKey = pair.privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: "unit", alg: "RS256" };
    validate = createTokenValidator(
      {
        issuers: [ISSUER],
        audiences: [AUDIENCE],
        jwksUri: "https://unused.example",
        requiredScope: "AppPasswords.Manage",
      },
      createLocalJWKSet({ keys: [jwk] }),
    );
  });

  const token = (claims: Record<string, unknown>) =>
    new SignJWT({ oid: randomUUID(), scp: "AppPasswords.Manage", ...claims })
      .setProtectedHeader({ alg: "RS256", kid: "unit" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
  const outcome = async (claims: Record<string, unknown>) => validate(`Bearer ${await token(claims)}`);

  it("takes the login name from upn, which the tenant assigns, over the mutable preferred_username", async () => {
    expect(await outcome({ upn: "Alice@Contoso.com", preferred_username: "mallory@contoso.com" })).toMatchObject({
      code: "AUTHENTICATED",
      principal: { loginName: "alice@contoso.com" },
    });
  });

  it("falls back to preferred_username only in a token without upn", async () => {
    expect(await outcome({ preferred_username: "bob@contoso.com" })).toMatchObject({
      principal: { loginName: "bob@contoso.com" },
    });
  });

  it.each([
    ["no scp", undefined],
    ["an empty scp", ""],
    ["another scope", "User.Read"],
    ["the scope in another case", "appPasswords.manage"],
    ["a scope that merely starts like it", "AppPasswords.ManageAll"],
  ])("answers INSUFFICIENT_SCOPE for %s", async (_label, scp) => {
    expect(await outcome({ upn: "carol@contoso.com", scp })).toMatchObject({
      code: "INSUFFICIENT_SCOPE",
      requiredScope: "AppPasswords.Manage",
    });
  });

  it("accepts the scope among others in scp", async () => {
    expect(await outcome({ upn: "dan@contoso.com", scp: "User.Read AppPasswords.Manage" })).toMatchObject({
      code: "AUTHENTICATED",
    });
  });
});
