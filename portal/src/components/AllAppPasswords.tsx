import { useEffect, useState } from "react";
import { Button, Spinner, Text, Title2 } from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import type { ApiClient, InventoryAppPassword, InventoryQuery } from "../api/client";
import { downloadCsv, inventoryCsv } from "../inventoryCsv";
import { useNotify } from "../notify";
import { useStyles } from "../useStyles";
import { ConfirmDeleteDialog } from "./ConfirmDeleteDialog";
import { InventoryFilters } from "./InventoryFilters";
import { InventoryTable, inventoryKey } from "./InventoryTable";
import { ProblemMessage } from "./ProblemMessage";

/** App passwords a page asks for: each page costs the service at most two storage requests. */
const PAGE_SIZE = 200;

interface Loaded {
  readonly items: readonly InventoryAppPassword[];
  readonly continuation?: string;
}

/**
 * The admin view of every app password of the organization: filters, a sortable table, Show more while the
 * service has more, the shown ones as CSV, and Delete selected (each through the admin delete, so each is in
 * its owner's activity naming the administrator).
 */
export function AllAppPasswords({ api }: { readonly api: ApiClient }) {
  const { t } = useTranslation("inventory");
  const styles = useStyles();
  const notify = useNotify();
  const [query, setQuery] = useState<InventoryQuery>({});
  const [loaded, setLoaded] = useState<Loaded>();
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    api.inventory({ ...query, limit: PAGE_SIZE }).then(
      (page) => {
        if (!current) return;
        setLoaded({ items: page.items, ...(page.continuation !== undefined && { continuation: page.continuation }) });
        setSelected(new Set());
        setBusy(false);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(failure);
        setBusy(false);
      },
    );
    return () => {
      current = false;
    };
  }, [api, query, attempt]);

  /** Loads the first page again, of `next` filters or (without) of the same. */
  function restart(next?: InventoryQuery) {
    setBusy(true);
    setError(undefined);
    if (next === undefined) setAttempt((count) => count + 1);
    else setQuery(next);
  }

  async function more() {
    if (loaded?.continuation === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      const page = await api.inventory({ ...query, limit: PAGE_SIZE, continuation: loaded.continuation });
      setLoaded({
        items: [...loaded.items, ...page.items],
        ...(page.continuation !== undefined && { continuation: page.continuation }),
      });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  function select(keys: readonly string[], on: boolean) {
    setSelected((current) => {
      const next = new Set(current);
      for (const key of keys) {
        if (on) next.add(key);
        else next.delete(key);
      }
      return next;
    });
  }

  /** Deletes the selected one by one; those deleted leave the list even when a later one fails. */
  async function deleteSelected() {
    const chosen = (loaded?.items ?? []).filter((item) => selected.has(inventoryKey(item)));
    const done = new Set<string>();
    try {
      for (const item of chosen) {
        await api.remove(item.userId, item.id);
        done.add(inventoryKey(item));
      }
    } finally {
      setLoaded((current) => current && { ...current, items: current.items.filter((i) => !done.has(inventoryKey(i))) });
      setSelected((current) => new Set([...current].filter((key) => !done.has(key))));
    }
    notify(t("all.deleted", { count: done.size }));
  }

  const items = loaded?.items ?? [];
  return (
    <section aria-labelledby="all-app-passwords" className={styles.section}>
      <Title2 as="h2" id="all-app-passwords">
        {t("all.heading")}
      </Title2>
      <Text as="p">{t("all.intro")}</Text>
      <InventoryFilters onApply={restart} />
      <div className={styles.row}>
        <Text>{t("all.shown", { count: items.length })}</Text>
        <Button
          disabledFocusable={items.length === 0}
          onClick={() => downloadCsv(inventoryCsv(items), "app-passwords.csv")}
        >
          {t("all.download")}
        </Button>
        <Button disabledFocusable={selected.size === 0} onClick={() => setConfirming(true)}>
          {t("all.deleteSelected")}
        </Button>
      </div>
      {error === undefined ? null : <ProblemMessage error={error} onRetry={() => restart()} />}
      {loaded === undefined ? null : items.length === 0 && loaded.continuation === undefined ? (
        <Text as="p">{t("all.none")}</Text>
      ) : (
        <InventoryTable items={items} selected={selected} onSelect={select} />
      )}
      {busy ? <Spinner label={t("all.loading")} /> : null}
      {!busy && loaded?.continuation !== undefined ? (
        <Button onClick={() => void more()}>{t("all.more")}</Button>
      ) : null}
      {confirming ? (
        <ConfirmDeleteDialog
          title={t("all.confirmTitle", { count: selected.size })}
          question={t("all.confirmQuestion", { count: selected.size })}
          onYes={deleteSelected}
          onClose={() => setConfirming(false)}
        />
      ) : null}
    </section>
  );
}
