import { z } from "zod";

/** `me`, or a user's object id (GUID), lowercased. */
export const userParam = z
  .string()
  .regex(
    /^(me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/,
    'must be "me" or an object id',
  )
  .transform((value) => value.toLowerCase());

/** An app password id: 8 lowercase hex digits. */
export const appPasswordIdParam = z.string().regex(/^[0-9a-f]{8}$/, "must be an app password id (8 hex digits)");

// Control characters, bidirectional overrides and isolates, which could disguise a name in the portal, and
// the line and paragraph separators (U+2028, U+2029): a name is one line.
const UNSAFE_CHARACTERS = /[\p{Cc}\p{Zl}\p{Zp}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

// A character that shows on its own: not a format or space character, not a combining mark (nothing to sit
// on), not one of the default-ignorable code points (U+3164 Hangul filler and its kin render as nothing), not
// the braille blank U+2800.
const VISIBLE_CHARACTER = /[^\p{Cf}\p{Z}\s\p{M}\p{Default_Ignorable_Code_Point}\u2800]/u;

/** The name a person gives an app password ("Alice's iPhone"): 1 to 128 characters after trimming. */
export const appPasswordName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .refine((name) => name.isWellFormed(), "must be valid Unicode")
  .refine(
    (name) => !UNSAFE_CHARACTERS.test(name),
    "must not contain control, line-break or bidirectional-override characters",
  )
  .refine((name) => VISIBLE_CHARACTER.test(name), "must contain a visible character");

/** Resolves `me` to the caller's own id. */
export const targetUserId = (param: string, callerId: string) => (param === "me" ? callerId : param);
