import { z } from "zod";
import { HANDOFF_ID_PATTERN, HANDOFF_RULES } from "../domain/handoffs";
import { userParam } from "./requestSchemas";

/** The requests and answers of the hand-off endpoints, declared once for the functions and the OpenAPI document. */

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** base64url without padding, of at least `minBytes` bytes. */
const base64url = (minBytes: number, maxBytes: number) =>
  z
    .string()
    .min(Math.ceil((minBytes * 4) / 3), `must encode at least ${minBytes} bytes`)
    .max(Math.ceil((maxBytes * 4) / 3), `must encode at most ${maxBytes} bytes`)
    .regex(BASE64URL, "must be base64url without padding")
    // A length of 4n+1 characters decodes to no whole number of bytes.
    .refine((value) => value.length % 4 !== 1, "must be base64url without padding");

/** `{ ciphertext, iv }`: AES-GCM output (with its 16-byte tag) and its 12-byte nonce, made in the browser. */
export const handoffBody = z
  .strictObject({
    ciphertext: base64url(17, HANDOFF_RULES.maxRequestBytes).meta({
      description: "AES-GCM ciphertext with its tag, base64url: the service never has the key",
    }),
    iv: base64url(12, 12).meta({ description: "The 96-bit AES-GCM nonce, base64url" }),
  })
  .meta({ id: "HandoffCiphertext" });

/** A hand-off id: an owner tag and 128 random bits, base64url. */
export const handoffIdParam = z
  .string()
  .regex(HANDOFF_ID_PATTERN, "must be a hand-off id (34 base64url characters)")
  .meta({ description: "A hand-off id, from the answer that made it" });

export const ownHandoffRoute = z.object({ user: userParam, handoffId: handoffIdParam });
export const handoffRoute = z.object({ handoffId: handoffIdParam });

export const handoffCreated = z
  .object({
    id: z.string().regex(HANDOFF_ID_PATTERN),
    expiresAt: z.iso.datetime().meta({ description: "ISO 8601, UTC: 10 minutes after it was made" }),
  })
  .meta({ id: "Handoff" });

export const handoffCiphertext = handoffBody;
