import { makeStyles, tokens } from "@fluentui/react-components";

/** The page's few layout styles; everything else is Fluent's own look. */
export const useStyles = makeStyles({
  page: {
    maxWidth: "72rem",
    margin: "0 auto",
    padding: `${tokens.spacingVerticalXXL} ${tokens.spacingHorizontalXL}`,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  header: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
  },
  section: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  form: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    maxWidth: "28rem",
  },
  row: {
    display: "flex",
    alignItems: "center",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalS,
  },
  /** A name a person chose: a long one without spaces breaks anywhere rather than push into the next column. */
  name: {
    overflowWrap: "anywhere",
    minWidth: 0,
  },
  password: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase500,
    letterSpacing: "0.05em",
    wordSpacing: "0.4em",
  },
  fieldset: {
    border: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexWrap: "wrap",
    columnGap: tokens.spacingHorizontalM,
  },
  /** Tabs that do not fit on one line (a phone, long Dutch words) wrap rather than push the page wider. */
  tabs: {
    flexWrap: "wrap",
  },
  /** A person's login name in the header: long ones break rather than widen the page. */
  signedIn: {
    overflowWrap: "anywhere",
    minWidth: 0,
  },
  /** A field that fills a narrow page but does not sprawl on a wide one. */
  wideField: {
    width: "22rem",
    maxWidth: "100%",
  },
  /** A table's rows as stacked cards, at narrow widths (see `useNarrow`). */
  cards: {
    listStyleType: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
  },
  card: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    minWidth: 0,
  },
  /** A card's facts: each column's header beside its value, the value wrapping within the card. */
  facts: {
    display: "grid",
    gridTemplateColumns: "minmax(0, max-content) minmax(0, 1fr)",
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
    // Each fact is a `div` (dt and dd) whose children join the grid.
    "& > div": { display: "contents" },
    "& dt": { fontWeight: tokens.fontWeightSemibold },
    "& dd": { margin: 0, overflowWrap: "anywhere", minWidth: 0 },
  },
  legend: {
    padding: 0,
    marginBottom: tokens.spacingVerticalXS,
    fontWeight: tokens.fontWeightSemibold,
  },
});
