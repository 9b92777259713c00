import type { ComposedMail } from "./composeNotice";

/** Sends one mail; throws when it could not (the queue then delivers the notice again). */
export interface Mailer {
  send(mail: ComposedMail): Promise<void>;
}
