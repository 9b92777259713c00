import type { InventoryAppPassword } from "./api/client";

/** The CSV's columns, in order: the API's field names, so a script reads it as it reads the API. */
const COLUMNS = [
  "loginName",
  "name",
  "createdAt",
  "expiresAt",
  "lastUsedAt",
  "lastUsedIp",
  "lastUsedProtocol",
  "protocols",
  "allowedIps",
  "userId",
  "id",
] as const;

/**
 * One cell: quoted, quotes doubled, and a value a spreadsheet would run as a formula (a name is the person's
 * own words) prefixed with an apostrophe, as OWASP's advice on CSV injection has it.
 */
function cell(value: string | readonly string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(" ") : ((value as string | undefined) ?? "");
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** The app passwords as CSV (RFC 4180, CRLF line ends), a header line first. */
export function inventoryCsv(items: readonly InventoryAppPassword[]): string {
  const lines = [COLUMNS.join(","), ...items.map((item) => COLUMNS.map((column) => cell(item[column])).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

/** Has the browser save `csv` as `fileName`: built here, never sent anywhere. */
export function downloadCsv(csv: string, fileName: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
