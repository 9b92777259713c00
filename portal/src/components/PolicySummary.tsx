import { useEffect, useRef, useState } from "react";
import { Text } from "@fluentui/react-components";
import { useTranslation } from "react-i18next";
import type { ApiClient, Policy } from "../api/client";

export interface PolicySummaryProps {
  readonly api: ApiClient;
  /** Told when app passwords were turned off or on since the last read, so the page reloads what it shows. */
  readonly onAllowedChange: () => void;
}

/** Read again at least this often (seconds) when the service asks for less: every second is plenty. */
const MIN_POLL_SECONDS = 1;

/**
 * What the tenant's policy means for the person (their limit, the longest lifetime, the clean-up), read from
 * `GET /api/policy` and read again as often as the service applies a change, so that an administrator turning
 * app passwords off shows here without a reload. When they are off, the page's own notice says so.
 */
export function PolicySummary({ api, onAllowedChange }: PolicySummaryProps) {
  const { t } = useTranslation("policy");
  const [policy, setPolicy] = useState<Policy>();
  const allowed = useRef<boolean>(undefined);
  const changed = useRef(onAllowedChange);
  useEffect(() => {
    changed.current = onAllowedChange;
  });

  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function read() {
      let seconds = 30;
      try {
        const found = await api.policy();
        if (!current) return;
        seconds = found.refreshSeconds;
        setPolicy(found);
        if (allowed.current !== undefined && allowed.current !== found.allowed) changed.current();
        allowed.current = found.allowed;
      } catch {
        // An older service without the policy, or a blip: the summary stays as it was, and is tried again.
      }
      if (current) timer = setTimeout(() => void read(), Math.max(seconds, MIN_POLL_SECONDS) * 1000);
    }
    void read();
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api]);

  if (policy === undefined || !policy.allowed) return null;
  const lines = [
    t("summary.limit", { count: policy.maxPerUser }),
    ...(policy.maxLifetimeDays === null ? [] : [t("summary.lifetime", { count: policy.maxLifetimeDays })]),
    ...(policy.deleteUnusedAfterDays === null ? [] : [t("summary.unused", { count: policy.deleteUnusedAfterDays })]),
  ];
  return (
    <Text as="p" data-testid="policy-summary">
      {lines.join(" ")}
    </Text>
  );
}
