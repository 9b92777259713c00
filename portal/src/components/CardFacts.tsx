import type { ReactNode } from "react";
import { useStyles } from "../useStyles";

/**
 * A card's facts, where a narrow screen shows a table's rows as cards: each column's header beside its value.
 * An empty value is left out.
 */
export function CardFacts({
  labels,
  values,
}: {
  readonly labels: readonly string[];
  readonly values: readonly ReactNode[];
}) {
  const styles = useStyles();
  return (
    <dl className={styles.facts}>
      {values.map((value, index) =>
        value === "" ? null : (
          <div key={index}>
            <dt>{labels[index]}</dt>
            <dd>{value}</dd>
          </div>
        ),
      )}
    </dl>
  );
}
