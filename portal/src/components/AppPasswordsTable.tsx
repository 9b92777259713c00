import type { ReactNode } from "react";
import {
  Badge,
  Button,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import type { AppPassword } from "../api/client";
import { describeLastUsed, describeRestrictions, formatDate, formatDateTime, isExpired } from "../format";
import { useNarrow } from "../useNarrow";
import { useStyles } from "../useStyles";
import { AppPasswordName } from "./AppPasswordName";
import { CardFacts } from "./CardFacts";

export interface AppPasswordsTableProps {
  /** Whose app passwords, for the table's accessible name: "Your app passwords". */
  readonly caption: string;
  readonly items: readonly AppPassword[];
  readonly onDelete: (item: AppPassword) => void;
  /** Rename in place; left out when the service cannot rename. */
  readonly onRename?: (item: AppPassword, name: string) => Promise<void>;
}

/**
 * The app passwords: name, created, last used (when, where from, how), expiry, restrictions, and actions. A
 * table on a wide page; on a narrow one (a phone) a list of cards, each fact beside its column's name.
 */
export function AppPasswordsTable({ caption, items, onDelete, onRename }: AppPasswordsTableProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const narrow = useNarrow();

  const name = (item: AppPassword) => (
    <AppPasswordName item={item} {...(onRename && { onRename: (newName) => onRename(item, newName) })} />
  );
  // The columns between the name and the actions: a header each, and a card's labels.
  const labels = [t("table.created"), t("table.lastUsed"), t("table.expires"), t("table.restrictions")];
  const facts = (item: AppPassword): readonly ReactNode[] => [
    formatDate(item.createdAt),
    describeLastUsed(item),
    item.expiresAt === undefined ? (
      t("format.never")
    ) : isExpired(item) ? (
      <Badge appearance="tint" color="danger">
        {t("table.expired", { when: formatDateTime(item.expiresAt) })}
      </Badge>
    ) : (
      formatDateTime(item.expiresAt)
    ),
    describeRestrictions(item),
  ];
  const remove = (item: AppPassword) => (
    <Button aria-label={t("table.deleteLabel", { name: item.name })} onClick={() => onDelete(item)}>
      {t("table.delete")}
    </Button>
  );

  if (narrow) {
    return (
      <ul aria-label={caption} className={styles.cards}>
        {items.map((item) => (
          <li key={item.id} className={styles.card}>
            {name(item)}
            <CardFacts labels={labels} values={facts(item)} />
            <div>{remove(item)}</div>
          </li>
        ))}
      </ul>
    );
  }
  return (
    <Table aria-label={caption}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{t("table.name")}</TableHeaderCell>
          {labels.map((label) => (
            <TableHeaderCell key={label}>{label}</TableHeaderCell>
          ))}
          <TableHeaderCell>{t("table.actions")}</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((item) => (
          <TableRow key={item.id}>
            <TableCell>{name(item)}</TableCell>
            {facts(item).map((value, index) => (
              <TableCell key={index}>{value}</TableCell>
            ))}
            <TableCell>{remove(item)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
