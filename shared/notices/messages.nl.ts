import type { NoticeMessages } from "./composeNotice";

/** De woorden van de meldingen in het Nederlands. */
export const messagesNl: NoticeMessages = {
  subject: {
    created: (n) => `Er is een nieuw app-wachtwoord "${n.name}" gemaakt`,
    "first-use-from-new-address": (n) => `Je app-wachtwoord "${n.name}" is gebruikt vanaf een nieuw adres`,
    expiring: (n) => `Je app-wachtwoord "${n.name}" verloopt over 7 dagen`,
    deleted: (n) => `Je app-wachtwoord "${n.name}" is verwijderd`,
  },
  body: {
    created: (n) =>
      `Op ${n.when} is voor je account een app-wachtwoord met de naam "${n.name}" gemaakt, vanaf ${n.ip}.`,
    "first-use-from-new-address": (n) =>
      `Je app-wachtwoord "${n.name}" is op ${n.when} voor het eerst gebruikt om in te loggen vanaf ${n.ip} (${n.protocol}).`,
    expiring: (n) =>
      `Je app-wachtwoord "${n.name}" werkt vanaf ${n.expires} niet meer. Maak vóór die tijd een nieuw aan als je het nog nodig hebt.`,
    deleted: (n) =>
      n.by === "admin"
        ? `Een beheerder heeft op ${n.when} je app-wachtwoord "${n.name}" verwijderd.`
        : `Je app-wachtwoord "${n.name}" is op ${n.when} verwijderd, omdat het verlopen was of niet werd gebruikt.`,
  },
  unknownAddress: "een onbekend adres",
  ifNotYou: "Was jij dit niet? Verwijder het app-wachtwoord dan meteen op je pagina met app-wachtwoorden:",
  seeActivity: "Bekijk de activiteit van je account:",
  footer: "Dit bericht is automatisch verstuurd. Er staat nooit een wachtwoord in.",
};
