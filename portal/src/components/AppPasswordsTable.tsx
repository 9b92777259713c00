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
import type { AppPassword } from "../api/client";
import { describeLastUsed, describeRestrictions, formatDate, formatDateTime, isExpired } from "../format";
import { AppPasswordName } from "./AppPasswordName";

export interface AppPasswordsTableProps {
  /** Whose app passwords, for the table's accessible name: "Your app passwords". */
  readonly caption: string;
  readonly items: readonly AppPassword[];
  readonly onDelete: (item: AppPassword) => void;
  /** Rename in place; left out when the service cannot rename. */
  readonly onRename?: (item: AppPassword, name: string) => Promise<void>;
}

/** The app passwords: name, created, last used (when, where from, how), expiry, restrictions, and actions. */
export function AppPasswordsTable({ caption, items, onDelete, onRename }: AppPasswordsTableProps) {
  return (
    <Table aria-label={caption}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Name</TableHeaderCell>
          <TableHeaderCell>Created</TableHeaderCell>
          <TableHeaderCell>Last used</TableHeaderCell>
          <TableHeaderCell>Expires</TableHeaderCell>
          <TableHeaderCell>Restrictions</TableHeaderCell>
          <TableHeaderCell>Actions</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((item) => (
          <TableRow key={item.id}>
            <TableCell>
              <AppPasswordName item={item} {...(onRename && { onRename: (name) => onRename(item, name) })} />
            </TableCell>
            <TableCell>{formatDate(item.createdAt)}</TableCell>
            <TableCell>{describeLastUsed(item)}</TableCell>
            <TableCell>
              {item.expiresAt === undefined ? (
                "Never"
              ) : isExpired(item) ? (
                <Badge appearance="tint" color="danger">
                  Expired {formatDateTime(item.expiresAt)}
                </Badge>
              ) : (
                formatDateTime(item.expiresAt)
              )}
            </TableCell>
            <TableCell>{describeRestrictions(item)}</TableCell>
            <TableCell>
              <Button aria-label={`Delete ${item.name}`} onClick={() => onDelete(item)}>
                Delete
              </Button>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
