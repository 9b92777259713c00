import type { NoticeMessages } from "./composeNotice";

/** De woorden van de meldingen in het Nederlands, met "u" zoals de pagina. */
export const messagesNl: NoticeMessages = {
  subject: {
    created: (n) => `Er is een nieuw app-wachtwoord "${n.name}" gemaakt`,
    "first-use-from-new-address": (n) => `Uw app-wachtwoord "${n.name}" is gebruikt vanaf een nieuw adres`,
    expiring: (n) => `Uw app-wachtwoord "${n.name}" verloopt over 7 dagen`,
    deleted: (n) => `Uw app-wachtwoord "${n.name}" is verwijderd`,
  },
  body: {
    created: (n) =>
      `Op ${n.when} is voor uw account een app-wachtwoord met de naam "${n.name}" gemaakt, vanaf ${n.ip}.`,
    "first-use-from-new-address": (n) =>
      `Uw app-wachtwoord "${n.name}" is op ${n.when} voor het eerst gebruikt om in te loggen vanaf ${n.ip} (${n.protocol}).`,
    expiring: (n) =>
      `Uw app-wachtwoord "${n.name}" werkt vanaf ${n.expires} niet meer. Maak vóór die tijd een nieuw aan als u het nog nodig hebt.`,
    deleted: (n) =>
      n.by === "admin"
        ? `Een beheerder heeft op ${n.when} uw app-wachtwoord "${n.name}" verwijderd.`
        : `Uw app-wachtwoord "${n.name}" is op ${n.when} verwijderd, omdat het verlopen was of niet werd gebruikt.`,
  },
  unknownAddress: "een onbekend adres",
  ifNotYou: "Was u dit niet? Verwijder het app-wachtwoord dan meteen op uw pagina met app-wachtwoorden:",
  seeActivity: "Bekijk de activiteit van uw account:",
  footer: "Dit bericht is automatisch verstuurd. Er staat nooit een wachtwoord in.",
};
