import { useState, type SyntheticEvent } from "react";
import { Button, Dropdown, Field, Input, Option } from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import type { InventoryQuery, Protocol } from "../api/client";
import { protocolName } from "../format";
import { useStyles } from "../useStyles";

const PROTOCOLS: readonly Protocol[] = ["imap", "pop3", "smtp", "eas", "dav", "other"];

type Expiry = "any" | "true" | "false";

/** The inventory's filters; Apply hands them over as the API's query. */
export function InventoryFilters({ onApply }: { readonly onApply: (query: InventoryQuery) => void }) {
  const { t } = useTranslation("inventory");
  const styles = useStyles();
  const [unused, setUnused] = useState("");
  const [expiring, setExpiring] = useState("");
  const [expiry, setExpiry] = useState<Expiry>("any");
  const [protocol, setProtocol] = useState<Protocol | "">("");
  const [prefix, setPrefix] = useState("");

  const days = (value: string) => (/^\d{1,4}$/.test(value.trim()) ? Number(value.trim()) : undefined);
  const expiryLabels: Record<Expiry, string> = {
    any: t("all.expiredAny"),
    true: t("all.expiredOnly"),
    false: t("all.notExpired"),
  };

  function apply(event: SyntheticEvent) {
    event.preventDefault();
    const unusedForDays = days(unused);
    const expiringWithinDays = days(expiring);
    onApply({
      ...(unusedForDays !== undefined && { unusedForDays }),
      ...(expiringWithinDays !== undefined && { expiringWithinDays }),
      ...(expiry !== "any" && { expired: expiry }),
      ...(protocol !== "" && { protocol }),
      ...(prefix.trim() !== "" && { loginNamePrefix: prefix.trim() }),
    });
  }

  return (
    <form className={styles.row} onSubmit={apply} aria-label={t("all.filters")}>
      <Field label={t("all.unusedForDays")}>
        <Input inputMode="numeric" value={unused} onChange={(_, data) => setUnused(data.value)} />
      </Field>
      <Field label={t("all.expiringWithinDays")}>
        <Input inputMode="numeric" value={expiring} onChange={(_, data) => setExpiring(data.value)} />
      </Field>
      <Field label={t("all.expired")}>
        <Dropdown
          value={expiryLabels[expiry]}
          selectedOptions={[expiry]}
          onOptionSelect={(_, data) => setExpiry((data.optionValue ?? "any") as Expiry)}
        >
          {(Object.keys(expiryLabels) as Expiry[]).map((value) => (
            <Option key={value} value={value}>
              {expiryLabels[value]}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field label={t("all.protocol")}>
        <Dropdown
          value={protocol === "" ? t("all.protocolAny") : protocolName(protocol)}
          selectedOptions={[protocol]}
          onOptionSelect={(_, data) => setProtocol((data.optionValue ?? "") as Protocol | "")}
        >
          <Option value="">{t("all.protocolAny")}</Option>
          {PROTOCOLS.map((value) => (
            <Option key={value} value={value}>
              {protocolName(value)}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field label={t("all.loginNamePrefix")}>
        <Input value={prefix} onChange={(_, data) => setPrefix(data.value)} />
      </Field>
      <Button type="submit" appearance="primary" style={{ alignSelf: "flex-end" }}>
        {t("all.apply")}
      </Button>
    </form>
  );
}
