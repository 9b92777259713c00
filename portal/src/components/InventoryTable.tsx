import { useState } from "react";
import {
  Checkbox,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  TableSelectionCell,
} from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import type { InventoryAppPassword } from "../api/client";
import { describeLastUsed, describeRestrictions, formatDate, formatDateTime } from "../format";
import { useNarrow } from "../useNarrow";
import { useStyles } from "../useStyles";
import { CardFacts } from "./CardFacts";

/** A row's key: an id is unique within its owner's app passwords only. */
export const inventoryKey = (item: InventoryAppPassword) => `${item.userId}/${item.id}`;

type Column = "loginName" | "name" | "createdAt" | "lastUsedAt" | "expiresAt";

export interface InventoryTableProps {
  readonly items: readonly InventoryAppPassword[];
  readonly selected: ReadonlySet<string>;
  readonly onSelect: (keys: readonly string[], selected: boolean) => void;
}

/**
 * The organization's app passwords, sortable by each column but restrictions, each row selectable; on a
 * narrow page (a phone) a list of cards with a checkbox each.
 */
export function InventoryTable({ items, selected, onSelect }: InventoryTableProps) {
  const { t } = useTranslation("inventory");
  const styles = useStyles();
  const narrow = useNarrow();
  const [sort, setSort] = useState<{ column: Column; ascending: boolean }>({ column: "loginName", ascending: true });

  const headers: Record<Column, string> = {
    loginName: t("all.loginName"),
    name: t("common:table.name"),
    createdAt: t("common:table.created"),
    lastUsedAt: t("common:table.lastUsed"),
    expiresAt: t("common:table.expires"),
  };
  // Never used, never expires: sorted as the oldest use and the farthest expiry.
  const sortValue = (item: InventoryAppPassword, column: Column) =>
    item[column] ?? (column === "expiresAt" ? "\uffff" : "");
  const sorted = [...items].sort((a, b) => {
    const order = sortValue(a, sort.column).localeCompare(sortValue(b, sort.column));
    return (sort.ascending ? order : -order) || inventoryKey(a).localeCompare(inventoryKey(b));
  });
  const loginName = (item: InventoryAppPassword) => (item.loginName === "" ? t("all.noLoginName") : item.loginName);
  const facts = (item: InventoryAppPassword) => [
    formatDate(item.createdAt),
    describeLastUsed(item),
    item.expiresAt === undefined ? t("common:format.never") : formatDateTime(item.expiresAt),
    describeRestrictions(item),
  ];
  const factLabels = [headers.createdAt, headers.lastUsedAt, headers.expiresAt, t("common:table.restrictions")];
  const selectLabel = (item: InventoryAppPassword) => t("all.select", { name: item.name, loginName: loginName(item) });
  const allSelected = items.length > 0 && items.every((item) => selected.has(inventoryKey(item)));
  const someSelected = items.some((item) => selected.has(inventoryKey(item)));
  const selectAll = () => onSelect(items.map(inventoryKey), !allSelected);

  if (narrow) {
    return (
      <>
        <Checkbox
          label={t("all.selectAll")}
          checked={allSelected ? true : someSelected ? "mixed" : false}
          onChange={selectAll}
        />
        <ul aria-label={t("all.caption")} className={styles.cards}>
          {sorted.map((item) => (
            <li key={inventoryKey(item)} className={styles.card}>
              <Checkbox
                label={`${item.name} — ${loginName(item)}`}
                aria-label={selectLabel(item)}
                checked={selected.has(inventoryKey(item))}
                onChange={(_, data) => onSelect([inventoryKey(item)], data.checked === true)}
              />
              <CardFacts labels={factLabels} values={facts(item)} />
            </li>
          ))}
        </ul>
      </>
    );
  }
  return (
    <Table sortable aria-label={t("all.caption")}>
      <TableHeader>
        <TableRow>
          <TableSelectionCell
            checked={allSelected ? true : someSelected ? "mixed" : false}
            onClick={selectAll}
            checkboxIndicator={{ "aria-label": t("all.selectAll") }}
          />
          {(Object.keys(headers) as Column[]).map((column) => (
            <TableHeaderCell
              key={column}
              sortDirection={sort.column === column ? (sort.ascending ? "ascending" : "descending") : undefined}
              onClick={() =>
                setSort((current) => ({ column, ascending: current.column === column ? !current.ascending : true }))
              }
            >
              {headers[column]}
            </TableHeaderCell>
          ))}
          <TableHeaderCell>{t("common:table.restrictions")}</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {sorted.map((item) => {
          const key = inventoryKey(item);
          const [created, lastUsed, expires, restrictions] = facts(item);
          return (
            <TableRow key={key} aria-selected={selected.has(key)}>
              <TableSelectionCell
                checked={selected.has(key)}
                onClick={() => onSelect([key], !selected.has(key))}
                checkboxIndicator={{ "aria-label": selectLabel(item) }}
              />
              <TableCell>{loginName(item)}</TableCell>
              <TableCell>{item.name}</TableCell>
              <TableCell>{created}</TableCell>
              <TableCell>{lastUsed}</TableCell>
              <TableCell>{expires}</TableCell>
              <TableCell>{restrictions}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
