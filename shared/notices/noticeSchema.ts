import { z } from "zod";
import { PROTOCOLS } from "../domain/protocols";

/** A queue message read back as a notice (the queue is ours, but a message is checked at the edge all the same). */
export const noticeSchema = z.object({
  id: z.string().min(1).max(200),
  userId: z.string().min(1).max(100),
  kind: z.enum(["created", "first-use-from-new-address", "expiring", "deleted"]),
  at: z.iso.datetime(),
  name: z.string().max(256).optional(),
  ip: z.string().max(64).optional(),
  protocol: z.enum(PROTOCOLS).optional(),
  expiresAt: z.iso.datetime().optional(),
  by: z.enum(["admin", "clean-up"]).optional(),
});

export type QueuedNotice = z.infer<typeof noticeSchema>;
