import type { NoticeMessages } from "./composeNotice";

/** The notices' words in English. */
export const messagesEn: NoticeMessages = {
  subject: {
    created: (n) => `A new app password "${n.name}" was created`,
    "first-use-from-new-address": (n) => `Your app password "${n.name}" was used from a new address`,
    expiring: (n) => `Your app password "${n.name}" expires in 7 days`,
    deleted: (n) => `Your app password "${n.name}" was deleted`,
  },
  body: {
    created: (n) => `An app password named "${n.name}" was created for your account on ${n.when}, from ${n.ip}.`,
    "first-use-from-new-address": (n) =>
      `Your app password "${n.name}" signed in for the first time from ${n.ip} (${n.protocol}) on ${n.when}.`,
    expiring: (n) =>
      `Your app password "${n.name}" stops working on ${n.expires}. Create a new one before then if you still need it.`,
    deleted: (n) =>
      n.by === "admin"
        ? `An administrator deleted your app password "${n.name}" on ${n.when}.`
        : `Your app password "${n.name}" was deleted on ${n.when} because it had expired or was not used.`,
  },
  unknownAddress: "an unknown address",
  ifNotYou: "If this was not you, delete the app password at once on your app passwords page:",
  seeActivity: "See your account's activity:",
  footer: "This message was sent automatically. It never contains a password.",
};
