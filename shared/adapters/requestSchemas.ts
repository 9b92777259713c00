import { z } from "zod";
import { PROTOCOLS, normalizeProtocol } from "../domain/protocols";
import { parseRange } from "../domain/addresses";
import { MAX_ALLOWED_IPS, MAX_LIFETIME_DAYS } from "../domain/restrictions";

/**
 * `me`, a user's object id (GUID), or a login name (UPN, any case; administrators only: the domain refuses
 * anyone else naming another person). Exactly `me` means the caller; anything else is lowercased. What
 * cannot be a login name (a slash, a control character, white space, a dot segment) is refused here.
 */
export const userParam = z
  .string()
  .min(1, "must not be empty")
  .max(256, "must be at most 256 characters")
  .regex(/^[^\s\p{Cc}\p{Cf}\p{Z}/\\]+$/u, 'must be "me", an object id or a login name')
  .refine(
    // "ME" and the like would read as "me" once lowercased: refused rather than guessed.
    (value) =>
      value.isWellFormed() && value !== "." && value !== ".." && (value === "me" || value.toLowerCase() !== "me"),
    'must be "me", an object id or a login name',
  )
  .transform((value) => (value === "me" ? value : value.toLowerCase()))
  .meta({ description: '"me", an object id, or (for administrators) a login name in any case' });

/** An app password id: 8 lowercase hex digits. */
export const appPasswordIdParam = z.string().regex(/^[0-9a-f]{8}$/, "must be an app password id (8 hex digits)");

// Control characters and the line and paragraph separators (U+2028, U+2029): a name is one line.
const UNSAFE_CHARACTERS = /[\p{Cc}\p{Zl}\p{Zp}]/u;

// Format characters (Unicode category Cf) are invisible: bidirectional overrides and isolates that could
// disguise a name, zero-width spaces and joiners, word joiners, tag characters, interlinear annotations. One is
// kept: the zero-width joiner between two pictographs, which makes one emoji of them (👩‍💻).
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic})/gu;
const FORMAT_CHARACTER = /\p{Cf}/u;

/** Most combining marks one character can carry in a name: enough for any script, too few to smear a line. */
export const MAX_COMBINING_MARKS = 4;
const STACKED_MARKS = new RegExp(`\\p{M}{${MAX_COMBINING_MARKS + 1},}`, "u");

// A character that shows on its own: not a format or space character, not a combining mark (nothing to sit
// on), not one of the default-ignorable code points (U+3164 Hangul filler and its kin render as nothing), not
// the braille blank U+2800.
const VISIBLE_CHARACTER = /[^\p{Cf}\p{Z}\s\p{M}\p{Default_Ignorable_Code_Point}\u2800]/u;

/**
 * The name a person gives an app password ("Alice's iPhone"): 1 to 128 characters after trimming, in
 * Unicode's composed form (NFC), so that two names that look the same are the same.
 */
export const appPasswordName = z
  .string()
  .trim()
  .normalize("NFC")
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .refine((name) => name.isWellFormed(), "must be valid Unicode")
  .refine((name) => !UNSAFE_CHARACTERS.test(name), "must not contain control or line-break characters")
  .refine(
    (name) => !FORMAT_CHARACTER.test(name.replace(EMOJI_JOINER, "")),
    "must not contain invisible format characters (zero-width, bidirectional or tag characters)",
  )
  .refine(
    (name) => !STACKED_MARKS.test(name),
    `must not stack more than ${MAX_COMBINING_MARKS} combining marks on one character`,
  )
  .refine((name) => VISIBLE_CHARACTER.test(name), "must contain a visible character");

/** The body of `POST /users/{user}/app-passwords`. */
export const createAppPasswordBody = z.strictObject({
  name: appPasswordName,
  expiresInDays: z
    .number()
    .int("must be a whole number of days")
    .min(1, "must be at least 1")
    .max(MAX_LIFETIME_DAYS, `must be at most ${MAX_LIFETIME_DAYS}`)
    .optional(),
  protocols: z.array(z.enum(PROTOCOLS)).min(1, "must name at least one protocol").max(PROTOCOLS.length).optional(),
  allowedIps: z
    .array(
      z
        .string()
        .max(64)
        .transform((value, context) => {
          const range = parseRange(value);
          if (range.ok) return range.canonical;
          context.addIssue({ code: "custom", message: range.reason });
          return z.NEVER;
        }),
    )
    .min(1, "must list at least one range")
    .max(MAX_ALLOWED_IPS, `must list at most ${MAX_ALLOWED_IPS} ranges`)
    .optional()
    .meta({
      description:
        "CIDR ranges (a bare address is its own), stored with host bits masked in canonical form; " +
        "::ffff:a.b.c.d/n is the IPv4 range a.b.c.d/(n-96) (refused below 96); an IPv6 range containing " +
        "::ffff:0:0/96 or IPv4-compatible addresses (::/96 outside ::/112), and zone ids, are refused",
    }),
});

/** The body of `PATCH /users/{user}/app-passwords/{id}`. */
export const renameAppPasswordBody = z.strictObject({ name: appPasswordName });

/** The query of `GET /users/{user}/activity`. */
export const activityQuery = z.strictObject({
  limit: z.coerce.number().int("must be a whole number").min(1).max(100).default(50),
  continuation: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[A-Za-z0-9_-]+$/, "must be a continuation")
    .optional(),
});

/** Route parameters of the routes about one user. */
export const userRoute = z.object({ user: userParam });

/** Route parameters of the routes about one app password. */
export const appPasswordRoute = z.object({ user: userParam, id: appPasswordIdParam });

/** The body of `POST /users/{user}/registration`, which may also be empty. */
/** `/login-names/{loginName}`: a login name, as an admin names it. */
export const loginNameRoute = z.object({
  loginName: z
    .string()
    .trim()
    .min(1)
    .max(256)
    .refine((name) => name.isWellFormed(), "must be valid Unicode"),
});

/** `/users/{user}/released-login-names/{loginName}`: a login name released from one account. */
export const releasedLoginNameRoute = z.object({ user: userParam, loginName: loginNameRoute.shape.loginName });

export const registrationBody = z.strictObject({ name: appPasswordName.optional() });

/** Route parameters of delete: one app password, or without `{id}` all of the user's. */
export const deleteAppPasswordRoute = z.object({ user: userParam, id: appPasswordIdParam.optional() });

/**
 * What a gateway sends. Lenient where a gateway cannot do better: fields it adds are ignored, and a login
 * name or password that could never match is a wrong password (200 `valid: false`), not a 400 the gateway
 * would report as an outage. Strict where the gateway is misconfigured: `user` and `clientIp` are required.
 */
export const verifyRequestBody = z.object({
  user: z.string().trim().meta({ description: "A login name (any case) or an object id" }),
  password: z.string(),
  clientIp: z.union([z.ipv4(), z.ipv6()], { error: "must be the mail client's IPv4 or IPv6 address" }),
  protocol: z
    .unknown()
    .optional()
    .transform((value) => normalizeProtocol(typeof value === "string" ? value : undefined))
    .meta({ description: "imap, pop3, smtp, eas, dav or other, or a gateway's own name for one (imaps, submission…)" }),
});
